-- 0003: outreach (双沟通): campaigns, worker and enterprise meetings, tallies.
--
-- An event is one meeting held by one org; a campaign groups events across
-- many orgs.  Each event has its own join token (join_tokens.event_id), so
-- applications made through its QR carry source_event_id.  Tallies are
-- counters per (event, kind, label), added to by idempotent taps.

CREATE TABLE campaigns (
    id          {{id}},
    name        TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('city', 'district', 'town')),
    theme       TEXT,
    date_from   TEXT NOT NULL,                -- YYYY-MM-DD, inclusive
    date_to     TEXT NOT NULL,
    org_id      BIGINT REFERENCES orgs (id),  -- who runs it; NULL: the whole tree
    district_id BIGINT NOT NULL DEFAULT 0,
    created_by  BIGINT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX campaigns_date ON campaigns (date_from, id);

CREATE TABLE events (
    id            {{id}},
    campaign_id   BIGINT REFERENCES campaigns (id),
    type          TEXT NOT NULL CHECK (type IN ('worker_meeting', 'enterprise_meeting')),
    org_id        BIGINT NOT NULL REFERENCES orgs (id),
    venue         TEXT NOT NULL,
    address       TEXT,
    starts_at     BIGINT NOT NULL,
    starts_on     TEXT NOT NULL,              -- YYYY-MM-DD in the server's zone
    ends_at       BIGINT,
    partners      TEXT NOT NULL DEFAULT '[]', -- JSON array of names
    status        TEXT NOT NULL DEFAULT 'planned'
                  CHECK (status IN ('planned', 'held', 'cancelled')),
    notes         TEXT,
    district_id   BIGINT NOT NULL DEFAULT 0,
    created_by    BIGINT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX events_campaign ON events (campaign_id, id);
CREATE INDEX events_org ON events (org_id, starts_on, id);
CREATE INDEX events_district ON events (district_id, starts_on, id);

-- The employers an enterprise meeting met.
CREATE TABLE event_employers (
    event_id    BIGINT NOT NULL REFERENCES events (id),
    employer_id BIGINT NOT NULL REFERENCES employers (id),
    district_id BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (event_id, employer_id)
);

-- kind: 'material' (label: the leaflet's title), 'question' (label: the
-- topic), 'cards' and 'people' (label '').
CREATE TABLE event_tallies (
    event_id    BIGINT NOT NULL REFERENCES events (id),
    kind        TEXT NOT NULL CHECK (kind IN ('material', 'question', 'cards', 'people')),
    label       TEXT NOT NULL,
    n           BIGINT NOT NULL CHECK (n >= 0),
    district_id BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (event_id, kind, label)
);

-- Taps already counted, by the client's id for them: a retried tap is
-- answered without being counted twice.
CREATE TABLE event_taps (
    event_id    BIGINT NOT NULL REFERENCES events (id),
    tap_id      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    district_id BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (event_id, tap_id)
);

-- The buttons of the tally page: leaflet titles and question topics an org
-- uses (its subtree inherits them); built-in lists where none is set.
CREATE TABLE tally_labels (
    org_id      BIGINT NOT NULL REFERENCES orgs (id),
    kind        TEXT NOT NULL CHECK (kind IN ('material', 'question')),
    position    INTEGER NOT NULL,
    label       TEXT NOT NULL,
    PRIMARY KEY (org_id, kind, position)
);

-- An event's own join token (every read of an event joins it).
CREATE INDEX join_tokens_event ON join_tokens (event_id) WHERE event_id IS NOT NULL;

-- Joins through an event's QR, counted on the campaign board.
CREATE INDEX applications_event ON applications (source_event_id, status)
    WHERE source_event_id IS NOT NULL;
