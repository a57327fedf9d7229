#!/bin/sh
# Installs the Debian packages UnionBridge needs to build, run and test.
# Idempotent: quiet when everything is already there.
set -eu

PKGS="build-essential pkg-config meson ninja-build
libmicrohttpd-dev libjansson-dev libsqlite3-dev libpq-dev libsodium-dev
libqrencode-dev libpng-dev libxlsxwriter-dev libcmocka-dev
python3 sqlite3 curl"

missing=""
for p in $PKGS ${UB_EXTRA_PKGS:-}; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "setup: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
