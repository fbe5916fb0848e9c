#!/usr/bin/env bash
# The Scanflow demo, on this machine:
#  1. PostgreSQL and NATS (JetStream) up, and the real scanners the reference worker runs here
#     (scripts/install-scanners.sh: nmap, testssl.sh, ffuf, Trivy, secretlint, ESLint), installed
#     where missing;
#  2. builds and starts Scanflow on http://127.0.0.1:8080 (QUARKUS_HTTP_PORT), listening on
#     127.0.0.1 only: it trusts the public development key pair (dev/keys/) and seals secrets
#     with a key generated once into .scanflow-dev/secrets.key (scripts/lib/common.sh);
#  3. registers and starts the reference scanner worker w-demo-1 (bin/scanflow-worker,
#     examples/worker-local.yaml);
#  4. lists the five system templates with what the worker covers, makes the tenant's own
#     pipeline "Full Security Scan (demo)" from the system template with one call
#     (POST /api/v1/pipeline-templates/.../use; once: later demos reuse it), and runs it twice:
#     on a repository with planted problems (asset demo/planted-repo, a copy of
#     examples/planted-repo) and on a local web application that exposes files (asset
#     demo-shop: python3 -m http.server on 127.0.0.1:8081, SCANFLOW_DEMO_WEB_PORT); each step's
#     findings, the skipped steps with their reasons, and the totals are printed.
# scripts/demo.sh --infra instead uses "Infrastructure Scan" on a TLS server on 127.0.0.1:8443
# (nmap, then nmap's TLS vulnerability scripts and testssl.sh because the port speaks TLS).
# scripts/demo.sh --schedule runs Scanflow with a schedule clock 60 times faster than real time
# and shows a `* * * * *` schedule firing (about one fire per second) with its overlap rule.
# Every process it starts is recorded in .scanflow-dev/ (SCANFLOW_STATE_DIR) with its log;
# stop them all with: scripts/dev-down.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
D=$STATE/demo    # this demo's files, pid files and logs
MODE=normal
FLOW=templates
case "${1:-}" in
  --infra) FLOW=infra ;;
  --schedule)
    FLOW=schedule
    MODE=schedule-60x
    export SCANFLOW_SCHEDULES_CLOCK_SPEED=60
    SCANFLOW_SCHEDULES_CLOCK_EPOCH=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    export SCANFLOW_SCHEDULES_CLOCK_EPOCH ;;
  "") ;;
  *) echo "usage: scripts/demo.sh [--infra | --schedule]" >&2; exit 2 ;;
esac
export SCANFLOW_MODE=$MODE

say "PostgreSQL, NATS and the scanners"
scripts/ensure-services.sh   # also installs the scanners (scripts/install-scanners.sh)
ensure_commands jq:jq curl:curl openssl:openssl column:bsdextrautils python3:python3 git:git
build_if_needed
start_scanflow

if [ "$FLOW" != templates ]; then
  say "A local target: TLS on 127.0.0.1:$TLS_PORT (openssl s_server, self-signed)"
  [ -f "$D/cert.pem" ] || openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=localhost" \
      -keyout "$D/key.pem" -out "$D/cert.pem" 2>/dev/null
  start_bg "$D/target.pid" "$D/target.log" "$TLS_PORT" \
    openssl s_server -accept "127.0.0.1:$TLS_PORT" -cert "$D/cert.pem" -key "$D/key.pem" -www -quiet
  wait_port "$TLS_PORT" "$D/target.pid" "$D/target.log" "the TLS target"
  echo "listening (pid $(cat "$D/target.pid"))"
fi

say "The reference worker (examples/worker-local.yaml; log: $D/worker.log)"
# Workers are registered before they work: a shared one, so by a platform admin. (Its NATS nkey
# is not used here: the local NATS has no authentication.)
PLATFORM=$(bin/mint-token --role platform-admin --sub demo-platform)
# what examples/worker-local.yaml offers (its capabilities; each entry's tool, else its key)
WORKER_CAPS='["sast","sca","secrets","iac","dast","container","sbom","api_discovery","fuzzing","network","tls"]'
WORKER_TOOLS='["eslint","trivy","secretlint","ffuf","nmap","swagger","testssl"]'
REGISTRATION="{\"worker_id\":\"w-demo-1\",\"tenant_id\":null,\"capabilities\":$WORKER_CAPS,\"tools\":$WORKER_TOOLS,\"max_concurrency\":4}"
registered=$(curl -s "$BASE/api/v1/workers/w-demo-1" -H "Authorization: Bearer $PLATFORM" |
  jq -c '[.registered_capabilities, .registered_tools, .registered_max_concurrency, .tenant_id] | select(.[0] != null)')
