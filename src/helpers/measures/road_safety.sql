-- Road safety: casualties killed or seriously injured (KSI), by the collision's date and district.
--
-- KSI: `severity` fatal or serious. A casualty counts in the month and district of its collision
-- (`collisions`, joined on `collision_id`).

-- name: ksi
-- sources: collisions, casualties
-- param severity: one of fatal, serious
-- param road_user: one of pedestrian, pedal_cyclist, powered_two_wheeler, car_driver, car_passenger, other_vehicle_occupant
-- param impairment: one of drink, drugs
-- param min_age: a number
-- param max_age: a number
-- KSI casualties; with the params, only those of that severity, road user, impairment, and aged
-- from `min_age` to `max_age` (a casualty of unknown age is in no age band).
SELECT date_trunc('month', collision_date) AS mon, collisions.district, count(*) AS numerator
FROM casualties JOIN collisions USING (collision_id)
WHERE severity IN ('fatal', 'serious')
  AND ($severity IS NULL OR severity = $severity)
  AND ($road_user IS NULL OR road_user = $road_user)
  AND ($impairment IS NULL OR impairment = $impairment)
  AND ($min_age IS NULL OR age >= $min_age)
  AND ($max_age IS NULL OR age <= $max_age)
GROUP BY ALL;

-- name: ksi_collisions
-- sources: collisions, casualties
-- Collisions with at least one casualty killed or seriously injured.
SELECT date_trunc('month', collision_date) AS mon, collisions.district,
       count(DISTINCT collision_id) AS numerator
FROM casualties JOIN collisions USING (collision_id)
WHERE severity IN ('fatal', 'serious')
GROUP BY ALL;
