#!/usr/bin/env python3
"""gen_orgs.py: a large org tree for the benchmark.

Adds N orgs (default 100,000) below the towns of a demo district (default
110118, Miyun) and M employers (default 5,000) spread over the new unions,
straight into the database, in one transaction: an SQLite file (PATH or
sqlite:PATH) or a PostgreSQL database (postgresql://..., through psql).
Run it on a database made by `unionbridge init --demo`, with no server
writing to it.

The rows keep the tree's invariants: `parent_id` names the parent, `path`
is the parent's path followed by the new id and '/', `depth` is the
parent's depth + 1, `district_id` is the parent's (an employer's that of
its org), and the kept counters `children` and `descendants` are
recomputed from the tree.  Every town below the district gets an equal
share of children: mostly `union` (grassroots unions), every 20th a `joint`
(joint union).  Codes are PREFIX.NNNNNN, numbered after any earlier run
with the same prefix.  Employers get a well-formed unified social credit
code (GB 32100 check character).  The invariants are checked before the
transaction commits; a violation writes nothing.  Every new org gets its
join token (join_tokens), as creating an org in the app makes one; the
first runs of this harness had none (--no-tokens).

Standard library only (and psql for PostgreSQL).
"""

import argparse
import csv
import io
import json
import random
import sqlite3
import subprocess
import sys
import time

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

ORG_COLS = ("id", "code", "name", "level", "parent_id", "path", "depth", "district_id",
            "created_at", "updated_at")
EMP_COLS = ("name", "uscc", "headcount", "org_id", "district_id", "created_at", "updated_at")
TOKEN_COLS = ("token", "org_id", "created_at")
TOKEN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"   # the app's
TOKEN_LEN = 12

# Portable SQL run after the load, in the same transaction.
COUNTERS = [
    "UPDATE orgs SET children = (SELECT count(*) FROM orgs c WHERE c.parent_id = orgs.id)",
    "UPDATE orgs SET descendants = (SELECT count(*) FROM orgs d WHERE d.path > orgs.path "
    "AND d.path < substr(orgs.path, 1, length(orgs.path) - 1) || '0')",
]
INVARIANTS = [
    "SELECT count(*) FROM orgs c JOIN orgs p ON p.id = c.parent_id "
    "WHERE c.path <> p.path || c.id || '/' OR c.depth <> p.depth + 1",
    "SELECT count(*) FROM orgs WHERE parent_id IS NULL "
    "AND (path <> '/' || id || '/' OR depth <> 0)",
    "SELECT count(*) FROM orgs c LEFT JOIN orgs p ON p.id = c.parent_id "
    "WHERE c.district_id <> CASE WHEN c.level = 'district' THEN c.id "
    "ELSE COALESCE(p.district_id, 0) END",
    "SELECT count(*) FROM employers e JOIN orgs o ON o.id = e.org_id "
    "WHERE e.district_id <> o.district_id",
    "SELECT count(*) FROM orgs p WHERE p.children <> "
    "(SELECT count(*) FROM orgs c WHERE c.parent_id = p.id)",
]
# With tokens: every org has its own (not an event's); join_tokens.org_id
# references orgs.  (Counts, not NOT EXISTS: PostgreSQL has no statistics
# for the new rows yet and would plan a nested loop.)
TOKEN_INVARIANT = ("SELECT (SELECT count(*) FROM orgs) - "
                   "(SELECT count(DISTINCT org_id) FROM join_tokens WHERE event_id IS NULL)")


