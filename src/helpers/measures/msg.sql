-- Crimes per 1,000 residents, and the figures of the Most Similar Group (MSG) of forces.
--
-- The MSG ranks all crime and victim-based crime on crimes per 1,000 residents: the home force's
-- count over its population in data/reference/msg_forces.csv, the peers' from `msg_peers`.

-- name: crimes_per_1000
-- sources: crimes
-- Crimes recorded in the month (numerator) and the district's population (denominator, in every
-- month: a window averages it). A district's rate is 1,000 × crimes / population.
SELECT mon, district, sum(crimes) AS numerator, sum(population) AS denominator
FROM (
    SELECT date_trunc('month', recorded_date) AS mon, district, 1 AS crimes, 0 AS population
    FROM crimes
    UNION ALL
    SELECT months.mon, district, 0, population FROM months CROSS JOIN districts
)
GROUP BY ALL;

-- name: msg_peers
-- sources: msg_peers
-- The peers' figures: monthly rows of `msg_peers`, and the other forces' public-confidence results
-- (12-month periods, stored at the period end; `confidence_questions` names the measure of each
-- question).
SELECT strftime(date_trunc('month', "month"), '%Y-%m') AS "month", force, measure_id,
       'month' AS "window", numerator, denominator
FROM msg_peers
UNION ALL
SELECT strftime(date_trunc('month', period_end), '%Y-%m'), force, measure_id, 'rolling-12m',
       agreeing, respondents
FROM confidence_survey JOIN confidence_questions USING (question)
WHERE force <> $home_force
ORDER BY measure_id, force, "month";
