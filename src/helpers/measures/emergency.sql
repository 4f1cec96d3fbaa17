-- Emergency attendance and response times: grade 1 (emergency) incidents.
--
-- The time to attend is from `opened_at` (the incident created) to `arrived_at` (the first officer
-- arrived), in whole seconds. An incident never attended has no time.

-- name: emergency_attendance
-- sources: incidents
-- param urban_minutes: a number
-- param rural_minutes: a number
-- Grade 1 incidents attended within the standard — within `urban_minutes` (15) of being opened, or
-- `rural_minutes` (20) where `urban_rural` is rural — over all grade 1 incidents opened in the
-- month. Never attended: outside the standard. An empty `urban_rural` is held to the urban
-- (stricter) standard.
SELECT date_trunc('month', opened_at) AS mon, district,
       count(*) FILTER (WHERE whole_seconds(opened_at, arrived_at)
                              <= 60 * CASE WHEN urban_rural = 'rural' THEN coalesce($rural_minutes, 20)
                                           ELSE coalesce($urban_minutes, 15) END) AS numerator,
       count(*) AS denominator
FROM incidents
WHERE grade = 1
GROUP BY ALL;

-- name: response_time
-- sources: incidents
-- param urban_rural: one of urban, rural
-- Mean minutes to the first arrival at attended grade 1 incidents opened in the month (with
-- `urban_rural`, of that class only: an empty `urban_rural` is neither).
SELECT date_trunc('month', opened_at) AS mon, district,
       sum(whole_seconds(opened_at, arrived_at)) / 60 AS numerator, count(*) AS denominator
FROM incidents
WHERE grade = 1 AND arrived_at IS NOT NULL AND ($urban_rural IS NULL OR urban_rural = $urban_rural)
GROUP BY ALL;
