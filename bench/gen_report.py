#!/usr/bin/env python3
"""gen_report.py: a district's worth of records for the report benchmark.

Adds to a demo district (default 110118, Miyun), straight into the database
and in one transaction (an SQLite file, PATH or sqlite:PATH, or a PostgreSQL
database, postgresql://..., through psql and COPY):

  - U grassroots unions (default 2,000) below its towns, an equal share per
    town, every 20th a joint union, each with its join token;
  - E employers (default 5,000) spread over those unions;
  - M members (default 1,000,000), 92% in the new unions and 8% held by a
    town directly; channel mostly 'qr' (85%), some 'onsite' (10%) and
    'import' (5%); joined_on spread over 2025-01-01..2025-12-31; a worker
    category of the app's list (skewed towards the new forms of employment);
  - V events (default 20,000) held by the new unions (80%) and the towns
    (20%) over 2025, a quarter of them enterprise meetings, 5% cancelled and
    5% still planned; each held one with its tallies (leaflets of one or two
    titles, cards, people, questions on one to three topics); each with its
    own join token, as the app makes one per event;
  - F founding cases (default 10,000) guided by the employers' towns: one
    live case per employer (open, founded or registered; a founded one has
    founded_on in 2025 and founded_headcount, the employer's staff), the
    rest earlier attempts of the same employers, abandoned before founding.

Every row carries its district (district_id: the id of the district org for
rows inside it, as the store fills it).  Personal data is not real: the
sealed columns (*_enc) hold random bytes, the digests (*_hash,
access_digest) are SHA-256 of a counter and the run's prefix; the report
never opens them.  Ids are taken above the current maxima.  The report
counters (stats_daily) are NOT written: run `unionbridge stats rebuild`
afterwards, which recomputes them from these records.  Before committing it
checks districts, references and counts, and rolls back if any is off.

With --check ORG FROM TO FILE it writes nothing: it recomputes the summary
of ORG's subtree for the period straight from the records (members, events,
event_tallies, founding_cases: what `stats rebuild` counts) and compares
every figure of FILE, the JSON of GET /api/v1/reports/summary, with it: the
headline and each row of by_org.  It prints one line, and exits 1 on any
difference.

Standard library only (and psql for PostgreSQL).
"""

import argparse
import csv
import datetime
import hashlib
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
TOKEN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"   # the app's
TOKEN_LEN = 12
# src/domain/member.c, member_categories, with a weight each.
CATEGORIES = (("industrial", 20), ("outdoor", 8), ("courier", 14), ("food_delivery", 14),
              ("ride_hailing", 8), ("truck_driver", 8), ("security_guard", 6),
              ("domestic", 5), ("care_worker", 4), ("mall_info", 3),
              ("real_estate_agent", 3), ("streamer", 2), ("other", 5))
TITLES = ("入会宝典", "建会秘籍", "维权指南")
TOPICS = ("入会", "二次报销", "权益保障", "普惠服务", "法律咨询")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂"
STEPS_OPEN = ("contacted", "requested", "prep_group_approved", "recruiting", "reps_elected",
              "congress_held", "committee_elected")
YEAR = 2025
# 2025-01-01 00:00 in the server's zone (Asia/Shanghai, UTC+8, no DST).
DAY0 = 1735660800

ORG_COLS = ("id", "code", "name", "level", "parent_id", "path", "depth", "district_id",
            "created_at", "updated_at")
EMP_COLS = ("id", "name", "uscc", "headcount", "org_id", "union_status", "union_org_id",
            "district_id", "created_at", "updated_at")
TOKEN_COLS = ("token", "org_id", "event_id", "created_at")
MEMBER_COLS = ("id", "member_no", "org_id", "status", "channel", "source_org_id",
               "name", "id_hash", "id_enc", "id_mask", "phone_hash", "phone_enc",
               "phone_mask", "gender", "birth_date", "employer_name", "employer_uscc",
               "employer_id", "category", "migrant", "access_digest", "joined_at", "joined_on",
               "district_id", "created_at", "updated_at")
