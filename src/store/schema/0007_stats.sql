-- 0007: counters kept for the reports, per org and day.
--
-- Each fact a report counts (a member joined, an event held, a leaflet
-- handed out, a union founded …) is added, in the same transaction that
-- records it, to the row of its org and to the rows of every org above it.
-- A report for an org and a period then reads its own rows and those of its
-- children: a few hundred rows whatever the size of the subtree.  The
-- store can rebuild them from the records (`unionbridge stats rebuild`),
-- and the migration that creates them does so for existing data.
--
-- kind / label: joined / channel (qr, onsite, import); joined_cat / worker
-- category; activity / event type; material / title; question / topic;
-- cards / ''; people / ''; founded / ''; founded_100 / '' (a founded
-- union whose employer had 100 staff or more).

-- district_id leads the key: on Citus the table is distributed by it.
CREATE TABLE stats_daily (
    org_id      BIGINT NOT NULL REFERENCES orgs (id),
    day         TEXT NOT NULL,                -- YYYY-MM-DD
    kind        TEXT NOT NULL,
    label       TEXT NOT NULL,
    n           BIGINT NOT NULL,
    district_id BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (district_id, org_id, day, kind, label)
);
CREATE INDEX stats_daily_org ON stats_daily (org_id, day);

-- The members a report counted, listed by joining date.
CREATE INDEX members_joined ON members (district_id, joined_on);
