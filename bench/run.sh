#!/usr/bin/env bash
# bench/run.sh: throughput and latency of chosen endpoints, next to nginx
# answering a constant JSON body on the same machine in the same run.
#
#   bench/run.sh                          # 10 s per measurement, 64 connections
#   BENCH_SECONDS=30 BENCH_CONNECTIONS="64 256 1000" bench/run.sh
#   BENCH_BACKENDS=pg bench/run.sh         # PostgreSQL only
#
# Environment (all optional):
#   BENCH_SECONDS       wrk duration of each measurement (default 10)
#   BENCH_CONNECTIONS   connection counts, space or comma separated (default 64)
#   BENCH_WRK_THREADS   wrk threads (default 2)
#   BENCH_THREADS       unionbridge serve --threads (default 4, the server's default)
#   BENCH_NGINX_WORKERS nginx worker_processes (default auto: one per core)
#   BENCH_ORGS          orgs generated below district 110118 (default 100000)
#   BENCH_EMPLOYERS     employers generated over them (default 5000)
#   BENCH_ORG_TOKENS    1 (default): each generated org has its join token, as
#                       the app makes one per org; 0: none (the first runs' data)
#   BENCH_EVENTS        events of the generated campaign (default 500), made
#                       when a selected case needs them (tally, board)
#   BENCH_EVENT_ORGS    generated unions holding them (default 250)
#   BENCH_JOINS         applications through their QR codes (default 20000)
#   BENCH_EVENT_DAYS    days of May they are spread over (default 31; 1: one
#                       campaign day, every tap on the same report counters)
#   BENCH_ANALYZE       1: run a full ANALYZE on the generated SQLite database
#                       (default 0; serve runs a bounded one at start-up)
#   BENCH_CASES         only the cases whose name or path contains this text
#   BENCH_WRK_TIMEOUT   wrk --timeout (default 10s): a slower answer counts as
#                       an error and is left out of the percentiles
#   BENCH_JOIN_RATE     serve --join-rate (default 0: joins not counted per
#                       address; wrk's one address would reach any limit)
#   BENCH_SQL           SQL run on the generated database before serve starts
#                       (a what-if: an index not in the schema); default none
#   BENCH_BUILD_DIR     meson build directory (default ./build-bench, release)
#   BENCH_KEEP          1: keep the temporary directory (database, logs)
#   BENCH_BACKENDS      "sqlite pg" (default): the same figures on embedded
#                       SQLite and on a PostgreSQL cluster started here
#
# Everything listens on 127.0.0.1 only.  Every process started here is
# stopped on exit, and every wrk run is bounded by `timeout`.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
WRK_THREADS=${BENCH_WRK_THREADS:-2}
SERVER_THREADS=${BENCH_THREADS:-4}
NGINX_WORKERS=${BENCH_NGINX_WORKERS:-auto}
ORGS=${BENCH_ORGS:-100000}
EMPLOYERS=${BENCH_EMPLOYERS:-5000}
EVENTS=${BENCH_EVENTS:-500}
EVENT_ORGS=${BENCH_EVENT_ORGS:-250}
JOINS=${BENCH_JOINS:-20000}
EVENT_DAYS=${BENCH_EVENT_DAYS:-31}
WRK_TIMEOUT=${BENCH_WRK_TIMEOUT:-10s}
BUILD_DIR=${BENCH_BUILD_DIR:-$ROOT/build-bench}
DISTRICT=110118

log() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

[[ $SECONDS_PER_RUN =~ ^[0-9]+$ ]] && ((SECONDS_PER_RUN >= 1 && SECONDS_PER_RUN <= 600)) \
    || die "BENCH_SECONDS must be 1..600"
