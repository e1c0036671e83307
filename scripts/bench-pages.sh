#!/usr/bin/env bash
# Pages against their floor (issue 9). Builds in Release, seeds a fresh SQLite database in a
# temporary folder with seed-synthetic (timed), measures start-up to the first answer of /health
# and of the home page (3 starts), signs in through the real sign-in form as an advisor of the
# organisation most firms share with, an owner with results, and the programme staff of the
# biggest cohort, then runs wrk on 127.0.0.1 against the triage queue, a results page and the
# cohort dashboard, each beside its floor endpoint (Benchmarks:FloorEndpoints: the same service
# calls, the rows as JSON), page and floor alternating so both see the same machine. Prints
# p50/p90/p95/p99, requests a second, the p95 ratio page/floor (goal: within 2x), and the
# portal's memory (RSS, GC heap) after the runs and after idling. Non-zero on any non-2xx
# answer, socket error or error logged by the portal.
#
#   scripts/bench-pages.sh                      # 10,000 firms, 2 assessments each, 2 rounds of 60 s at 32 connections
#   scripts/bench-pages.sh --smoke              # 30 firms, 2 s runs: checks that everything works, measures nothing
#   scripts/bench-pages.sh --firms 2000 --seconds 10 --rounds 1 --connections 16
#   scripts/bench-pages.sh --no-build --configuration Debug --smoke   # what the smoke test runs
#   scripts/bench-pages.sh --data /tmp/seeded   # a copy of an existing data folder (portal.db) instead of seeding:
#                                               # the same data before and after a change (migrations apply at start)
#
# The portal runs in Development (the floor endpoints exist only there; the Release output
# outside Development also lacks its static assets), logging warnings only, with the outbox
# dispatcher off (FollowUps:DispatchEveryMinutes=0) so seeded due emails are not sent meanwhile.
# Installs wrk with apt-get when missing (root), and dotnet-counters as a local tool.
set -euo pipefail
cd "$(dirname "$0")/.."

firms=10000
per_firm=2
seconds=60
warmup=5
connections=32
threads=2
rounds=2
starts=3
idle=30
configuration=Release
build=true
smoke=false
source_data=""
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=true; firms=30; seconds=2; warmup=0; connections=8; rounds=1; starts=1; idle=1 ;;
    --firms) firms=$2; shift ;;
    --assessments-per-firm) per_firm=$2; shift ;;
    --seconds) seconds=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --connections) connections=$2; shift ;;
    --threads) threads=$2; shift ;;
    --rounds) rounds=$2; shift ;;
    --starts) starts=$2; shift ;;
    --idle) idle=$2; shift ;;
    --configuration) configuration=$2; shift ;;
    --no-build) build=false ;;
    --data) source_data=$2; shift ;;
    *) echo "usage: $0 [--smoke] [--firms N] [--assessments-per-firm K] [--seconds S] [--warmup S] [--connections C] [--threads T] [--rounds R] [--starts N] [--idle S] [--configuration C] [--no-build] [--data DIR]" >&2; exit 2 ;;
  esac
  shift
done
[ "$connections" -ge "$threads" ] || threads=$connections

password="Synthetic-user-2026" # seed-synthetic's Development password for every synthetic user
bin="Portal.Web/bin/$configuration/net10.0"

now_ms() { date +%s%3N; }
seconds_since() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.2f", (b - a) / 1000 }'; }

if ! command -v wrk > /dev/null; then
  echo "== Installing wrk"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk > /dev/null
  else
    echo "wrk is missing: run 'sudo apt-get install -y wrk', then this script again" >&2
    exit 1
  fi
fi
for tool in curl sqlite3; do
  if ! command -v "$tool" > /dev/null; then
    [ "$(id -u)" = 0 ] || { echo "$tool is missing: apt-get install -y $tool" >&2; exit 1; }
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" > /dev/null
  fi
done
dotnet tool restore > /dev/null

if $build; then
  echo "== Build ($configuration)"
  dotnet build Portal.Web -c "$configuration" -v q -nologo -clp:ErrorsOnly
fi

data=$(mktemp -d /tmp/portal-bench-pages-XXXXXX)
portal_pid=""
stop_portal() {
  if [ -n "$portal_pid" ] && kill -0 "$portal_pid" 2> /dev/null; then
    kill "$portal_pid" && wait "$portal_pid" 2> /dev/null || true
  fi
  portal_pid=""
}
cleanup() {
  stop_portal
  rm -rf "$data"
}
trap cleanup EXIT

echo "== Machine"
echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GB, $(. /etc/os-release && echo "$PRETTY_NAME"), .NET $(dotnet --version), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

