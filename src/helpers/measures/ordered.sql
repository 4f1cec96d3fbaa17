-- Each person's records in order: worked out once, before any measure runs, for the rules that
-- compare a record with the same person's previous or next one (repeat victims in
-- `repeats.sql` and `repeat_victims_in_window.sql`; repeat domestic-abuse incidents and victims in
-- `repeats.sql`). Putting 10 million records in order by person is most of what those measures
-- cost; done once, they read the order from these tables.
--
-- A person's records are put in order by their date and time; two records at the same moment
-- (two crimes recorded on one day) are ordered by their record id, as text: the earlier of the
-- two is the person's previous record. A record without a person (empty `victim_id`) is nobody's
-- and is left out. `nth` is a record's place in its person's order (1, 2, …): the person's first
-- record of a month is the one of that month with the smallest `nth`.

-- Crimes with a victim, each with the recorded date of the victim's previous and next crime.
CREATE TABLE victim_crimes AS
SELECT victim_id, district, recorded_date,
       row_number() OVER by_victim AS nth,
       lag(recorded_date) OVER by_victim AS previous_date,
       lead(recorded_date) OVER by_victim AS next_date
FROM crimes
WHERE victim_id IS NOT NULL
WINDOW by_victim AS (PARTITION BY victim_id ORDER BY recorded_date, crime_id);

-- The same for crimes against a business, among the victim's crimes against a business only.
CREATE TABLE business_victim_crimes AS
SELECT victim_id, district, recorded_date,
       row_number() OVER by_victim AS nth,
       lag(recorded_date) OVER by_victim AS previous_date,
       lead(recorded_date) OVER by_victim AS next_date
FROM crimes
WHERE victim_id IS NOT NULL AND business
WINDOW by_victim AS (PARTITION BY victim_id ORDER BY recorded_date, crime_id);

-- The victims' crimes in order: those against a business only (business_only true), or all.
CREATE MACRO crimes_in_order(business_only) AS TABLE
    SELECT * FROM victim_crimes WHERE business_only IS NOT TRUE
    UNION ALL
    SELECT * FROM business_victim_crimes WHERE business_only;

-- Domestic-abuse incidents with a victim, each with the time of the victim's previous one.
CREATE TABLE da_victim_incidents AS
SELECT victim_id, district, opened_at AS happened_at,
       row_number() OVER by_victim AS nth,
       lag(opened_at) OVER by_victim AS previous_at
FROM incidents
WHERE domestic_abuse AND victim_id IS NOT NULL
WINDOW by_victim AS (PARTITION BY victim_id ORDER BY opened_at, incident_id);

-- Domestic-abuse crimes with a victim, each with the recorded date of the victim's previous one.
CREATE TABLE da_victim_crimes AS
SELECT victim_id, district, recorded_date AS happened_at,
       row_number() OVER by_victim AS nth,
       lag(recorded_date) OVER by_victim AS previous_at
FROM crimes
WHERE domestic_abuse AND victim_id IS NOT NULL
WINDOW by_victim AS (PARTITION BY victim_id ORDER BY recorded_date, crime_id);
