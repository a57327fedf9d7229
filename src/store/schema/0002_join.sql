-- 0002: scan-to-join: join tokens, applications, members, idempotency.
--
-- Personal data is stored three ways and never in the clear: *_enc is the
-- value sealed with the vault key (lib/crypto.h), *_hash its keyed digest
-- for exact lookups and uniqueness (16 bytes of keyed BLAKE2b: small keys
-- keep the indexes over them cheap to write, and a collision between two
-- people is not a practical possibility, see vault_digest), *_mask what
-- people are shown.

ALTER TABLE orgs ADD COLUMN auto_approve INTEGER NOT NULL DEFAULT 0;

-- Routing a worker's application looks an employer up by its exact name.
CREATE INDEX employers_name ON employers (name);

CREATE TABLE join_tokens (
    token       TEXT PRIMARY KEY,
    org_id      BIGINT NOT NULL REFERENCES orgs (id),
    event_id    BIGINT,                      -- an outreach event's own token
    created_at  BIGINT NOT NULL
);
CREATE INDEX join_tokens_org ON join_tokens (org_id);

CREATE TABLE applications (
    id              {{id}},
    org_id          BIGINT NOT NULL REFERENCES orgs (id),   -- the receiving union
    source_org_id   BIGINT NOT NULL REFERENCES orgs (id),   -- whose token it came by
    source_event_id BIGINT,
    status          TEXT NOT NULL
                    CHECK (status = 'pending' OR status = 'approved'
                           OR status = 'rejected' OR status = 'withdrawn'),
    channel         TEXT NOT NULL CHECK (channel = 'qr' OR channel = 'onsite'
                                         OR channel = 'import'),
    name            TEXT NOT NULL,
    id_hash         {{bytes}} NOT NULL,
    id_enc          {{bytes}} NOT NULL,
    id_mask         TEXT NOT NULL,
    phone_hash      {{bytes}} NOT NULL,
    phone_enc       {{bytes}} NOT NULL,
    phone_mask      TEXT NOT NULL,
    gender          TEXT NOT NULL,
    birth_date      TEXT NOT NULL,
    employer_name   TEXT NOT NULL,
    employer_uscc   TEXT,
    employer_id     BIGINT REFERENCES employers (id),
    category        TEXT NOT NULL,
    migrant         INTEGER NOT NULL,
    consent_version TEXT NOT NULL,
    access_digest   TEXT NOT NULL,            -- the worker's personal token
    reason          TEXT,                     -- why it was rejected
    decided_by      BIGINT,
    decided_at      BIGINT,
    member_id       BIGINT,
    district_id     BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL
);
CREATE INDEX applications_org ON applications (org_id, status, id);
CREATE INDEX applications_district ON applications (district_id, status, id);
-- One pending application per person.
CREATE UNIQUE INDEX applications_pending ON applications (id_hash) WHERE status = 'pending';

-- The checks on status and channel are written as ORs: SQLite evaluates
-- an IN list of more than two constants through a temporary b-tree built
-- for every row inserted, a quarter of the time of a bulk import.
CREATE TABLE members (
    id              {{id}},
    member_no       TEXT UNIQUE,              -- set right after the insert
    org_id          BIGINT NOT NULL REFERENCES orgs (id),
    status          TEXT NOT NULL CHECK (status = 'active' OR status = 'transferring'
                                         OR status = 'retained' OR status = 'withdrawn'
                                         OR status = 'lapsed' OR status = 'expelled'),
    channel         TEXT NOT NULL CHECK (channel = 'qr' OR channel = 'onsite'
                                         OR channel = 'import'),
    source_org_id   BIGINT REFERENCES orgs (id),
    source_event_id BIGINT,
    application_id  BIGINT,
    name            TEXT NOT NULL,
    id_hash         {{bytes}} NOT NULL,
    id_enc          {{bytes}} NOT NULL,
    id_mask         TEXT NOT NULL,
    phone_hash      {{bytes}} NOT NULL,
    phone_enc       {{bytes}} NOT NULL,
    phone_mask      TEXT NOT NULL,
    gender          TEXT NOT NULL,
    birth_date      TEXT NOT NULL,
    employer_name   TEXT NOT NULL,
    employer_uscc   TEXT,
    employer_id     BIGINT REFERENCES employers (id),
    category        TEXT NOT NULL,
    migrant         INTEGER NOT NULL,
    access_digest   TEXT,
    joined_at       BIGINT NOT NULL,
    joined_on       TEXT NOT NULL,            -- YYYY-MM-DD in the server's zone
    district_id     BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
-- Every index here is written on each insert, and one keyed by random
-- values (a digest, a name) touches a page per row: only those a query
-- uses are kept.  A member search tests the phone digest and the name
-- (a substring) row by row within the subtree, so neither is indexed.
CREATE INDEX members_org ON members (org_id, id);
CREATE INDEX members_district ON members (district_id, id);
-- Only members who were given a personal link have one.
CREATE INDEX members_access ON members (access_digest) WHERE access_digest IS NOT NULL;
-- One person, one live membership.
CREATE UNIQUE INDEX members_person ON members (id_hash)
    WHERE status IN ('active', 'transferring');

-- Answers kept for retried requests (Idempotency-Key), sealed like
-- personal data because they may hold a personal token.
CREATE TABLE idempotency (
    key         TEXT PRIMARY KEY,             -- scope and the client's key
    status      INTEGER NOT NULL,
    body        {{bytes}} NOT NULL,
    created_at  BIGINT NOT NULL
);

-- Membership moves with employment (会员关系接转): the old union releases,
-- the new one accepts; the history stays.
CREATE TABLE transfers (
    id            {{id}},
    member_id     BIGINT NOT NULL REFERENCES members (id),
    from_org_id   BIGINT NOT NULL REFERENCES orgs (id),
    to_org_id     BIGINT NOT NULL REFERENCES orgs (id),
    status        TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'cancelled')),
    note          TEXT,
    requested_by  BIGINT,
    requested_at  BIGINT NOT NULL,
    decided_by    BIGINT,
    decided_at    BIGINT,
    district_id   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX transfers_member ON transfers (member_id, id);
CREATE INDEX transfers_to ON transfers (to_org_id, status);
-- At most one open transfer per member.
CREATE UNIQUE INDEX transfers_open ON transfers (member_id) WHERE status = 'pending';
