#!/usr/bin/env bash
# A throw-away PostgreSQL 15 for tests, on 127.0.0.1 and a free port, in a temporary folder.
#
#   scripts/postgres-test.sh start    starts it; prints its connection string (for
#                                     PORTAL_TEST_POSTGRES) on stdout, the rest on stderr
#   scripts/postgres-test.sh stop     stops it and deletes its folder
#
# The server trusts every local connection (it exists for one test run, on loopback only)
# and skips fsync: a crash loses it, which is fine for a test database and much faster.
# Its folder is remembered in artifacts/postgres-test.dir of this clone, so two clones'
# servers do not meet. initdb refuses root: as root, it runs as the postgres user.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${POSTGRES_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
state=artifacts/postgres-test.dir

as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
  [ -x "$bin/initdb" ] || { echo "postgres-test.sh: no PostgreSQL in $bin (apt-get install -y postgresql-15)" >&2; exit 1; }
  if [ -f "$state" ] && [ -d "$(cat "$state")" ]; then
    echo "postgres-test.sh: already running in $(cat "$state"); stop it first" >&2
    exit 1
  fi

  local dir port
  dir=$(mktemp -d /tmp/portal-postgres-XXXXXX)
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
  as_postgres "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; rm -rf "$dir"; exit 1; }

  # A port can be taken between choosing and listening: try a few.
  local attempt
  for attempt in 1 2 3; do
    port=$(free_port)
    if as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" >/dev/null; then
      mkdir -p artifacts
      echo "$dir" >"$state"
      echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, folder $dir (stop: scripts/postgres-test.sh stop)" >&2
      echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
      return 0
    fi
  done

  cat "$dir/server.log" >&2
  rm -rf "$dir"
  exit 1
}

stop() {
  [ -f "$state" ] || { echo "postgres-test.sh: none running (no $state)" >&2; return 0; }
  local dir
  dir=$(cat "$state")
  if [ -d "$dir/data" ]; then
    as_postgres "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null || true
  fi
  rm -rf "$dir" "$state"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: scripts/postgres-test.sh start|stop" >&2; exit 2 ;;
esac