if [ "$registered" = "$(jq -c '[.capabilities, .tools, .max_concurrency, .tenant_id]' <<<"$REGISTRATION")" ]; then
  echo "w-demo-1 is registered already, as this demo registers it"
else
  if [ -n "$registered" ]; then # registered by an earlier demo with other capabilities: again
    curl -sf -o /dev/null -X DELETE -H "Authorization: Bearer $PLATFORM" "$BASE/api/v1/workers/w-demo-1"
    stop_pidfile "$D/worker.pid" "the demo worker (restarted on its new registration)"
  fi
  # the answer holds the worker's nkey seed, shown once; the demo does not use it (the local NATS has
  # no authentication), so it is dropped and nothing secret stays on disk
  answer=$(curl -sS --fail-with-body -H "Authorization: Bearer $PLATFORM" \
    -H 'Content-Type: application/json' "$BASE/api/v1/workers" -d "$REGISTRATION") || { echo "$answer"; exit 1; }
  jq 'del(.nats.seed)' <<<"$answer" > "$D/registration.json"
  unset answer
  echo "registered w-demo-1: $(jq -c '{worker_id: .worker.worker_id, capabilities: .worker.registered_capabilities, nats_nkey: .nats.nkey}' "$D/registration.json")"
fi
worker_config=examples/worker-local.yaml
if [ "${SCANFLOW_NATS_SUBJECT_PREFIX:-scanflow}" != scanflow ]; then
  # the service uses other subjects (SCANFLOW_NATS_SUBJECT_PREFIX): the worker too
  sed "s/^subject_prefix: .*/subject_prefix: $SCANFLOW_NATS_SUBJECT_PREFIX/" examples/worker-local.yaml > "$D/worker.yaml"
  echo "config_dir: $ROOT/examples" >> "$D/worker.yaml"
  worker_config=$D/worker.yaml
fi
SCANFLOW_WORKER_ID=w-demo-1 start_bg "$D/worker.pid" "$D/worker.log" - bin/scanflow-worker --config "$worker_config"
TOKEN=$(bin/mint-token --role admin --sub demo-admin)
auth=(-H "Authorization: Bearer $TOKEN")
deadline=$((SECONDS + 60))
until [ "$(curl -s "${auth[@]}" "$BASE/api/v1/workers/w-demo-1" | jq -r .status)" = online ]; do
  [ $SECONDS -lt $deadline ] && running "$D/worker.pid" || { echo "the worker did not come online"; tail "$D/worker.log"; exit 1; }
  sleep 0.3
done
curl -s "${auth[@]}" "$BASE/api/v1/workers/w-demo-1" | jq -c '{worker_id, status, capabilities, tools, max_concurrency}'

