#!/bin/sh
# Starts (or stops) a throwaway PostgreSQL cluster on loopback for tests
# and benchmarks: initdb into a temporary folder, pg_ctl start.
#
#   eval "$(./scripts/pg-temp.sh start DIR)"   # exports UB_TEST_PG
#   ./scripts/pg-temp.sh stop DIR
#
# Runs the server as the `postgres` user when invoked as root (initdb
# refuses to run as root).  A missing server is an error, not a skip.
set -eu
cmd=${1:?start|stop}
dir=${2:?DIR}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    echo "pg-temp: PostgreSQL server binaries not found (install postgresql)" >&2
    exit 1
fi
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case $cmd in
start)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    as_pg "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 \
        --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o \
        "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200 -c fsync=on -c synchronous_commit=on" \
        start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "export UB_TEST_PG=postgresql://postgres@127.0.0.1:$port/postgres"
    ;;
stop)
    [ -d "$dir/data" ] && as_pg "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    ;;
*)
    echo "usage: pg-temp.sh start|stop DIR" >&2
    exit 2
    ;;
esac
