-- Repeat victims and repeat incidents: the same person again within 365 days, or since April.
--
-- Records are put in order per person by their date and time; two records at the same moment (two
-- crimes recorded on one day) are ordered by their record id, as text. The earlier of the two is
-- the person's previous record, so the later one *is* "in the 365 days after" it: a second crime on
-- the same day is a repeat. "In the 365 days before" includes a record exactly 365 days (for
-- incidents: 365 × 24 hours) earlier. A record without a person (empty `victim_id`) is nobody's.

-- name: repeat_da_incidents
-- sources: incidents
-- param rule (required): one of previous_12_months, since_financial_year_start
-- A domestic-abuse incident is a repeat incident when the same victim had an earlier domestic-abuse
-- incident: in the 365 days before it (rule previous_12_months, from April 2016), or earlier in
-- the same financial year (rule since_financial_year_start, to March 2016). One query counts both
-- rules, a column each; `rule` says which one is the measure's numerator.
WITH domestic_abuse AS (
    SELECT opened_at, district,
           lag(opened_at) OVER (PARTITION BY victim_id ORDER BY opened_at, incident_id) AS previous_at
    FROM incidents
    WHERE domestic_abuse AND victim_id IS NOT NULL
)
SELECT date_trunc('month', opened_at) AS mon, district,
       count(*) FILTER (WHERE previous_at >= opened_at - INTERVAL 365 DAYS) AS previous_12_months,
       count(*) FILTER (WHERE fy_start(previous_at) = fy_start(opened_at))
           AS since_financial_year_start
FROM domestic_abuse
WHERE previous_at IS NOT NULL
GROUP BY ALL;

-- name: repeat_da_victims
-- sources: $source
-- param source (required): one of incidents, crimes
-- People with at least one repeat domestic-abuse incident (or crime, with source: crimes) in the
-- month: one with another in the 365 days before it. Each person counted once, in the district
-- of their first repeat of the month.
WITH records AS (
    SELECT opened_at AS happened_at, incident_id AS record_id, district, victim_id
    FROM incidents WHERE $source = 'incidents' AND domestic_abuse AND victim_id IS NOT NULL
    UNION ALL
    SELECT recorded_date, crime_id, district, victim_id
    FROM crimes WHERE $source = 'crimes' AND domestic_abuse AND victim_id IS NOT NULL
),
repeats AS (
    SELECT date_trunc('month', happened_at) AS mon, victim_id, district, happened_at, record_id
    FROM (
        SELECT *, lag(happened_at) OVER (PARTITION BY victim_id ORDER BY happened_at, record_id)
                  AS previous_at
        FROM records
    )
    WHERE previous_at >= happened_at - INTERVAL 365 DAYS
)
SELECT mon, district, count(*) AS numerator
FROM (
    SELECT mon, first(district ORDER BY happened_at, record_id) AS district
    FROM repeats GROUP BY mon, victim_id
)
GROUP BY ALL;

-- name: repeat_victims_previous_12_months
-- sources: crimes
-- param business: true or false
-- Victims of a crime recorded in the month who were also the victim of a crime in the 365 days
-- before it; each counted once, in the district of their first such crime of the month. With
-- `business: true`, crimes against a business only.
WITH repeats AS (
    SELECT date_trunc('month', recorded_date) AS mon, victim_id, district, recorded_date, crime_id
    FROM (
        SELECT *, lag(recorded_date) OVER (PARTITION BY victim_id ORDER BY recorded_date, crime_id)
                  AS previous_date
        FROM crimes
        WHERE victim_id IS NOT NULL AND ($business IS NOT TRUE OR business)
    )
    WHERE previous_date >= recorded_date - INTERVAL 365 DAYS
)
SELECT mon, district, count(*) AS numerator
FROM (
    SELECT mon, first(district ORDER BY recorded_date, crime_id) AS district
    FROM repeats GROUP BY mon, victim_id
)
GROUP BY ALL;
