#!/usr/bin/env python3
"""gen_outreach.py: one large outreach campaign for the benchmark.

Adds one campaign run by a district (default 110118) with E events (default
500) held by O of the orgs bench/gen_orgs.py made (default 250, two events
each, spread evenly over the towns), each event with its own join token as
the app makes them; J applications (default 20,000) made through those
events' QR codes (source_event_id), about half approved (each approved one
with its member, as approving makes it), the rest pending, rejected or
withdrawn; and tallies on every event (leaflets of two titles, cards,
questions on one to three topics, people), with the taps that fed them.
Straight into the database, in one transaction: an SQLite file (PATH or
sqlite:PATH) or a PostgreSQL database (postgresql://..., through psql).
Run it after gen_orgs.py, with no server writing to the database.

Personal data is not real: the sealed columns (*_enc) hold random bytes and
the digests (*_hash, access_digest) are SHA-256 of a counter and the
campaign's id, distinct within a run and across runs; the campaign board
never opens them.  Ids are taken above the current maxima, so the
references (application <-> member, token -> event) are written final.
Before committing it checks the counts and references and rolls back if any
is off.  It prints one line: what it added, with the campaign's id and its
events' id range.  The report counters (stats_daily) are not written:
`unionbridge stats rebuild` counts the new rows (bench/run.sh runs it).

Standard library only (and psql for PostgreSQL).
"""

import argparse
import csv
import hashlib
import io
import json
import os
import random
import sqlite3
import subprocess
import sys
import time

TOKEN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"  # as the app's
TOKEN_LEN = 12
CATEGORIES = ("courier", "food_delivery", "ride_hailing", "truck_driver", "security_guard",
              "domestic", "care_worker", "industrial", "outdoor", "other")
TOPICS = ("入会", "二次报销", "权益保障", "普惠服务", "法律咨询")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂"

CAMPAIGN_COLS = ("id", "name", "level", "theme", "date_from", "date_to", "org_id",
                 "district_id", "created_by", "created_at", "updated_at")
EVENT_COLS = ("id", "campaign_id", "type", "org_id", "venue", "address", "starts_at",
              "starts_on", "ends_at", "partners", "status", "notes", "district_id",
              "created_by", "created_at", "updated_at")
TOKEN_COLS = ("token", "org_id", "event_id", "created_at")
APP_COLS = ("id", "org_id", "source_org_id", "source_event_id", "status", "channel", "name",
            "id_hash", "id_enc", "id_mask", "phone_hash", "phone_enc", "phone_mask", "gender",
            "birth_date", "employer_name", "employer_uscc", "employer_id", "category",
            "migrant", "consent_version", "access_digest", "reason", "decided_by",
            "decided_at", "member_id", "district_id", "created_at")
MEMBER_COLS = ("id", "member_no", "org_id", "status", "channel", "source_org_id",
               "source_event_id", "application_id", "name", "id_hash", "id_enc", "id_mask",
               "phone_hash", "phone_enc", "phone_mask", "gender", "birth_date",
               "employer_name", "employer_uscc", "employer_id", "category", "migrant",
               "access_digest", "joined_at", "joined_on", "district_id", "created_at",
               "updated_at")
TALLY_COLS = ("event_id", "kind", "label", "n", "district_id")
TAP_COLS = ("event_id", "tap_id", "created_at", "district_id")
BYTES = {"id_enc", "phone_enc"}

# Run before committing, in the same transaction; each must be 0.  %(c)d is
# the campaign's id.
CHECKS = [
    # Every event of the campaign has exactly one token, pointing at its org.
    "SELECT count(*) FROM events e WHERE e.campaign_id = %(c)d AND 1 <> "
    "(SELECT count(*) FROM join_tokens t WHERE t.event_id = e.id AND t.org_id = e.org_id)",
    # Applications point at one of its events, from that event's org.
    "SELECT count(*) FROM applications a JOIN events e ON e.id = a.source_event_id "
    "WHERE e.campaign_id = %(c)d AND (a.source_org_id <> e.org_id "
    "OR a.district_id <> e.district_id)",
    # Approved ones have their member, and the member points back.
    "SELECT count(*) FROM applications a JOIN events e ON e.id = a.source_event_id "
    "LEFT JOIN members m ON m.id = a.member_id "
    "WHERE e.campaign_id = %(c)d AND a.status = 'approved' "
    "AND (m.id IS NULL OR m.application_id <> a.id OR m.id_hash <> a.id_hash)",
    # Events, tallies and taps carry their org's district.
    "SELECT count(*) FROM events e JOIN orgs o ON o.id = e.org_id "
    "WHERE e.campaign_id = %(c)d AND e.district_id <> o.district_id",
    "SELECT count(*) FROM event_tallies t JOIN events e ON e.id = t.event_id "
    "WHERE e.campaign_id = %(c)d AND t.district_id <> e.district_id",
]