[[ $WRK_TIMEOUT =~ ^[0-9]+[sm]?$ ]] || die "BENCH_WRK_TIMEOUT must look like 10s"
CONNECTIONS=${CONNECTIONS//,/ }
for c in $CONNECTIONS; do
    [[ $c =~ ^[0-9]+$ ]] && ((c >= WRK_THREADS && c <= 20000)) \
        || die "BENCH_CONNECTIONS: $c is not a number between $WRK_THREADS and 20000"
done

# --- tools ----------------------------------------------------------------

SUDO=()
if [[ $(id -u) -ne 0 ]]; then SUDO=(sudo); fi

find_nginx() {
    command -v nginx 2>/dev/null && return 0
    local p
    for p in /usr/sbin/nginx /usr/local/sbin/nginx /usr/local/nginx/sbin/nginx; do
        [[ -x $p ]] && { echo "$p"; return 0; }
    done
    return 1
}

if ! command -v wrk >/dev/null 2>&1 || ! find_nginx >/dev/null; then
    log "installing wrk and nginx-light"
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" apt-get update -qq
    "${SUDO[@]}" apt-get install -y -qq wrk nginx-light \
        || "${SUDO[@]}" apt-get install -y -qq wrk nginx
    # Debian starts the packaged nginx on port 80; this script does not use it.
fi
command -v wrk >/dev/null 2>&1 || die "wrk is not installed"
NGINX=$(find_nginx) || die "nginx is not installed"
for t in python3 meson ninja timeout curl; do
    command -v "$t" >/dev/null 2>&1 || die "$t is needed"
done

# --- build ----------------------------------------------------------------

BUILD_LOG=$(mktemp "${TMPDIR:-/tmp}/ub-bench-build.XXXXXX")
if [[ ! -f $BUILD_DIR/build.ninja ]]; then
    log "configuring $BUILD_DIR (release)"
    # Left over by a setup that failed: meson would refuse the directory.
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
# Now: others may rebuild the shared build directory during the run.
VERSION=$("$BIN" --version | awk '{ print $2 }')
BUILT_AT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')
[[ -n $(git -C "$ROOT" status --porcelain -- src meson.build 2>/dev/null) ]] && BUILT_AT+=" + working tree"

# --- processes and clean-up -----------------------------------------------

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ub-bench.XXXXXX")
SERVER_PID=""
NGINX_PID=""
WRK_PID=""
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
    stop_pid "$WRK_PID"     # timeout(1) passes the signal on to wrk
    stop_pid "$SERVER_PID"
    stop_pid "$NGINX_PID"   # the master; its workers leave with it
    if [[ -n $PG_DIR ]]; then
        "$ROOT/scripts/pg-temp.sh" stop "$PG_DIR"
        [[ ${BENCH_KEEP:-0} == 1 ]] && cp "$PG_DIR/server.log" "$TMP/pg-server.log"
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

# wrk at 1000 connections and the servers need more than 1024 descriptors.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || ulimit -n 65536 2>/dev/null || true

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# http_status URL [TOKEN [JSON]]: prints the HTTP status (000 when
# unreachable, or no answer in 2 s, 30 s with TOKEN); with JSON, of a POST
# of it.
http_status() {
    python3 - "$@" <<'EOF'
import sys, urllib.request, urllib.error
req = urllib.request.Request(sys.argv[1])
if len(sys.argv) > 2 and sys.argv[2]:
    req.add_header("Authorization", "Bearer " + sys.argv[2])
if len(sys.argv) > 3:
    req.data = sys.argv[3].encode()
    req.add_header("Content-Type", "application/json")
try:
    with urllib.request.urlopen(req, timeout=30 if len(sys.argv) > 2 else 2) as r:
        print(r.status)
except urllib.error.HTTPError as e:
    print(e.code)
except Exception:
    print("000")
EOF
}

wait_up() {     # URL PID NAME LOG: waits up to 10 s for a 200
    local url=$1 pid=$2 name=$3 logf=$4 i
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || { tail -n 20 "$logf" >&2; die "$name exited"; }
        [[ $(http_status "$url") == 200 ]] && return 0
        sleep 0.1
    done
    tail -n 20 "$logf" >&2
    die "$name does not answer $url"
}

# --- data and server, per backend ------------------------------------------

BACKENDS=${BENCH_BACKENDS:-sqlite pg}
UNIONBRIDGE_ADMIN_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
export UNIONBRIDGE_ADMIN_PASSWORD
GEN_ARGS=(--orgs "$ORGS" --employers "$EMPLOYERS" --district "$DISTRICT")
[[ ${BENCH_ANALYZE:-0} == 1 ]] && GEN_ARGS+=(--analyze)
[[ ${BENCH_ORG_TOKENS:-1} == 0 ]] && GEN_ARGS+=(--no-tokens)
OUTREACH_ARGS=(--events "$EVENTS" --event-orgs "$EVENT_ORGS" --joins "$JOINS"
               --days "$EVENT_DAYS" --district "$DISTRICT")
[[ ${BENCH_ANALYZE:-0} == 1 ]] && OUTREACH_ARGS+=(--analyze)

# db_exec URL SQL: runs SQL (statements separated by ';').
db_exec() {
    python3 - "$@" <<'PY'
import subprocess, sqlite3, sys
url, q = sys.argv[1], sys.argv[2]
if url.startswith("sqlite:"):
    sqlite3.connect(url[7:], isolation_level=None).executescript(q)
else:
    subprocess.run(["psql", "-qAtX", "-v", "ON_ERROR_STOP=1", "-c", q, url], check=True)
PY
}

# db_query URL SQL: the first column of the first row (empty when none).
db_query() {
    python3 - "$@" <<'PY'
import subprocess, sqlite3, sys
url, q = sys.argv[1], sys.argv[2]
if url.startswith("sqlite:"):
    row = sqlite3.connect(url[7:]).execute(q).fetchone()
    print("" if row is None else row[0])
else:
    print(subprocess.run(["psql", "-qAtX", "-c", q, url], capture_output=True, text=True,
                         check=True).stdout.strip())
PY
}

# start_backend NAME: makes a database with the generated data, starts
# serve on it; sets DBURL, TOKEN, GEN_OUT, OUTREACH_OUT, JOIN_TOKEN,
# CAMPAIGN, EVENT, LAST_EVENT, NEVENTS, UB_PORT, SERVER_PID.
start_backend() {
    local name=$1
    mkdir -p "$TMP/$name"
    case $name in
    sqlite) DBURL=sqlite:$TMP/$name/ub.db ;;
    pg)
        if [[ -z $PG_DIR ]]; then
            # Its own folder: the server runs as `postgres` under root and
            # cannot enter $TMP (mode 0700).
            PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ub-bench-pg.XXXXXX")
            local env
            env=$("$ROOT/scripts/pg-temp.sh" start "$PG_DIR") || die "PostgreSQL did not start"
            eval "$env"
            PG_ADMIN=$UB_TEST_PG
        fi
        psql -qAtX -c "CREATE DATABASE ub_bench" "$PG_ADMIN" >/dev/null
        DBURL=${PG_ADMIN%/*}/ub_bench
        ;;
    *) die "unknown backend $name (want sqlite or pg)" ;;
    esac
    log "[$name] init --demo"
    (cd "$TMP/$name" && UNIONBRIDGE_DB=$DBURL "$BIN" init --demo) >"$TMP/$name/init.log" 2>&1 \
        || { cat "$TMP/$name/init.log" >&2; die "init failed"; }
    GEN_OUT=$(python3 "$ROOT/bench/gen_orgs.py" "$DBURL" "${GEN_ARGS[@]}")
    log "[$name] ${GEN_OUT#gen_orgs: }"
    OUTREACH_OUT="" CAMPAIGN="" EVENT="" LAST_EVENT="" NEVENTS=""
    if ((NEED_OUTREACH)); then
        OUTREACH_OUT=$(python3 "$ROOT/bench/gen_outreach.py" "$DBURL" "${OUTREACH_ARGS[@]}")
        log "[$name] ${OUTREACH_OUT#gen_outreach: }"
        CAMPAIGN=$(db_query "$DBURL" "SELECT max(id) FROM campaigns")
        EVENT=$(db_query "$DBURL" "SELECT min(id) FROM events WHERE campaign_id = $CAMPAIGN")
        LAST_EVENT=$(db_query "$DBURL" "SELECT max(id) FROM events WHERE campaign_id = $CAMPAIGN")
        NEVENTS=$(db_query "$DBURL" "SELECT count(*) FROM events WHERE campaign_id = $CAMPAIGN")
        # The generator numbers them in a row: the tally script relies on it.
        ((LAST_EVENT - EVENT + 1 == NEVENTS)) || die "the campaign's events are not numbered in a row"
    fi
    # The generators write rows, not the report counters kept beside them:
    # count them as the app would have.
    if "$BIN" stats rebuild --help >/dev/null 2>&1; then
        (cd "$TMP/$name" && UNIONBRIDGE_DB=$DBURL "$BIN" stats rebuild) >"$TMP/$name/stats.log" 2>&1 \
            || { tail -n 20 "$TMP/$name/stats.log" >&2; die "stats rebuild failed"; }
        log "[$name] report counters rebuilt"
    fi
    TOKEN=$(cd "$TMP/$name" && UNIONBRIDGE_DB=$DBURL "$BIN" token create admin 2>"$TMP/$name/token.log") \
        || { cat "$TMP/$name/token.log" >&2; die "token create failed"; }
    [[ $TOKEN =~ ^[A-Za-z0-9._~+/=-]+$ ]] || die "unexpected token output: $TOKEN"
    UB_PORT=$(free_port)
    if [[ -n ${BENCH_SQL:-} ]]; then
        log "[$name] BENCH_SQL: $BENCH_SQL"
        db_exec "$DBURL" "$BENCH_SQL" || die "BENCH_SQL failed"
    fi
    JOIN_TOKEN=$(db_query "$DBURL" "SELECT t.token FROM join_tokens t JOIN orgs o ON o.id = t.org_id
                                    WHERE o.code = '$DISTRICT' AND t.event_id IS NULL")
    (cd "$TMP/$name" && exec "$BIN" serve --db "$DBURL" --listen "127.0.0.1:$UB_PORT" \
        --threads "$SERVER_THREADS" --join-rate "${BENCH_JOIN_RATE:-0}") >"$TMP/$name/server.log" 2>&1 &
    SERVER_PID=$!
    wait_up "http://127.0.0.1:$UB_PORT/healthz" "$SERVER_PID" unionbridge "$TMP/$name/server.log"
    log "[$name] unionbridge on 127.0.0.1:$UB_PORT (pid $SERVER_PID, $SERVER_THREADS threads)"
}

# --- nginx ----------------------------------------------------------------

NGINX_PORT=$(free_port)

mkdir -p "$TMP/nginx/logs" "$TMP/nginx/tmp"
NGINX_USER=""
# As root the workers would switch to `nobody`; keep them the invoking user
# so the temporary directory (mode 0700) stays usable.
[[ $(id -u) -eq 0 ]] && NGINX_USER="user root;"
cat >"$TMP/nginx/nginx.conf" <<EOF
# Written by bench/run.sh: a constant JSON answer, the yardstick.
$NGINX_USER
daemon off;
worker_processes $NGINX_WORKERS;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/logs/error.log warn;
events { worker_connections 20480; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path $TMP/nginx/tmp/body;
    proxy_temp_path $TMP/nginx/tmp/proxy;
    fastcgi_temp_path $TMP/nginx/tmp/fastcgi;
    uwsgi_temp_path $TMP/nginx/tmp/uwsgi;
    scgi_temp_path $TMP/nginx/tmp/scgi;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / {
            default_type application/json;
            return 200 '{"status":"ok"}';
        }
    }
}
EOF
"$NGINX" -p "$TMP/nginx/" -e "$TMP/nginx/logs/error.log" -c "$TMP/nginx/nginx.conf" \
    >"$TMP/nginx/logs/stdout.log" 2>&1 &
NGINX_PID=$!

wait_up "http://127.0.0.1:$NGINX_PORT/" "$NGINX_PID" nginx "$TMP/nginx/logs/error.log"
log "nginx on 127.0.0.1:$NGINX_PORT (worker_processes $NGINX_WORKERS)"

# --- measurements ---------------------------------------------------------

# name|path|authenticated|wrk script|script arguments|path shown
# Placeholders, per backend: JOIN (the district's join token), CAMPAIGN (the
# generated campaign), EVENT, LAST_EVENT and NEVENTS (its events, numbered
# in a row).
CASES=(
    "join page|/j/JOIN|0"
    "join (durable application)|/api/v1/join/JOIN|0|$ROOT/bench/join.lua|$SECONDS_PER_RUN"
    "healthz|/healthz|0"
    "org 110118 (subtree count)|/api/v1/orgs/$DISTRICT|1"
    "leaf org (authenticated baseline)|/api/v1/orgs/${DISTRICT}400.U1|1"
    "children of 110118|/api/v1/orgs?parent=$DISTRICT|1"
    "employers of 110118, 50|/api/v1/employers?org=$DISTRICT&limit=50|1"
    "campaign board|/api/v1/campaigns/CAMPAIGN/board|1"
    "tally, one event (durable)|/api/v1/events/EVENT/tallies|1|$ROOT/bench/tally.lua|EVENT 1"
    "tally, many events (durable)|/api/v1/events/EVENT/tallies|1|$ROOT/bench/tally.lua|EVENT NEVENTS|/api/v1/events/{EVENT..LAST_EVENT}/tallies"
)

# subst TEXT: the placeholders replaced with this backend's values.
subst() {
    local s=$1
    s=${s//JOIN/$JOIN_TOKEN}
    s=${s//CAMPAIGN/$CAMPAIGN}
    s=${s//NEVENTS/$NEVENTS}
    s=${s//LAST_EVENT/$LAST_EVENT}
    s=${s//EVENT/$EVENT}
    printf '%s' "$s"
}

# selected NAME PATH: whether BENCH_CASES picks the case.
selected() {
    [[ -z ${BENCH_CASES:-} || $1 == *"$BENCH_CASES"* || $2 == *"$BENCH_CASES"* ]]
}

# The campaign is generated only when a selected case uses it.
NEED_OUTREACH=0
for case in "${CASES[@]}"; do
    IFS='|' read -r name path _ _ sargs _ <<<"$case"
    if selected "$name" "$path" && [[ "$path $sargs" == *CAMPAIGN* || "$path $sargs" == *EVENT* ]]
    then
        NEED_OUTREACH=1
    fi
done

# run_wrk URL OUTFILE TOKEN CONNECTIONS [SCRIPT [ARG...]]: the script gets
# the run's number, then ARGs.
run_wrk() {
    local url=$1 out=$2 token=${3:-} c=$4 script=${5:-}
    shift 4
    (($# > 0)) && shift
    local args=(-t"$WRK_THREADS" -c"$c" -d"${SECONDS_PER_RUN}s" --timeout "$WRK_TIMEOUT" --latency)
    [[ -n $token ]] && args+=(-H "Authorization: Bearer $token")
    RUN_NO=$((${RUN_NO:-0} + 1))
    [[ -n $script ]] && args+=(-s "$script")
    # In the background, so that a signal to this script is handled at once.
    local extra=()
    [[ -n $script ]] && extra=(-- "$RUN_NO" "$@")
    timeout --kill-after=5 $((SECONDS_PER_RUN + 30)) wrk "${args[@]}" "$url" "${extra[@]}" \
        >"$out" 2>&1 &
    WRK_PID=$!
    local rc=0
    wait "$WRK_PID" || rc=$?
    WRK_PID=""
    ((rc == 0)) || { cat "$out" >&2; die "wrk failed on $url (exit $rc)"; }
}

# parse FILE: "rps p50_ms p99_ms errors"
parse() {
    awk '
        function ms(v) {
            if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
            if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
            if (v ~ /m$/)  return substr(v, 1, length(v) - 1) * 60000
            if (v ~ /s$/)  return substr(v, 1, length(v) - 1) * 1000
            return v + 0
        }
        $1 == "Requests/sec:"            { rps = $2 }
        $1 == "50%"                      { p50 = ms($2) }
        $1 == "99%"                      { p99 = ms($2) }
        /Non-2xx or 3xx responses:/      { err += $NF }
        /Socket errors:/ {
            for (i = 3; i <= NF; i++) { gsub(",", "", $i); if ($i ~ /^[0-9]+$/) err += $i }
        }
        END {
            if (rps == "") exit 1
            printf "%.0f %.2f %.2f %d\n", rps, p50, p99, err
        }' "$1"
}

# single_request URL TOKEN: one request at a time, warm: "median min max" in
# ms of 20 after one more not counted (curl's time_total: connect to last
# byte); prints nothing when a request fails.
single_request() {
    local url=$1 token=$2 i t times=()
    for ((i = 0; i < 21; i++)); do
        t=$(curl -sf -o /dev/null -w '%{time_total}' ${token:+-H "Authorization: Bearer $token"} \
            --max-time 30 "$url") || return 0
        ((i > 0)) && times+=("$t")
    done
    printf '%s\n' "${times[@]}" | sort -g | awk '
        { v[NR] = $1 * 1000 }
        END { printf "%.2f %.2f %.2f\n", (v[10] + v[11]) / 2, v[1], v[NR] }'
}

# server_cpu: the CPU time serve has used so far (user + system), in ticks.
server_cpu() {
    awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"
}
TICK_MS=$(awk -v hz="$(getconf CLK_TCK)" 'BEGIN { print 1000 / hz }')

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
RESULTS=$TMP/results.txt
SINGLE=$TMP/single.txt
CPU=$TMP/cpu.txt
RSS_LINES=$TMP/rss.txt
: >"$RESULTS"
: >"$SINGLE"
: >"$CPU"
: >"$RSS_LINES"
DATA_LINES=""
for backend in $BACKENDS; do
    start_backend "$backend"
    DATA_LINES+="data ($backend): ${GEN_OUT#gen_orgs: }"$'\n'
    [[ -n $OUTREACH_OUT ]] && DATA_LINES+="        ${OUTREACH_OUT#gen_outreach: }"$'\n'
    first_c=1
    for c in $CONNECTIONS; do
        for case in "${CASES[@]}"; do
            IFS='|' read -r name path auth script sargs shown <<<"$case"
            selected "$name" "$path" || continue
            path=$(subst "$path")
            shown=$(subst "${shown:-$path}")
            read -r -a sargs <<<"$(subst "$sargs")"
            tok=""
            [[ $auth == 1 ]] && tok=$TOKEN
            url="http://127.0.0.1:$UB_PORT$path"
            method=GET
            [[ -n $script ]] && method=POST
            if [[ -z $script ]]; then
                status=$(http_status "$url" "$tok")
                [[ $status == 200 ]] || die "GET $path answers $status, not 200"
                if ((first_c)); then
                    read -r med min max < <(single_request "$url" "$tok") \
                        || die "GET $path failed when timed alone"
                    printf '%s|%s %s|%s|%s|%s\n' "$backend" "$method" "$shown" "$med" "$min" \
                        "$max" >>"$SINGLE"
                fi
            elif [[ $script == */tally.lua ]]; then
                status=$(http_status "$url" "$tok" \
                    '{"tap_id": "check-'"$backend-$c"'", "people": 1}')
                [[ $status == 200 ]] || die "POST $path answers $status, not 200"
            fi
            slug=$(printf '%s-%s' "$backend" "$name" | tr -c 'A-Za-z0-9' '_')
            log "[$backend] c=$c  nginx, then $method $shown  (${SECONDS_PER_RUN}s each)"
            # The same header goes to nginx, which ignores it.
            run_wrk "http://127.0.0.1:$NGINX_PORT/" "$TMP/wrk-nginx-$slug-$c.txt" "$tok" "$c"
            cpu0=$(server_cpu)
            run_wrk "$url" "$TMP/wrk-ub-$slug-$c.txt" "$tok" "$c" "$script" "${sargs[@]}"
            cpu1=$(server_cpu)
            answers=$(awk '$2 == "requests" && $3 == "in" { print $1 }' "$TMP/wrk-ub-$slug-$c.txt")
            printf '%s|%s %s|%s|%s\n' "$backend" "$method" "$shown" "$c" \
                "$(awk -v a="$cpu0" -v b="$cpu1" -v n="$answers" -v t="$TICK_MS" \
                    'BEGIN { printf "%.2f", n ? (b - a) * t / n : 0 }')" >>"$CPU"
            read -r n_rps _ _ n_err < <(parse "$TMP/wrk-nginx-$slug-$c.txt") \
                || die "cannot read wrk output $TMP/wrk-nginx-$slug-$c.txt"
            read -r rps p50 p99 err < <(parse "$TMP/wrk-ub-$slug-$c.txt") \
                || die "cannot read wrk output $TMP/wrk-ub-$slug-$c.txt"
            ((n_err == 0)) || log "warning: nginx had $n_err errors or non-2xx answers"
            if [[ $script == */tally.lua ]]; then
                # Every answer should be a tap written: count them.
                taps=$(db_query "$DBURL" "SELECT count(*) FROM event_taps
                                          WHERE tap_id LIKE 'w$RUN_NO-%'")
                log "[$backend] $taps taps recorded; wrk counted $answers answers, $err errors"
                ((taps + err >= answers)) \
                    || log "warning: fewer taps recorded than answers counted"
            fi
            printf '%s|%s|%s|%s|%s|%s|%s|%s|%s\n' "$backend" "$method $shown" "$c" "$rps" \
                "$p50" "$p99" "$n_rps" \
                "$(awk -v a="$rps" -v b="$n_rps" 'BEGIN { printf "%.1f", b ? 100 * a / b : 0 }')" \
                "$err" >>"$RESULTS"
        done
        first_c=0
    done
    printf '%s: %s (peak %s)\n' "$backend" \
        "$(awk '$1 == "VmRSS:" { print $2 " " $3 }' "/proc/$SERVER_PID/status")" \
        "$(awk '$1 == "VmHWM:" { print $2 " " $3 }' "/proc/$SERVER_PID/status")" >>"$RSS_LINES"
    stop_pid "$SERVER_PID"
    SERVER_PID=""
done

[[ -s $RESULTS ]] || die "no case matches BENCH_CASES=${BENCH_CASES:-}"

# --- report ---------------------------------------------------------------

{
    echo
    echo "unionbridge $VERSION ($BUILT_AT)," \
        "$(date '+%Y-%m-%d %H:%M %Z'), $(nproc) cores, ${SECONDS_PER_RUN}s per run," \
        "wrk -t$WRK_THREADS --timeout $WRK_TIMEOUT, serve --threads $SERVER_THREADS," \
        "nginx worker_processes $NGINX_WORKERS"
    printf '%s' "$DATA_LINES"
    [[ -n ${BENCH_SQL:-} ]] && echo "BENCH_SQL (not in the schema): $BENCH_SQL"
    echo "load average before the run: $LOAD_BEFORE"
    echo
    printf '%-7s %-46s %5s %9s %9s %9s %10s %8s %7s\n' backend endpoint conns 'req/s' \
        'p50 ms' 'p99 ms' 'nginx r/s' 'ratio %' errors
    while IFS='|' read -r be ep c rps p50 p99 n_rps ratio err; do
        printf '%-7s %-46s %5s %9s %9s %9s %10s %8s %7s\n' "$be" "$ep" "$c" "$rps" "$p50" \
            "$p99" "$n_rps" "$ratio" "$err"
    done <"$RESULTS"
    if [[ -s $SINGLE ]]; then
        echo
        echo "one request at a time (curl, warm; ms over 20 requests):"
        printf '%-7s %-46s %9s %9s %9s\n' backend endpoint median min max
        while IFS='|' read -r be ep med min max; do
            printf '%-7s %-46s %9s %9s %9s\n' "$be" "$ep" "$med" "$min" "$max"
        done <"$SINGLE"
    fi
    echo
    echo "serve's CPU time (user + system) per answer, ms: on SQLite all the work, on"
    echo "PostgreSQL without the database server's (load on the machine does not change it):"
    while IFS='|' read -r be ep c ms; do
        printf '%-7s %-46s %5s %9s\n' "$be" "$ep" "$c" "$ms"
    done <"$CPU"
    echo
    echo "server RSS after the run:"
    cat "$RSS_LINES"
} | tee "$TMP/report.txt"

OUT=$ROOT/bench/out/$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
cp "$TMP/report.txt" "$TMP"/wrk-*.txt "$TMP/nginx/nginx.conf" "$OUT/"
log "report and raw wrk output in ${OUT#"$ROOT"/}"
