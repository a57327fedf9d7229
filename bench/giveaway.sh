#!/usr/bin/env bash
# bench/giveaway.sh: the giveaway claim storm.  N distinct members (default
# 100,000) claim a giveaway of STOCK units (10,000) over C connections
# (1,000), next to nginx answering a constant in the same run; then the
# database is checked: exactly STOCK claims, no member twice.  On SQLite
# one serve process; on PostgreSQL two, each taking half the connections
# and half the members.
#
#   bench/giveaway.sh
#   BENCH_BACKENDS=pg BENCH_MEMBERS=20000 BENCH_STOCK=2000 bench/giveaway.sh
#
# Environment: BENCH_SECONDS (10), BENCH_CONNECTIONS (1000), BENCH_MEMBERS,
# BENCH_STOCK, BENCH_THREADS (serve --threads, 4), BENCH_BACKENDS ("sqlite
# pg"), BENCH_BUILD_DIR (build-bench), BENCH_KEEP.  Needs wrk, nginx, psql
# (for pg), python3, meson, ninja.  Everything listens on 127.0.0.1 and is
# stopped on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECS=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNECTIONS:-1000}
MEMBERS=${BENCH_MEMBERS:-100000}
STOCK=${BENCH_STOCK:-10000}
THREADS=${BENCH_THREADS:-4}
BUILD_DIR=${BENCH_BUILD_DIR:-$ROOT/build-bench}

log() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }
for t in wrk python3 meson ninja timeout; do command -v "$t" >/dev/null || die "$t is needed"; done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x $NGINX ]] || die "nginx is needed (bench/run.sh installs it)"

if [[ ! -f $BUILD_DIR/build.ninja ]]; then
    meson setup "$BUILD_DIR" "$ROOT" --buildtype=release >/dev/null
fi
ninja -C "$BUILD_DIR" unionbridge >/dev/null || die "build failed"
BIN=$BUILD_DIR/unionbridge

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ub-bench-give.XXXXXX")
PIDS=()
PG_DIR=""
cleanup() {
    local rc=$? p
    trap - EXIT INT TERM
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    if [[ -n $PG_DIR ]]; then
        "$ROOT/scripts/pg-temp.sh" stop "$PG_DIR"
        [[ ${BENCH_KEEP:-0} == 1 ]] && cp "$PG_DIR/server.log" "$TMP/pg-server.log"
        rm -rf "$PG_DIR"
    fi
    [[ ${BENCH_KEEP:-0} == 1 ]] && log "kept $TMP" || rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_up() {
    local i
    for ((i = 0; i < 100; i++)); do
        curl -fs "$1" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    die "nothing answers $1"
}
parse() {   # FILE -> "rps p50 p99"
    awk 'function ms(v) { if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
                          if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
                          if (v ~ /s$/) return substr(v, 1, length(v) - 1) * 1000
                          return v + 0 }
         $1 == "Requests/sec:" { rps = $2 } $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) }
         END { printf "%.0f %.2f %.2f\n", rps, p50, p99 }' "$1"
}

# nginx, the yardstick
NPORT=$(free_port)
mkdir -p "$TMP/nginx/tmp"
cat >"$TMP/nginx/nginx.conf" <<CONF
$([[ $(id -u) -eq 0 ]] && echo "user root;")
daemon off; worker_processes auto; pid $TMP/nginx/nginx.pid; error_log $TMP/nginx/error.log warn;
events { worker_connections 20480; }
http { access_log off; keepalive_requests 1000000;
  client_body_temp_path $TMP/nginx/tmp/b; proxy_temp_path $TMP/nginx/tmp/p;
  fastcgi_temp_path $TMP/nginx/tmp/f; uwsgi_temp_path $TMP/nginx/tmp/u; scgi_temp_path $TMP/nginx/tmp/s;
  server { listen 127.0.0.1:$NPORT; location / { default_type application/json; return 200 '{"status":"ok"}'; } } }
CONF
"$NGINX" -p "$TMP/nginx/" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" &
PIDS+=($!)
wait_up "http://127.0.0.1:$NPORT/"

