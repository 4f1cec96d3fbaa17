-- Counts with flags: recorded crimes and incidents, month by month and district by district.
--
-- A crime counts in the month it was recorded (`recorded_date`), an incident in the month it was
-- opened (`opened_at`), in its district (`Unassigned` when the source could not place it: in the
-- force total, in no LPA). A flag left empty counts as not flagged; a month where a flag is empty
-- on every row has no value at all (N/A, never 0: that is the coverage, worked out in Python).

-- name: count_crimes
-- sources: crimes
-- param flag: one of domestic_abuse, victim_based, night_time_economy, rural, business, class_a_supply, evidence_led_prosecution
-- param da_risk_level: one of standard, medium, high
-- param business: true or false
-- Crimes recorded in the month; with `flag`, only the crimes flagged so; with `da_risk_level`,
-- only domestic-abuse crimes of that DASH risk level; with `business: true`, only crimes against a
-- business.
SELECT date_trunc('month', recorded_date) AS mon, district, count(*) AS numerator
FROM crimes
WHERE {flag}
  AND ($da_risk_level IS NULL OR da_risk_level = $da_risk_level)
  AND ($business IS NOT TRUE OR business)
GROUP BY ALL;

-- name: count_incidents
-- sources: incidents
-- param flag: one of domestic_abuse, asb, alcohol, drugs, mental_health
-- param grade: one of 1, 2, 3, 4
-- Incidents opened in the month; with `flag`, only those closed with that qualifier; with
-- `grade`, only those of that grade (1 = emergency).
SELECT date_trunc('month', opened_at) AS mon, district, count(*) AS numerator
FROM incidents
WHERE {flag} AND ($grade IS NULL OR grade = $grade)
GROUP BY ALL;
