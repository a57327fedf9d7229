-- 0006: founding a union (建会): one case per attempt, its steps in order.
--
-- A case follows one employer from first contact to the registration of
-- its union, guided by a federation.  The case row holds the current step
-- and the facts gathered so far; founding_steps keeps every step taken,
-- with its date, facts and notes (the timeline).  An abandoned case stays.

CREATE TABLE founding_cases (
    id                {{id}},
    employer_id       BIGINT NOT NULL REFERENCES employers (id),
    guide_org_id      BIGINT NOT NULL REFERENCES orgs (id),
    staff_user_id     BIGINT REFERENCES users (id),  -- the staff member in charge
    event_id          BIGINT REFERENCES events (id), -- the meeting that opened it
    step              TEXT NOT NULL DEFAULT 'opened',
    status            TEXT NOT NULL DEFAULT 'open'
                      CHECK (status IN ('open', 'founded', 'registered', 'abandoned')),
    step_on           TEXT,                      -- date of the last step, YYYY-MM-DD
    prep_approved_on  TEXT,
    prep_group_size   INTEGER,
    members           INTEGER,
    representatives   INTEGER,
    congress_type     TEXT,
    attendance        INTEGER,
    committee_size    INTEGER,
    chair_name        TEXT,
    document_no       TEXT,
    term_years        INTEGER,
    founded_on        TEXT,                      -- date of election_approved
    founded_headcount BIGINT,                    -- the employer's staff then
    union_org_id      BIGINT REFERENCES orgs (id),
    union_uscc        TEXT,
    district_id       BIGINT NOT NULL DEFAULT 0,
    created_by        BIGINT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX founding_guide ON founding_cases (guide_org_id, id);
CREATE INDEX founding_district ON founding_cases (district_id, status, id);
CREATE INDEX founding_founded ON founding_cases (district_id, founded_on)
    WHERE founded_on IS NOT NULL;
-- One live case per employer (abandoned ones are history).
CREATE UNIQUE INDEX founding_employer ON founding_cases (employer_id)
    WHERE status <> 'abandoned';

CREATE TABLE founding_steps (
    id          {{id}},
    case_id     BIGINT NOT NULL REFERENCES founding_cases (id),
    step        TEXT NOT NULL,
    step_on     TEXT NOT NULL,                   -- the date it happened
    facts       TEXT NOT NULL DEFAULT '{}',      -- JSON object
    notes       TEXT,
    user_id     BIGINT,
    district_id BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL
);
CREATE INDEX founding_steps_case ON founding_steps (case_id, id);
