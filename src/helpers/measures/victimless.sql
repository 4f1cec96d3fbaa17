-- Victimless prosecutions: domestic-abuse cases taken to court without the victim's evidence.

-- name: victimless_prosecutions
-- sources: victimless_prosecutions
-- param figure (required): one of finalised, successful, dismissed, other, pending
-- Cases finalised in the month (by `finalised_date`), and of them those with each `result`; and
-- the cases pending at the end of the month: charged on or before its last day and not finalised
-- by then. One query gives every figure (a column each); `figure` says which one the catalog
-- measure is. Finalised cases add up over months; pending is a count at the month's end.
WITH finalised AS (
    SELECT date_trunc('month', finalised_date) AS mon, district,
           count(*) AS finalised,
           count(*) FILTER (WHERE result = 'successful') AS successful,
           count(*) FILTER (WHERE result = 'dismissed') AS dismissed,
           count(*) FILTER (WHERE result = 'other') AS other
    FROM victimless_prosecutions
    WHERE finalised_date < (SELECT max(mon) FROM months) + INTERVAL 1 MONTH  -- within the data
    GROUP BY ALL
),
pending AS (
    SELECT months.mon, cases.district, count(*) AS pending
    FROM victimless_prosecutions AS cases
    JOIN months ON date_trunc('month', cases.charged_date) <= months.mon
               AND (cases.finalised_date IS NULL OR cases.finalised_date >= months.mon + INTERVAL 1 MONTH)
    GROUP BY ALL
)
SELECT mon, district,
       coalesce(finalised.finalised, 0) AS finalised, coalesce(finalised.successful, 0) AS successful,
       coalesce(finalised.dismissed, 0) AS dismissed, coalesce(finalised.other, 0) AS other,
       coalesce(pending.pending, 0) AS pending
FROM finalised FULL JOIN pending USING (mon, district);
