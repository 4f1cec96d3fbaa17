-- Surveys: victim satisfaction (one row per response) and public confidence (12-month results).
--
-- A rate's 95% confidence interval is z × √(p(1−p)/n) with z = 1.959964 (the 97.5% point of the
-- normal distribution; not 1.96); whether a change between two rates is significant is the
-- force's significance rule (helpers.analysis.significance). Both are worked out from these
-- numerators and denominators in helpers.analysis.

-- name: satisfaction
-- sources: satisfaction
-- param question (required): one of q_contact, q_actions, q_follow_up, q_treatment, q_overall
-- param ethnicity_group: one of White, BME, Not stated
-- Respondents satisfied (completely, very or fairly: `satisfied`) with the `question`, over
-- respondents answering it (an empty answer is no answer), for surveys dated in the month; with
-- `ethnicity_group`, of that group only.
SELECT date_trunc('month', survey_date) AS mon, district,
       count(*) FILTER (WHERE answer = 'satisfied') AS numerator, count(answer) AS denominator
FROM (SELECT survey_date, district, ethnicity_group, {question} AS answer FROM satisfaction)
WHERE $ethnicity_group IS NULL OR ethnicity_group = $ethnicity_group
GROUP BY ALL;

-- name: confidence_survey
-- sources: confidence_survey
-- param question (required): one of dealing_with_crime_asb, police_good_job
-- The home force's result for the 12 months to the survey period end: respondents agreeing over
-- respondents, stored at the period end's month (`home_force` is the first force of
-- data/reference/msg_forces.csv).
SELECT date_trunc('month', period_end) AS mon, sum(agreeing) AS numerator,
       sum(respondents) AS denominator
FROM confidence_survey
WHERE force = $home_force AND question = $question
GROUP BY ALL;
