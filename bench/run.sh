#!/usr/bin/env bash
# Scanflow's orchestration benchmark: one command, results in bench/out/ and bench/RESULTS.md.
#   bench/run.sh            full run (about 10 minutes)
#   bench/run.sh --smoke    a few seconds per phase, to prove it runs (CI)
#   bench/run.sh --peer DIR first graphile-worker through the same workload (DIR: a writable copy
#                           of a peer-bench, such as ../shared/tools/peer-bench), then the full run;
#                           RESULTS.md gets the ratios of the two, measured back to back
# Starts Scanflow from the packaged jar on its own database (scanflow_bench) and subjects, drives
# it with simulated protocol-v1 workers (dev.scanflow.bench.Bench), and runs the bare loop
# baseline on the same machine. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
SMOKE=false; REPEAT=3; SECONDS_PER=20; WARMUP=5; PROBE_SECONDS=8; PROBE_WARMUP=2; IDLE_SECONDS=30; PEER=
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) SMOKE=true; REPEAT=1; SECONDS_PER=2; WARMUP=1; PROBE_SECONDS=2; PROBE_WARMUP=1; IDLE_SECONDS=3 ;;
    --peer) [ -f "${2:-}/harness.js" ] || { echo "--peer: ${2:-(none)} has no harness.js (a peer-bench directory)" >&2; exit 2; }
            PEER=$(cd "$2" && pwd); shift ;;
    *) echo "usage: bench/run.sh [--smoke] [--peer DIR]" >&2; exit 2 ;;
  esac
  shift
