-- 0004: member services: mutual-aid cards, secondary reimbursement claims,
-- limited-stock giveaways.
--
-- Card numbers and the amounts of medical claims are personal data: stored
-- sealed with the vault key (*_enc), looked up through keyed digests
-- (*_hash) and shown masked (last four digits; masked amounts).

-- 互助服务卡: one live card per member; a lost card stays as history.
CREATE TABLE cards (
    id          {{id}},
    member_id   BIGINT NOT NULL REFERENCES members (id),
    org_id      BIGINT NOT NULL REFERENCES orgs (id),    -- the member's org when issued
    event_id    BIGINT REFERENCES events (id),           -- where it was handed out
    card_hash   {{bytes}} NOT NULL,
    card_enc    {{bytes}} NOT NULL,
    card_last4  TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('live', 'lost', 'replaced')),
    replaces_id BIGINT REFERENCES cards (id),
    end_reason  TEXT,
    issued_on   TEXT NOT NULL,                           -- YYYY-MM-DD in the server's zone
    issued_at   BIGINT NOT NULL,
    issued_by   BIGINT,
    ended_at    BIGINT,
    district_id BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX cards_live ON cards (member_id) WHERE status = 'live';
-- A card number belongs to one card, ever.
CREATE UNIQUE INDEX cards_number ON cards (card_hash);
CREATE INDEX cards_member ON cards (member_id, id);
CREATE INDEX cards_org ON cards (org_id, issued_on);
CREATE INDEX cards_district ON cards (district_id, issued_on);

-- 二次报销 plan rules, per plan year and kind: data, not code.  ratio_bp is
-- the share paid in basis points (5000 = 50%); the deductible and the cap
-- are per member, year and kind.
CREATE TABLE claim_plans (
    id             {{id}},
    year           INTEGER NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('outpatient', 'inpatient')),
    deductible_fen BIGINT NOT NULL CHECK (deductible_fen >= 0),
    ratio_bp       INTEGER NOT NULL CHECK (ratio_bp > 0 AND ratio_bp <= 10000),
    cap_fen        BIGINT NOT NULL CHECK (cap_fen >= 0),
    created_by     BIGINT,
    created_at     BIGINT NOT NULL,
    UNIQUE (year, kind)
);

CREATE TABLE claims (
    id           {{id}},
    member_id    BIGINT NOT NULL REFERENCES members (id),
    org_id       BIGINT NOT NULL REFERENCES orgs (id),   -- the member's org when submitted
    card_id      BIGINT NOT NULL REFERENCES cards (id),  -- paid to this card
    year         INTEGER NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('outpatient', 'inpatient')),
    claim_date   TEXT NOT NULL,                          -- YYYY-MM-DD
    status       TEXT NOT NULL CHECK (status IN ('submitted', 'verified', 'approved',
                                                 'rejected', 'paid')),
    selfpay_enc  {{bytes}} NOT NULL,                     -- sealed decimal fen
    payout_enc   {{bytes}} NOT NULL,
    reason       TEXT,
    pay_ref      TEXT,
    submitted_by BIGINT,
    submitted_at BIGINT NOT NULL,
    verified_by  BIGINT,
    verified_at  BIGINT,
    decided_by   BIGINT,
    decided_at   BIGINT,
    paid_by      BIGINT,
    paid_at      BIGINT,
    district_id  BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX claims_member ON claims (member_id, year, kind);
CREATE INDEX claims_org ON claims (org_id, status, id);
CREATE INDEX claims_district ON claims (district_id, status, id);

-- What a member's live claims (all but rejected) of a year and kind add
-- up to, sealed ("SELFPAY PAYOUT" in fen): the deductible and the cap hold
-- across claims.  The row is also the lock that orders one member's claims.
CREATE TABLE claim_totals (
    member_id   BIGINT NOT NULL REFERENCES members (id),
    year        INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    totals_enc  {{bytes}} NOT NULL,
    district_id BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (member_id, year, kind)
);

-- 普惠 giveaways: limited stock for the members of a subtree, first come
-- first served between opens_at (inclusive) and closes_at (exclusive).
CREATE TABLE giveaways (
    id          {{id}},
    name        TEXT NOT NULL,
    org_id      BIGINT NOT NULL REFERENCES orgs (id),    -- eligible: its subtree
    stock       BIGINT NOT NULL CHECK (stock > 0),
    stripes     INTEGER NOT NULL CHECK (stripes > 0),
    opens_at    BIGINT NOT NULL,
    closes_at   BIGINT NOT NULL,
    district_id BIGINT NOT NULL DEFAULT 0,
    created_by  BIGINT,
    created_at  BIGINT NOT NULL,
    CHECK (closes_at > opens_at)
);
CREATE INDEX giveaways_org ON giveaways (org_id, id);

-- The stock, split in stripes so that concurrent claims (several serve
-- processes on one PostgreSQL) do not all queue on one row.  Stripe k hands
-- out the claim numbers base+1 .. base+cap; the stripes' caps add up to the
-- giveaway's stock, and the database refuses taken > cap.
CREATE TABLE giveaway_stock (
    giveaway_id BIGINT NOT NULL REFERENCES giveaways (id),
    stripe      INTEGER NOT NULL,
    base        BIGINT NOT NULL,
    cap         BIGINT NOT NULL,
    taken       BIGINT NOT NULL DEFAULT 0,
    district_id BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (giveaway_id, stripe),
    CHECK (taken >= 0 AND taken <= cap)
);

-- One claim per member and giveaway; one claim per claim number.
CREATE TABLE giveaway_claims (
    giveaway_id BIGINT NOT NULL REFERENCES giveaways (id),
    member_id   BIGINT NOT NULL REFERENCES members (id),
    number      BIGINT NOT NULL,
    pickup_code TEXT NOT NULL,
    claimed_at  BIGINT NOT NULL,
    redeemed_at BIGINT,
    redeemed_by BIGINT,
    district_id BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (giveaway_id, member_id),
    UNIQUE (giveaway_id, number),
    UNIQUE (giveaway_id, pickup_code)
);
CREATE INDEX giveaway_claims_member ON giveaway_claims (member_id);
