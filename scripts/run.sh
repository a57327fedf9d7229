#!/bin/sh
# Sets up, builds, creates an embedded SQLite database with the Miyun demo
# tree and its first half of 2025 (first run only) and serves UnionBridge on http://127.0.0.1:8080.
#
#   ./scripts/run.sh            # listen on 127.0.0.1:8080
#   LISTEN=0.0.0.0:8080 ./scripts/run.sh
set -eu
cd "$(dirname "$0")/.."

./scripts/setup.sh
[ -d build-release ] || meson setup build-release --buildtype=release >/dev/null
ninja -C build-release >/dev/null

mkdir -p var
export UNIONBRIDGE_DB="sqlite:var/unionbridge.db"
if [ ! -f var/admin-password ]; then
    (umask 077; head -c 12 /dev/urandom | base64 | tr -d '/+=' > var/admin-password)
fi
UNIONBRIDGE_ADMIN_PASSWORD=$(cat var/admin-password)
export UNIONBRIDGE_ADMIN_PASSWORD
if [ ! -f var/unionbridge.db ]; then
    ./build-release/unionbridge init --demo >/dev/null
    ./build-release/unionbridge demo-data >/dev/null
fi

LISTEN=${LISTEN:-127.0.0.1:8080}
echo "UnionBridge 连心桥: http://$LISTEN/  (console: http://$LISTEN/login)"
echo "admin login: admin  password: $UNIONBRIDGE_ADMIN_PASSWORD  (kept in var/admin-password)"
exec ./build-release/unionbridge serve --listen "$LISTEN"
