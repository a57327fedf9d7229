#!/usr/bin/env bash
# bench/report.sh: the summary report over a large district, its latency
# and the exactness of its counts.
#
#   bench/report.sh                              # SQLite, then PostgreSQL
#   BENCH_BACKENDS=sqlite BENCH_MEMBERS=200000 bench/report.sh
#
# On a database made by `unionbridge init --demo`, bench/gen_report.py adds
# to the Miyun district 110118 its unions, employers, members, events (with
# tallies) and founding cases; `unionbridge stats rebuild` then fills the
# report counters from those records (timed).  With `unionbridge serve`
# running, it times GET /api/v1/reports/summary for the district and for
# one town, one request at a time with curl over one kept-alive connection:
# the first requests after start-up (cold), then BENCH_WARM more (warm), and
# the XLSX variant; it checks every figure of both answers against the
# records (gen_report.py --check) and shows the query plans of the two
# counter queries the summary runs.
#
# Environment (all optional):
#   BENCH_MEMBERS      members (default 1000000)
#   BENCH_UNIONS       grassroots unions below the towns (default 2000)
#   BENCH_EMPLOYERS    employers (default 5000)
#   BENCH_EVENTS       events (default 20000)
#   BENCH_FOUNDINGS    founding cases (default 10000)
#   BENCH_FROM, BENCH_TO  the period (default 2025-01-01 .. 2025-06-30)
#   BENCH_TOWN         the town measured besides 110118 (default 110118100)
#   BENCH_COLD         cold requests per org (default 3)
#   BENCH_WARM         warm requests per org (default 200)
#   BENCH_XLSX         XLSX requests per org (default 20)
#   BENCH_WRITES       after the timing, taps on that many of the town's events
#                      and transfers of that many of its members to another
#                      town, through the API; then both summaries are checked
#                      against the records again (default 50; 0: none)
#   BENCH_THREADS      unionbridge serve --threads (default 4)
#   BENCH_ANALYZE      1: SQLite ANALYZE after generating (default 0)
#   BENCH_SQL          SQL run after the rebuild, before serve starts: a
#                      what-if (an index the schema does not have); default none
#   BENCH_BACKENDS     "sqlite pg" (default), or one of them
#   BENCH_BUILD_DIR    meson build directory (default ./build-bench, release)
#   BENCH_KEEP         1: keep the temporary directory (database, logs)
#
# Everything listens on 127.0.0.1 only; every process started here is
# stopped on exit, including on Ctrl-C.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MEMBERS=${BENCH_MEMBERS:-1000000}
UNIONS=${BENCH_UNIONS:-2000}
EMPLOYERS=${BENCH_EMPLOYERS:-5000}
EVENTS=${BENCH_EVENTS:-20000}
FOUNDINGS=${BENCH_FOUNDINGS:-10000}
FROM=${BENCH_FROM:-2025-01-01}
TO=${BENCH_TO:-2025-06-30}
TOWN=${BENCH_TOWN:-110118100}
COLD=${BENCH_COLD:-3}
WARM=${BENCH_WARM:-200}
XLSX=${BENCH_XLSX:-20}
WRITES=${BENCH_WRITES:-50}
SERVER_THREADS=${BENCH_THREADS:-4}
BACKENDS=${BENCH_BACKENDS:-sqlite pg}
BUILD_DIR=${BENCH_BUILD_DIR:-$ROOT/build-bench}
DISTRICT=110118

log() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

