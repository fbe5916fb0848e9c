#!/usr/bin/env bash
# Profiles Scanflow at saturation (chain of 10 steps, 32 runs in flight), to find what limits it:
#   bench/profile.sh [seconds]      (default 30; WARMUP_SECONDS=60 before it)
# Writes to bench/out/profile/: CPU by process and by thread, the service's CPU by frame
# (async-profiler) and its JFR recording with the hottest methods, what PostgreSQL backends wait on
# (pg_stat_activity sampled every 50 ms), and, when pg_stat_statements is loaded
# (shared_preload_libraries), the statements by total time.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
SECONDS_PER=${1:-30}; WARMUP=5
OUT=bench/out/profile; rm -rf "$OUT"; mkdir -p "$OUT"
scripts/ensure-services.sh
ensure_commands jq:jq curl:curl python3:python3
say "Build (package, with test classes)"
./mvnw -B -q package -DskipTests
# Profilers are loaded when the JVM starts: attaching them later makes the JIT throw away and
# recompile thousands of methods, which would then be what gets measured. async-profiler comes
# from Maven Central; it samples every thread's CPU time (JIT and GC included) each millisecond
# (itimer), for the measured window only.
ASPROF_JAR=~/.m2/repository/tools/profiler/async-profiler/3.0/async-profiler-3.0.jar
[ -f $ASPROF_JAR ] || ./mvnw -q -B dependency:get -Dartifact=tools.profiler:async-profiler:3.0 > /dev/null 2>&1 || true
ASPROF=""
if [ -f $ASPROF_JAR ]; then
  unzip -qo $ASPROF_JAR linux-x64/libasyncProfiler.so -d "$OUT" && ASPROF="$PWD/$OUT/linux-x64/libasyncProfiler.so"
fi
SERVICE_JAVA_OPTS="-XX:StartFlightRecording=name=bench,settings=profile ${ASPROF:+-agentpath:$ASPROF} ${SERVICE_JAVA_OPTS:-}"
source bench/lib/service.sh
start_bench_service
start_vacuum_stand_in
warm_up_service
statements=false
if psql -tAh 127.0.0.1 -U postgres -c "show shared_preload_libraries" | grep -q pg_stat_statements; then
  psql -qh 127.0.0.1 -U postgres -d $DB -c "SELECT pg_stat_statements_reset()" >/dev/null
  statements=true
fi

say "Load for ${SECONDS_PER}s (after ${WARMUP}s warm-up), sampling PostgreSQL wait events"
( sleep $WARMUP
  printf "SELECT coalesce(wait_event_type,'CPU') || ':' || coalesce(wait_event,'-') || ' ' || state || ' ' || left(regexp_replace(query, '\\s+', ' ', 'g'), 60) FROM pg_stat_activity WHERE datname = '%s' AND pid <> pg_backend_pid() AND state <> 'idle';\n\\\\watch 0.05\n" "$DB" \
    | timeout $SECONDS_PER psql -qtAh 127.0.0.1 -U postgres -d $DB > "$OUT/pg-activity.txt" 2>/dev/null || true ) &
SAMPLER=$!
# CPU by process (the whole machine) and by thread of the service, over 10 s of the load
( sleep $((WARMUP + 2))
  top -b -n 2 -d 10 -w 200 | awk '/^top -/{frame++} frame==2' | sed -n '7,20p' > "$OUT/top-processes.txt"
  top -H -b -n 2 -d 10 -w 200 -p $SVC | awk '/^top -/{frame++} frame==2' | sed -n '7,30p' > "$OUT/top-threads.txt" ) &
TOPS=$!
# (jcmd wants async-profiler's options quoted)
( sleep $WARMUP; [ -n "$ASPROF" ] && jcmd $SVC JVMTI.agent_load "$ASPROF" "\"start,event=itimer,interval=1ms\"" > /dev/null ) &
bench --mode service --steps 10 --chains 32 --out "$OUT/load.json" > /dev/null
[ -n "$ASPROF" ] && jcmd $SVC JVMTI.agent_load "$ASPROF" "\"stop,file=$PWD/$OUT/cpu.collapsed,collapsed\"" > /dev/null
wait $SAMPLER || true
wait $TOPS || true
jcmd $SVC JFR.dump name=bench filename="$PWD/$OUT/service.jfr" > /dev/null
cat "$OUT/load.json"

say "CPU by process (%, 100 = one core; 10 s under load)"
cat "$OUT/top-processes.txt"
say "CPU by thread of the service"
cat "$OUT/top-threads.txt"

say "PostgreSQL backends, by what they were doing (samples)"
grep -v '^$' "$OUT/pg-activity.txt" | sort | uniq -c | sort -rn | head -25 > "$OUT/pg-activity-top.txt" || true
cat "$OUT/pg-activity-top.txt"
if $statements; then
  say "Statements by total time"
  psql -h 127.0.0.1 -U postgres -d $DB -c "SELECT calls, round(total_exec_time::numeric, 1) AS total_ms, \
    round(mean_exec_time::numeric, 3) AS mean_ms, rows, left(regexp_replace(query, '\s+', ' ', 'g'), 90) AS query \
    FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = '$DB') \
    ORDER BY total_exec_time DESC LIMIT 25" | tee "$OUT/pg-statements.txt"
fi

if [ -s "$OUT/cpu.collapsed" ]; then
  say "JVM (async-profiler, all threads): CPU by frame, self and with callees"
  python3 - "$OUT/cpu.collapsed" <<'PY' | tee "$OUT/cpu-hot.txt"
import sys, collections
self_c, incl, ours, threads, n = collections.Counter(), collections.Counter(), collections.Counter(), collections.Counter(), 0
for line in open(sys.argv[1]):
    stack, _, count = line.rstrip().rpartition(' ')
    k = int(count); n += k
    frames = stack.split(';')
    self_c[frames[-1]] += k
    for f in set(frames):
        incl[f] += k
    mine = [f for f in frames if f.startswith('dev/scanflow')]
    ours[mine[-1] if mine else '(no Scanflow frame)'] += k
for title, c in (("self", self_c), ("with callees", incl), ("deepest Scanflow frame", ours)):
    print(f"\n-- {title}")
    for f, k in c.most_common(30):
        print(f"{100.0 * k / max(n, 1):5.1f}%  {f}")
PY
fi

say "JVM (JFR): hottest methods (share of execution samples)"
jfr print --events jdk.ExecutionSample "$OUT/service.jfr" > "$OUT/samples.txt"
python3 - "$OUT/samples.txt" <<'PY' | tee "$OUT/jvm-hot.txt"
import re, sys, collections
self_c, incl, ours, n = collections.Counter(), collections.Counter(), collections.Counter(), 0
frames = None
for line in open(sys.argv[1]):
    line = line.strip()
    if line.startswith('stackTrace = ['):
        frames = []
    elif frames is not None and (line == ']' or line.startswith('truncated')):
        if frames:
            n += 1
            self_c[frames[0]] += 1
            for f in set(frames):
                incl[f] += 1
            first_ours = next((f for f in frames if f.startswith('dev.scanflow')), None)
            if first_ours:
                ours[first_ours] += 1
        frames = None
    elif frames is not None and line and line != '...':
        frames.append(re.sub(r'\s+line:.*', '', line))
print(f"{n} samples")
for title, c in (("self", self_c), ("with callees", incl), ("nearest Scanflow frame", ours)):
    print(f"\n-- {title}")
    for f, k in c.most_common(25):
        print(f"{100.0 * k / max(n, 1):5.1f}%  {f}")
PY