if [ "$FLOW" = templates ]; then
  say "The system templates, and what this tenant's online workers cover"
  bin/scanflow --url "$BASE" --token "$TOKEN" templates list

  say "A notification channel: a signed webhook to a local receiver (127.0.0.1:$RECEIVER_PORT)"
  : > "$D/notifications.jsonl"   # this demo's notifications only
  start_bg "$D/receiver.pid" "$D/receiver.log" "$RECEIVER_PORT" \
    python3 scripts/lib/receiver.py "$RECEIVER_PORT" "$D/notifications.jsonl"
  wait_port "$RECEIVER_PORT" "$D/receiver.pid" "$D/receiver.log" "the notification receiver"
  curl -s -o /dev/null -X DELETE "${auth[@]}" "$BASE/api/v1/notification-channels/demo-siem"
  curl -sf "${auth[@]}" -H 'Content-Type: application/json' \
    -d "{\"name\": \"demo-siem\", \"type\": \"webhook\", \"url\": \"http://127.0.0.1:$RECEIVER_PORT/siem\"}" \
    "$BASE/api/v1/notification-channels" | jq -c '{name, type, url, secret: (.secret[0:12] + "… (shown once)")}'

  say "Your own pipeline from \"Full Security Scan\", in one call"
  name="Full Security Scan (demo)"
  curl -sf "${auth[@]}" "$BASE/api/v1/pipelines?name=$(jq -rn --arg n "$name" '$n | @uri')" |
    jq --arg n "$name" '[.items[] | select(.name == $n)][0] // empty' > "$D/pipeline.json"
  if [ -s "$D/pipeline.json" ]; then
    echo "made by an earlier demo (use answers 409 for a name that is taken):"
  else
    curl -sf "${auth[@]}" -H 'Content-Type: application/json' \
      -d "{\"name\": \"$name\", \"steps\": {\"dast\": {\"config\": {\"rate_limit\": 20}}},
           \"settings\": {\"notification\": {\"on_completion\": true, \"on_failure\": true, \"channels\": [\"demo-siem\"]}}}" \
      "$BASE/api/v1/pipeline-templates/full-security-scan/use" > "$D/pipeline.json"
  fi
  PIPELINE=$(jq -r .id "$D/pipeline.json")
  curl -sf "${auth[@]}" "$BASE/api/v1/pipelines/$PIPELINE" |
    jq -c '{id, name, version, derived_from: .derived_from | {slug, version, update_available}, steps: [.steps[].id]}'

  say "Targets: a repository with planted problems, and a web application that exposes files"
  rm -rf "$D/planted-repo"
  cp -r examples/planted-repo "$D/planted-repo"
  git -C "$D/planted-repo" init -q --initial-branch=main
  git -C "$D/planted-repo" -c user.email=demo@example.com -c user.name=demo add .
  git -C "$D/planted-repo" -c user.email=demo@example.com -c user.name=demo commit -q -m "planted problems"
  mkdir -p "$D/webroot/.git"
  echo "DB_PASSWORD=demo-not-a-secret" > "$D/webroot/.env"
  printf '[core]\n\trepositoryformatversion = 0\n' > "$D/webroot/.git/config"
  echo "<h1>shop</h1>" > "$D/webroot/index.html"
  start_bg "$D/web.pid" "$D/web.log" "$WEB_PORT" \
    python3 -m http.server "$WEB_PORT" --bind 127.0.0.1 --directory "$D/webroot"
  wait_port "$WEB_PORT" "$D/web.pid" "$D/web.log" "the web target"
  asset() { # TYPE NAME URL: the asset's id (PUT /assets:apply: created once, its url kept current)
    curl -sf "${auth[@]}" -X PUT -H 'Content-Type: application/json' \
      -d "{\"type\":\"$1\",\"name\":\"$2\",\"url\":\"$3\",\"tags\":[\"demo\"]}" "$BASE/api/v1/assets:apply" | jq -r .id
  }
  REPO=$(asset repository demo/planted-repo "file://$D/planted-repo")
  WEB=$(asset web_application demo-shop "http://127.0.0.1:$WEB_PORT")
  echo "repository demo/planted-repo $REPO (file://$D/planted-repo)"
  echo "web application demo-shop $WEB (http://127.0.0.1:$WEB_PORT)"

  show() { # RUN: each step's outcome, findings by severity, what ran it, the totals and what changed
    curl -s "${auth[@]}" "$BASE/api/v1/pipeline-runs/$1" > "$D/run.json"
    jq -r '"run \(.id): \(.status), \(.total_findings) findings; \(.completed_steps) steps completed, \(.skipped_steps) skipped"' \
      "$D/run.json"
    # what the run changed on the asset: on a second demo, nothing new and nothing fixed
    jq -r 'select(.new_findings_count != null) | "  findings on the asset: \(.new_findings_count) new, \(.fixed_findings_count) fixed, \(.unchanged_findings_count) unchanged (GET /api/v1/pipeline-runs/\(.id)/findings)"' \
      "$D/run.json"
    jq -r '.step_runs[] | "  \(.step_id)\t\(.status)\t\(
         if .status == "completed" then "\(.findings_count) findings \(.findings_by_severity // {} | tostring)\(
           if .output.component_count then ", \(.output.component_count) components" else "" end)  by \(.output.tool)\(
           if .output.substituted_for then " (for \(.output.substituted_for))" else "" end)"
         else (.skip_reason // .error_message // "") end)"' "$D/run.json" | column -t -s $'\t'
  }
  for target in "$REPO repository" "$WEB web application"; do
    set -- $target
    say "Run on the ${*:2}"
    RUN=$(curl -sf "${auth[@]}" -H 'Content-Type: application/json' -d "{\"asset_id\":\"$1\"}" \
      "$BASE/api/v1/pipelines/$PIPELINE/run" | jq -r .id)
    bin/scanflow-watch "$RUN" --url "$BASE" --token "$TOKEN" > "$D/watch.log" 2>&1 || true
    show "$RUN"
  done
  say "Notifications the local receiver got (signed per Standard Webhooks)"
  deadline=$((SECONDS + 20))
  until [ "$(wc -l < "$D/notifications.jsonl")" -ge 2 ] || [ $SECONDS -ge $deadline ]; do sleep 0.3; done
  jq -r '"\(.headers["webhook-id"])  \(.body.event)  \(.body.data.pipeline_name) on \(.body.data.asset_name): \(.body.data.total_findings) findings  signature \(.headers["webhook-signature"][0:16])…"' \
    "$D/notifications.jsonl" | tail -n 2
  echo "deliveries of the last run: $(curl -s "${auth[@]}" "$BASE/api/v1/pipeline-runs/$RUN/notifications" |
    jq -c '[.items[] | {channel, status, attempts}]')"
  cat <<TXT