portal_env=(
  ASPNETCORE_ENVIRONMENT=Development
  Portal__DataDirectory="$data"
  Logging__LogLevel__Default=Warning
  DemoData__Enabled=false
  FollowUps__DispatchEveryMinutes=0
  Benchmarks__FloorEndpoints=true
  RateLimits__SignIn__Permits=100000
)

if [ -n "$source_data" ]; then
  echo "== Data: a copy of $source_data/portal.db"
  sqlite3 "$source_data/portal.db" "PRAGMA wal_checkpoint(TRUNCATE);" > /dev/null
  cp "$source_data/portal.db" "$data/portal.db"
  firms=$(sqlite3 "$data/portal.db" "SELECT COUNT(*) FROM Firms")
  echo "$firms firms, $(sqlite3 "$data/portal.db" "SELECT COUNT(*) FROM Assessments") assessments; database $(du -m "$data/portal.db" | cut -f1) MB"
else
  echo "== Seed: seed-synthetic --firms $firms --assessments-per-firm $per_firm"
  seed_start=$(now_ms)
  (cd "$bin" && env "${portal_env[@]}" dotnet Portal.Web.dll seed-synthetic --firms "$firms" --assessments-per-firm "$per_firm") > "$data/seed.log" 2>&1 \
    || { cat "$data/seed.log" >&2; exit 1; }
  seed_seconds=$(seconds_since "$seed_start")
  grep -E '^(Added batch|  (Firms|Assessments|AssessmentAnswers|FollowUps) )' "$data/seed.log" || true
  echo "seeded in $seed_seconds s (the command, start to exit); database $(du -m "$data/portal.db" | cut -f1) MB"
fi

# A free port on 127.0.0.1: one nothing answers on.
for _ in $(seq 50); do
  port=$((20000 + RANDOM % 20000))
  (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null || break
done
url="http://127.0.0.1:$port"

start_portal() {
  (cd "$bin" && exec env "${portal_env[@]}" ASPNETCORE_URLS="$url" dotnet Portal.Web.dll) >> "$data/portal.log" 2>&1 &
  portal_pid=$!
}

# Polls until the path answers 200; prints the seconds since $1 (ms since the epoch).
first_200() {
  local since=$1 path=$2
  for _ in $(seq 6000); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "$url$path")" = 200 ]; then
      seconds_since "$since"
      return 0
    fi
    kill -0 "$portal_pid" 2> /dev/null || break
    sleep 0.02
  done
  echo "The portal did not answer 200 on $path:" >&2
  tail -40 "$data/portal.log" >&2
  return 1
}

echo "== Start-up to first response ($firms firms in the database), $starts start(s)"
startup_rows=()
for run in $(seq "$starts"); do
  stop_portal
  t0=$(now_ms)
  start_portal
  health=$(first_200 "$t0" /health)
  home=$(first_200 "$t0" /)
  startup_rows+=("$run $health $home")
  echo "start $run: /health $health s, / $home s (from launching the process)"
done

