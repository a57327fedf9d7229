#!/usr/bin/env bash
# bench/roster.sh: `unionbridge import members` throughput on a generated
# roster of valid, distinct people (bench/gen_roster.py), into a fresh
# database, with the release build.  Prints rows/s for the first import
# (every row written) and for importing the same file again (every row
# found to be a member already, nothing written).
#
#   bench/roster.sh                        # 1,000,000 rows, SQLite
#   ROSTER_ROWS=200000 bench/roster.sh
#   BENCH_BACKENDS="sqlite pg" bench/roster.sh
#
# Environment (all optional):
#   ROSTER_ROWS        rows in the generated roster (default 1000000)
#   ROSTER_ENCODING    utf-8 (Excel's "CSV UTF-8", default) or gbk
#   ROSTER_BATCH       import --batch N (default: the command's own)
#   BENCH_BACKENDS     "sqlite" (default), "pg" or both: PostgreSQL runs on a
#                      throwaway cluster started here (scripts/pg-temp.sh)
#   BENCH_BUILD_DIR    meson build directory (default ./build-bench, release)
#   BENCH_KEEP         1: keep the temporary directory
#
# Figures are written down by hand (bench/README.md); tests never assert on
# time.  Everything started here is stopped on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROWS=${ROSTER_ROWS:-1000000}
ENCODING=${ROSTER_ENCODING:-utf-8}
BUILD_DIR=${BENCH_BUILD_DIR:-$ROOT/build-bench}
BACKENDS=${BENCH_BACKENDS:-sqlite}
ORG=110118001

log() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

[[ $ROWS =~ ^[0-9]+$ ]] && ((ROWS >= 1 && ROWS <= 30000000)) \
    || die "ROSTER_ROWS must be 1..30000000"
[[ $ENCODING == utf-8 || $ENCODING == gbk ]] || die "ROSTER_ENCODING is utf-8 or gbk"
BATCH_ARGS=()
if [[ -n ${ROSTER_BATCH:-} ]]; then
    [[ $ROSTER_BATCH =~ ^[0-9]+$ ]] || die "ROSTER_BATCH must be a number"
    BATCH_ARGS=(--batch "$ROSTER_BATCH")
fi
for t in python3 meson ninja; do
    command -v "$t" >/dev/null 2>&1 || die "$t is needed"
done

# --- build ----------------------------------------------------------------

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

# --- clean-up -----------------------------------------------------------------

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ub-roster.XXXXXX")
PG_DIR=""
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
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

# --- the roster -----------------------------------------------------------------

CSV=$TMP/roster.csv
log "generating $ROWS rows ($ENCODING)"
python3 "$ROOT/bench/gen_roster.py" --rows "$ROWS" --encoding "$ENCODING" --out "$CSV"
log "$(du -h "$CSV" | cut -f1) of CSV"

export UNIONBRIDGE_ADMIN_PASSWORD
UNIONBRIDGE_ADMIN_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')

# run_import DBURL DIR LABEL: imports the roster, prints the line of figures.
run_import() {
    local url=$1 dir=$2 label=$3 out start end
    start=$(date +%s.%N)
    out=$(cd "$dir" && UNIONBRIDGE_DB=$url "$BIN" import members "$CSV" --org "$ORG" \
        "${BATCH_ARGS[@]}" --report "$dir/$label-report.csv" 2>"$dir/$label.err") \
        || { cat "$dir/$label.err" >&2; die "import failed"; }
    end=$(date +%s.%N)
    python3 - "$label" "$start" "$end" "$ROWS" "$out" <<'PY'
import sys
label, start, end, rows, out = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
secs = end - start
print("%-9s %9d rows %8.2f s %10.0f rows/s   %s" % (label, rows, secs, rows / secs, out))
PY
}

RESULTS=()
for backend in $BACKENDS; do
    mkdir -p "$TMP/$backend"
    case $backend in
    sqlite) DBURL=sqlite:$TMP/$backend/ub.db ;;
    pg)
        if [[ -z $PG_DIR ]]; then
            PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ub-roster-pg.XXXXXX")
            env=$("$ROOT/scripts/pg-temp.sh" start "$PG_DIR") || die "PostgreSQL did not start"
            eval "$env"
        fi
        psql -qAtX -c "CREATE DATABASE ub_roster" "$UB_TEST_PG" >/dev/null
        DBURL=${UB_TEST_PG%/*}/ub_roster
        ;;
    *) die "unknown backend $backend (want sqlite or pg)" ;;
    esac
    (cd "$TMP/$backend" && UNIONBRIDGE_DB=$DBURL "$BIN" init --demo) \
        >"$TMP/$backend/init.log" 2>&1 || { cat "$TMP/$backend/init.log" >&2; die "init failed"; }
    log "[$backend] importing into $ORG"
    RESULTS+=("[$backend] $(run_import "$DBURL" "$TMP/$backend" first)")
    log "[$backend] importing the same file again"
    RESULTS+=("[$backend] $(run_import "$DBURL" "$TMP/$backend" again)")
done

echo
echo "roster import, $ROWS rows ($ENCODING), release build, $(nproc) cores"
printf '%s\n' "${RESULTS[@]}"
