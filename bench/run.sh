#!/usr/bin/env bash
# Scanflow's orchestration benchmark: one command, results in bench/out/ and bench/RESULTS.md.
#   bench/run.sh            full run (about 10 minutes)
#   bench/run.sh --smoke    a few seconds per phase, to prove it runs (CI)
# Starts Scanflow from the packaged jar on its own database (scanflow_bench) and subjects, drives
# it with simulated protocol-v1 workers (dev.scanflow.bench.Bench), and runs the bare loop
# baseline on the same machine. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
SMOKE=false; REPEAT=3; SECONDS_PER=20; WARMUP=5
[ "${1:-}" = "--smoke" ] && { SMOKE=true; REPEAT=1; SECONDS_PER=3; WARMUP=2; }
OUT=bench/out; mkdir -p "$OUT"; rm -f "$OUT"/*.json
PORT=8095; BASE="http://127.0.0.1:$PORT"; DB=scanflow_bench
JDBC="jdbc:postgresql://127.0.0.1:5432/$DB"

scripts/ensure-services.sh
ensure_commands jq:jq curl:curl
say "Build (package, with test classes)"
./mvnw -B -q package -DskipTests
CP="target/test-classes:target/quarkus-app/lib/main/*:target/quarkus-app/lib/boot/*"

psql -qh 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
say "Start Scanflow (port $PORT, database $DB)"
QUARKUS_HTTP_PORT=$PORT QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://127.0.0.1:5432/$DB" \
QUARKUS_DATASOURCE_JDBC_URL="$JDBC" MP_JWT_VERIFY_PUBLICKEY_LOCATION=dev/keys/jwt-public.pem \
MP_JWT_VERIFY_ISSUER=scanflow-dev SCANFLOW_NATS_SUBJECT_PREFIX=sfbench SCANFLOW_NATS_STREAM_PREFIX=SFBENCH \
QUARKUS_LOG_CONSOLE_JSON_ENABLED=false \
  java ${SERVICE_JAVA_OPTS:-} -jar target/quarkus-app/quarkus-run.jar > "$OUT/service.log" 2>&1 &
SVC=$!
trap 'kill $SVC 2>/dev/null || true' EXIT
deadline=$((SECONDS + 90))
until curl -sf "$BASE/q/health/ready" >/dev/null; do
  [ $SECONDS -lt $deadline ] && kill -0 $SVC || { tail -30 "$OUT/service.log"; exit 1; }
  sleep 0.3
done
TOKEN=$(bin/mint-token --role admin --tenant "$(cat /proc/sys/kernel/random/uuid)")
bench() { java -cp "$CP" dev.scanflow.bench.Bench --base "$BASE" --prefix sfbench --token "$TOKEN" --jdbc "$JDBC" \
            --service-pid $SVC --seconds $SECONDS_PER --warmup $WARMUP "$@" 2>>"$OUT/bench.err"; }
median() { jq -s "map(.$2) | sort | .[length/2|floor]" "$OUT"/$1-*.json; }

say "Bare loop (the floor): 32 chains"
for i in $(seq 1 $REPEAT); do bench --mode bare --chains 32 --out "$OUT/bare-$i.json" > /dev/null; done
say "Scanflow at saturation: chain of 10 steps, 32 runs in flight"
for i in $(seq 1 $REPEAT); do bench --mode service --steps 10 --chains 32 --out "$OUT/sat10-$i.json" > /dev/null; done
SAT=$(median sat10 transitions_per_s)
P50=$(median sat10 latency_p50_ms)
# 50 % of saturation: each transition waits long enough that 32 chains give half the rate
DELAY=$(jq -n "[((32 / ($SAT * 0.5)) * 1000 - $P50), 1] | max | floor")
say "Latency at about 50 % of saturation (worker delay ${DELAY} ms)"
for i in $(seq 1 $REPEAT); do
  bench --mode service --steps 10 --chains 32 --delay-ms "$DELAY" --out "$OUT/half-$i.json" > /dev/null
  bench --mode bare --chains 32 --delay-ms "$DELAY" --out "$OUT/barehalf-$i.json" > /dev/null
done
say "Other shapes"
bench --mode service --steps 1 --chains 32 --out "$OUT/sat1-1.json" > /dev/null
bench --mode service --steps 5 --chains 32 --out "$OUT/sat5-1.json" > /dev/null
bench --mode service --steps 5 --shape fanout --chains 32 --out "$OUT/fan5-1.json" > /dev/null
say "Scaling with waiting runs in the database"
WAITING_LEVELS="1000 100000"; $SMOKE && WAITING_LEVELS="1000"
total=0
for level in $WAITING_LEVELS; do
  add=$((level - total))
  psql -qh 127.0.0.1 -U postgres -d $DB -v n=$add -f bench/seed-waiting.sql > /dev/null
  total=$level
  bench --mode service --steps 10 --chains 32 --out "$OUT/waiting$level-1.json" > /dev/null
done
say "Idle service holding $total waiting runs"
t0=$(awk '{print $14 + $15}' /proc/$SVC/stat); sleep $((SECONDS_PER + 10)); t1=$(awk '{print $14 + $15}' /proc/$SVC/stat)
IDLE=$(jq -n "($t1 - $t0) / 100 / ($SECONDS_PER + 10) * 100")
echo "{\"waiting_runs\": $total, \"idle_cpu_percent_of_one_core\": $IDLE}" > "$OUT/idle-1.json"
cat "$OUT/idle-1.json"

say "Report"
bench/report.sh "$SMOKE" > "$OUT/RESULTS.md"
$SMOKE || cp "$OUT/RESULTS.md" bench/RESULTS.md
cat "$OUT/RESULTS.md"
# a smoke run proves the figures exist, not their size
for f in bare-1 sat10-1 half-1 sat1-1 idle-1; do jq -e . "$OUT/$f.json" > /dev/null; done
jq -e '.transitions > 0' "$OUT/sat10-1.json" > /dev/null
