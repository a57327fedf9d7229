-- 0008: the report counters' index for reading a period.
--
-- A period is read as three ranges of one org's rows: the days before its
-- first whole month, its whole months (month rows "YYYY-MM"), the days
-- after.  Ordered by (org_id, day) the month rows lie among the day rows,
-- so the months' range read every day row of those months too.  Keyed by
-- the length of `day` first, day rows and month rows are apart, and each
-- range reads only its own rows; with kind, label and n in the index, a
-- summary reads no table rows at all.
DROP INDEX stats_daily_org;
CREATE INDEX stats_daily_span ON stats_daily (org_id, length(day), day, kind, label, n);
