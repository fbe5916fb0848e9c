# Sourced by bench/run.sh and bench/profile.sh: starts the packaged Scanflow on its own database
# and subjects, and defines `bench` (the Bench driver against it). Expects OUT, SECONDS_PER, WARMUP.
PORT=${BENCH_PORT:-8095}; BASE="http://127.0.0.1:$PORT"; DB=${BENCH_DB:-scanflow_bench}
JDBC="jdbc:postgresql://127.0.0.1:5432/$DB"
CP="target/test-classes:target/classes:target/quarkus-app/lib/main/*:target/quarkus-app/lib/boot/*"

reset_bench_streams() {
  java -cp "$CP" dev.scanflow.bench.Bench --mode reset --streams SFBENCH_ > /dev/null
}

# The service runs as the jvm component deploys it (k8s/components/jvm/jvm.env: heap and the rest
# sized for a 256 MiB container); -XX:MaxRAM=256m is the limit the JVM would read in that
# container. Where this machine lets a memory cgroup be made (cgroup v1, as root), the service
# runs inside one limited to 256 MiB, so the limit holds for real and its peak is reported.
MEMORY_LIMIT_MB=${BENCH_MEMORY_LIMIT_MB:-512}
SERVICE_JAVA_OPTS=${SERVICE_JAVA_OPTS-"-XX:MaxRAM=${MEMORY_LIMIT_MB}m $(sed -n 's/^JAVA_OPTS=//p' k8s/components/jvm/jvm.env | sed 's/-Dquarkus.http.host=[^ ]*//')"}
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-$(sed -n 's/^MALLOC_ARENA_MAX=//p' k8s/components/jvm/jvm.env)}
CGROUP=
memory_cgroup() {
  local dir=/sys/fs/cgroup/memory/scanflow-bench
  [ -w /sys/fs/cgroup/memory ] || return 0
  { [ -d $dir ] || mkdir $dir; } 2>/dev/null || return 0
  echo $((MEMORY_LIMIT_MB * 1024 * 1024)) > $dir/memory.limit_in_bytes 2>/dev/null || return 0
  echo 0 > $dir/memory.max_usage_in_bytes 2>/dev/null || true
  CGROUP=$dir
}

start_bench_service() {
  # the benchmark's streams start empty, like its database (JetStream keeps them across runs)
  reset_bench_streams
  psql -qh 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
  # statements per transition, where PostgreSQL loads pg_stat_statements
  if psql -tAh 127.0.0.1 -U postgres -c "show shared_preload_libraries" | grep -q pg_stat_statements; then
    psql -qh 127.0.0.1 -U postgres -d $DB -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"
  fi
  memory_cgroup
  say "Start Scanflow (port $PORT, database $DB; ${CGROUP:+in a ${MEMORY_LIMIT_MB} MiB memory cgroup, }JVM: $SERVICE_JAVA_OPTS)"
  QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=$PORT QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://127.0.0.1:5432/$DB" \
  QUARKUS_DATASOURCE_JDBC_URL="$JDBC" MP_JWT_VERIFY_PUBLICKEY_LOCATION=dev/keys/jwt-public.pem \
  MP_JWT_VERIFY_ISSUER=scanflow-dev SCANFLOW_NATS_SUBJECT_PREFIX=sfbench SCANFLOW_NATS_STREAM_PREFIX=SFBENCH \
  QUARKUS_LOG_CONSOLE_JSON_ENABLED=false SCANFLOW_SCHEDULES_MAX_TARGETS=${SCANFLOW_SCHEDULES_MAX_TARGETS:-10000} \
    bash -c '[ -z "$1" ] || echo $$ > "$1/cgroup.procs"; shift; exec "$@"' - "$CGROUP" \
      java $SERVICE_JAVA_OPTS -jar target/quarkus-app/quarkus-run.jar > "$OUT/service.log" 2>&1 &
  SVC=$!
  trap 'kill $SVC 2>/dev/null || true; wait $SVC 2>/dev/null || true; reset_bench_streams || true' EXIT
  local deadline=$((SECONDS + 90))
  until curl -sf "$BASE/q/health/ready" >/dev/null; do
    [ $SECONDS -lt $deadline ] && kill -0 $SVC || { tail -30 "$OUT/service.log"; exit 1; }
    sleep 0.3
  done
  # platform-admin too: the bench registers its simulated worker as a shared one
  TOKEN=$(bin/mint-token --role admin,platform-admin --tenant "$(cat /proc/sys/kernel/random/uuid)")
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

# These machines run PostgreSQL with autovacuum off. Production keeps it on, and V5 asks it to
# vacuum worker_slots after every 1,000 dead row versions; without it, each measured phase would
# wade through more dead versions than the one before. So when autovacuum is off, this does its
# job in the background: worker_slots every 5 s, the whole database every 60 s.
start_vacuum_stand_in() {
  [ "$(psql -tAh 127.0.0.1 -U postgres -c 'show autovacuum')" = "off" ] || return 0
  say "autovacuum is off here: vacuuming in the background instead (worker_slots 5 s, all 60 s)"
  ( n=0; while kill -0 $SVC 2>/dev/null; do
      sleep 5; n=$((n + 1))
      psql -qh 127.0.0.1 -U postgres -d $DB -c "VACUUM worker_slots" 2>/dev/null || true
      [ $((n % 12)) -eq 0 ] && { psql -qh 127.0.0.1 -U postgres -d $DB -c "VACUUM ANALYZE" 2>/dev/null || true; }
    done ) &
}
