-- Re-offending: a cohort of offenders and those of it linked to a further crime within six months.

-- name: reoffenders
-- sources: crimes, crime_offenders
-- param age: one of all, youth, adult
-- param domestic_abuse: true or false
-- param measure (required): one of offenders, reoffenders, rate
-- The cohort of a month: offenders linked (`crime_offenders`) to a crime recorded in the month,
-- each counted once, in the district of their first crime of the month (by recorded date, then
-- crime id) and in the age group of their age at that offence (`age_group`: youth 10-17, adult 18
-- and over; none for another or an unknown age). `age` keeps the cells of one group (all: every
-- cell; one query gives both groups).
-- Re-offenders: cohort members linked to a further crime recorded in the six months after the
-- cohort month (a second crime in the cohort month itself is not a further crime). With
-- `domestic_abuse: true` both crimes are domestic-abuse crimes. `measure` says which figure the
-- catalog measure is: the cohort (offenders), the re-offenders, or re-offenders / cohort (rate).
WITH links AS (
    SELECT o.offender_id, o.age_at_offence, c.recorded_date, c.crime_id, c.district,
           date_trunc('month', c.recorded_date) AS mon
    FROM crime_offenders AS o JOIN crimes AS c USING (crime_id)
    WHERE o.offender_id IS NOT NULL AND ($domestic_abuse IS NOT TRUE OR c.domestic_abuse)
),
cohort AS (
    SELECT offender_id, mon,
           first(district ORDER BY recorded_date, crime_id) AS district,
           first(age_at_offence ORDER BY recorded_date, crime_id) AS age
    FROM links GROUP BY offender_id, mon
),
followed AS (
    SELECT *, lead(mon) OVER (PARTITION BY offender_id ORDER BY mon) AS next_mon FROM cohort
)
SELECT mon, district,
       CASE WHEN age BETWEEN 10 AND 17 THEN 'youth' WHEN age >= 18 THEN 'adult' END AS age_group,
       count(*) AS offenders,
       count(*) FILTER (WHERE next_mon <= mon + INTERVAL 6 MONTHS) AS reoffenders
FROM followed
GROUP BY ALL;