# Who is measured, from the seeded database: an advisor of the organisation most firms share
# with, the latest submitted assessment with the most before it and its owner, and a staff
# member of the programme whose cohort has the most firms enrolled.
db="$data/portal.db"
advisor=$(sqlite3 "$db" "SELECT u.Email FROM OrganisationMembers m JOIN AspNetUsers u ON u.Id = m.UserId
  WHERE m.OrganisationId = (SELECT OrganisationId FROM FirmShares WHERE RevokedAt IS NULL GROUP BY OrganisationId ORDER BY COUNT(*) DESC LIMIT 1)
  ORDER BY u.Email LIMIT 1")
IFS='|' read -r owner assessment < <(sqlite3 "$db" "SELECT u.Email, a.Id FROM Assessments a
  JOIN FirmMembers fm ON fm.FirmId = a.FirmId JOIN AspNetUsers u ON u.Id = fm.UserId
  WHERE a.Status = 1 AND a.IsLatest = 1 ORDER BY a.Number DESC, u.Email LIMIT 1")
IFS='|' read -r staff programme cohort cohort_firms < <(sqlite3 "$db" "SELECT u.Email, c.ProgrammeId, c.Id, COUNT(*) FROM Enrolments e
  JOIN Cohorts c ON c.Id = e.CohortId JOIN ProgrammeStaff s ON s.ProgrammeId = c.ProgrammeId JOIN AspNetUsers u ON u.Id = s.UserId
  WHERE e.FirmId IS NOT NULL AND e.EnrolledAt IS NOT NULL AND e.LeftAt IS NULL
  GROUP BY c.Id, u.Email ORDER BY COUNT(*) DESC, u.Email LIMIT 1")
shared=$(sqlite3 "$db" "SELECT COUNT(*) FROM FirmShares WHERE RevokedAt IS NULL AND OrganisationId =
  (SELECT OrganisationId FROM FirmShares WHERE RevokedAt IS NULL GROUP BY OrganisationId ORDER BY COUNT(*) DESC LIMIT 1)")
echo "advisor $advisor ($shared firms share with the organisation); owner $owner (assessment $assessment); staff $staff (cohort of $cohort_firms firms enrolled)"

# Signs in through the sign-in form (antiforgery token from the page, cookie jar) and prints
# the Cookie header the signed-in browser would send.
cookie_of() {
  local email=$1 jar="$data/$1.jar" token status
  token=$(curl -s -c "$jar" -b "$jar" "$url/Account/Login" | grep -o 'name="__RequestVerificationToken" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
  status=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -c "$jar" -b "$jar" \
    --data-urlencode "_handler=login" --data-urlencode "__RequestVerificationToken=$token" \
    --data-urlencode "Input.Email=$email" --data-urlencode "Input.Password=$password" "$url/Account/Login")
  if [ "$status" != "302 $url/" ]; then
    echo "Signing in $email failed: $status" >&2
    return 1
  fi
  awk -F'\t' 'NF >= 7 { sub(/^#HttpOnly_/, "", $1); printf "%s%s=%s", (n++ ? "; " : ""), $6, $7 }' "$jar"
}
advisor_cookie=$(cookie_of "$advisor")
owner_cookie=$(cookie_of "$owner")
staff_cookie=$(cookie_of "$staff")

dashboard="/programmes/$programme/cohorts/$cohort/dashboard"
names=(queue results dashboard)
pages=("/advisor" "/results/$assessment" "$dashboard")
floors=("/benchmarks/floor/advisor" "/benchmarks/floor/results/$assessment" "/benchmarks/floor$dashboard")
cookies=("$advisor_cookie" "$owner_cookie" "$staff_cookie")
kinds=("text/html" "application/json")

# Before any load: each URL answers 200 with the kind of content expected (a sign-in redirect
# would be a 302, which wrk does not count as an error).
check() {
  local path=$1 cookie=$2 kind=$3 answer
  answer=$(curl -s -o /dev/null -w '%{http_code} %{content_type}' -H "Cookie: $cookie" "$url$path")
  case "$answer" in
    "200 $kind"*) ;;
    *) echo "$path answered '$answer', not 200 $kind" >&2; return 1 ;;
  esac
}
for i in 0 1 2; do
  check "${pages[$i]}" "${cookies[$i]}" "${kinds[0]}"
  check "${floors[$i]}" "${cookies[$i]}" "${kinds[1]}"
done

cat > "$data/report.lua" << 'EOF'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %.3f %.3f %.3f %.3f %.1f\n",
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests / (summary.duration / 1e6)))
end
EOF

# Waits (at most 3 minutes) until the portal has used under a tenth of a core for a second:
# requests that wrk gave up on when its time ran out are still being served, and would
# otherwise slow the next run.
settle() {
  local before after
  for _ in $(seq 180); do
    before=$(awk '{ print $14 + $15 }' "/proc/$portal_pid/stat")
    sleep 1
    after=$(awk '{ print $14 + $15 }' "/proc/$portal_pid/stat")
    [ $((after - before)) -lt $(($(getconf CLK_TCK) / 10)) ] && return 0
  done
  echo "the portal did not go quiet within 3 minutes" >&2
}

# One wrk run; appends "name kind round requests non2xx socket-errors p50 p90 p95 p99 rps" to results.txt.
run_wrk() {
  local name=$1 kind=$2 round=$3 path=$4 cookie=$5 duration=$6 out
  settle
  out=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --timeout 60s --latency -s "$data/report.lua" -H "Cookie: $cookie" "$url$path")
  [ "$round" = warmup ] && return 0
  echo "$name $kind $round $(grep '^RESULT ' <<< "$out" | cut -d' ' -f2-)" >> "$data/results.txt"
}

if [ "$warmup" -gt 0 ]; then
  echo "== Warm-up: ${warmup} s each"
  for i in 0 1 2; do
    run_wrk "${names[$i]}" page warmup "${pages[$i]}" "${cookies[$i]}" "$warmup"
    run_wrk "${names[$i]}" floor warmup "${floors[$i]}" "${cookies[$i]}" "$warmup"
  done
fi