def fail(msg):
    print("gen_outreach: " + msg, file=sys.stderr)
    sys.exit(1)


class SqliteDb:
    def __init__(self, path):
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.execute("PRAGMA busy_timeout=10000")

    def rows(self, sql, args=()):
        return self.db.execute(sql.replace("%s", "?"), args).fetchall()

    def load(self, tables, campaign_id, expect, analyze):
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            for table, cols, data in tables:
                db.executemany("INSERT INTO %s (%s) VALUES (%s)"
                               % (table, ", ".join(cols), ", ".join("?" * len(cols))), data)
            bad = sum(db.execute(sql % {"c": campaign_id}).fetchone()[0] for sql in CHECKS)
            if bad:
                fail("%d rows break the data's invariants; nothing written" % bad)
            got = counts(lambda sql: db.execute(sql).fetchone()[0], campaign_id)
            if got != expect:
                fail("counts %s, expected %s; nothing written" % (got, expect))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        if analyze:
            db.execute("ANALYZE")


class PgDb:
    def __init__(self, url):
        self.url = url

    def rows(self, sql, args=()):
        def q(v):
            return str(v) if isinstance(v, int) else "'" + str(v).replace("'", "''") + "'"
        text = sql % tuple(q(a) for a in args)
        out = subprocess.run(
            ["psql", "-qAtX", "-v", "ON_ERROR_STOP=1", "-c",
             "SELECT COALESCE(json_agg(r), '[]') FROM (%s) r" % text, self.url],
            check=True, capture_output=True, text=True).stdout
        return [tuple(r.values()) for r in json.loads(out)]

    def load(self, tables, campaign_id, expect, analyze):
        del analyze     # always, as gen_orgs.py does

        def cell(col, v):
            if v is None:
                return None
            if col in BYTES:
                return "\\x" + v.hex()
            return v

        def copy(table, cols, data):
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\n")
            for row in data:
                w.writerow([cell(c, v) for c, v in zip(cols, row)])
            # csv writes None and '' alike, as an empty field, which COPY
            # reads as NULL: a column with '' values (tally labels) is read
            # as text, and has no None.
            empty = [c for k, c in enumerate(cols) if any(r[k] == "" for r in data)]
            assert not any(r[cols.index(c)] is None for c in empty for r in data), table
            opts = "FORMAT csv" + (", FORCE_NOT_NULL (%s)" % ", ".join(empty) if empty else "")
            return ("COPY %s (%s) FROM STDIN WITH (%s);\n%s\\.\n"
                    % (table, ", ".join(cols), opts, buf.getvalue()))

        def must_be(sql, value, what):
            return ("DO $$ BEGIN IF (%s) <> %d THEN RAISE EXCEPTION "
                    "'%s; nothing written'; END IF; END $$;\n"
                    % (sql, value, what.replace("'", "''")))
        script = "BEGIN;\n" + "".join(copy(*t) for t in tables)
        script += "".join(must_be(sql % {"c": campaign_id}, 0,
                                  "rows break the data's invariants") for sql in CHECKS)
        script += "".join(must_be(sql, n, "%s is not %d" % (name, n))
                          for (name, sql), n in zip(count_queries(campaign_id), expect))
        # Explicit ids do not move the identity sequences: move them.
        for table in ("campaigns", "events", "applications", "members"):
            script += ("SELECT setval(pg_get_serial_sequence('%s', 'id'), "
                       "GREATEST(max(id), 1)) FROM %s;\n" % (table, table))
        script += "COMMIT;\nANALYZE;\n"
        r = subprocess.run(["psql", "-qAtX", "-v", "ON_ERROR_STOP=1", "-f", "-", self.url],
                           input=script, capture_output=True, text=True)
        if r.returncode != 0:
            fail("psql: " + r.stderr.strip()[-400:])


def count_queries(c):
    ev = "SELECT id FROM events WHERE campaign_id = %d" % c
    return [
        ("events", "SELECT count(*) FROM events WHERE campaign_id = %d" % c),
        ("tokens", "SELECT count(*) FROM join_tokens WHERE event_id IN (%s)" % ev),
        ("applications", "SELECT count(*) FROM applications WHERE source_event_id IN (%s)" % ev),
        ("members", "SELECT count(*) FROM members WHERE source_event_id IN (%s)" % ev),
        ("tallies", "SELECT count(*) FROM event_tallies WHERE event_id IN (%s)" % ev),
        ("taps", "SELECT count(*) FROM event_taps WHERE event_id IN (%s)" % ev),
    ]


