#!/usr/bin/env bash
# A throw-away PostgreSQL (15 or newer) for tests, on 127.0.0.1 and a free port, in a temporary folder.
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

# The highest installed version that has initdb (a removed version can leave its bin folder behind).
# Absolute, since the postgres user runs it from /.
initdb=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1 || true)
bin=${POSTGRES_BIN:-${initdb%/initdb}}
[ -d "$bin" ] && bin=$(cd "$bin" && pwd)
state=$PWD/artifacts/postgres-test.dir

as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    # From /: runuser keeps root's directory, which postgres may not enter (a clone under /root),
    # and initdb fails there. Every path given to it is absolute.
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# A port nothing listens on: connecting to it from bash is refused (no python needed). Taken
# below the kernel's range for the local ends of outgoing connections (from 32768 on Linux):
# such a port refuses connections too, yet cannot be listened on.
free_port() {
  local try port low=32768 high
  read -r low high 2>/dev/null </proc/sys/net/ipv4/ip_local_port_range || true
  [ "$low" -gt 21000 ] || low=52768 # the range starts too low to stay below it: 20000-52767 then
  for try in $(seq 100); do
    port=$((20000 + RANDOM % (low - 20000)))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

# Stops the server of folder $1. When pg_ctl cannot (it timed out on a loaded machine, or
# the server is half started), kills its postmaster by the pid it recorded, so that no
# server outlives its deleted folder. The pid is only trusted if it still runs on that folder.
stop_server() {
  local data=$1/data pid i
  [ -d "$data" ] || return 0
  as_postgres "$bin/pg_ctl" -D "$data" -m immediate -w -t 30 stop >/dev/null 2>&1 && return 0
  pid=$(head -1 "$data/postmaster.pid" 2>/dev/null) || return 0
  [[ "$pid" =~ ^[0-9]+$ ]] && tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF -- "-D $data " || return 0
  echo "postgres-test.sh: pg_ctl could not stop the server in $data; killing its postmaster $pid" >&2
  kill -QUIT "$pid" 2>/dev/null || true # what -m immediate does: it stops its children too
  for i in $(seq 10); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 1
  done
  kill -KILL "$pid" 2>/dev/null || true # its children exit when they see it gone
}

start() {
  [ -x "$bin/initdb" ] || { echo "postgres-test.sh: no PostgreSQL in ${bin:-/usr/lib/postgresql/*/bin} (apt-get install -y postgresql-15)" >&2; exit 1; }
  local version major
  version=$("$bin/initdb" --version | awk '{print $3}')
  major=${version%%[!0-9]*}
  if [ "${major:-0}" -lt 15 ]; then
    echo "postgres-test.sh: PostgreSQL $version in $bin is too old: the tests need 15 or newer (apt-get install -y postgresql-15)" >&2
    exit 1
  fi
  if [ -f "$state" ] && [ -d "$(cat "$state")" ]; then
    echo "postgres-test.sh: already running in $(cat "$state"); stop it first" >&2
    exit 1
  fi

  local dir port
  dir=$(mktemp -d /tmp/portal-postgres-XXXXXX)
  # Remembered before anything starts, so that stop cleans up after a start cut short (Ctrl-C).
  mkdir -p artifacts
  echo "$dir" >"$state"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
  as_postgres "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; rm -rf "$dir" "$state"; exit 1; }

  # A port can be taken between choosing and listening: try a few. A failed attempt's server
  # (pg_ctl -w can time out while it still starts) is stopped before the next one.
  local attempt
  for attempt in 1 2 3; do
    port=$(free_port) || continue
    if as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" >/dev/null; then
      echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, folder $dir (stop: scripts/postgres-test.sh stop)" >&2
      echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
      return 0
    fi
    stop_server "$dir"
  done

  cat "$dir/server.log" >&2 || true
  rm -rf "$dir" "$state"
  exit 1
}

stop() {
  [ -f "$state" ] || { echo "postgres-test.sh: none running (no $state)" >&2; return 0; }
  local dir
  dir=$(cat "$state")
  stop_server "$dir"
  rm -rf "$dir" "$state"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: scripts/postgres-test.sh start|stop" >&2; exit 2 ;;
esac