echo "== wrk -t$threads -c$connections -d${seconds}s --timeout 60s, $rounds round(s), page and floor alternating"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
: > "$data/results.txt"
for round in $(seq "$rounds"); do
  for i in 0 1 2; do
    # Which goes first alternates by round, so neither always follows the other.
    if [ $((round % 2)) = 1 ]; then order="page floor"; else order="floor page"; fi
    for kind in $order; do
      if [ "$kind" = page ]; then path=${pages[$i]}; else path=${floors[$i]}; fi
      run_wrk "${names[$i]}" "$kind" "$round" "$path" "${cookies[$i]}" "$seconds"
    done
  done
  echo "round $round done, load average $(cut -d' ' -f1-3 /proc/loadavg)"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

status=0
for i in 0 1 2; do
  check "${pages[$i]}" "${cookies[$i]}" "${kinds[0]}" || status=1
done

echo "== Every run (latencies in ms)"
printf '%-10s %-6s %-6s %9s %7s %7s %9s %9s %9s %9s %9s\n' target kind round requests non2xx sockerr p50 p90 p95 p99 req/s
while read -r name kind round requests non2xx sockerr p50 p90 p95 p99 rps; do
  printf '%-10s %-6s %-6s %9s %7s %7s %9s %9s %9s %9s %9s\n' "$name" "$kind" "$round" "$requests" "$non2xx" "$sockerr" "$p50" "$p90" "$p95" "$p99" "$rps"
  if [ "$non2xx" != 0 ] || [ "$sockerr" != 0 ] || [ "$requests" = 0 ]; then status=1; fi
done < "$data/results.txt"

echo "== Pages against the floor: medians over $rounds round(s); goal page p95 within 2x of floor p95"
printf '%-10s %12s %12s %12s %8s %11s %11s\n' target "page p50" "page p95" "floor p95" ratio "page req/s" "floor req/s"
# The median over rounds of column $3 of target $1's runs of kind $2.
median() { grep "^$1 $2 " "$data/results.txt" | awk -v c="$3" '{ print $c }' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for name in "${names[@]}"; do
  page50=$(median "$name" page 7); page95=$(median "$name" page 9); floor95=$(median "$name" floor 9); page_rps=$(median "$name" page 11); floor_rps=$(median "$name" floor 11)
  ratio=$(awk -v p="$page95" -v f="$floor95" 'BEGIN { printf "%.2f", (f > 0) ? p / f : 0 }')
  verdict=$(awk -v r="$ratio" 'BEGIN { print (r <= 2) ? "within 2x" : "MISSED" }')
  printf '%-10s %9s ms %9s ms %9s ms %7sx %11s %11s  %s\n' "$name" "$page50" "$page95" "$floor95" "$ratio" "$page_rps" "$floor_rps" "$verdict"
done

# RSS from the kernel; the GC heap (sum of the generations after the last collection) and the
# GC's committed memory from dotnet-counters.
memory() {
  local when=$1 rss csv="$data/counters-$1.csv"
  rss=$(awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$portal_pid/status")
  timeout 60 dotnet dotnet-counters collect -p "$portal_pid" --refresh-interval 1 --duration 00:00:00:03 --format csv -o "$csv" \
    --counters "System.Runtime[dotnet.gc.last_collection.heap.size,dotnet.gc.last_collection.memory.committed_size]" > /dev/null 2>&1 || true
  awk -F, -v when="$when" -v rss="$rss" '
    /dotnet.gc.last_collection.heap.size/ { heap[$3] = $NF; seen = 1 }
    /dotnet.gc.last_collection.memory.committed_size/ { committed = $NF }
    END {
      total = 0; for (g in heap) total += heap[g]
      if (seen) printf "%-22s RSS %5d MB, GC heap %6.1f MB, GC committed %6.1f MB\n", when, rss, total / 1048576, committed / 1048576
      else printf "%-22s RSS %5d MB, GC heap: dotnet-counters gave nothing\n", when, rss
    }' "$csv" 2> /dev/null || printf '%-22s RSS %5d MB\n' "$when" "$rss"
}
echo "== Memory of the portal ($firms firms)"
settle
memory after-wrk
sleep "$idle"
memory "after-${idle}s-idle"

echo "== Start-up (s from launching the process to the first 200)"
printf '%-6s %8s %8s\n' start /health /
for row in "${startup_rows[@]}"; do
  read -r run health home <<< "$row"
  printf '%-6s %8s %8s\n' "$run" "$health" "$home"
done
[ -n "$source_data" ] || echo "seed-synthetic --firms $firms --assessments-per-firm $per_firm: $seed_seconds s"

stop_portal
if grep -qE '^(fail|crit):' "$data/portal.log"; then
  echo "== The portal logged errors:"
  grep -E -A3 '^(fail|crit):' "$data/portal.log" | head -40
  status=1
fi
$smoke && echo "smoke run: the figures above measure nothing"
exit $status