for v in MEMBERS UNIONS EMPLOYERS EVENTS FOUNDINGS COLD WARM XLSX WRITES SERVER_THREADS; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "BENCH_$v must be a number"
done
((WARM >= 1 && COLD >= 1)) || die "BENCH_WARM and BENCH_COLD must be >= 1"
[[ $FROM =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ && $TO =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] \
    || die "BENCH_FROM and BENCH_TO are YYYY-MM-DD"
[[ $TOWN =~ ^[0-9A-Za-z.]+$ ]] || die "BENCH_TOWN is an org code"
for t in python3 meson ninja curl; do
    command -v "$t" >/dev/null 2>&1 || die "$t is needed"
done

# --- build (as run.sh) ----------------------------------------------------

BUILD_LOG=$(mktemp "${TMPDIR:-/tmp}/ub-bench-build.XXXXXX")
if [[ ! -f $BUILD_DIR/build.ninja ]]; then
    log "configuring $BUILD_DIR (release)"
    [[ -d $BUILD_DIR/meson-private ]] && rm -rf "$BUILD_DIR/meson-private"
    meson setup "$BUILD_DIR" "$ROOT" --buildtype=release >"$BUILD_LOG" 2>&1 \
        || { tail -n 20 "$BUILD_LOG" >&2; rm -f "$BUILD_LOG"; die "meson setup failed"; }
fi
log "building $BUILD_DIR"
ninja -C "$BUILD_DIR" unionbridge >"$BUILD_LOG" 2>&1 \
    || { tail -n 30 "$BUILD_LOG" >&2; rm -f "$BUILD_LOG"; die "build failed"; }
rm -f "$BUILD_LOG"
BIN=$BUILD_DIR/unionbridge
[[ -x $BIN ]] || die "no binary at $BIN"

# --- processes and clean-up -----------------------------------------------

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ub-report.XXXXXX")
SERVER_PID=""
PG_DIR=""

stop_pid() {    # PID: TERM, wait up to 5 s, then KILL
    local pid=$1 i
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_pid "$SERVER_PID"
    if [[ -n $PG_DIR ]]; then
        "$ROOT/scripts/pg-temp.sh" stop "$PG_DIR"
        rm -rf "$PG_DIR"
    fi
    if [[ ${BENCH_KEEP:-0} == 1 ]]; then
        log "kept $TMP"
    else
        rm -rf "$TMP"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_up() {     # URL PID LOG: waits up to 30 s for a 200
    local url=$1 pid=$2 logf=$3 i
    for ((i = 0; i < 300; i++)); do
        kill -0 "$pid" 2>/dev/null || { tail -n 20 "$logf" >&2; die "unionbridge exited"; }
        [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true) == 200 ]] \
            && return 0
        sleep 0.1
    done
    tail -n 20 "$logf" >&2
    die "unionbridge does not answer $url"
}

# db_out URL SQL: the rows, "|" between columns (SQL: ';' between statements).
db_out() {
    python3 - "$@" <<'PY'
import subprocess, sqlite3, sys
url, q = sys.argv[1], sys.argv[2]
if url.startswith("sqlite:"):
    db = sqlite3.connect(url[7:], isolation_level=None)
    *first, last = [s for s in q.split(";") if s.strip()]
    for s in first:
        db.execute(s)
    for row in db.execute(last):
        print("|".join(str(c) for c in row))
else:
    sys.stdout.write(subprocess.run(["psql", "-qAtX", "-c", q, url], capture_output=True,
                                    text=True, check=True).stdout)
PY
}

