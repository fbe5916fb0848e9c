#!/usr/bin/env bash
# Renders bench/out/*.json as Markdown (medians of the repeated phases, ratios to the bare loop).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/out
smoke=${1:-false}
m() { jq -s "map(.$2 // 0) | sort | .[length/2|floor]" "$OUT"/$1-*.json; }
r() { jq -n "$1" | awk '{printf "%.2f", $1}'; }
f() { awk -v v="$1" 'BEGIN{printf "%.2f", v}'; }
# the median of a figure some runs may lack (pg_stat_statements not loaded): "n/a" then
o() { local v; v=$(jq -s "map(.$2 // empty) | sort | if length == 0 then \"n/a\" else .[length/2|floor] end" "$OUT"/$1-*.json | tr -d '"'); [ "$v" = "n/a" ] && echo n/a || f "$v"; }
bare=$(m bare transitions_per_s); sat=$(m sat10 transitions_per_s)
cat <<MD
# Benchmark results
$( $smoke && echo "> SMOKE RUN: a few seconds per phase; the figures prove the benchmark runs, not how fast Scanflow is." )

- Command: \`bench/run.sh\`; date: $(date -u +%Y-%m-%dT%H:%MZ)
- Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(free -g | awk '/Mem:/{print $2}') GiB;
  PostgreSQL $(psql -tAh 127.0.0.1 -U postgres -c 'show server_version' | cut -d' ' -f1), nats-server $(nats-server --version | awk '{print $NF}'),
  $(java -version 2>&1 | head -1); everything on this one machine.
- Medians of $(ls $OUT/sat10-*.json | wc -l) runs where repeated; 32 runs (chains) in flight.

$(if [ -f $OUT/peer/summary.json ]; then P=$OUT/peer/summary.json
  pv() { jq ".$1" $P; }
  echo "## Against the peer: $(jq -r .peer $P), measured just before, same workload and machine"
  echo
  echo "| | Scanflow | $(jq -r .peer $P) | Scanflow / peer | target |"
  echo "|---|---|---|---|---|"
  echo "| transitions/s at saturation | $(f $sat) | $(f $(pv sat_median_tps)) | **$(r "$sat / $(pv sat_median_tps)")** | ≥ 1.5 |"
  echo "| p50 ms at ~50 % load | $(f $(m half latency_p50_ms)) | $(f $(pv half_median_p50)) | **$(r "$(m half latency_p50_ms) / $(pv half_median_p50)")** | ≤ 2 |"
  echo "| p99 ms at ~50 % load | $(f $(m half latency_p99_ms)) | $(f $(pv half_median_p99)) | **$(r "$(m half latency_p99_ms) / $(pv half_median_p99)")** | ≤ 2 |"
  echo "| p99 ms at saturation | $(f $(m sat10 latency_p99_ms)) | $(f $(pv sat_median_p99)) | $(r "$(m sat10 latency_p99_ms) / $(pv sat_median_p99)") | |"
  echo "| rows written/transition | $(f $(m sat10 rows_written_per_transition)) | $(f $(pv sat_median_rows_written_per_transition)) | $(r "$(m sat10 rows_written_per_transition) / $(pv sat_median_rows_written_per_transition)") | Scanflow ≤ 6 |"
  echo "| commits/transition | $(f $(m sat10 commits_per_transition)) | $(f $(pv sat_median_commits_per_transition)) | $(r "$(m sat10 commits_per_transition) / $(pv sat_median_commits_per_transition)") | |"
  echo "| Scanflow / bare loop throughput | $(r "$sat / $bare") | | | ≥ 0.5 |"
fi)

## Saturation (chain of 10 steps)

| | transitions/s | p50 ms | p95 ms | p99 ms | commits/transition | statements/transition | rows written/transition | runs/s | service CPU (cores) | service RSS MB |
|---|---|---|---|---|---|---|---|---|---|---|
| bare loop | $(f $bare) | $(f $(m bare latency_p50_ms)) | $(f $(m bare latency_p95_ms)) | $(f $(m bare latency_p99_ms)) | $(f $(m bare commits_per_transition)) | $(o bare statements_per_transition) | 3 | | | |
| Scanflow | $(f $sat) | $(f $(m sat10 latency_p50_ms)) | $(f $(m sat10 latency_p95_ms)) | $(f $(m sat10 latency_p99_ms)) | $(f $(m sat10 commits_per_transition)) | $(o sat10 statements_per_transition) | $(f $(m sat10 rows_written_per_transition)) | $(f $(m sat10 runs_per_s)) | $(f $(m sat10 service_cpu_cores)) | $(f $(m sat10 service_rss_mb)) |

Memory: the service ran with \`$(cat $OUT/jvm-options.txt 2>/dev/null || echo "(not recorded)")\`$( [ -f $OUT/cgroup-peak-mb.txt ] && echo ", inside a memory cgroup limited to $(cat $OUT/cgroup-limit-mb.txt) MiB (peak use $(cat $OUT/cgroup-peak-mb.txt) MiB, page cache included)");
RSS at saturation $(o sat10 service_rss_mb) MB; GC pauses $(o sat10 gc_pause_percent) % of the time ($(o sat10 gc_pauses) pauses in a phase).

HOT updates (no index entry written) on the tables a transition updates: **$(o sat10 hot_update_percent) %**
($(jq -c '.updates_by_table // {} | with_entries(.value = (.value.hot_percent | round))' $OUT/sat10-1.json) % by table);
backends idle in transaction (inside a transaction, waiting for the service): **$(o sat10 idle_in_transaction_percent) %**
of the samples that found a backend in a transaction (every 20 ms).

Commits and statements count every transaction and statement in the database during the
measurement, run starts over HTTP and read-only ones included; statements include BEGIN and
COMMIT.

Scanflow / bare loop throughput: **$(r "$sat / $bare")**.

## Latency at about 50 % of saturation

Workers wait $(jq .delay_ms $OUT/half-1.json) ms per step; latency is from a worker's result
being published to the next command arriving (the worker's wait excluded).

| | transitions/s | p50 ms | p95 ms | p99 ms |
|---|---|---|---|---|
| bare loop | $(f $(m barehalf transitions_per_s)) | $(f $(m barehalf latency_p50_ms)) | $(f $(m barehalf latency_p95_ms)) | $(f $(m barehalf latency_p99_ms)) |
| Scanflow | $(f $(m half transitions_per_s)) | $(f $(m half latency_p50_ms)) | $(f $(m half latency_p95_ms)) | $(f $(m half latency_p99_ms)) |

p50 difference: $(r "$(m half latency_p50_ms) - $(m barehalf latency_p50_ms)") ms; p99 ratio: $(r "$(m half latency_p99_ms) / $(m barehalf latency_p99_ms)").

## Shapes (one run each)

| pipeline | transitions/s | runs/s | p50 ms | p99 ms | commits/transition |
|---|---|---|---|---|---|
| 1 step (a run is one command and one result: no step-to-step transition) | — | $(f $(m sat1 runs_per_s)) | — | — | — |
$(for s in sat5:"chain of 5" fan5:"fan-out 1 -> 4" sat10:"chain of 10"; do k=${s%%:*}; n=${s#*:};
  echo "| $n | $(f $(m $k transitions_per_s)) | $(f $(m $k runs_per_s)) | $(f $(m $k latency_p50_ms)) | $(f $(m $k latency_p99_ms)) | $(f $(m $k commits_per_transition)) |"; done)

## Fair share (chain of 10, 32 chains, one worker of 16 slots: steps wait for slots)

| | transitions/s | ratio to one tenant | p50 ms | p99 ms | each tenant's share of the transitions |
|---|---|---|---|---|---|
$(if ls $OUT/fair1-*.json > /dev/null 2>&1; then
  echo "| one tenant | $(f $(m fair1 transitions_per_s)) | 1.00 | $(f $(m fair1 latency_p50_ms)) | $(f $(m fair1 latency_p99_ms)) | |"
  echo "| four tenants, equal weights | $(f $(m fair4 transitions_per_s)) | $(r "$(m fair4 transitions_per_s) / $(m fair1 transitions_per_s)") | $(f $(m fair4 latency_p50_ms)) | $(f $(m fair4 latency_p99_ms)) | $(jq -c '.tenant_shares | map(. * 100 | round / 100)' $OUT/fair4-1.json) |"
  echo
  echo "What fairness costs: **$(r "(1 - $(m fair4 transitions_per_s) / $(m fair1 transitions_per_s)) * 100") %** of one tenant's throughput on the same worker (target: under 10 %)."
else
  echo "| four tenants, equal weights | $(f $(m fair4 transitions_per_s)) | (smoke: one tenant not run) | $(f $(m fair4 latency_p50_ms)) | $(f $(m fair4 latency_p99_ms)) | $(jq -c '.tenant_shares | map(. * 100 | round / 100)' $OUT/fair4-1.json) |"
fi)

## Scaling with waiting runs in the database

| waiting runs | transitions/s | ratio to the first measurement | p50 ms | p99 ms |
|---|---|---|---|---|
| ~0 | $(f $sat) | 1.00 | $(f $(m sat10 latency_p50_ms)) | $(f $(m sat10 latency_p99_ms)) |
$(for f in $(ls $OUT/waiting*-1.json 2>/dev/null | sort -V); do lvl=$(basename $f .json | sed 's/waiting//; s/-1//');
  echo "| $lvl | $(f $(jq .transitions_per_s $f)) | $(r "$(jq .transitions_per_s $f) / $sat") | $(f $(jq .latency_p50_ms $f)) | $(f $(jq .latency_p99_ms $f)) |"; done)

Idle service with $(jq .waiting_runs $OUT/idle-1.json) waiting runs: **$(f $(jq .idle_cpu_percent_of_one_core $OUT/idle-1.json)) %** of one core.

| scheduled pipelines (yearly cron), with the waiting runs above | idle CPU, % of one core |
|---|---|
$(for f in $(ls $OUT/schedules*-1.json 2>/dev/null | sort -V); do echo "| $(jq .scheduled_pipelines $f) | $(f $(jq .idle_cpu_percent_of_one_core $f)) |"; done)

## Scheduled burst: one fire for $(jq .assets $OUT/burst-1.json) assets

$(jq .workers $OUT/burst-1.json) workers of $(jq .worker_concurrency $OUT/burst-1.json) slots whose steps hold (they never answer); fired
through \`POST .../schedules/burst/fire\` (the CronJob's path; the planner is the scheduler's).

| runs started | first commands received | fire answered (s) | fire to last first command (s) | fire to first command p50 / p99 (s) | API p50 / p99 during the burst (ms, another tenant's run list) | PostgreSQL growth (MB) |
|---|---|---|---|---|---|---|
| $(jq .runs_started $OUT/burst-1.json) | $(jq .runs_dispatched $OUT/burst-1.json) | $(f $(jq .fire_answered_s $OUT/burst-1.json)) | $(f $(jq '.fire_to_last_dispatch_s // 0' $OUT/burst-1.json)) | $(f $(jq '.fire_to_first_command_p50_s // 0' $OUT/burst-1.json)) / $(f $(jq '.fire_to_first_command_p99_s // 0' $OUT/burst-1.json)) | $(f $(jq '.api_p50_ms // 0' $OUT/burst-1.json)) / $(f $(jq '.api_p99_ms // 0' $OUT/burst-1.json)) | $(f $(jq .database_growth_mb $OUT/burst-1.json)) |

## Findings: one step reports $(jq .findings $OUT/findings-1.json) findings

$(jq .chunks $OUT/findings-1.json) chunks of at most 500 findings, one in ten sent twice (as after lost acks), then the
result; timed from the first chunk sent to the run completed (the worker's chunk publishes included).

| run | seconds | findings/s | rows in findings | rows in finding_observations | heap before MB | heap peak MB |
|---|---|---|---|---|---|---|
| first (all new) | $(f $(jq .new_seconds $OUT/findings-1.json)) | $(f $(jq .new_findings_per_s $OUT/findings-1.json)) | $(jq .finding_rows $OUT/findings-1.json) | | $(f $(jq .heap_before_mb $OUT/findings-1.json)) | $(jq .new_heap_peak_mb $OUT/findings-1.json) |
| second (all unchanged) | $(f $(jq .unchanged_seconds $OUT/findings-1.json)) | $(f $(jq .unchanged_findings_per_s $OUT/findings-1.json)) | $(jq .finding_rows $OUT/findings-1.json) | $(jq .observation_rows $OUT/findings-1.json) | | $(jq .unchanged_heap_peak_mb $OUT/findings-1.json) |

The findings table (with its indexes and TOAST) holds $(f $(jq .findings_table_mb $OUT/findings-1.json)) MB.
MD
