-- Organisational health: working days lost to sickness, for the force only.

-- name: days_lost
-- sources: workforce
-- param group (required): one of officer, staff, pcso
-- Days lost to sickness in the month over the full-time-equivalent strength at month end, of one
-- workforce group. Over a window the days are added up and the strength averaged.
SELECT date_trunc('month', "month") AS mon, sum(days_lost) AS numerator,
       sum(strength_fte) AS denominator
FROM workforce
WHERE "group" = $group
GROUP BY ALL;