export UNIONBRIDGE_ADMIN_PASSWORD=bench-$$-password
REPORT=$TMP/report.txt
: >"$REPORT"
for backend in ${BENCH_BACKENDS:-sqlite pg}; do
    mkdir -p "$TMP/$backend"
    nproc=1
    case $backend in
    sqlite) DB=sqlite:$TMP/$backend/ub.db ;;
    pg)
        if [[ -z $PG_DIR ]]; then
            PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ub-bench-pg.XXXXXX")
            eval "$("$ROOT/scripts/pg-temp.sh" start "$PG_DIR")"
        fi
        psql -qAtX -c "CREATE DATABASE ub_give" "$UB_TEST_PG" >/dev/null
        DB=${UB_TEST_PG%/*}/ub_give
        nproc=2 ;;
    esac
    (cd "$TMP/$backend" && UNIONBRIDGE_DB=$DB "$BIN" init --demo >init.log 2>&1) || die "init failed"
    python3 "$ROOT/bench/gen_members.py" "$DB" --members "$MEMBERS" --tokens "$TMP/$backend/tokens.txt" >&2
    ADMIN=$(cd "$TMP/$backend" && UNIONBRIDGE_DB=$DB "$BIN" token create admin)
    ports=()
    for ((k = 0; k < nproc; k++)); do
        port=$(free_port)
        (cd "$TMP/$backend" && exec "$BIN" serve --db "$DB" --listen "127.0.0.1:$port" \
            --threads "$THREADS") >"$TMP/$backend/serve-$k.log" 2>&1 &
        PIDS+=($!)
        wait_up "http://127.0.0.1:$port/healthz"
        ports+=("$port")
    done
    GID=$(curl -fs -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
        -d "{\"name\":\"压测礼包\",\"stock\":$STOCK,\"org\":\"110118\",\"opens_at\":\"2020-01-01T00:00:00+08:00\",\"closes_at\":\"2099-01-01T00:00:00+08:00\"}" \
        "http://127.0.0.1:${ports[0]}/api/v1/giveaways" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    log "[$backend] nginx, then the storm on giveaway $GID (${SECS}s, $CONNS connections, $nproc serve)"
    timeout $((SECS + 30)) wrk -t2 -c"$CONNS" -d"${SECS}s" --latency "http://127.0.0.1:$NPORT/" \
        >"$TMP/$backend/nginx.txt"
    wrks=()
    for ((k = 0; k < nproc; k++)); do
        timeout $((SECS + 30)) wrk -t2 -c$((CONNS / nproc)) -d"${SECS}s" --latency \
            -s "$ROOT/bench/giveaway.lua" "http://127.0.0.1:${ports[$k]}/api/v1/giveaways/$GID/claim" \
            -- "$TMP/$backend/tokens.txt" "$k" "$nproc" >"$TMP/$backend/wrk-$k.txt" 2>&1 &
        wrks+=($!)
    done
    for w in "${wrks[@]}"; do wait "$w"; done
    read -r n_rps _ _ < <(parse "$TMP/$backend/nginx.txt")
    rps=0; p50=0; p99=0
    for ((k = 0; k < nproc; k++)); do
        read -r r a b < <(parse "$TMP/$backend/wrk-$k.txt")
        rps=$((rps + r))
        p50=$(awk -v x="$p50" -v y="$a" 'BEGIN { print (y > x ? y : x) }')
        p99=$(awk -v x="$p99" -v y="$b" 'BEGIN { print (y > x ? y : x) }')
    done
    # Answers by status, from each serve's own count of the claim route.
    statuses=$(for p in "${ports[@]}"; do curl -fs "http://127.0.0.1:$p/metrics"; done \
        | awk '/^ub_http_requests_total.*giveaways\/:id\/claim"/ {
                   split($0, a, "status=\""); split(a[2], b, "\""); s[b[1]] += $NF }
               END { for (k in s) printf "%s:%s ", k, s[k] }')
    q="SELECT count(*), count(DISTINCT member_id), count(DISTINCT pickup_code) FROM giveaway_claims WHERE giveaway_id = $GID"
    if [[ $backend == sqlite ]]; then
        counts=$(python3 -c "import sqlite3,sys; print(*sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone())" "${DB#sqlite:}" "$q")
    else
        counts=$(psql -qAtX -F ' ' -c "$q" "$DB")
    fi
    printf '%-7s serve x%d  %5d conns  %8s claims/s  p50 %7s ms  p99 %7s ms  nginx %8s r/s  ratio %5.1f%%  answers: %s  claims/members/codes in db: %s\n' \
        "$backend" "$nproc" "$CONNS" "$rps" "$p50" "$p99" "$n_rps" \
        "$(awk -v a="$rps" -v b="$n_rps" 'BEGIN { print b ? 100 * a / b : 0 }')" "$statuses" "$counts" \
        | tee -a "$REPORT"
    read -r total members codes <<<"$counts"
    [[ $total == "$STOCK" && $members == "$STOCK" && $codes == "$STOCK" ]] \
        || log "[$backend] WRONG: expected exactly $STOCK claims by $STOCK members"
done
echo
echo "unionbridge giveaway storm, $(date '+%Y-%m-%d %H:%M'), $(nproc) cores, ${SECS}s, $MEMBERS members, stock $STOCK"
cat "$REPORT"
