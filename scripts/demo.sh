#!/usr/bin/env bash
# The Scanflow demo, on this machine:
#  1. PostgreSQL and NATS (JetStream) up (installed where missing), and nmap, testssl, jq, openssl;
#  2. builds and starts Scanflow (http://127.0.0.1:8080, development key pair);
#  3. starts a local target: a TLS server on 127.0.0.1:8443 (openssl s_server);
#  4. registers and starts the reference scanner worker (bin/scanflow-worker, examples/worker.yaml);
#  5. creates the "Infrastructure Scan" template (nmap, then testssl if 8443 is open) and runs it
#     against the target, showing live progress, then the result.
# scripts/demo.sh --schedule instead runs Scanflow with a schedule clock 60 times faster than
# real time and shows a `* * * * *` schedule firing (about one fire per second) with its
# overlap rule at work.
# Stop everything it started with: scripts/dev-down.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
mkdir -p target/demo
MODE=normal
case "${1:-}" in
  --schedule)
    MODE=schedule-60x
    export SCANFLOW_SCHEDULES_CLOCK_SPEED=60
    SCANFLOW_SCHEDULES_CLOCK_EPOCH=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    export SCANFLOW_SCHEDULES_CLOCK_EPOCH ;;
  "") ;;
  *) echo "usage: scripts/demo.sh [--schedule]" >&2; exit 2 ;;
esac
export SCANFLOW_MODE=$MODE

say "PostgreSQL, NATS and the scanners"
scripts/ensure-services.sh
ensure_commands jq:jq curl:curl openssl:openssl nmap:nmap testssl:testssl.sh column:bsdextrautils
build_if_needed
start_scanflow

say "A local target: TLS on 127.0.0.1:8443 (openssl s_server, self-signed)"
if [ -f target/demo/target.pid ] && kill -0 "$(cat target/demo/target.pid)" 2>/dev/null; then
  echo "already running (pid $(cat target/demo/target.pid))"
else
  [ -f target/demo/cert.pem ] || openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=localhost" \
      -keyout target/demo/key.pem -out target/demo/cert.pem 2>/dev/null
  nohup openssl s_server -accept 127.0.0.1:8443 -cert target/demo/cert.pem -key target/demo/key.pem -www -quiet \
      > target/demo/target.log 2>&1 &
  echo $! > target/demo/target.pid
  deadline=$((SECONDS + 10))
  until (exec 3<>/dev/tcp/127.0.0.1/8443) 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "the target did not start"; cat target/demo/target.log; exit 1; }
    sleep 0.2
  done
  echo "listening (pid $(cat target/demo/target.pid))"
fi

say "The reference worker (examples/worker.yaml; log: target/demo/worker.log)"
# Workers are registered before they work: a shared one, so by a platform admin. (Its NATS nkey
# is not used here: the local NATS has no authentication.)
PLATFORM=$(bin/mint-token --role platform-admin --sub demo-platform)
status=$(curl -s -o target/demo/registration.json -w '%{http_code}' -H "Authorization: Bearer $PLATFORM" \
  -H 'Content-Type: application/json' "$BASE/api/v1/workers" \
  -d '{"worker_id":"w-demo-1","tenant_id":null,"capabilities":["network","tls","infra"],"tools":["nmap","testssl"],"max_concurrency":2}')
case "$status" in
  201) echo "registered w-demo-1: $(jq -c '{worker_id: .worker.worker_id, capabilities: .worker.registered_capabilities, nats_nkey: .nats.nkey}' target/demo/registration.json)" ;;
  409) echo "w-demo-1 is registered already" ;;
  *) echo "registering the worker answered $status:"; cat target/demo/registration.json; exit 1 ;;
esac
if [ -f target/demo/worker.pid ] && kill -0 "$(cat target/demo/worker.pid)" 2>/dev/null; then
  echo "already running (pid $(cat target/demo/worker.pid))"
else
  SCANFLOW_WORKER_ID=w-demo-1 nohup bin/scanflow-worker --config examples/worker.yaml > target/demo/worker.log 2>&1 &
  echo $! > target/demo/worker.pid
fi
TOKEN=$(bin/mint-token --role admin --sub demo-admin)
auth=(-H "Authorization: Bearer $TOKEN")
deadline=$((SECONDS + 30))
until [ "$(curl -s "${auth[@]}" "$BASE/api/v1/workers/w-demo-1" | jq -r .status)" = online ]; do
  [ $SECONDS -lt $deadline ] || { echo "the worker did not come online"; tail target/demo/worker.log; exit 1; }
  sleep 0.3
done
curl -s "${auth[@]}" "$BASE/api/v1/workers/w-demo-1" | jq -c '{worker_id, status, capabilities, tools, max_concurrency}'

say "Template and asset"
ASSET=$(curl -s "${auth[@]}" "$BASE/api/v1/assets?type=server&limit=200" | jq -r '.items[] | select(.name == "127.0.0.1") | .id' | head -n 1)
if [ -z "$ASSET" ]; then
  ASSET=$(curl -sf "${auth[@]}" -H 'Content-Type: application/json' \
    -d '{"type":"server","name":"127.0.0.1","tags":["demo"],"criticality":"low"}' "$BASE/api/v1/assets" | jq -r .id)
