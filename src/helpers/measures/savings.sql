-- Efficiency: savings delivered against the plan, for the force only, in £ million.

-- name: savings
-- sources: savings
-- Savings delivered to the end of the month (cumulative in the financial year) against the plan to
-- the end of the month; `requirement` is the year's savings requirement (the measure
-- savings_requirement).
SELECT date_trunc('month', "month") AS mon, sum(delivered_to_date_gbp / 1e6) AS numerator,
       sum(planned_to_date_gbp / 1e6) AS denominator, sum(requirement_gbp / 1e6) AS requirement
FROM savings
GROUP BY ALL;
