-- Call handling, for the force only: from `calls`, one row per interval and line.

-- name: calls
-- sources: calls
-- param line (required): one of 999, non_emergency
-- param measure (required): one of within_standard, average_wait, offered
-- within_standard: calls answered within the standard (999: 10 seconds) over calls answered;
-- average_wait: total waiting seconds of answered calls over calls answered; offered: calls
-- presented to the line. In the month of `interval_start`.
SELECT date_trunc('month', interval_start) AS mon,
       sum(CASE $measure WHEN 'within_standard' THEN answered_within_standard
                         WHEN 'average_wait' THEN total_wait_seconds
                         WHEN 'offered' THEN calls_offered END) AS numerator,
       CASE WHEN $measure <> 'offered' THEN sum(calls_answered) END AS denominator
FROM calls
WHERE line = $line
GROUP BY ALL;
