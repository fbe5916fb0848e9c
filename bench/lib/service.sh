# Sourced by bench/run.sh and bench/profile.sh: starts the packaged Scanflow on its own database
# and subjects, and defines `bench` (the Bench driver against it). Expects OUT, SECONDS_PER, WARMUP.
PORT=${PORT:-8095}; BASE="http://127.0.0.1:$PORT"; DB=${DB:-scanflow_bench}
JDBC="jdbc:postgresql://127.0.0.1:5432/$DB"
CP="target/test-classes:target/quarkus-app/lib/main/*:target/quarkus-app/lib/boot/*"

start_bench_service() {
  psql -qh 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
  say "Start Scanflow (port $PORT, database $DB)"
  QUARKUS_HTTP_PORT=$PORT QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://127.0.0.1:5432/$DB" \
  QUARKUS_DATASOURCE_JDBC_URL="$JDBC" MP_JWT_VERIFY_PUBLICKEY_LOCATION=dev/keys/jwt-public.pem \
  MP_JWT_VERIFY_ISSUER=scanflow-dev SCANFLOW_NATS_SUBJECT_PREFIX=sfbench SCANFLOW_NATS_STREAM_PREFIX=SFBENCH \
  QUARKUS_LOG_CONSOLE_JSON_ENABLED=false \
    java ${SERVICE_JAVA_OPTS:-} -jar target/quarkus-app/quarkus-run.jar > "$OUT/service.log" 2>&1 &
  SVC=$!
  trap 'kill $SVC 2>/dev/null || true' EXIT
  local deadline=$((SECONDS + 90))
  until curl -sf "$BASE/q/health/ready" >/dev/null; do
    [ $SECONDS -lt $deadline ] && kill -0 $SVC || { tail -30 "$OUT/service.log"; exit 1; }
    sleep 0.3
  done
  TOKEN=$(bin/mint-token --role admin --tenant "$(cat /proc/sys/kernel/random/uuid)")
}

bench() { java -cp "$CP" dev.scanflow.bench.Bench --base "$BASE" --prefix sfbench --token "$TOKEN" --jdbc "$JDBC" \
            --service-pid $SVC --seconds $SECONDS_PER --warmup $WARMUP "$@" 2>>"$OUT/bench.err"; }

# Warms the service up before anything is measured: 60 s (WARMUP_SECONDS) of load, about what
# the JIT needs on two shared cores to settle, then ANALYZE, which autovacuum would run within
# its first minute anyway: until then the planner sees the tables as empty and may cache plans
# that scan them.
warm_up_service() {
  say "Warm-up: ${WARMUP_SECONDS:-60} s of load, then ANALYZE"
  java -cp "$CP" dev.scanflow.bench.Bench --base "$BASE" --prefix sfbench --token "$TOKEN" --service-pid $SVC \
    --seconds ${WARMUP_SECONDS:-60} --warmup 0 --mode service --steps 10 --chains 32 > /dev/null 2>>"$OUT/bench.err"
  psql -qh 127.0.0.1 -U postgres -d $DB -c "ANALYZE"
}