EVENT_COLS = ("id", "type", "org_id", "venue", "starts_at", "starts_on", "ends_at",
              "partners", "status", "district_id", "created_by", "created_at", "updated_at")
TALLY_COLS = ("event_id", "kind", "label", "n", "district_id")
FOUNDING_COLS = ("id", "employer_id", "guide_org_id", "step", "status", "step_on",
                 "document_no", "term_years", "founded_on", "founded_headcount",
                 "union_org_id", "union_uscc", "district_id", "created_by", "created_at",
                 "updated_at")
BYTES = {"id_enc", "phone_enc"}

# Portable SQL run after the load, in the same transaction (as gen_orgs.py).
COUNTERS = [
    "UPDATE orgs SET children = (SELECT count(*) FROM orgs c WHERE c.parent_id = orgs.id)",
    "UPDATE orgs SET descendants = (SELECT count(*) FROM orgs d WHERE d.path > orgs.path "
    "AND d.path < substr(orgs.path, 1, length(orgs.path) - 1) || '0')",
]
# Each must be 0.  %(d)d: the district's id; %(o)d: the first new org id.
CHECKS = [
    "SELECT count(*) FROM orgs c JOIN orgs p ON p.id = c.parent_id WHERE c.id >= %(o)d "
    "AND (c.path <> p.path || c.id || '/' OR c.depth <> p.depth + 1 "
    "OR c.district_id <> p.district_id)",
    "SELECT count(*) FROM employers e JOIN orgs o ON o.id = e.org_id "
    "WHERE e.district_id <> o.district_id",
    "SELECT count(*) FROM members m JOIN orgs o ON o.id = m.org_id "
    "WHERE m.district_id <> o.district_id",
    "SELECT count(*) FROM events e JOIN orgs o ON o.id = e.org_id "
    "WHERE e.district_id <> o.district_id",
    "SELECT count(*) FROM event_tallies t JOIN events e ON e.id = t.event_id "
    "WHERE t.district_id <> e.district_id",
    "SELECT count(*) FROM founding_cases f JOIN orgs o ON o.id = f.guide_org_id "
    "WHERE f.district_id <> o.district_id",
    # Every new row is inside the district.
    "SELECT count(*) FROM members WHERE org_id >= %(o)d AND district_id <> %(d)d",
    # One live founding case per employer (the schema's unique index says so
    # too), and the employer's status follows it.
    "SELECT count(*) FROM employers e JOIN founding_cases f ON f.employer_id = e.id "
    "AND f.status <> 'abandoned' WHERE e.union_status <> CASE f.status "
    "WHEN 'open' THEN 'founding' ELSE 'unionised' END",
]


def fail(msg):
    print("gen_report: " + msg, file=sys.stderr)
    sys.exit(1)