fi
echo "asset $ASSET (server 127.0.0.1)"

if [ "$MODE" = schedule-60x ]; then
  name="Minutely TLS check $(date +%Y%m%d-%H%M%S)"
  PIPELINE=$(curl -sf "${auth[@]}" -H 'Content-Type: application/yaml' --data-binary @- "$BASE/api/v1/pipelines" <<YAML | jq -r .id
name: $name
triggers:
  - type: schedule
    name: every-minute
    cron: "* * * * *"
    targets: [{asset_id: $ASSET}]
    overlap: skip
steps:
  - {id: tls, tool: testssl, capabilities: [tls], config: {port: 8443}, timeout: 5m}
YAML
)
  echo "pipeline $PIPELINE ($name): schedule every-minute, overlap skip"
  say "The schedule firing (schedule clock: 60 x real time, so a minute passes every second)"
  # a TLS check takes longer than a (fast) minute: fires that find the last run still active are skipped
  for i in 1 2 3 4 5 6 7 8; do
    sleep 2.5
    fired=$(curl -s "${auth[@]}" "$BASE/api/v1/pipelines/$PIPELINE/schedules/every-minute" | jq -c '{last_fire_at, next_fire_at}')
    outcomes=$(curl -s "${auth[@]}" "$BASE/api/v1/pipelines/$PIPELINE/trigger-outcomes?limit=200" |
      jq -c '[.items[].outcome] | group_by(.) | map({(.[0]): length}) | add')
    echo "$fired $outcomes"
  done
  say "Runs the schedule started"
  curl -s "${auth[@]}" "$BASE/api/v1/pipeline-runs?pipeline_id=$PIPELINE&limit=10" |
    jq -r '.items[] | "\(.created_at)  \(.status)  \(.trigger_type)  \(.triggered_by)"'
  say "What the overlap rule skipped (the previous run was still active)"
  curl -s "${auth[@]}" "$BASE/api/v1/pipelines/$PIPELINE/schedules/every-minute/outcomes?limit=5" |
    jq -r '.items[] | "\(.fire_at)  \(.outcome)  \(.reason // "")"'
  curl -s -o /dev/null -X POST "${auth[@]}" "$BASE/api/v1/pipelines/$PIPELINE/schedules/every-minute/pause"
  cat <<TXT

The schedule is paused now (POST .../schedules/every-minute/resume starts it again). Each fire
started one run on the asset unless the previous run was still active (overlap: skip), and each
skipped fire is recorded with its reason. Scanflow still runs with the fast schedule clock: run
scripts/demo.sh without --schedule to get the normal clock back, scripts/dev-down.sh to stop.
TXT
  exit 0
fi
name="Infrastructure Scan $(date +%Y%m%d-%H%M%S)"
PIPELINE=$(sed "s/^name: Infrastructure Scan$/name: $name/" examples/infrastructure-scan.yaml |
  curl -sf "${auth[@]}" -H 'Content-Type: application/yaml' --data-binary @- "$BASE/api/v1/pipelines" | jq -r .id)
echo "pipeline $PIPELINE ($name)"

say "Run"
RUN=$(curl -sf "${auth[@]}" -H 'Content-Type: application/json' -d "{\"asset_id\":\"$ASSET\"}" \
  "$BASE/api/v1/pipelines/$PIPELINE/run" | jq -r .id)
echo "run $RUN"
bin/scanflow-watch "$RUN" --token "$TOKEN" || true

say "Result"
curl -s "${auth[@]}" "$BASE/api/v1/pipeline-runs/$RUN" | jq '{status, total_findings, steps: [.step_runs[] |
  {step_id, status, worker_id, findings_count, findings_by_severity, skip_reason,
   open_ports: .output.open_ports, tls_findings: ([.output.findings[]?.id] | .[0:6])}]}'
echo
echo "Events of the run: $BASE/api/v1/pipeline-runs/$RUN/history (and as Server-Sent Events at .../events)"
echo "Logs of the TLS step: curl -H \"Authorization: Bearer \$(bin/mint-token)\" $BASE/api/v1/pipeline-runs/$RUN/steps/tls/logs"
cat <<TXT

What just happened: Scanflow dispatched the port scan to w-demo-1 over NATS; the worker ran
nmap, reported the open ports; the TLS step's condition (8443 in the open ports) held, so
testssl ran next on the same worker; the web scan's condition did not hold, so it was skipped.

Try failover: register and start a second worker, run again and stop the first one during the
TLS step (kill \$(cat target/demo/worker.pid)); after 3 missed heartbeats (30 s) the step moves on:
  curl -H "Authorization: Bearer \$(bin/mint-token --role platform-admin)" -H 'Content-Type: application/json' \\
    -d '{"worker_id":"w-demo-2","tenant_id":null,"capabilities":["network","tls","infra"],"tools":["nmap","testssl"]}' \\
    $BASE/api/v1/workers
  SCANFLOW_WORKER_ID=w-demo-2 bin/scanflow-worker --config examples/worker.yaml &
Drain a worker: curl -X POST -H "Authorization: Bearer \$(bin/mint-token --role platform-admin)" \\
  $BASE/api/v1/workers/w-demo-1/drain

Stop everything the demo started: scripts/dev-down.sh
TXT
