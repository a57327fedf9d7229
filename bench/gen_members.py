#!/usr/bin/env python3
"""bench/gen_members.py: adds N active members with personal tokens, for the
giveaway claim storm (bench/giveaway.sh).

    bench/gen_members.py DB --members 100000 --tokens tokens.txt

DB is sqlite:PATH or postgresql://...; the members are spread over the
towns below district 110118 (init --demo), each with a random personal
token whose digest (BLAKE2b-256, as the server keeps it) is stored; the
tokens go to the file, one per line.  ID and phone fields hold random
stand-ins (the storm never reads them).  Standard library only (and psql
for PostgreSQL).
"""
import argparse
import hashlib
import os
import secrets
import sqlite3
import subprocess
import sys
import time

COLS = ("member_no, org_id, status, channel, name, id_hash, id_enc, id_mask, phone_hash, "
        "phone_enc, phone_mask, gender, birth_date, employer_name, category, migrant, "
        "access_digest, joined_at, joined_on, district_id, created_at, updated_at")


def rows(n, towns, district, now, day):
    for i in range(n):
        token = secrets.token_urlsafe(32)
        digest = hashlib.blake2b(token.encode(), digest_size=32).hexdigest()
        yield token, ("B%09d" % i, towns[i % len(towns)], "active", "import", "压测%d" % i,
                      secrets.token_hex(32), os.urandom(58), "110118********000X",
                      secrets.token_hex(32), os.urandom(51), "139****0000", "M", "1990-01-01",
                      "", "courier", 0, digest, now, day, district, now, now)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("db")
    ap.add_argument("--members", type=int, default=100000)
    ap.add_argument("--tokens", required=True)
    a = ap.parse_args()
    t0 = time.time()
    now = int(t0)
    day = time.strftime("%Y-%m-%d")
    q = ("SELECT o.id, o.district_id FROM orgs o JOIN orgs p ON p.id = o.parent_id "
         "WHERE p.code = '110118' AND o.level = 'town' ORDER BY o.id")
    tokens = open(a.tokens, "w")
    if a.db.startswith("sqlite:"):
        con = sqlite3.connect(a.db[7:])
        towns = con.execute(q).fetchall()
        district = towns[0][1]
        ph = ", ".join("?" * 22)
        with con:
            for token, r in rows(a.members, [t for t, _ in towns], district, now, day):
                tokens.write(token + "\n")
                con.execute("INSERT INTO members (%s) VALUES (%s)" % (COLS, ph), r)
        con.close()
    else:
        out = subprocess.run(["psql", "-qAtX", "-F", " ", "-c", q, a.db], check=True,
                             capture_output=True, text=True).stdout.split()
        towns = [int(x) for x in out[0::2]]
        district = int(out[1])
        lines = []
        for token, r in rows(a.members, towns, district, now, day):
            tokens.write(token + "\n")
            lines.append("\t".join("\\\\x" + v.hex() if isinstance(v, bytes) else str(v)
                                   for v in r))
        script = "COPY members (%s) FROM STDIN;\n%s\n\\.\nANALYZE members;\n" % (
            COLS, "\n".join(lines))
        r = subprocess.run(["psql", "-qAtX", "-v", "ON_ERROR_STOP=1", "-f", "-", a.db],
                           input=script, capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit("gen_members: psql: " + r.stderr[-400:])
    tokens.close()
    print("gen_members: %d members in %.1f s" % (a.members, time.time() - t0))


if __name__ == "__main__":
    main()
