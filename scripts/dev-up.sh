#!/usr/bin/env bash
# Starts Scanflow on this machine with what it needs, and shows it doing its job:
#  1. makes sure PostgreSQL and NATS (JetStream) run (installs them where missing),
#  2. builds the service (./mvnw package) unless a build is already there,
#  3. starts it on http://127.0.0.1:8080 (QUARKUS_HTTP_PORT), listening on 127.0.0.1 only, with
#     the development key pair (dev/keys/) and a generated secrets key (scripts/lib/common.sh),
#  4. mints an admin token, creates the "Full Security Scan" template from YAML, reads it
#     back as YAML, edits a step (version 2) and shows a validation error.
# Stop it with: scripts/dev-down.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

say "PostgreSQL and NATS"
scripts/ensure-services.sh
ensure_commands jq:jq curl:curl
build_if_needed
start_scanflow

TOKEN=$(bin/mint-token --role admin --sub demo-admin)
auth=(-H "Authorization: Bearer $TOKEN")
name="Full Security Scan $(date +%H%M%S)"

say "POST /api/v1/pipelines (YAML: examples/full-security-scan.yaml, named '$name')"
sed "s/^name: Full Security Scan$/name: $name/" examples/full-security-scan.yaml |
  curl -sf "${auth[@]}" -H 'Content-Type: application/yaml' --data-binary @- "$BASE/api/v1/pipelines" > "$STATE/dev-up-pipeline.json"
ID=$(jq -r .id "$STATE/dev-up-pipeline.json")
jq -c '{id, name, version, steps: [.steps[] | {id, tool, depends_on, condition: .condition.type}]}' "$STATE/dev-up-pipeline.json"

say "GET /api/v1/pipelines/$ID as YAML (first lines)"
curl -sf "${auth[@]}" -H 'Accept: application/yaml' "$BASE/api/v1/pipelines/$ID" | head -n 20

say "PUT /api/v1/pipelines/$ID/steps/sast (timeout 45m) -> version 2"
curl -sf "${auth[@]}" -X PUT -H 'Content-Type: application/json' \
  -d '{"name":"Static Analysis","tool":"semgrep","capabilities":["sast"],"timeout":"45m"}' \
  "$BASE/api/v1/pipelines/$ID/steps/sast" | jq -c '{version, sast: (.steps[] | select(.id == "sast") | {timeout})}'

say "A broken template gets a precise error (HTTP 422, application/problem+json)"
printf 'name: broken\nsteps:\n  - id: a\n    capabilities: [x]\n    depends_on: [b]\n  - id: b\n    capabilities: [x]\n    depends_on: [a]\n' |
  curl -s "${auth[@]}" -H 'Content-Type: application/yaml' --data-binary @- "$BASE/api/v1/pipelines" | jq -c '{status, errors}'

cat <<TXT

Scanflow runs at $BASE (OpenAPI: $BASE/q/openapi, health: $BASE/q/health).
Try it:   export TOKEN=\$(bin/mint-token --role admin)
          curl -H "Authorization: Bearer \$TOKEN" $BASE/api/v1/pipelines
Stop it:  scripts/dev-down.sh
TXT
