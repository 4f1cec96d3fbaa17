-- Outcomes and solved rates.
--
-- A crime is solved when its latest outcome (`outcome_type`) is one of the eight solved types
-- (charge or summons, caution, taken into consideration (two), penalty notice, cannabis warning,
-- detected no proceedings, community resolution: table `solved_outcomes`). Outcomes count in the
-- month of `outcome_date`, crimes in the month of `recorded_date`: a crime recorded in March and
-- solved in May is one of May's solved crimes.

-- name: solved_rate
-- sources: crimes
-- param flag: one of domestic_abuse, victim_based, night_time_economy, rural, business, class_a_supply, evidence_led_prosecution
-- param da_risk_level: one of standard, medium, high
-- Numerator: crimes given a solved outcome in the month. Denominator: crimes recorded in the
-- month. Both only of the crimes with `flag` (and of `da_risk_level`), when given.
WITH chosen AS (
    SELECT * FROM crimes
    WHERE {flag} AND ($da_risk_level IS NULL OR da_risk_level = $da_risk_level)
)
SELECT mon, district, sum(solved) AS numerator, sum(recorded) AS denominator
FROM (
    SELECT date_trunc('month', outcome_date) AS mon, district, 1 AS solved, 0 AS recorded
    FROM chosen
    WHERE outcome_date IS NOT NULL AND outcome_type IN (SELECT outcome_type FROM solved_outcomes)
    UNION ALL
    SELECT date_trunc('month', recorded_date), district, 0, 1 FROM chosen
)
GROUP BY ALL;

-- name: count_outcomes
-- sources: crimes
-- param flag: one of domestic_abuse, victim_based, night_time_economy, rural, business, class_a_supply, evidence_led_prosecution
-- param outcome_type: one of charge_summons, caution, tic_previously_recorded, tic_not_previously_recorded, penalty_notice, cannabis_warning, detected_no_proceedings, community_resolution, no_suspect_identified, evidential_difficulties, victim_declined_support, not_in_public_interest, transferred_to_other_body
-- Crimes (with `flag`) given an outcome (of `outcome_type`, when given) in the month of the
-- outcome. Class A supply prosecutions are charges of Class A supply crimes, counted when the
-- charge was recorded (`outcome_date`), not when the crime was.
SELECT date_trunc('month', outcome_date) AS mon, district, count(*) AS numerator
FROM crimes
WHERE {flag} AND outcome_date IS NOT NULL
  AND ($outcome_type IS NULL OR outcome_type = $outcome_type)
GROUP BY ALL;

-- name: outcome_breakdown
-- sources: crimes
-- Solved outcomes of each type (`disposal_<type>`) in the month of the outcome; the measure itself
-- is their sum.
SELECT 'disposal_' || outcome_type AS part, date_trunc('month', outcome_date) AS mon, district,
       count(*) AS numerator
FROM crimes
WHERE outcome_date IS NOT NULL AND outcome_type IN (SELECT outcome_type FROM solved_outcomes)
GROUP BY ALL;
