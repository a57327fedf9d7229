#!/usr/bin/env bash
# bench/payout.sh: builds bench/payout.c against the release build's core
# library (build-bench, made by bench/run.sh or here) and runs it, plain and
# with the vault.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
B=${BENCH_BUILD_DIR:-$ROOT/build-bench}
[[ -f $B/build.ninja ]] || meson setup "$B" "$ROOT" --buildtype=release >/dev/null
ninja -C "$B" unionbridge >/dev/null
OUT=$(mktemp -d "${TMPDIR:-/tmp}/ub-payout.XXXXXX")
trap 'rm -rf "$OUT"' EXIT
# shellcheck disable=SC2046
cc -O2 -std=gnu11 -I"$ROOT/src" -o "$OUT/payout" "$ROOT/bench/payout.c" "$B/libubcore.a" \
    $(pkg-config --libs libsodium jansson sqlite3 libpq libmicrohttpd libqrencode libpng xlsxwriter) -lpthread
"$OUT/payout"
"$OUT/payout" --sealed