def uscc(first17):
    """The full 18-character code for 17 characters of the alphabet."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    check = 31 - total % 31
    return first17 + USCC_ALPHABET[0 if check == 31 else check]


def fail(msg):
    print("gen_orgs: " + msg, file=sys.stderr)
    sys.exit(1)


class SqliteDb:
    def __init__(self, path):
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.execute("PRAGMA busy_timeout=10000")

    def rows(self, sql, args=()):
        return self.db.execute(sql.replace("%s", "?"), args).fetchall()

    def load(self, orgs, emps, tokens, analyze):
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany("INSERT INTO orgs (%s) VALUES (%s)"
                           % (", ".join(ORG_COLS), ", ".join("?" * len(ORG_COLS))), orgs)
            db.executemany("INSERT INTO employers (%s) VALUES (%s)"
                           % (", ".join(EMP_COLS), ", ".join("?" * len(EMP_COLS))), emps)
            db.executemany("INSERT INTO join_tokens (%s) VALUES (%s)"
                           % (", ".join(TOKEN_COLS), ", ".join("?" * len(TOKEN_COLS))), tokens)
            for sql in COUNTERS:
                db.execute(sql)
            bad = sum(db.execute(sql).fetchone()[0]
                      for sql in INVARIANTS + ([TOKEN_INVARIANT] if tokens else []))
            if bad:
                fail("%d rows break the tree's invariants; nothing written" % bad)
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

    def load(self, orgs, emps, tokens, analyze):
        del analyze     # always, see below

        def copy(table, cols, data):
            buf = io.StringIO()
            csv.writer(buf, lineterminator="\n").writerows(data)
            return ("COPY %s (%s) FROM STDIN WITH (FORMAT csv);\n%s\\.\n"
                    % (table, ", ".join(cols), buf.getvalue()))
        checks = "".join(
            "DO $$ BEGIN IF (%s) > 0 THEN RAISE EXCEPTION "
            "'rows break the tree''s invariants; nothing written'; END IF; END $$;\n" % sql
            for sql in INVARIANTS + ([TOKEN_INVARIANT] if tokens else []))
        script = ("BEGIN;\n" + copy("orgs", ORG_COLS, orgs) + copy("employers", EMP_COLS, emps)
                  + copy("join_tokens", TOKEN_COLS, tokens)
                  + "".join(s + ";\n" for s in COUNTERS) + checks
                  # Explicit ids do not move the identity sequences: move them.
                  + "SELECT setval(pg_get_serial_sequence('orgs', 'id'), max(id)) FROM orgs;\n"
                  + "SELECT setval(pg_get_serial_sequence('employers', 'id'), max(id)) "
                    "FROM employers;\n"
                  # After a bulk load PostgreSQL plans blind until autovacuum
                  # gets round to it; a loader analyzes (serve does so for
                  # SQLite at start-up).  And vacuums: the counters' UPDATE
                  # left a dead version of every org, which each foreign-key
                  # check of a join then stepped over in the index until
                  # autovacuum came (a tenth of the database's time in a
                  # join run).
                  + "COMMIT;\nVACUUM (ANALYZE);\n")
        r = subprocess.run(["psql", "-qAtX", "-v", "ON_ERROR_STOP=1", "-f", "-", self.url],
                           input=script, capture_output=True, text=True)
        if r.returncode != 0:
            fail("psql: " + r.stderr.strip()[-400:])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("db", help="SQLite file (PATH or sqlite:PATH) or postgresql:// URL")
    ap.add_argument("--orgs", type=int, default=100000, help="orgs to add (default 100000)")
    ap.add_argument("--employers", type=int, default=5000,
                    help="employers to add (default 5000)")
    ap.add_argument("--district", default="110118",
                    help="org whose town-level children get the new orgs (default 110118)")
    ap.add_argument("--prefix", default="B", help="code prefix (default B)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--analyze", action="store_true",
                    help="refresh the planner statistics afterwards (serve does it too)")
    ap.add_argument("--no-tokens", action="store_true",
                    help="no join token for the new orgs (the app makes one per org)")
    args = ap.parse_args()
    if args.orgs < 0 or args.employers < 0:
        fail("--orgs and --employers must be >= 0")
    if args.employers and not args.orgs:
        fail("employers go to the new unions: --orgs must be > 0")
    if args.db.startswith(("postgres://", "postgresql://")):
        db = PgDb(args.db)
    else:
        db = SqliteDb(args.db[len("sqlite:"):] if args.db.startswith("sqlite:") else args.db)
    rnd = random.Random(args.seed)
    t0 = time.monotonic()

    row = db.rows("SELECT id FROM orgs WHERE code = %s", (args.district,))
    if not row:
        fail("no org %s (run `unionbridge init --demo` first)" % args.district)
    towns = db.rows("SELECT id, path, depth, name, district_id FROM orgs "
                    "WHERE parent_id = %s AND level = 'town' ORDER BY code", (row[0][0],))
    if not towns:
        fail("org %s has no towns below it" % args.district)
    pre = args.prefix + "."
    serial = 1 + len(db.rows("SELECT code FROM orgs WHERE code LIKE %s", (pre + "%",)))
    next_id = db.rows("SELECT COALESCE(max(id), 0) + 1 FROM orgs")[0][0]
    first_emp = 1 + db.rows("SELECT count(*) FROM employers WHERE uscc LIKE '91110118BM%%'")[0][0]
    now = int(time.time())

    orgs, unions = [], []
    share, extra = divmod(args.orgs, len(towns))
    for i, (town_id, town_path, town_depth, town_name, town_district) in enumerate(towns):
        for k in range(share + (1 if i < extra else 0)):
            joint = k % 20 == 19
            name = "%s第%d号%s" % (town_name.replace("总工会", ""), k + 1,
                                 "联合工会" if joint else "基层工会")
            orgs.append((next_id, "%s%06d" % (pre, serial), name, "joint" if joint else "union",
                         town_id, "%s%d/" % (town_path, next_id), town_depth + 1,
                         town_district, now, now))
            if not joint:
                unions.append((next_id, town_district))
            next_id += 1
            serial += 1
    emps = []
    for j in range(args.employers):
        n = first_emp + j
        org_id, district = unions[(j * len(unions)) // args.employers]
        emps.append(("基准测试单位%d有限公司" % n, uscc("91110118BM%07d" % n),
                     rnd.randint(3, 800), org_id, district, now, now))
    tokens = []
    if not args.no_tokens:
        taken = {t for (t,) in db.rows("SELECT token FROM join_tokens")}
        for o in orgs:
            while True:
                tok = "".join(rnd.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LEN))
                if tok not in taken:
                    break
            taken.add(tok)
            tokens.append((tok, o[0], now))
    db.load(orgs, emps, tokens, args.analyze)
    total = db.rows("SELECT count(*) FROM orgs")[0][0]
    print("gen_orgs: added %d orgs below %d towns of %s, %d employers and %d join tokens "
          "in %.2f s (%d orgs in all%s)"
          % (len(orgs), len(towns), args.district, len(emps), len(tokens),
             time.monotonic() - t0, total, ", analyzed" if args.analyze else ""))


if __name__ == "__main__":
    main()
