#!/usr/bin/env bash
# Bounded load test of the portal on 127.0.0.1 (issue 8). Builds in Release, starts the portal
# (Development, fresh SQLite file in a temporary folder, the demo data plus load-test accounts),
# waits for /health, runs the load generator (Portal.Benchmarks load|writers), stops the
# portal, and prints the figures and the machine. Exits non-zero on any error.
#
#   scripts/load-test.sh                                   # load: 50 clients for 60 s
#   scripts/load-test.sh writers --clients 20 --seconds 30 # 20 owners saving answers at once
#   scripts/load-test.sh load --clients 10 --seconds 10    # any option of the generator
#
# Accounts (DemoData:Users, set through environment variables; Development only): OWNERS owners
# (default 20), each with a case firm of content/personas submitted and shared with the demo
# organisation, and ADVISORS advisors (default 5) besides advisor@demo.test, in that
# organisation. Clients share the accounts of their role in turn.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-load}
[ $# -gt 0 ] && shift
case "$mode" in load|writers) ;; *) echo "usage: $0 [load|writers] [generator options]" >&2; exit 2 ;; esac
owners=${OWNERS:-20}
advisors=${ADVISORS:-5}
password="Load-test-2026"

echo "== Build (Release)"
dotnet build Portal.Benchmarks -c Release -v q -nologo -clp:ErrorsOnly

data=$(mktemp -d /tmp/portal-load-XXXXXX)
portal_pid=""
cleanup() {
  if [ -n "$portal_pid" ] && kill -0 "$portal_pid" 2>/dev/null; then
    kill "$portal_pid" && wait "$portal_pid" 2>/dev/null || true
  fi
  rm -rf "$data"
}
trap cleanup EXIT

# A free port on 127.0.0.1: one nothing answers on.
for _ in $(seq 50); do
  port=$((20000 + RANDOM % 20000))
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
done
url="http://127.0.0.1:$port"

# The demo users of appsettings.Development.json are Users 0 to 3; the load-test accounts follow.
personas=($(ls content/personas | sed 's/\.json$//' | sort))
accounts="$data/accounts.txt"
env_vars=()
n=4
echo "advisor advisor@demo.test Demo-advisor-2026" > "$accounts"
for i in $(seq 1 "$advisors"); do
  email=$(printf 'load-advisor-%02d@demo.test' "$i")
  env_vars+=("DemoData__Users__${n}__Email=$email" "DemoData__Users__${n}__Role=Advisor" "DemoData__Users__${n}__Password=$password")
  echo "advisor $email $password" >> "$accounts"
  n=$((n + 1))
done
for i in $(seq 1 "$owners"); do
  email=$(printf 'load-owner-%02d@demo.test' "$i")
  persona=${personas[$(( (i - 1) % ${#personas[@]} ))]}
  env_vars+=("DemoData__Users__${n}__Email=$email" "DemoData__Users__${n}__Role=Owner" "DemoData__Users__${n}__Password=$password" "DemoData__Users__${n}__Persona=$persona")
  echo "owner $email $password" >> "$accounts"
  n=$((n + 1))
done

echo "== Start the portal on $url (data in $data)"
(
  cd Portal.Web/bin/Release/net10.0
  exec env "${env_vars[@]}" \
    ASPNETCORE_ENVIRONMENT=Development \
    ASPNETCORE_URLS="$url" \
    Portal__DataDirectory="$data" \
    Logging__LogLevel__Default=Warning \
    RateLimits__SignIn__Permits=100000 \
    dotnet Portal.Web.dll
) > "$data/portal.log" 2>&1 &
portal_pid=$!

# The first start migrates and seeds the demo firms: bounded wait for /health.
for i in $(seq 300); do
  if curl -sf "$url/health" > /dev/null; then break; fi
  if ! kill -0 "$portal_pid" 2>/dev/null || [ "$i" = 300 ]; then
    echo "The portal did not become healthy:" >&2
    tail -40 "$data/portal.log" >&2
    exit 1
  fi
  sleep 1
done
echo "healthy after ${i} s"

echo "== Machine"
echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GB, $(. /etc/os-release && echo "$PRETTY_NAME"), .NET $(dotnet --version)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== dotnet Portal.Benchmarks.dll $mode --url $url --accounts accounts.txt $*"
status=0
timeout 3900 dotnet Portal.Benchmarks/bin/Release/net10.0/Portal.Benchmarks.dll "$mode" --url "$url" --accounts "$accounts" "$@" || status=$?
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
if grep -qE '^(fail|crit):' "$data/portal.log"; then
  echo "== The portal logged errors:"
  grep -E -A3 '^(fail|crit):' "$data/portal.log" | head -40
  status=1
fi
exit $status
