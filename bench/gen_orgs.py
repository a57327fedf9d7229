#!/usr/bin/env python3
"""gen_orgs.py: a large org tree for the benchmark.

Adds N orgs (default 100,000) below the towns of a demo district (default
110118, Miyun) and M employers (default 5,000) spread over the new unions,
straight into the SQLite file, in one transaction.  Run it on a database made
by `unionbridge init --demo`, with no server writing to it.

The rows keep the tree's invariants (schema 0001): `parent_id` names the
parent, `path` is the parent's path followed by the new id and '/', `depth`
is the parent's depth + 1, and (when the schema has it) `district_id` is the
parent's, an employer's that of its org.  Ids are taken above the current maximum, so the
path can be written with the row.  Every town below the district gets an
equal share of children: mostly `union` (grassroots unions), every 20th a
`joint` (joint union).  Codes are PREFIX.NNNNNN (default B.000001, ...),
numbered after any earlier run with the same prefix.  Employers get a
well-formed unified social credit code (GB 32100 check character).

Standard library only.  Prints what it added and how long it took.
"""

import argparse
import random
import sqlite3
import sys
import time

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc(first17):
    """The full 18-character code for 17 characters of the alphabet."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    check = 31 - total % 31
    return first17 + USCC_ALPHABET[0 if check == 31 else check]


def fail(msg):
    print("gen_orgs: " + msg, file=sys.stderr)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("db", help="SQLite file (PATH or sqlite:PATH)")
    ap.add_argument("--orgs", type=int, default=100000, help="orgs to add (default 100000)")
    ap.add_argument("--employers", type=int, default=5000,
                    help="employers to add (default 5000)")
    ap.add_argument("--district", default="110118",
                    help="org whose town-level children get the new orgs (default 110118)")
    ap.add_argument("--prefix", default="B", help="code prefix (default B)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--analyze", action="store_true",
                    help="run ANALYZE afterwards (the server itself does not)")
    args = ap.parse_args()
    if args.orgs < 0 or args.employers < 0:
        fail("--orgs and --employers must be >= 0")
    if args.employers and not args.orgs:
        fail("employers go to the new unions: --orgs must be > 0")
    path = args.db[len("sqlite:"):] if args.db.startswith("sqlite:") else args.db
    rnd = random.Random(args.seed)

    t0 = time.monotonic()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA busy_timeout=10000")
    db.execute("BEGIN IMMEDIATE")
    try:
        # district_id (the distribution key) came with a later schema.
        has_district = all(
            any(c[1] == "district_id" for c in db.execute("PRAGMA table_info(%s)" % t))
            for t in ("orgs", "employers"))
        dcol = "district_id" if has_district else "0"
        row = db.execute("SELECT id, path, depth, %s FROM orgs WHERE code = ?" % dcol,
                         (args.district,)).fetchone()
        if not row:
            fail("no org %s (run `unionbridge init --demo` first)" % args.district)
        district_id = row[0]
        towns = db.execute(
            "SELECT id, path, depth, name, %s FROM orgs WHERE parent_id = ? "
            "AND level = 'town' ORDER BY code" % dcol, (district_id,)).fetchall()
        if not towns:
            fail("org %s has no towns below it" % args.district)

        # Number after earlier runs with the same prefix.
        pre = args.prefix + "."
        last = db.execute(
            "SELECT max(CAST(substr(code, ?) AS INTEGER)) FROM orgs "
            "WHERE substr(code, 1, ?) = ?", (len(pre) + 1, len(pre), pre)).fetchone()[0]
        serial = (last or 0) + 1
        next_id = db.execute("SELECT COALESCE(max(id), 0) + 1 FROM orgs").fetchone()[0]
        now = int(time.time())

        orgs, unions = [], []
        share, extra = divmod(args.orgs, len(towns))
        for i, (town_id, town_path, town_depth, town_name, town_district) in enumerate(towns):
            for k in range(share + (1 if i < extra else 0)):
                joint = k % 20 == 19
                code = "%s%06d" % (pre, serial)
                name = "%s第%d号%s" % (town_name.replace("总工会", ""), k + 1,
                                     "联合工会" if joint else "基层工会")
                orgs.append((next_id, code, name, "joint" if joint else "union", town_id,
                             "%s%d/" % (town_path, next_id), town_depth + 1, town_district,
                             now, now))
                if not joint:
                    unions.append((next_id, town_district))
                next_id += 1
                serial += 1
        if not has_district:
            orgs = [o[:7] + o[8:] for o in orgs]
        db.executemany(
            "INSERT INTO orgs (id, code, name, level, parent_id, path, depth, %s"
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, %s?, ?)"
            % (("district_id, ", "?, ") if has_district else ("", "")), orgs)

        # Employers: spread evenly over the new unions' orgs.
        first = db.execute("SELECT count(*) FROM employers WHERE uscc LIKE '91110118BM%'"
                           ).fetchone()[0] + 1
        emps = []
        for j in range(args.employers):
            n = first + j
            org_id, district = (unions[(j * len(unions)) // args.employers] if unions
                                else (orgs[0][0], towns[0][4]))
            e = ("基准测试单位%d有限公司" % n, uscc("91110118BM%07d" % n),
                 rnd.randint(3, 800), org_id, now, now)
            emps.append(e + (district,) if has_district else e)
        db.executemany(
            "INSERT INTO employers (name, uscc, headcount, org_id, created_at, updated_at%s) "
            "VALUES (?, ?, ?, ?, ?, ?%s)"
            % ((", district_id", ", ?") if has_district else ("", "")), emps)

        # The kept counters (the server maintains them on every insert; a
        # bulk load recomputes them once, from the tree itself).
        db.execute("UPDATE orgs SET children = "
                   "(SELECT count(*) FROM orgs c WHERE c.parent_id = orgs.id)")
        db.execute("UPDATE orgs SET descendants = (SELECT count(*) FROM orgs d "
                   "WHERE d.path > orgs.path "
                   "AND d.path < substr(orgs.path, 1, length(orgs.path) - 1) || '0')")

        # The invariants, checked over the whole table before committing.
        bad = db.execute(
            "SELECT count(*) FROM orgs c JOIN orgs p ON p.id = c.parent_id "
            "WHERE c.path <> p.path || c.id || '/' OR c.depth <> p.depth + 1").fetchone()[0]
        bad += db.execute(
            "SELECT count(*) FROM orgs WHERE parent_id IS NULL "
            "AND (path <> '/' || id || '/' OR depth <> 0)").fetchone()[0]
        if has_district:
            bad += db.execute(
                "SELECT count(*) FROM orgs c LEFT JOIN orgs p ON p.id = c.parent_id "
                "WHERE c.district_id <> CASE WHEN c.level = 'district' THEN c.id "
                "ELSE COALESCE(p.district_id, 0) END").fetchone()[0]
            bad += db.execute(
                "SELECT count(*) FROM employers e JOIN orgs o ON o.id = e.org_id "
                "WHERE e.district_id <> o.district_id").fetchone()[0]
        bad += db.execute(
            "SELECT count(*) FROM orgs p WHERE p.children <> "
            "(SELECT count(*) FROM orgs c WHERE c.parent_id = p.id)").fetchone()[0]
        if bad:
            fail("%d rows break the path/depth/district invariants; nothing written" % bad)
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    if args.analyze:
        db.execute("ANALYZE")
    total = db.execute("SELECT count(*) FROM orgs").fetchone()[0]
    db.close()
    dt = time.monotonic() - t0
    print("gen_orgs: added %d orgs below %d towns of %s and %d employers in %.2f s "
          "(%d orgs in all%s)" % (len(orgs), len(towns), args.district, len(emps), dt, total,
                              ", analyzed" if args.analyze else ""))


if __name__ == "__main__":
    main()
