#!/usr/bin/env bash
# Starts (or stops) a throw-away PostgreSQL cluster on loopback for the test suite.
#   .ci/postgres.sh start   -> prints the URL to use as GATEHOUSE_TEST_POSTGRES_URL
#   .ci/postgres.sh stop
set -euo pipefail
dir=${GATEHOUSE_PG_DIR:-/var/tmp/gatehouse-pg}
port=${GATEHOUSE_PG_PORT:-55432}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[ -n "$bin" ] || { echo "PostgreSQL is not installed (run .ci/install-tools.sh test)" >&2; exit 1; }

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-start}" in
  start)
    if [ ! -f "$dir/PG_VERSION" ]; then
      mkdir -p "$dir"
      [ "$(id -u)" = 0 ] && chown postgres: "$dir"
      as_pg "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 >/dev/null
    fi
    if ! as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
      as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $port -k /tmp -c fsync=off -c max_connections=300" start >/dev/null
    fi
    # Databases left by earlier test runs only take disk space: drop them.
    for db in $(as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -Atc \
        "SELECT datname FROM pg_database WHERE datname LIKE 'gh\\_test\\_%'" 2>/dev/null); do
      as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
    done
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    as_pg "$bin/pg_ctl" -D "$dir" -m fast stop >/dev/null 2>&1 || true
    ;;
esac
