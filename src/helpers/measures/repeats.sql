-- Repeat victims and repeat incidents: the same person again within 365 days, or since April.
--
-- Each person's records are read in the order `ordered.sql` puts them (by date and time, then
-- record id, as text): of two records at the same moment (two crimes recorded on one day) the
-- earlier is the person's previous record, so the later one *is* "in the 365 days after" it: a
-- second crime on the same day is a repeat. "In the 365 days before" includes a record exactly
-- 365 days (for incidents: 365 × 24 hours) earlier. A record without a person (empty
-- `victim_id`) is nobody's.

-- name: repeat_da_incidents
-- sources: incidents
-- param rule (required): one of previous_12_months, since_financial_year_start
-- A domestic-abuse incident is a repeat incident when the same victim had an earlier domestic-abuse
-- incident: in the 365 days before it (rule previous_12_months, from April 2016), or earlier in
-- the same financial year (rule since_financial_year_start, to March 2016). One query counts both
-- rules, a column each; `rule` says which one is the measure's numerator.
SELECT date_trunc('month', happened_at) AS mon, district,
       count(*) FILTER (WHERE previous_at >= happened_at - INTERVAL 365 DAYS)
           AS previous_12_months,
       count(*) FILTER (WHERE fy_start(previous_at) = fy_start(happened_at))
           AS since_financial_year_start
FROM da_victim_incidents
WHERE previous_at IS NOT NULL
GROUP BY ALL;

-- name: repeat_da_victims
-- sources: $source
-- param source (required): one of incidents, crimes
-- People with at least one repeat domestic-abuse incident (or crime, with source: crimes) in the
-- month: one with another in the 365 days before it. Each person counted once, in the district
-- of their first repeat of the month.
WITH records AS (
    SELECT * FROM da_victim_incidents WHERE $source = 'incidents'
    UNION ALL
    SELECT * FROM da_victim_crimes WHERE $source = 'crimes'
)
SELECT mon, district, count(*) AS numerator
FROM (
    SELECT date_trunc('month', happened_at) AS mon, arg_min(district, nth) AS district
    FROM records
    WHERE previous_at >= happened_at - INTERVAL 365 DAYS
    GROUP BY mon, victim_id
)
GROUP BY ALL;

-- name: repeat_victims_previous_12_months
-- sources: crimes
-- param business: true or false
-- Victims of a crime recorded in the month who were also the victim of a crime in the 365 days
-- before it; each counted once, in the district of their first such crime of the month. With
-- `business: true`, crimes against a business only.
SELECT mon, district, count(*) AS numerator
FROM (
    SELECT date_trunc('month', recorded_date) AS mon, arg_min(district, nth) AS district
    FROM crimes_in_order($business)
    WHERE previous_date >= recorded_date - INTERVAL 365 DAYS
    GROUP BY mon, victim_id
)
GROUP BY ALL;