def uscc(first17):
    """The full 18-character code for 17 characters of the alphabet."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    check = 31 - total % 31
    return first17 + USCC_ALPHABET[0 if check == 31 else check]


def digest(*parts):
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()


class SqliteDb:
    def __init__(self, path):
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.execute("PRAGMA busy_timeout=10000")
        # A million rows into half a dozen indexes: keep the pages in memory.
        self.db.execute("PRAGMA cache_size=-1500000")

    def rows(self, sql, args=()):
        return self.db.execute(sql.replace("%s", "?"), args).fetchall()

    def load(self, tables, checks, expect, analyze):
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            for table, cols, data in tables:
                db.executemany("INSERT INTO %s (%s) VALUES (%s)"
                               % (table, ", ".join(cols), ", ".join("?" * len(cols))), data)
            for sql in COUNTERS:
                db.execute(sql)
            bad = sum(db.execute(sql).fetchone()[0] for sql in checks)
            if bad:
                fail("%d rows break the data's invariants; nothing written" % bad)
            got = [db.execute(sql).fetchone()[0] for _, sql in expect]
            want = [n for n, _ in expect]
            if got != want:
                fail("counts %s, expected %s; nothing written" % (got, want))
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

    def load(self, tables, checks, expect, analyze):
        del analyze     # always, as gen_orgs.py does
        # Streamed to psql: a million members do not fit a script string well.
        errs = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
        p = subprocess.Popen(["psql", "-qAtX", "-v", "ON_ERROR_STOP=1", "-f", "-", self.url],
                             stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errs,
                             text=True, encoding="utf-8")
        try:
            w = p.stdin
            w.write("BEGIN;\n")
            for table, cols, data in tables:
                # csv writes None and '' alike, as an empty field, which COPY
                # reads as NULL: the columns that hold '' are read as text.
                empty = [c for c in cols if c == "label"]
                opts = "FORMAT csv" + (", FORCE_NOT_NULL (%s)" % ", ".join(empty)
                                       if empty else "")
                w.write("COPY %s (%s) FROM STDIN WITH (%s);\n" % (table, ", ".join(cols), opts))
                cw = csv.writer(w, lineterminator="\n")
                byte_cols = [k for k, c in enumerate(cols) if c in BYTES]
                for row in data:
                    if byte_cols:
                        row = list(row)
                        for k in byte_cols:
                            row[k] = "\\x" + row[k].hex()
                    cw.writerow(row)
                w.write("\\.\n")
            w.write("".join(s + ";\n" for s in COUNTERS))

            def must_be(sql, value, what):
                return ("DO $$ BEGIN IF (%s) <> %d THEN RAISE EXCEPTION "
                        "'%s; nothing written'; END IF; END $$;\n"
                        % (sql, value, what.replace("'", "''")))
            w.write("".join(must_be(sql, 0, "rows break the data's invariants")
                            for sql in checks))
            w.write("".join(must_be(sql, n, "a count is not %d" % n) for n, sql in expect))
            # Explicit ids do not move the identity sequences: move them.
            for t in ("orgs", "employers", "members", "events", "founding_cases"):
                w.write("SELECT setval(pg_get_serial_sequence('%s', 'id'), "
                        "GREATEST(max(id), 1)) FROM %s;\n" % (t, t))
            w.write("COMMIT;\nVACUUM (ANALYZE);\n")  # the counters' UPDATE left dead rows
            w.close()
        except BrokenPipeError:     # psql stopped at an error: it says which
            pass
        if p.wait() != 0:
            errs.seek(0)
            fail("psql: " + errs.read().strip()[-400:])


def open_db(url):
    if url.startswith(("postgres://", "postgresql://")):
        return PgDb(url)
    return SqliteDb(url[len("sqlite:"):] if url.startswith("sqlite:") else url)


# ---- generating -------------------------------------------------------------------------

def generate(args, db):
    rnd = random.Random(args.seed)
    row = db.rows("SELECT id, district_id FROM orgs WHERE code = %s", (args.district,))
    if not row:
        fail("no org %s (run `unionbridge init --demo` first)" % args.district)
    district_org, district = row[0]
    towns = db.rows("SELECT id, path, depth, name FROM orgs "
                    "WHERE parent_id = %s AND level = 'town' ORDER BY code", (district_org,))
    if not towns:
        fail("org %s has no towns below it" % args.district)
    pre = args.prefix + "."
    if db.rows("SELECT count(*) FROM orgs WHERE code LIKE %s", (pre + "%",))[0][0]:
        fail("orgs with prefix %s exist already: one run per database (or --prefix)" % pre)
    nxt = {t: db.rows("SELECT COALESCE(max(id), 0) + 1 FROM %s" % t)[0][0]
           for t in ("orgs", "employers", "members", "events", "founding_cases")}
    admin = db.rows("SELECT id FROM users WHERE role = 'admin' ORDER BY id LIMIT 1")
    admin = admin[0][0] if admin else None
    taken = {t for (t,) in db.rows("SELECT token FROM join_tokens")}
    now = int(time.time())

    def token():
        while True:
            tok = "".join(rnd.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LEN))
            if tok not in taken:
                taken.add(tok)
                return tok

    # Unions below the towns.
    orgs, unions, tokens = [], [], []
    town_of = {}
    share, extra = divmod(args.unions, len(towns))
    oid = nxt["orgs"]
    for i, (town_id, town_path, town_depth, town_name) in enumerate(towns):
        for k in range(share + (1 if i < extra else 0)):
            joint = k % 20 == 19
            name = "%s第%d号%s" % (town_name.replace("总工会", ""), k + 1,
                                 "联合工会" if joint else "基层工会")
            orgs.append((oid, "%s%06d" % (pre, len(orgs) + 1), name,
                         "joint" if joint else "union", town_id,
                         "%s%d/" % (town_path, oid), town_depth + 1, district, now, now))
            unions.append(oid)
            town_of[oid] = town_id
            tokens.append((token(), oid, None, now))
            oid += 1
    if not unions:
        fail("--unions must be > 0")

    # Employers over the unions; a third of them 100 staff or more.
    emps = []
    emps_of = {}
    for j in range(args.employers):
        eid = nxt["employers"] + j
        org_id = unions[(j * len(unions)) // args.employers]
        staff = rnd.randint(100, 2000) if rnd.random() < 0.33 else rnd.randint(3, 99)
        code = uscc("91110118RP%07d" % (j + 1))
        name = "报表测试单位%d有限公司" % (j + 1)
        emps.append([eid, name, code, staff, org_id, "none", None, district, now, now])
        emps_of.setdefault(org_id, []).append((eid, name, code))

    # Founding cases: one live per employer, the rest abandoned attempts.
    day = [(datetime.date(YEAR, 1, 1) + datetime.timedelta(d)).isoformat() for d in range(365)]
    cases = []
    fid = nxt["founding_cases"]
    for k in range(args.foundings):
        e = emps[k % len(emps)] if emps else None
        if e is None:
            break
        guide = town_of[e[4]]
        d0 = rnd.randrange(365)
        created = DAY0 + d0 * 86400 + 36000
        if k < len(emps):                       # the live case
            r = rnd.random()
            if r < 0.55:
                status, step = "open", rnd.choice(STEPS_OPEN)
            elif r < 0.8:
                status, step = "founded", "election_approved"
            else:
                status, step = "registered", "registered"
            founded = status != "open"
            e[5] = "unionised" if founded else "founding"
            e[6] = e[4] if founded else None
            cases.append((fid, e[0], guide, step, status, day[d0],
                          "密工批〔2025〕%d号" % (k + 1) if founded else None,
                          rnd.choice((3, 5)) if founded else None,
                          day[d0] if founded else None, e[3] if founded else None,
                          e[4] if founded else None,
                          uscc("81110118RP%07d" % (k + 1)) if status == "registered" else None,
                          district, admin, created, created))
        else:                                   # an earlier attempt, given up
            cases.append((fid, e[0], guide, rnd.choice(STEPS_OPEN[:4]), "abandoned", day[d0],
                          None, None, None, None, None, None, district, admin, created,
                          created))
        fid += 1

    # Events and their tallies.
    hosts = unions + [t[0] for t in towns]
    events, tallies = [], []
    for i in range(args.events):
        vid = nxt["events"] + i
        org_id = rnd.choice(unions) if rnd.random() < 0.8 else rnd.choice(towns)[0]
        d = rnd.randrange(365)
        starts = DAY0 + d * 86400 + (9 if i % 2 == 0 else 14) * 3600
        enterprise = rnd.random() < 0.25
        r = rnd.random()
        status = "cancelled" if r < 0.05 else "planned" if r < 0.10 else "held"
        kind = "enterprise_meeting" if enterprise else "worker_meeting"
        events.append((vid, kind, org_id,
                       "%s第%d场" % ("企业会议室" if enterprise else "广场", i + 1), starts,
                       day[d], starts + 7200, '["司法所", "社区"]', status, district, admin,
                       now, now))
        tokens.append((token(), org_id, vid, now))
        if status != "held":
            continue
        for title in rnd.sample(TITLES, rnd.randint(1, 2)):
            tallies.append((vid, "material", title, rnd.randint(10, 300), district))
        tallies.append((vid, "cards", "", rnd.randint(0, 80), district))
        tallies.append((vid, "people", "", rnd.randint(20, 500), district))
        for topic in rnd.sample(TOPICS, rnd.randint(1, 3)):
            tallies.append((vid, "question", topic, rnd.randint(1, 40), district))
    del hosts

    # Members: generated as they are written (a million rows).
    cats = [c for c, _ in CATEGORIES]
    weights = [w for _, w in CATEGORIES]
    town_ids = [t[0] for t in towns]
    mid0 = nxt["members"]
    tag = "%s%d" % (args.prefix, args.seed)

    def members():
        r = random.Random(args.seed + 1)
        rand, randrange, choice, randbytes = r.random, r.randrange, r.choice, r.randbytes
        cat = r.choices(cats, weights, k=args.members)
        for n in range(args.members):
            mid = mid0 + n
            org_id = choice(unions) if rand() < 0.92 else choice(town_ids)
            x = rand()
            channel = "qr" if x < 0.85 else "onsite" if x < 0.95 else "import"
            x = rand()
            status = "active" if x < 0.97 else "withdrawn" if x < 0.99 else "lapsed"
            d = randrange(365)
            joined = DAY0 + d * 86400 + 28800 + randrange(36000)
            by = 1965 + randrange(40)
            birth = "%04d-%02d-%02d" % (by, 1 + randrange(12), 1 + randrange(28))
            emp = choice(emps_of[org_id]) if org_id in emps_of and rand() < 0.8 \
                else (None, "密云某物流公司", None)
            yield (mid, "%04d%08d" % (YEAR, mid), org_id, status, channel,
                   org_id if channel == "qr" else None,
                   choice(SURNAMES) + choice(GIVEN) + choice(GIVEN),
                   digest("id", tag, n), randbytes(46),
                   "110118********%03d%s" % (randrange(1000), choice("0123456789X")),
                   digest("phone", tag, n), randbytes(39),
                   "1%02d****%04d" % (choice((35, 36, 37, 38, 39, 58, 86)), randrange(10000)),
                   "M" if n % 2 else "F", birth, emp[1], emp[2], emp[0], cat[n],
                   int(n % 3 == 0), digest("access", tag, n) if channel != "import" else None,
                   joined, day[d], district, joined, joined)

    tables = [("orgs", ORG_COLS, orgs), ("employers", EMP_COLS, [tuple(e) for e in emps]),
              ("join_tokens", TOKEN_COLS, tokens), ("events", EVENT_COLS, events),
              ("event_tallies", TALLY_COLS, tallies),
              ("founding_cases", FOUNDING_COLS, cases),
              ("members", MEMBER_COLS, members())]
    o = nxt["orgs"]
    expect = [
        (len(orgs), "SELECT count(*) FROM orgs WHERE id >= %d" % o),
        (len(emps), "SELECT count(*) FROM employers WHERE id >= %d" % nxt["employers"]),
        (args.members, "SELECT count(*) FROM members WHERE id >= %d" % mid0),
        (len(events), "SELECT count(*) FROM events WHERE id >= %d" % nxt["events"]),
        (len(tallies), "SELECT count(*) FROM event_tallies WHERE event_id >= %d"
         % nxt["events"]),
        (len(cases), "SELECT count(*) FROM founding_cases WHERE id >= %d"
         % nxt["founding_cases"]),
        (len(tokens), "SELECT count(*) FROM join_tokens WHERE org_id >= %d "
         "OR event_id >= %d" % (o, nxt["events"])),
    ]
    checks = [sql % {"d": district, "o": o} for sql in CHECKS]
    db.load(tables, checks, expect, args.analyze)
    founded = sum(1 for c in cases if c[8])
    return ("added %d unions below %d towns of %s, %d employers, %d members, %d events "
            "(%d tallies), %d founding cases (%d founded)"
            % (len(orgs), len(towns), args.district, len(emps), args.members, len(events),
               len(tallies), len(cases), founded))


# ---- checking a summary against the records ----------------------------------------------

def blank():
    return {"activities": {"total": 0, "worker_meetings": 0, "enterprise_meetings": 0},
            "members_joined": {"total": 0, "via_qr": 0, "onsite": 0, "import": 0},
            "unions_founded": {"total": 0, "headcount_100_plus": 0},
            "cards_issued": 0, "materials": {"total": 0, "by_title": {}},
            "questions": {"total": 0, "by_topic": {}}, "people": 0,
            "members_by_category": {}}


def bump(d, k, n):
    d[k] = d.get(k, 0) + n


def add_fact(f, kind, label, n):
    """As figures_add in src/domain/report.c, from a record instead of a counter."""
    if kind == "activity":
        bump(f["activities"], "total", n)
        if label in ("worker_meeting", "enterprise_meeting"):
            bump(f["activities"], label + "s", n)
    elif kind == "joined":
        bump(f["members_joined"], "total", n)
        bump(f["members_joined"], "via_qr" if label == "qr" else label, n)
    elif kind == "joined_cat":
        bump(f["members_by_category"], label, n)
    elif kind == "founded":
        bump(f["unions_founded"], "total", n)
    elif kind == "founded_100":
        bump(f["unions_founded"], "headcount_100_plus", n)
    elif kind == "cards":
        bump(f, "cards_issued", n)
    elif kind == "material":
        bump(f["materials"], "total", n)
        bump(f["materials"]["by_title"], label, n)
    elif kind == "question":
        bump(f["questions"], "total", n)
        bump(f["questions"]["by_topic"], label, n)
    elif kind == "people":
        bump(f, "people", n)


def flatten(f, prefix=""):
    out = {}
    for k, v in f.items():
        if isinstance(v, dict):
            out.update(flatten(v, prefix + k + "."))
        elif isinstance(v, int) and not isinstance(v, bool):
            out[prefix + k] = v
    return out


def check(args, db):
    code, dfrom, dto, path = args.check
    with open(path, encoding="utf-8") as fh:
        got = json.load(fh)
    orgs = {i: (c, p) for i, c, p in db.rows("SELECT id, code, path FROM orgs")}
    root = [p for c, p in orgs.values() if c == code]
    if not root:
        fail("no org %s" % code)
    root = root[0]
    # The facts of the period, by org: what `stats rebuild` counts
    # (REBUILD_SOURCES in src/store/store_stats.c), read from the records.
    first_org = ("COALESCE((SELECT t.from_org_id FROM transfers t WHERE t.member_id = m.id "
                 "AND t.status = 'accepted' ORDER BY t.id LIMIT 1), m.org_id)")
    period = (dfrom, dto)
    in_period = "%s >= %%s AND %s <= %%s"
    facts = db.rows(
        "SELECT org AS o, 'joined' AS k, channel AS l, count(*) AS n "
        "FROM (SELECT %s AS org, m.channel FROM members m WHERE %s) x "
        "GROUP BY org, channel" % (first_org, in_period % ("m.joined_on", "m.joined_on")),
        period)
    facts += db.rows(
        "SELECT org AS o, 'joined_cat' AS k, category AS l, count(*) AS n "
        "FROM (SELECT %s AS org, m.category FROM members m WHERE %s) x "
        "GROUP BY org, category" % (first_org, in_period % ("m.joined_on", "m.joined_on")),
        period)
    facts += db.rows(
        "SELECT org_id AS o, 'activity' AS k, type AS l, count(*) AS n FROM events "
        "WHERE status <> 'cancelled' AND starts_on >= %s AND starts_on <= %s "
        "GROUP BY org_id, type", period)
    facts += db.rows(
        "SELECT guide_org_id AS o, 'founded' AS k, '' AS l, count(*) AS n "
        "FROM founding_cases WHERE founded_on >= %s AND founded_on <= %s "
        "GROUP BY guide_org_id", period)
    facts += db.rows(
        "SELECT guide_org_id AS o, 'founded_100' AS k, '' AS l, count(*) AS n "
        "FROM founding_cases WHERE founded_on >= %s AND founded_on <= %s "
        "AND founded_headcount >= 100 GROUP BY guide_org_id", period)
    facts += db.rows(
        "SELECT e.org_id AS o, t.kind AS k, t.label AS l, sum(t.n) AS n FROM event_tallies t "
        "JOIN events e ON e.id = t.event_id WHERE e.starts_on >= %s AND e.starts_on <= %s "
        "GROUP BY e.org_id, t.kind, t.label", period)
    want = blank()
    children = {}
    for org, kind, label, n in facts:
        p = orgs[int(org)][1]
        if not p.startswith(root):
            continue
        n = int(n)
        add_fact(want, kind, label, n)
        rest = p[len(root):]
        if rest:
            child = orgs[int(rest.split("/")[0])][0]
            add_fact(children.setdefault(child, blank()), kind, label, n)
    diffs, compared = [], 0

    def compare(where, w, g):
        nonlocal compared
        fw, fg = flatten(w), flatten(g)
        for k in sorted(set(fw) | set(fg)):
            compared += 1
            if fw.get(k, 0) != fg.get(k, 0):
                diffs.append("%s %s: records %d, report %d" % (where, k, fw.get(k, 0),
                                                              fg.get(k, 0)))
    compare(code, want, {k: v for k, v in got.items() if k != "by_org"})
    rows = got.get("by_org", [])
    for row in rows:
        compare(row["org"], children.pop(row["org"], blank()), row)
    for child, w in children.items():       # a child with facts but no row
        compare(child, w, {})
    if diffs:
        print("gen_report: %s %s..%s: %d of %d figures differ from the records: %s"
              % (code, dfrom, dto, len(diffs), compared, "; ".join(diffs[:10])))
        sys.exit(1)
    print("exact: %d figures of %s %s..%s (headline and %d by_org rows) equal the records"
          % (compared, code, dfrom, dto, len(rows)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("db", help="SQLite file (PATH or sqlite:PATH) or postgresql:// URL")
    ap.add_argument("--unions", type=int, default=2000, help="unions to add (default 2000)")
    ap.add_argument("--employers", type=int, default=5000, help="employers (default 5000)")
    ap.add_argument("--members", type=int, default=1000000, help="members (default 1000000)")
    ap.add_argument("--events", type=int, default=20000, help="events (default 20000)")
    ap.add_argument("--foundings", type=int, default=10000,
                    help="founding cases (default 10000; at most 2 per employer)")
    ap.add_argument("--district", default="110118", help="the district (default 110118)")
    ap.add_argument("--prefix", default="R", help="code prefix of the new unions (default R)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--analyze", action="store_true",
                    help="refresh SQLite's planner statistics afterwards (PostgreSQL: always)")
    ap.add_argument("--check", nargs=4, metavar=("ORG", "FROM", "TO", "FILE"),
                    help="write nothing; compare the summary in FILE with the records")
    args = ap.parse_args()
    db = open_db(args.db)
    if args.check:
        check(args, db)
        return
    if min(args.unions, args.employers, args.members, args.events, args.foundings) < 0:
        fail("sizes must be >= 0")
    if args.foundings > 2 * args.employers:
        fail("--foundings: at most two cases per employer (one live, one abandoned)")
    if args.members and args.unions < 1:
        fail("members go to the new unions: --unions must be > 0")
    t0 = time.monotonic()
    what = generate(args, db)
    print("gen_report: %s in %.1f s" % (what, time.monotonic() - t0))


if __name__ == "__main__":
    main()
