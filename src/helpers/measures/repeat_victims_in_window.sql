-- Distinct repeat victims in a window (the definition used to March 2016).
--
-- Each victim's crimes are read in the order `ordered.sql` puts them (by recorded date, then crime
-- id, as text); a crime without a victim (empty `victim_id`) is nobody's.

-- name: repeat_victims_in_window
-- sources: crimes
-- param business: true or false
-- Victims with two or more crimes recorded in the window (the month; the 12 months to the month;
-- the financial year to the month), each counted once, in the district of their first crime of
-- the window. With `business: true`, crimes against a business only.
--
-- Worked out for every window end month at once. Take a victim's crimes in order, each with the
-- month of the victim's previous and next crime. A crime is the victim's first of a window starting
-- in month S when previous_mon < S <= mon; the victim has a second crime in a window ending in
-- month E when next_mon <= E. So each crime counts one repeat victim, in its district, in every
-- window whose end month lies between first_end and last_end (`months` is every month of the data).
WITH neighbours AS MATERIALIZED (  -- worked out once for the three kinds
    SELECT district, date_trunc('month', recorded_date) AS mon,
           date_trunc('month', previous_date) AS previous_mon,
           date_trunc('month', next_date) AS next_mon
    FROM crimes_in_order($business)
),
spans AS (
    SELECT 'month' AS window_kind, district, mon AS first_end, mon AS last_end
    FROM neighbours WHERE next_mon = mon AND (previous_mon IS NULL OR previous_mon < mon)
    UNION ALL
    SELECT 'rolling-12m', district, greatest(next_mon, previous_mon + INTERVAL 12 MONTHS),
           mon + INTERVAL 11 MONTHS
    FROM neighbours WHERE next_mon IS NOT NULL
    UNION ALL
    SELECT 'fytd', district, next_mon, fy_start(mon) + INTERVAL 11 MONTHS
    FROM neighbours WHERE next_mon IS NOT NULL AND (previous_mon IS NULL OR previous_mon < fy_start(mon))
)
SELECT window_kind, months.mon, district, count(*) AS numerator
FROM spans JOIN months ON months.mon BETWEEN spans.first_end AND spans.last_end
GROUP BY ALL;
