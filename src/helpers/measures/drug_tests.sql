-- Drug tests on arrest. A month with no test entered has no value (N/A, never 0).

-- name: drug_tests
-- sources: drug_tests
-- Positive tests (cocaine, opiates or both) over tests, by the month of the test.
SELECT date_trunc('month', test_date) AS mon, district,
       count(*) FILTER (WHERE positive) AS numerator, count(*) AS denominator
FROM drug_tests
GROUP BY ALL;
