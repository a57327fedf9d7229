-- 0001: the foundation: organisations, employers, staff, sessions, audit.
--
-- Portable SQL.  {{id}} is the backend's auto-assigned 64-bit primary key,
-- {{ctext}} text compared byte by byte (for path prefixes), {{bytes}} a
-- binary string.  Lines after "-- @sqlite" or "-- @pg" run only on that
-- backend, until "-- @all".  Times are integer seconds since the epoch.
--
-- district_id is the distribution key: the id of the district federation
-- whose subtree a row belongs to (0 above any district).  Every large table
-- carries it so that a Citus cluster can shard by it (docs/operations.md).

CREATE TABLE orgs (
    id          {{id}},
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('city', 'district', 'town', 'union', 'joint')),
    parent_id   BIGINT REFERENCES orgs (id),
    path        {{ctext}} NOT NULL,          -- '/1/5/23/': ids from the root down
    depth       INTEGER NOT NULL,
    district_id BIGINT NOT NULL DEFAULT 0,
    children    BIGINT NOT NULL DEFAULT 0,   -- direct children, kept by the store
    descendants BIGINT NOT NULL DEFAULT 0,   -- the whole subtree below, likewise
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX orgs_parent ON orgs (parent_id, code);
CREATE UNIQUE INDEX orgs_path ON orgs (path);

CREATE TABLE employers (
    id            {{id}},
    name          TEXT NOT NULL,
    uscc          TEXT UNIQUE,               -- upper case; NULL when unknown
    uscc_override TEXT,                      -- why a failing check was accepted
    headcount     BIGINT NOT NULL DEFAULT 0 CHECK (headcount >= 0),
    org_id        BIGINT NOT NULL REFERENCES orgs (id),
    union_status  TEXT NOT NULL DEFAULT 'none'
                  CHECK (union_status IN ('none', 'founding', 'unionised')),
    union_org_id  BIGINT REFERENCES orgs (id),
    address       TEXT,
    legal_rep     TEXT,
    district_id   BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX employers_org ON employers (org_id, id);
CREATE INDEX employers_district ON employers (district_id, id);

CREATE TABLE users (
    id          {{id}},
    login       TEXT NOT NULL UNIQUE,
    name        TEXT,
    pw_hash     TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('admin', 'federation', 'union', 'viewer')),
    org_id      BIGINT REFERENCES orgs (id),  -- NULL: the whole tree (admin only)
    disabled    INTEGER NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL
);

CREATE TABLE sessions (
    digest      TEXT PRIMARY KEY,            -- hex digest of the bearer token
    user_id     BIGINT NOT NULL REFERENCES users (id),
    kind        TEXT NOT NULL CHECK (kind IN ('session', 'api')),
    csrf        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL              -- 0: never
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE rate_limits (
    key          TEXT PRIMARY KEY,           -- 'login:acct:NAME', 'login:addr:IP'
    window_start BIGINT NOT NULL,
    count        BIGINT NOT NULL
);

CREATE TABLE audit_log (
    id          {{id}},
    at          BIGINT NOT NULL,
    user_id     BIGINT,                      -- NULL: the CLI or the system
    login       TEXT NOT NULL,
    addr        TEXT NOT NULL,
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    org_id      BIGINT,
    district_id BIGINT NOT NULL DEFAULT 0,
    detail      TEXT NOT NULL
);
CREATE INDEX audit_log_org ON audit_log (org_id, id);

-- The audit log is append-only: the database itself refuses to change it.
-- @sqlite
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
-- @pg
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
-- @all