def counts(one, c):
    return [one(sql) for _, sql in count_queries(c)]


def digest(*parts):
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("db", help="SQLite file (PATH or sqlite:PATH) or postgresql:// URL")
    ap.add_argument("--events", type=int, default=500, help="events (default 500)")
    ap.add_argument("--event-orgs", type=int, default=250,
                    help="generated unions holding them (default 250)")
    ap.add_argument("--joins", type=int, default=20000,
                    help="applications through the events' codes (default 20000)")
    ap.add_argument("--taps", type=int, default=20, help="taps recorded per event (default 20)")
    ap.add_argument("--days", type=int, default=31,
                    help="the events are spread over the first DAYS days of May (default 31; "
                    "1: a single campaign day, as on 27 May)")
    ap.add_argument("--district", default="110118", help="the district running it (default 110118)")
    ap.add_argument("--prefix", default="B", help="code prefix of gen_orgs.py's orgs (default B)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--analyze", action="store_true",
                    help="refresh SQLite's planner statistics afterwards (PostgreSQL: always)")
    args = ap.parse_args()
    if args.events < 1 or args.event_orgs < 1 or args.joins < 0 or args.taps < 0:
        fail("--events and --event-orgs must be >= 1, --joins and --taps >= 0")
    if not 1 <= args.days <= 31:
        fail("--days must be 1..31")
    if args.db.startswith(("postgres://", "postgresql://")):
        db = PgDb(args.db)
    else:
        db = SqliteDb(args.db[len("sqlite:"):] if args.db.startswith("sqlite:") else args.db)
    # Dates are in the server's zone: Beijing unless TZ is set (src/main.c).
    if "TZ" not in os.environ:
        os.environ["TZ"] = "Asia/Shanghai"
    time.tzset()
    rnd = random.Random(args.seed)
    t0 = time.monotonic()

    row = db.rows("SELECT id, district_id FROM orgs WHERE code = %s", (args.district,))
    if not row:
        fail("no org %s (run `unionbridge init --demo` first)" % args.district)
    district_org, district_id = row[0]
    # The generated unions, in town order: every k-th of them holds events.
    unions = db.rows("SELECT o.id, o.district_id, o.name FROM orgs o "
                     "JOIN orgs t ON t.id = o.parent_id "
                     "WHERE o.code LIKE %s AND o.level = 'union' ORDER BY t.code, o.id",
                     (args.prefix + ".%",))
    if len(unions) < args.event_orgs:
        fail("%d generated unions (prefix %s), %d wanted: run gen_orgs.py first"
             % (len(unions), args.prefix, args.event_orgs))
    hosts = [unions[(k * len(unions)) // args.event_orgs] for k in range(args.event_orgs)]
    # Each host's employers, for the applicants' employer names.
    emp_rows = db.rows("SELECT e.org_id, e.id, e.name, e.uscc FROM employers e "
                       "JOIN orgs o ON o.id = e.org_id WHERE o.code LIKE %s",
                       (args.prefix + ".%",))
    employers = {}
    for org_id, emp_id, name, uscc in emp_rows:
        employers.setdefault(org_id, []).append((emp_id, name, uscc))
    admin = db.rows("SELECT id FROM users WHERE role = 'admin' ORDER BY id LIMIT 1")
    admin = admin[0][0] if admin else None
    ids = {t: db.rows("SELECT COALESCE(max(id), 0) + 1 FROM %s" % t)[0][0]
           for t in ("campaigns", "events", "applications", "members")}
    tokens_taken = {t for (t,) in db.rows("SELECT token FROM join_tokens")}
    serial = 1 + db.rows("SELECT count(*) FROM campaigns WHERE name LIKE %s",
                         ("基准测试职工沟通会%",))[0][0]
    now = int(time.time())

    cid = ids["campaigns"]
    campaign = (cid, "基准测试职工沟通会%d" % serial, "district", "扫码入会", "2026-05-01",
                "2026-05-31", district_org, district_id, admin, now, now)

    events, tokens, tallies, taps = [], [], [], []
    for i in range(args.events):
        org_id, org_district, org_name = hosts[i % args.event_orgs]
        eid = ids["events"] + i
        # 1..DAYS May, 09:00 or 14:00 in the server's zone, and that date.
        day = 1 + (i * args.days) // args.events
        starts = int(time.mktime((2026, 5, day, 9 if i % 2 == 0 else 14, 0, 0, 0, 0, -1)))
        starts_on = time.strftime("%Y-%m-%d", time.localtime(starts))
        enterprise = i % 5 == 4
        events.append((eid, cid, "enterprise_meeting" if enterprise else "worker_meeting",
                       org_id, "%s第%d场" % ("企业会议室" if enterprise else "广场", i + 1), None,
                       starts, starts_on, starts + 7200, '["司法所", "社区"]', "held", None,
                       org_district, admin, now, now))
        while True:
            tok = "".join(rnd.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LEN))
            if tok not in tokens_taken:
                tokens_taken.add(tok)
                break
        tokens.append((tok, org_id, eid, now))
        tallies.append((eid, "material", "入会宝典", rnd.randint(20, 300), org_district))
        tallies.append((eid, "material", "建会秘籍", rnd.randint(0, 100), org_district))
        tallies.append((eid, "cards", "", rnd.randint(5, 80), org_district))
        tallies.append((eid, "people", "", rnd.randint(30, 500), org_district))
        for topic in rnd.sample(TOPICS, rnd.randint(1, 3)):
            tallies.append((eid, "question", topic, rnd.randint(1, 40), org_district))
        for k in range(args.taps):
            taps.append((eid, "gen-%d-%d" % (eid, k), starts + 60 * k, org_district))

    apps, members = [], []
    year = time.localtime(now).tm_year
    for n in range(args.joins):
        ev = events[rnd.randrange(args.events)]
        eid, org_id, ev_district, starts = ev[0], ev[3], ev[12], ev[6]
        aid = ids["applications"] + n
        r = rnd.random()
        status = ("approved" if r < 0.5 else "pending" if r < 0.85
                  else "rejected" if r < 0.95 else "withdrawn")
        ymd = (rnd.randint(1965, 2004), rnd.randint(1, 12), rnd.randint(1, 28))
        idno = "110101%04d%02d%02d%03d" % (ymd + (rnd.randint(0, 999),))
        phone = "1%02d%08d" % (rnd.choice((35, 36, 37, 38, 39, 58, 86)), rnd.randrange(10**8))
        emp = rnd.choice(employers.get(org_id, [(None, "密云某物流公司", None)]))
        created = starts + rnd.randint(0, 7200)
        person = ("%s%s%s" % (rnd.choice(SURNAMES), rnd.choice(GIVEN), rnd.choice(GIVEN)),
                  digest("id", cid, n), rnd.randbytes(18 + 28),
                  idno[:6] + "********" + idno[14:] + "1",
                  digest("phone", cid, n), rnd.randbytes(11 + 28),
                  phone[:3] + "****" + phone[7:], "M" if n % 2 else "F",
                  "%04d-%02d-%02d" % ymd, emp[1], emp[2], emp[0],
                  CATEGORIES[n % len(CATEGORIES)], int(n % 3 == 0))
        access = digest("access", cid, n)
        decided = created + 86400 if status in ("approved", "rejected") else None
        mid = None
        if status == "approved":
            mid = ids["members"] + len(members)
            joined_on = time.strftime("%Y-%m-%d", time.localtime(decided))
            members.append((mid, "%04d%08d" % (year, mid), org_id, "active", "qr", org_id, eid,
                            aid) + person + (access, decided, joined_on, ev_district, decided,
                                             decided))
        apps.append((aid, org_id, org_id, eid, status, "qr") + person
                    + ("1", access, "信息不实" if status == "rejected" else None,
                       admin if decided else None, decided, mid, ev_district, created))

    tables = [("campaigns", CAMPAIGN_COLS, [campaign]), ("events", EVENT_COLS, events),
              ("join_tokens", TOKEN_COLS, tokens), ("members", MEMBER_COLS, members),
              ("applications", APP_COLS, apps), ("event_tallies", TALLY_COLS, tallies),
              ("event_taps", TAP_COLS, taps)]
    for name, cols, data in tables:
        assert all(len(r) == len(cols) for r in data), name
    expect = [len(events), len(tokens), len(apps), len(members), len(tallies), len(taps)]
    db.load(tables, cid, expect, args.analyze)
    print("gen_outreach: campaign %d with %d events (ids %d..%d) over %d orgs and %d day%s, "
          "%d applications (%d approved), %d tallies, %d taps in %.2f s"
          % (cid, len(events), events[0][0], events[-1][0], args.event_orgs, args.days,
             "" if args.days == 1 else "s", len(apps), len(members), len(tallies), len(taps),
             time.monotonic() - t0))


if __name__ == "__main__":
    main()