What just happened: "use" made this tenant's own copy of the Full Security Scan system template
(derived_from says which version; GET /api/v1/pipelines says when a newer one ships). Scanflow
sent each step to w-demo-1 over NATS. The worker has no semgrep, gitleaks, checkov or nuclei,
so it ran the tools it has for those capabilities (examples/worker-local.yaml): ESLint's security
rules, Trivy, secretlint, ffuf. On the repository the dynamic scan was skipped by its condition;
on the web application the repository scans were.

Scanflow:   $BASE (127.0.0.1 only; Swagger UI: $BASE/q/swagger-ui, OpenAPI: $BASE/q/openapi)
Worker:     w-demo-1 (log: $D/worker.log); Scanflow's log: $STATE/scanflow.log
Step logs:  curl -H "Authorization: Bearer \$(bin/mint-token)" $BASE/api/v1/pipeline-runs/$RUN/steps/dast/logs
Next:       the README's walkthrough (export SCANFLOW_URL=$BASE first if that is not http://127.0.0.1:8080)
Infrastructure instead (nmap, TLS checks): scripts/demo.sh --infra
Stop everything the demo started: scripts/dev-down.sh
TXT
  exit 0
fi

say "Template and asset"
ASSET=$(curl -sf "${auth[@]}" -X PUT -H 'Content-Type: application/json' \
  -d '{"type":"server","name":"127.0.0.1","tags":["demo"],"criticality":"low"}' "$BASE/api/v1/assets:apply" | jq -r .id)
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
  - {id: tls, tool: testssl, capabilities: [tls], config: {port: $TLS_PORT}, timeout: 5m}
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
overrides="{\"name\": \"$name\"}"
if [ "$TLS_PORT" != 8443 ]; then # the template's port list has 8443, not this one: add it
  overrides=$(curl -sf "${auth[@]}" "$BASE/api/v1/pipeline-templates/infrastructure-scan" |
    jq -c --arg n "$name" --arg p "$TLS_PORT" \
      '{name: $n, steps: {port_scan: {config: {ports: ((.steps[] | select(.id == "port_scan") | .config.ports) + "," + $p)}}}}')
fi
PIPELINE=$(curl -sf "${auth[@]}" -H 'Content-Type: application/json' -d "$overrides" \
  "$BASE/api/v1/pipeline-templates/infrastructure-scan/use" | jq -r .id)
echo "pipeline $PIPELINE ($name, from the Infrastructure Scan system template)"

say "Run"
RUN=$(curl -sf "${auth[@]}" -H 'Content-Type: application/json' -d "{\"asset_id\":\"$ASSET\"}" \
  "$BASE/api/v1/pipelines/$PIPELINE/run" | jq -r .id)
echo "run $RUN"
bin/scanflow-watch "$RUN" --url "$BASE" --token "$TOKEN" || true

say "Result"
curl -s "${auth[@]}" "$BASE/api/v1/pipeline-runs/$RUN" | jq '{status, total_findings, steps: [.step_runs[] |
  {step_id, status, worker_id, findings_count, findings_by_severity, skip_reason,
   open_ports: .output.open_ports, tls_findings: ([.output.findings[]?.id] | .[0:6])}]}'
echo
echo "Events of the run: $BASE/api/v1/pipeline-runs/$RUN/history (and as Server-Sent Events at .../events)"
echo "Logs of the TLS step: curl -H \"Authorization: Bearer \$(bin/mint-token)\" $BASE/api/v1/pipeline-runs/$RUN/steps/ssl_check/logs"
cat <<TXT

What just happened: "use" made this tenant's pipeline from the Infrastructure Scan system
template. Scanflow dispatched the port scan to w-demo-1 over NATS; the worker ran nmap, which
reported the open ports and, from the certificate it read, that $TLS_PORT speaks TLS. The vulnerability
scan (nuclei in the template; nmap's TLS vulnerability scripts on this worker) and the TLS check
(testssl.sh, on the first TLS port) then ran, because their conditions held.

Try failover: register and start a second worker, run again and stop the first one during the
TLS step (kill \$(cat $D/worker.pid)); after 3 missed heartbeats (30 s) the step moves on:
  curl -H "Authorization: Bearer \$(bin/mint-token --role platform-admin)" -H 'Content-Type: application/json' \\
    -d '{"worker_id":"w-demo-2","tenant_id":null,"capabilities":$WORKER_CAPS,"tools":$WORKER_TOOLS}' \\
    $BASE/api/v1/workers
  SCANFLOW_WORKER_ID=w-demo-2 bin/scanflow-worker --config $worker_config &
Drain a worker: curl -X POST -H "Authorization: Bearer \$(bin/mint-token --role platform-admin)" \\
  $BASE/api/v1/workers/w-demo-1/drain

Stop everything the demo started: scripts/dev-down.sh
TXT
