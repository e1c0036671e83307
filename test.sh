#!/usr/bin/env bash
# Runs every test of the portal. Works on a fresh machine: installs what is missing
# (Debian's Chromium, Node.js and PostgreSQL 15 or newer when run as root, maildev into tools/maildev),
# restores, builds, checks that the EF model has no pending migration, starts a throw-away
# PostgreSQL on 127.0.0.1, runs the tests, then the integration tests again with the portal on
# PostgreSQL, and ends with the line "N passed, N failed" over both runs. Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")"

results=artifacts/test-results
step() { printf '\n== %s\n' "$*"; }
fail_setup() {
  echo "test.sh: $*" >&2
  echo "0 passed, 1 failed"
  exit 1
}
# Sums passed and failed over the test results written so far.
count_results() {
  passed=0
  failed=0
  local trx counters p f e
  for trx in "$results"/*.trx; do
    [ -f "$trx" ] || continue
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
    p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
    f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
    e=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$counters")
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0} + ${e:-0}))
  done
}
# Ctrl-C or kill still ends with the summary line: what the test runs finished so far counted
# (nothing before the tests started: older results may still be there), and the unfinished
# run as one failure.
interrupted() {
  passed=0
  failed=0
  [ -n "${tests_started:-}" ] && count_results
  echo "test.sh: interrupted" >&2
  echo "$passed passed, $((failed + 1)) failed"
  exit "$1"
}
trap 'interrupted 130' INT
trap 'interrupted 143' TERM

step "Chromium (browser tests, PDF)"
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
      || fail_setup "could not install chromium with apt-get"
  else
    fail_setup "Chromium is missing: run 'sudo apt-get install -y chromium', then this script again"
  fi
fi
/usr/bin/chromium --version

step "maildev (SMTP server for tests)"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null \
      || fail_setup "could not install nodejs and npm with apt-get"
  else
    fail_setup "Node.js is missing: run 'sudo apt-get install -y nodejs npm', then this script again"
  fi
fi
if [ ! -f tools/maildev/node_modules/maildev/bin/maildev ]; then
  (cd tools/maildev && npm ci --no-audit --no-fund --loglevel=error) || fail_setup "npm ci in tools/maildev failed"
fi
node tools/maildev/node_modules/maildev/bin/maildev --version

step "PostgreSQL 15 or newer (the integration tests run on it too)"
# The highest version that has initdb, as scripts/postgres-test.sh chooses it.
pg_initdb() { ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1; }
pg_major=$(pg_initdb | cut -d/ -f5)
if [ "${pg_major:-0}" -lt 15 ]; then
  if [ "$(id -u)" = 0 ]; then
    # postgresql-15 where the release has it (Debian 12); else the release's own, which is newer.
    apt-get update -qq && {
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null 2>&1 \
        || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    } || fail_setup "could not install postgresql-15 or postgresql with apt-get"
  else
    fail_setup "PostgreSQL 15 or newer is missing: run 'sudo apt-get install -y postgresql-15' (or postgresql), then this script again"
  fi
fi
"$(pg_initdb)" --version

step "Restore and build"
dotnet tool restore >/dev/null || fail_setup "dotnet tool restore failed"
dotnet build Portal.sln --nologo -v quiet -clp:ErrorsOnly || fail_setup "the build failed"

step "EF model matches the migrations (SQLite and PostgreSQL)"
source scripts/check-migrations.sh
check_migrations . || fail_setup "the EF model has changes without a migration (see above for the command)"

step "A throw-away PostgreSQL on 127.0.0.1"
# Stopped on every way out: the end, a failure, Ctrl-C, kill (the INT and TERM traps exit).
# Quietly: the summary line, printed before, must stay the last line.
trap 'scripts/postgres-test.sh stop 2>/dev/null' EXIT
scripts/postgres-test.sh stop 2>/dev/null # one a killed earlier run of this clone left behind
PORTAL_TEST_POSTGRES=$(scripts/postgres-test.sh start) || fail_setup "could not start a test PostgreSQL (see above)"
export PORTAL_TEST_POSTGRES

step "Tests"
rm -rf "$results" artifacts/host-logs
tests_started=1
dotnet test Portal.sln --no-build --nologo --logger "trx;LogFilePrefix=portal" --results-directory "$results"
status=$?

step "Integration tests again, the portal on PostgreSQL"
# Every PortalApp on a database of its own on that server. Left out: the PostgreSQL tests
# (they ran above) and tests of what only SQLite has (trait Database=SqliteOnly; they ran above).
started=$SECONDS
PORTAL_TEST_DATABASE=postgres dotnet test Portal.Tests --no-build --nologo \
  --filter "FullyQualifiedName~Portal.Tests.Integration&FullyQualifiedName!~Portal.Tests.Integration.Postgres&Database!=SqliteOnly" \
  --logger "trx;LogFilePrefix=portal-postgres" --results-directory "$results"
postgres_status=$?
echo "The run on PostgreSQL took $(((SECONDS - started) / 60)) min $(((SECONDS - started) % 60)) s"

count_results
# A crashed test host can exit non-zero without recording a failure: count it as one.
if { [ "$status" -ne 0 ] || [ "$postgres_status" -ne 0 ]; } && [ "$failed" -eq 0 ]; then
  failed=1
fi

echo "Screenshots: artifacts/screenshots/   Test results: $results/   Logs of hosts that logged errors: artifacts/host-logs/"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
