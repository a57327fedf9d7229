#!/bin/sh
# Sets up, builds and runs every test: unit tests (cmocka) and black-box
# API tests through the binary, on a warning-free build (-Werror) and again
# on an AddressSanitizer + UndefinedBehaviorSanitizer build.  Ends with one
# summary line "N passed, N failed".
set -eu
cd "$(dirname "$0")/.."

UB_EXTRA_PKGS="zbar-tools" ./scripts/setup.sh

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
meson test -C build-test --num-processes "$jobs" --print-errorlogs || status=1
meson test -C build-asan --num-processes "$jobs" --print-errorlogs || status=1

python3 tests/summary.py build-test build-asan || status=1
exit $status