done
OUT=bench/out; mkdir -p "$OUT"; rm -rf "$OUT"/*.json "$OUT/peer"

scripts/ensure-services.sh
ensure_commands jq:jq curl:curl
if [ "${SCANFLOW_SKIP_BUILD:-}" = 1 ] && [ -f target/quarkus-app/quarkus-run.jar ] && [ -d target/test-classes ]; then
  say "Using the build in target/ (SCANFLOW_SKIP_BUILD=1: .ci/run, right after ./mvnw verify)"
else
  say "Build (package, with test classes)"
  ./mvnw -B -q package -DskipTests
fi
if [ -n "$PEER" ]; then
  # the peer first, alone on the machine, then Scanflow: back to back, on the same PostgreSQL
  say "Peer: graphile-worker through the same workload ($PEER)"
  ensure_commands node:nodejs npm:npm
  [ -d "$PEER/node_modules" ] || (cd "$PEER" && npm ci --no-audit --no-fund > /dev/null)
  psql -tAh 127.0.0.1 -U postgres -lqt | cut -d'|' -f1 | grep -qx peer_bench \
    || psql -qh 127.0.0.1 -U postgres -c "CREATE DATABASE peer_bench"
  peer_args=(--out "$PWD/$OUT/peer" --preset perf --instances 1 --repeat $REPEAT --seconds $SECONDS_PER --warmup $WARMUP)
  $SMOKE && peer_args+=(--initial-warmup 2)
  (cd "$PEER" && node harness.js "${peer_args[@]}") > "$OUT/peer.log" 2>&1 || { tail -20 "$OUT/peer.log"; exit 1; }
fi
source bench/lib/service.sh
start_bench_service
start_vacuum_stand_in
$SMOKE || warm_up_service
median() { jq -s "map(.$2) | sort | .[length/2|floor]" "$OUT"/$1-*.json; }

say "Bare loop (the floor): 32 chains"
for i in $(seq 1 $REPEAT); do bench --mode bare --chains 32 --out "$OUT/bare-$i.json" > /dev/null; done
say "Scanflow at saturation: chain of 10 steps, 32 runs in flight"
for i in $(seq 1 $REPEAT); do bench --mode service --steps 10 --chains 32 --out "$OUT/sat10-$i.json" > /dev/null; done
SAT=$(median sat10 transitions_per_s)
P50=$(median sat10 latency_p50_ms)
# 50 % of saturation: each transition waits long enough that 32 chains give half the rate; the
# latency is lower at half load than at saturation, so one short probe corrects the wait
DELAY=$(jq -n "[((32 / ($SAT * 0.5)) * 1000 - $P50), 1] | max | floor")
bench --mode service --steps 10 --chains 32 --delay-ms "$DELAY" --seconds $PROBE_SECONDS --warmup $PROBE_WARMUP \
  --out "$OUT/probe.json" > /dev/null
PROBE=$(jq .transitions_per_s "$OUT/probe.json"); rm -f "$OUT/probe.json"
DELAY=$(jq -n "[$DELAY + (32 / ($SAT * 0.5) - 32 / $PROBE) * 1000, 1] | max | floor")
say "Latency at about 50 % of saturation (worker delay ${DELAY} ms)"
for i in $(seq 1 $REPEAT); do
  bench --mode service --steps 10 --chains 32 --delay-ms "$DELAY" --out "$OUT/half-$i.json" > /dev/null
  bench --mode bare --chains 32 --delay-ms "$DELAY" --out "$OUT/barehalf-$i.json" > /dev/null
done
say "Other shapes"
bench --mode service --steps 1 --chains 32 --out "$OUT/sat1-1.json" > /dev/null
bench --mode service --steps 5 --chains 32 --out "$OUT/sat5-1.json" > /dev/null
bench --mode service --steps 5 --shape fanout --chains 32 --out "$OUT/fan5-1.json" > /dev/null
say "Fair share: a worker of 16 slots for 32 chains, one tenant, then four tenants (8 chains each)"
for i in $(seq 1 $REPEAT); do
  # the smoke run proves the four-tenant path; the one-tenant figure is the same code with --tenants 1
  $SMOKE || bench --mode service --steps 10 --chains 32 --concurrency 16 --out "$OUT/fair1-$i.json" > /dev/null
  bench --mode service --steps 10 --chains 32 --concurrency 16 --tenants 4 --out "$OUT/fair4-$i.json" > /dev/null
done
say "Scaling with waiting runs in the database"
WAITING_LEVELS="1000 100000"; $SMOKE && WAITING_LEVELS="1000"
total=0
for level in $WAITING_LEVELS; do
  add=$((level - total))
  psql -qh 127.0.0.1 -U postgres -d $DB -v ON_ERROR_STOP=1 -v n=$add -f bench/seed-waiting.sql > /dev/null
  total=$level
  bench --mode service --steps 10 --chains 32 --out "$OUT/waiting$level-1.json" > /dev/null
done
FINDINGS=50000; $SMOKE && FINDINGS=5000
say "Findings: $FINDINGS from one step, twice (all new, then all unchanged)"
java -cp "$CP" dev.scanflow.bench.FindingsBench --base "$BASE" --prefix sfbench --token "$TOKEN" --jdbc "$JDBC" \
  --findings $FINDINGS --out "$OUT/findings-1.json" 2>>"$OUT/bench.err"
say "Idle service holding $total waiting runs"
t0=$(awk '{print $14 + $15}' /proc/$SVC/stat); sleep $IDLE_SECONDS; t1=$(awk '{print $14 + $15}' /proc/$SVC/stat)
IDLE=$(jq -n "($t1 - $t0) / 100 / $IDLE_SECONDS * 100")
echo "{\"waiting_runs\": $total, \"idle_cpu_percent_of_one_core\": $IDLE}" > "$OUT/idle-1.json"
cat "$OUT/idle-1.json"

SCHEDULE_LEVELS="10 10000"; $SMOKE && SCHEDULE_LEVELS="10"
have=0
for level in $SCHEDULE_LEVELS; do
  say "Idle service with $total waiting runs and $level scheduled pipelines (yearly cron: what the ticks cost)"
  java -cp "$CP" dev.scanflow.bench.Bench --mode schedules --base "$BASE" --token "$TOKEN" --service-pid $SVC \
    --count $level --have $have --seconds $IDLE_SECONDS --settle $($SMOKE && echo 1 || echo 12) --out "$OUT/schedules$level-1.json" 2>>"$OUT/bench.err" > /dev/null
  have=$level
  cat "$OUT/schedules$level-1.json"
done

BURST_ASSETS=10000; BURST_WORKERS=50; $SMOKE && { BURST_ASSETS=100; BURST_WORKERS=2; }
say "Scheduled burst: one fire for $BURST_ASSETS assets, $BURST_WORKERS workers of 200 slots whose steps hold"
java -cp "$CP" dev.scanflow.bench.Bench --mode burst --base "$BASE" --prefix sfbench --token "$TOKEN" --jdbc "$JDBC" \
  --assets $BURST_ASSETS --workers $BURST_WORKERS --concurrency 200 --out "$OUT/burst-1.json" 2>>"$OUT/bench.err" > /dev/null
cat "$OUT/burst-1.json"

echo "$SERVICE_JAVA_OPTS" > "$OUT/jvm-options.txt"
if [ -n "$CGROUP" ]; then
  echo "$MEMORY_LIMIT_MB" > "$OUT/cgroup-limit-mb.txt"
  echo $(( $(cat $CGROUP/memory.max_usage_in_bytes) / 1024 / 1024 )) > "$OUT/cgroup-peak-mb.txt"
fi

say "Report"
bench/report.sh "$SMOKE" > "$OUT/RESULTS.md"
# the hand-written analysis below the marker in bench/RESULTS.md is kept
if ! $SMOKE; then
  { cat "$OUT/RESULTS.md"; sed -n '/^<!-- hand-written: kept by bench\/run.sh -->$/,$p' bench/RESULTS.md; } > "$OUT/RESULTS.full.md"
  cp "$OUT/RESULTS.full.md" bench/RESULTS.md
fi
cat "$OUT/RESULTS.md"
# a smoke run proves the figures exist, not their size
for f in bare-1 sat10-1 half-1 sat1-1 fair4-1 idle-1 findings-1 schedules10-1 burst-1; do jq -e . "$OUT/$f.json" > /dev/null; done
jq -e '.finding_rows == .findings and .new_count == .findings and .unchanged_count == .findings' "$OUT/findings-1.json" > /dev/null
jq -e '.transitions > 0' "$OUT/sat10-1.json" > /dev/null
jq -e '.runs_started == .assets and .runs_dispatched == .runs_started' "$OUT/burst-1.json" > /dev/null
jq -e '.transitions > 0 and (.tenant_shares | length) == 4' "$OUT/fair4-1.json" > /dev/null
