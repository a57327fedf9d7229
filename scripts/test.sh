#!/bin/sh
# Sets up, builds and runs every test: unit tests (cmocka) and black-box
# API tests through the binary, on a warning-free build (-Werror) and again
# on an AddressSanitizer + UndefinedBehaviorSanitizer build, each on
# embedded SQLite and on a real PostgreSQL server started here on loopback
# (a missing server fails the run).  Ends with one summary line
# "N passed, N failed".
set -eu
cd "$(dirname "$0")/.."

UB_EXTRA_PKGS="zbar-tools postgresql postgresql-client valgrind chromium fonts-noto-cjk nodejs" ./scripts/setup.sh
# The browser test's packages (tests/web: playwright-core, no browser download),
# installed again only when its lock file changed.  NodeSource's nodejs bundles
# npm (and conflicts with Debian's npm package); Debian's nodejs needs it apart.
command -v npm >/dev/null 2>&1 || UB_EXTRA_PKGS=npm ./scripts/setup.sh
if ! cmp -s tests/web/package-lock.json tests/web/node_modules/.ub-lock 2>/dev/null; then
    if (cd tests/web && npm ci --no-audit --no-fund --loglevel=error); then
        cp tests/web/package-lock.json tests/web/node_modules/.ub-lock
    else
        echo "npm ci failed in tests/web: the browser test (suite web) will fail"
    fi
fi

jobs=$(nproc 2>/dev/null || echo 2)

configure() {   # dir, extra meson options...
    dir=$1; shift
    if [ ! -f "$dir/build.ninja" ]; then
        meson setup "$dir" --werror "$@" >/dev/null
    fi
}

configure build-test --buildtype=debugoptimized
configure build-asan --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false

status=0
ninja -C build-test || status=1
ninja -C build-asan || status=1
if [ $status -ne 0 ]; then
    echo "build failed"
    echo "0 passed, 1 failed"
    exit 1
fi

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
rm -f build-test/meson-logs/testlog*.json build-asan/meson-logs/testlog*.json

# Embedded SQLite.
meson test -C build-test --num-processes "$jobs" --print-errorlogs || status=1
meson test -C build-asan --num-processes "$jobs" --print-errorlogs || status=1

# Valgrind: memory errors and leaks in the unit tests and in the server
# (meson names the unit log testlog-unit-valgrind).
vg="valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect"
vg="$vg -q --suppressions=$(pwd)/tests/valgrind.supp"
meson test -C build-test --suite unit --wrap="$vg" --logbase testlog-unit \
    --num-processes "$jobs" --timeout-multiplier 4 --print-errorlogs || status=1
UB_TEST_WRAP="$vg" meson test -C build-test --suite api --logbase testlog-valgrind-api \
    --num-processes "$jobs" --timeout-multiplier 4 --print-errorlogs || status=1

# PostgreSQL: a throwaway cluster, stopped on exit.
pgdir=$(mktemp -d /tmp/ub-pg.XXXXXX)
trap './scripts/pg-temp.sh stop "$pgdir"; rm -rf "$pgdir"' EXIT
if pgenv=$(./scripts/pg-temp.sh start "$pgdir"); then
    eval "$pgenv"
    export UB_TEST_PG
    meson test -C build-test --num-processes "$jobs" --print-errorlogs --suite api \
        --logbase testlog-pg || status=1
    meson test -C build-asan --num-processes "$jobs" --print-errorlogs --suite api \
        --logbase testlog-pg || status=1
else
    echo "PostgreSQL could not be started: the PostgreSQL half of the suite fails"
    status=1
fi

python3 tests/summary.py build-test build-test:testlog-pg build-test:testlog-unit-valgrind \
    build-test:testlog-valgrind-api build-asan build-asan:testlog-pg || status=1
exit $status