# times FILE: "median p95 p99 max" milliseconds of the seconds in FILE.
times() {
    python3 - "$1" <<'PY'
import sys
t = sorted(float(x) * 1000 for x in open(sys.argv[1]) if x.strip())
def pct(p):   # nearest rank
    return t[max(0, min(len(t) - 1, -(-len(t) * p // 100) - 1))]
n = len(t)
med = t[n // 2] if n % 2 else (t[n // 2 - 1] + t[n // 2]) / 2
print("%.1f %.1f %.1f %.1f" % (med, pct(95), pct(99), t[-1]))
PY
}

# curl_times URL N AUTHFILE OUT: N requests one after another over one
# kept-alive connection; each one's time_total (s) to OUT, and checks 200s.
curl_times() {
    local url=$1 n=$2 cfg=$TMP/curl.cfg i
    cp "$3" "$cfg"
    for ((i = 0; i < n; i++)); do
        printf 'url = "%s"\noutput = "/dev/null"\n' "$url" >>"$cfg"
    done
    curl -s -K "$cfg" -w '%{http_code} %{time_total}\n' >"$4.raw"
    awk '$1 != 200 { bad++ } END { exit bad ? 1 : 0 }' "$4.raw" \
        || die "$url answered $(awk '$1 != 200 { print $1; exit }' "$4.raw")"
    awk '{ print $2 }' "$4.raw" >"$4"
}

# writes PORT TOKEN DBURL: through the API, taps on WRITES held events of
# TOWN's subtree in the period, and transfers of WRITES of its members who
# joined in the period to a union of another town, each accepted.  Prints
# what it did.
writes() {
    python3 - "$@" "$TOWN" "$FROM" "$TO" "$WRITES" <<'PY'
import json, subprocess, sqlite3, sys, urllib.request
port, token, url, town, dfrom, dto, n = sys.argv[1:8]
n = int(n)
def rows(q):
    if url.startswith("sqlite:"):
        return sqlite3.connect(url[7:]).execute(q).fetchall()
    out = subprocess.run(["psql", "-qAtX", "-F", "\t", "-c", q, url], capture_output=True,
                         text=True, check=True).stdout
    return [tuple(l.split("\t")) for l in out.splitlines() if l]
def call(path, body):
    req = urllib.request.Request("http://127.0.0.1:%s%s" % (port, path),
                                 data=json.dumps(body).encode(), method="POST",
                                 headers={"Authorization": "Bearer " + token,
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)
sub = ("(SELECT path FROM orgs WHERE code = '%s')" % town)
events = rows("SELECT e.id FROM events e JOIN orgs o ON o.id = e.org_id "
              "WHERE o.path >= %s AND o.path < %s || '~' AND e.status = 'held' "
              "AND e.starts_on >= '%s' AND e.starts_on <= '%s' ORDER BY e.id LIMIT %d"
              % (sub, sub, dfrom, dto, n))
for k, (eid,) in enumerate(events):
    call("/api/v1/events/%s/tallies" % eid,
         {"tap_id": "report-sh-%d" % k, "materials": {"入会宝典": 2, "新标题": 1},
          "questions": {"入会": 1}, "cards_issued": 1, "people": 3})
dest = rows("SELECT o.code FROM orgs o JOIN orgs t ON t.id = o.parent_id "
            "WHERE t.level = 'town' AND t.code <> '%s' AND o.level = 'union' "
            "ORDER BY o.id LIMIT 1" % town)[0][0]
members = rows("SELECT m.member_no FROM members m JOIN orgs o ON o.id = m.org_id "
               "WHERE o.path >= %s AND o.path < %s || '~' AND m.status = 'active' "
               "AND m.joined_on >= '%s' AND m.joined_on <= '%s' ORDER BY m.id LIMIT %d"
               % (sub, sub, dfrom, dto, n))
for (no,) in members:
    t = call("/api/v1/members/%s/transfer" % no, {"to_org": dest, "note": "bench"})
    call("/api/v1/transfers/%s/accept" % t["id"], {})
print("writes through the API: taps on %d events of %s, %d of its members transferred to %s "
      "and accepted" % (len(events), town, len(members), dest))
PY
}

# As store_stats_sum and store_stats_children run them.
# As store_stats.c reads a period: three ranges of (org_id, length(day),
# day), the days before the first whole month, the whole months' month
# rows, the days after the last (@D1F@ .. @D2T@ filled in by span_fill below).
arm() { echo "SELECT $1 FROM $2 WHERE $3 AND length(s.day) = $4 AND s.day >= '$5' AND s.day <= '$6'"; }
span_arms() {
    echo "$(arm "$1" "$2" "$3" 10 @D1F@ @D1T@) UNION ALL $(arm "$1" "$2" "$3" 7 @MF@ @MT@)" \
         "UNION ALL $(arm "$1" "$2" "$3" 10 @D2F@ @D2T@)"
}
COUNTER_QUERIES=(
    "SELECT '', kind, label, sum(n) FROM ($(span_arms "s.kind, s.label, s.n" "stats_daily s" "s.org_id = @ORG@")) x GROUP BY kind, label"
    "SELECT org_id, '', kind, label, sum(n) FROM ($(span_arms "s.org_id, s.kind, s.label, s.n" "orgs c JOIN stats_daily s ON s.org_id = c.id" "c.parent_id = @ORG@")) x GROUP BY org_id, kind, label"
)
# The period's three ranges, as store_stats.c's span_of makes them.
read -r D1F D1T MF MT D2F D2T < <(python3 - "$FROM" "$TO" <<'PY'
import calendar, sys
f, t = sys.argv[1], sys.argv[2]
fy, fm, fd = map(int, f.split("-")); ty, tm, td = map(int, t.split("-"))
ay, am = (fy, fm) if fd == 1 else ((fy, fm + 1) if fm < 12 else (fy + 1, 1))
last = calendar.monthrange(ty, tm)[1]
by, bm = (ty, tm) if td == last else ((ty, tm - 1) if tm > 1 else (ty - 1, 12))
e = "-"
if ay * 12 + am > by * 12 + bm:
    print(f, t, e, e, e, e)
else:
    d1 = (f, "%04d-%02d-%02d" % (fy, fm, calendar.monthrange(fy, fm)[1])) if fd != 1 else (e, e)
    d2 = ("%04d-%02d-01" % (ty, tm), t) if td != last else (e, e)
    print(d1[0], d1[1], "%04d-%02d" % (ay, am), "%04d-%02d" % (by, bm), d2[0], d2[1])
PY
) || die "cannot split the period $FROM..$TO"
span_fill() {
    local q=$1 k v
    for k in D1F D1T MF MT D2F D2T; do
        v=${!k}; [[ $v == - ]] && v=
        q=${q//@$k@/$v}
    done
    printf '%s' "$q"
}

UNIONBRIDGE_ADMIN_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
export UNIONBRIDGE_ADMIN_PASSWORD
REPORT=$TMP/report.txt
: >"$REPORT"
out() { printf '%s\n' "$*" | tee -a "$REPORT"; }

out "unionbridge $("$BIN" --version | awk '{ print $2 }') ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')), $(date '+%Y-%m-%d %H:%M %Z'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), serve --threads $SERVER_THREADS"
out "data: $UNIONS unions, $EMPLOYERS employers, $MEMBERS members, $EVENTS events, $FOUNDINGS founding cases in $DISTRICT; period $FROM..$TO"

for backend in ${BACKENDS//,/ }; do
    dir=$TMP/$backend
    mkdir -p "$dir"
    case $backend in
    sqlite) DBURL=sqlite:$dir/ub.db ;;
    pg)
        command -v psql >/dev/null 2>&1 || die "psql is needed for PostgreSQL"
        # Its own folder: the server runs as `postgres` under root and
        # cannot enter $TMP (mode 0700).
        PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ub-report-pg.XXXXXX")
        env=$("$ROOT/scripts/pg-temp.sh" start "$PG_DIR") || die "PostgreSQL did not start"
        eval "$env"
        psql -qAtX -c "CREATE DATABASE ub_report" "$UB_TEST_PG" >/dev/null
        DBURL=${UB_TEST_PG%/*}/ub_report
        ;;
    *) die "unknown backend $backend (want sqlite or pg)" ;;
    esac
    out ""
    out "== $backend"
    log "[$backend] init --demo"
    (cd "$dir" && UNIONBRIDGE_DB=$DBURL "$BIN" init --demo) >"$dir/init.log" 2>&1 \
        || { cat "$dir/init.log" >&2; die "init failed"; }
    GEN_ARGS=(--members "$MEMBERS" --unions "$UNIONS" --employers "$EMPLOYERS"
              --events "$EVENTS" --foundings "$FOUNDINGS" --district "$DISTRICT")
    [[ ${BENCH_ANALYZE:-0} == 1 ]] && GEN_ARGS+=(--analyze)
    log "[$backend] generating"
    line=$(python3 "$ROOT/bench/gen_report.py" "$DBURL" "${GEN_ARGS[@]}") \
        || die "gen_report.py failed"
    out "$line"

    log "[$backend] stats rebuild"
    t0=$(date +%s.%N)
    (cd "$dir" && UNIONBRIDGE_DB=$DBURL "$BIN" stats rebuild) >"$dir/stats.log" 2>&1 \
        || { tail -n 20 "$dir/stats.log" >&2; die "stats rebuild failed"; }
    t1=$(date +%s.%N)
    out "stats rebuild: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s;" \
        "stats_daily rows: $(db_out "$DBURL" "SELECT count(*) FROM stats_daily");" \
        "of $DISTRICT: $(db_out "$DBURL" "SELECT count(*) FROM stats_daily s JOIN orgs o ON o.id = s.org_id WHERE o.code = '$DISTRICT'");" \
        "of $TOWN: $(db_out "$DBURL" "SELECT count(*) FROM stats_daily s JOIN orgs o ON o.id = s.org_id WHERE o.code = '$TOWN'")"
    if [[ $backend == pg ]]; then
        # After a bulk rebuild, as after a bulk load (gen_orgs.py): a loader
        # analyzes; autovacuum would, later.
        psql -qAtX -c "ANALYZE stats_daily" "$DBURL" >/dev/null
    fi

    if [[ -n ${BENCH_SQL:-} ]]; then
        out "BENCH_SQL (not in the schema): $BENCH_SQL"
        db_out "$DBURL" "$BENCH_SQL" >/dev/null || die "BENCH_SQL failed"
    fi

    TOKEN=$(cd "$dir" && UNIONBRIDGE_DB=$DBURL "$BIN" token create admin 2>"$dir/token.log") \
        || { cat "$dir/token.log" >&2; die "token create failed"; }
    [[ $TOKEN =~ ^[A-Za-z0-9._~+/=-]+$ ]] || die "unexpected token output"
    printf 'header = "Authorization: Bearer %s"\n' "$TOKEN" >"$dir/auth.cfg"
    chmod 600 "$dir/auth.cfg"

    PORT=$(free_port)
    (cd "$dir" && exec "$BIN" serve --db "$DBURL" --listen "127.0.0.1:$PORT" \
        --threads "$SERVER_THREADS") >"$dir/server.log" 2>&1 &
    SERVER_PID=$!
    wait_up "http://127.0.0.1:$PORT/healthz" "$SERVER_PID" "$dir/server.log"
    log "[$backend] unionbridge on 127.0.0.1:$PORT (pid $SERVER_PID)"

    out "$(printf '%-10s %-6s %6s %9s %9s %9s %9s' org what n 'median' 'p95' 'p99' 'max')"
    for org in "$DISTRICT" "$TOWN"; do
        url="http://127.0.0.1:$PORT/api/v1/reports/summary?org=$org&from=$FROM&to=$TO"
        curl_times "$url" "$COLD" "$dir/auth.cfg" "$dir/cold-$org.txt"
        curl_times "$url" "$WARM" "$dir/auth.cfg" "$dir/warm-$org.txt"
        curl_times "$url&format=xlsx" "$XLSX" "$dir/auth.cfg" "$dir/xlsx-$org.txt"
        out "$(printf '%-10s %-6s %6s %s' "$org" cold "$COLD" "$(tr '\n' ' ' <"$dir/cold-$org.txt" \
            | awk '{ for (i = 1; i <= NF; i++) printf "%9.1f", $i * 1000 }') (each, ms)")"
        read -r med p95 p99 max < <(times "$dir/warm-$org.txt")
        out "$(printf '%-10s %-6s %6s %9s %9s %9s %9s' "$org" warm "$WARM" "$med" "$p95" "$p99" "$max")"
        read -r med p95 p99 max < <(times "$dir/xlsx-$org.txt")
        out "$(printf '%-10s %-6s %6s %9s %9s %9s %9s' "$org" xlsx "$XLSX" "$med" "$p95" "$p99" "$max")"
        curl -s -K "$dir/auth.cfg" -o "$dir/summary-$org.json" "$url"
        curl -s -K "$dir/auth.cfg" -o "$dir/summary-$org.xlsx" "$url&format=xlsx"
    done
    for org in "$DISTRICT" "$TOWN"; do
        out "$(python3 - "$dir/summary-$org.json" "$dir/summary-$org.xlsx" <<'PY'
import json, os, sys
s = json.load(open(sys.argv[1], encoding="utf-8"))
m, a, u = s["members_joined"], s["activities"], s["unions_founded"]
print("%s %s: joined %d (qr %d, onsite %d, import %d); activities %d (worker %d, enterprise %d); "
      "founded %d (100+ staff %d); cards %d, materials %d, questions %d, people %d; "
      "%d categories, %d by_org rows; JSON %d bytes, XLSX %d bytes"
      % (s["org"], s["name"], m["total"], m["via_qr"], m["onsite"], m["import"], a["total"],
         a["worker_meetings"], a["enterprise_meetings"], u["total"], u["headcount_100_plus"],
         s["cards_issued"], s["materials"]["total"], s["questions"]["total"], s["people"],
         len(s["members_by_category"]), len(s["by_org"]), os.path.getsize(sys.argv[1]),
         os.path.getsize(sys.argv[2])))
PY
)"
        log "[$backend] checking $org against the records"
        line=$(python3 "$ROOT/bench/gen_report.py" "$DBURL" --check "$org" "$FROM" "$TO" \
            "$dir/summary-$org.json") || { printf '%s\n' "$line" >&2
                                           die "the summary of $org is not exact"; }
        out "$line"
    done
    if ((WRITES > 0)); then
        line=$(writes "$PORT" "$TOKEN" "$DBURL") || die "the writes through the API failed"
        WROTE=$line
        for org in "$DISTRICT" "$TOWN"; do
            curl -s -K "$dir/auth.cfg" -o "$dir/after-$org.json" \
                "http://127.0.0.1:$PORT/api/v1/reports/summary?org=$org&from=$FROM&to=$TO"
        done
    fi
    SERVER_RSS=$(awk '$1 == "VmHWM:" { print $2 " " $3 }' "/proc/$SERVER_PID/status")
    stop_pid "$SERVER_PID"
    SERVER_PID=""
    out "server peak RSS: $SERVER_RSS"

    if ((WRITES > 0)); then
        out "$WROTE; then:"
        for org in "$DISTRICT" "$TOWN"; do
            line=$(python3 "$ROOT/bench/gen_report.py" "$DBURL" --check "$org" "$FROM" "$TO" \
                "$dir/after-$org.json") || { printf '%s\n' "$line" >&2
                                             die "after the writes, $org is not exact"; }
            out "$line"
        done
    fi

    # The plans of the summary's two counter queries (src/store/store_stats.c:
    # store_stats_sum, store_stats_children), and their own time.
    for org in "$DISTRICT" "$TOWN"; do
        id=$(db_out "$DBURL" "SELECT id FROM orgs WHERE code = '$org'")
        for k in 0 1; do
            q=${COUNTER_QUERIES[$k]//@ORG@/$id}
            q=$(span_fill "$q")
            name=$([[ $k == 0 ]] && echo "its own counters (sum)" || echo "its children's (children)")
            if [[ $backend == pg ]]; then
                out "plan, $org, $name:"
                out "$(db_out "$DBURL" "EXPLAIN (ANALYZE, BUFFERS) $q" | sed 's/^/    /')"
            else
                out "plan, $org, $name, $(python3 - "${DBURL#sqlite:}" "$q" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
rows, t = 0, []
for _ in range(21):
    t0 = time.perf_counter()
    rows = len(db.execute(sys.argv[2]).fetchall())
    t.append((time.perf_counter() - t0) * 1000)
t = sorted(t[1:])
print("%d rows, %.1f ms (median of 20, Python's SQLite %s):"
      % (rows, (t[9] + t[10]) / 2, sqlite3.sqlite_version))
PY
)"
                out "$(db_out "$DBURL" "EXPLAIN QUERY PLAN $q" | awk -F'|' '{ print "    " $4 }')"
            fi
        done
    done

    if [[ $backend == pg ]]; then
        "$ROOT/scripts/pg-temp.sh" stop "$PG_DIR"
        rm -rf "$PG_DIR"
        PG_DIR=""
    fi
done

OUT=$ROOT/bench/out/report-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
cp "$REPORT" "$OUT/"
for f in "$TMP"/*/summary-*.json; do
    [[ -e $f ]] && cp "$f" "$OUT/$(basename "$(dirname "$f")")-$(basename "$f")"
done
log "report in ${OUT#"$ROOT"/}"
