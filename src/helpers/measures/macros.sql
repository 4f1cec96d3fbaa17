-- Small functions the measure definitions share (DuckDB macros, created before any measure runs).

-- The April that starts the financial year of a date: 2016-03-31 -> 2015-04-01, 2016-04-01 -> 2016-04-01.
CREATE MACRO fy_start(d) AS make_date(year(d) - CASE WHEN month(d) < 4 THEN 1 ELSE 0 END, 4, 1);

-- Whole seconds from one time to a later one (a fraction of a second is dropped).
CREATE MACRO whole_seconds(from_time, to_time) AS (epoch_us(to_time) - epoch_us(from_time)) // 1000000;
