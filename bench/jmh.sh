#!/usr/bin/env bash
# JMH micro-benchmarks of the pure core: condition evaluation (compiled once vs. compiled each
# time) and the decider on a 50-step DAG. Results in bench/out/jmh.json and bench/out/jmh.txt.
#   bench/jmh.sh            the full run (about 5 minutes)
#   bench/jmh.sh --smoke    one short iteration each, in this JVM (CI: proves they run)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/out; mkdir -p "$OUT"
ARGS=()
[ "${1:-}" = "--smoke" ] && ARGS=(-wi 1 -w 200ms -i 1 -r 300ms -f 0)
./mvnw -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt \
  -Dmdep.includeScope=test > /dev/null
java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" org.openjdk.jmh.Main \
  'dev\.scanflow\.bench\.jmh\..*' "${ARGS[@]}" -rf json -rff "$OUT/jmh.json" | tee "$OUT/jmh.txt"
jq -e 'length > 0 and all(.primaryMetric.score > 0)' "$OUT/jmh.json" > /dev/null
