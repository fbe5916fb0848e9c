#!/usr/bin/env bash
# The OpenAPI document the build wrote (target/openapi/openapi.json, the same as /q/openapi):
#  1. lints it with Redocly's recommended rules (.redocly.yaml says which rule is off and why):
#     any error or warning fails;
#  2. generates a TypeScript client from it (openapi-generator, clients/typescript/pom.xml) and
#     type-checks it with tsc, so a spec a client cannot be made from fails the build.
# Run after ./mvnw package or verify.
set -euo pipefail
cd "$(dirname "$0")/.."
spec=target/openapi/openapi.json
[ -f "$spec" ] || { echo "no $spec: build first (./mvnw -B package)" >&2; exit 2; }
echo "[check-openapi] lint (@redocly/cli 2.77.0)"
out=$(npx --yes @redocly/cli@2.77.0 lint "$spec" --config .redocly.yaml --format=stylish 2>&1) || { echo "$out"; exit 1; }
if echo "$out" | grep -Eq '(error|warning) '; then
  echo "$out"; echo "[check-openapi] the lint reported problems" >&2; exit 1
fi
echo "$out" | grep -E 'valid|validated' || true
echo "[check-openapi] TypeScript client (openapi-generator 7.25.0, typescript-fetch) and tsc 5.9.3"
./mvnw -B -q -f clients/typescript/pom.xml generate-sources
(cd clients/typescript/target/client && npx --yes -p typescript@5.9.3 tsc --noEmit -p tsconfig.json)
echo "[check-openapi] $(ls clients/typescript/target/client/src/apis/*Api.ts | wc -l) API classes generated and type-checked"
