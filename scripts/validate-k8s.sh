#!/usr/bin/env bash
# Validates the deployment files; for CI and by hand. Checks, in order:
#   1. `kubectl kustomize` renders k8s/overlays/dev and k8s/overlays/prod, and prod with the
#      optional k8s/components/migrate-job, k8s/components/reference-worker and k8s/components/jvm;
#   2. every rendered object (and k8s/base/secret.example.yaml) validates against the
#      Kubernetes API schemas: k8s/.validate/validate.js with the pinned kubernetes-models
#      (types, enums, required fields, formats, and no unknown fields);
#   3. the prod overlay renders no Secret (its secrets are created by the operator);
#   4. `nats-server -t` accepts k8s/nats/nats-server.conf, when nats-server is installed.
# Needs kubectl (with kustomize >= 5) and Node.js >= 18 with npm; installs missing ones from
# Debian's packages where it can, and the validator's npm packages with `npm ci` only when
# k8s/.validate/node_modules is missing or older than package-lock.json.
#
#   scripts/validate-k8s.sh            # exit 0: all valid; 1: a check failed; 2: a tool is missing
#   KEEP_RENDERED=DIR scripts/validate-k8s.sh   # also keep the rendered overlays in DIR
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VALIDATE_DIR=k8s/.validate
OVERLAYS=(dev prod)

say() { printf '[validate-k8s] %s\n' "$*" >&2; }
fail() { say "FAILED: $*"; exit 1; }
missing() { say "MISSING: $*"; exit 2; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }
apt_updated=false
apt_candidate() { # prints the candidate version of a Debian package, or nothing
  command -v apt-cache >/dev/null || return 0
  if [ "$apt_updated" = false ] && command -v apt-get >/dev/null; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 || true
    apt_updated=true
  fi
  apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { if ($2 != "(none)") print $2 }'
}
apt_install() { as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }

# --- kubectl ---------------------------------------------------------------------------------
if ! command -v kubectl >/dev/null; then
  candidate=$(apt_candidate kubectl)
  if [ -n "$candidate" ]; then
    say "kubectl not found; installing Debian package kubectl $candidate"
    apt_install kubectl || missing "kubectl: 'apt-get install kubectl' failed"
  else
    missing "kubectl is not installed and no apt source offers a 'kubectl' package (apt-cache policy kubectl: no candidate). Install kubectl >= 1.27 (it embeds kustomize v5) from https://kubernetes.io/docs/tasks/tools/ or your distribution, then run this again. (Debian bookworm's 'kubernetes-client' is kubectl 1.20, too old for these overlays.)"
  fi
fi
kustomize_version=$(kubectl version --client 2>/dev/null | sed -n 's/^Kustomize Version: v\{0,1\}\([0-9][0-9]*\).*/\1/p')
if [ -z "$kustomize_version" ] || [ "$kustomize_version" -lt 5 ]; then
  missing "kubectl $(kubectl version --client 2>/dev/null | head -n 1) embeds kustomize '${kustomize_version:-unknown}'; these overlays need kustomize v5 (kubectl >= 1.27)"
fi

# --- Node.js and the validator's packages ------------------------------------------------------
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  candidate=$(apt_candidate nodejs)
  [ -n "$candidate" ] || missing "Node.js >= 18 and npm are needed for the schema validation (no apt candidate for nodejs)"
  say "Node.js/npm not found; installing Debian packages nodejs npm"
  apt_install nodejs npm || missing "Node.js/npm: 'apt-get install nodejs npm' failed"
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 18 ] || missing "Node.js $(node --version) is too old; the validator needs Node.js >= 18"

stamp="$VALIDATE_DIR/node_modules/.installed-from-lock"
if [ ! -f "$stamp" ] || ! cmp -s "$VALIDATE_DIR/package-lock.json" "$stamp"; then
  say "installing the validator's pinned npm packages (npm ci in $VALIDATE_DIR)"
  (cd "$VALIDATE_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) \
    || fail "npm ci in $VALIDATE_DIR (is the npm registry reachable?)"
  cp "$VALIDATE_DIR/package-lock.json" "$stamp"
fi

# --- 1 + 2: render and validate --------------------------------------------------------------
out=${KEEP_RENDERED:-}
if [ -z "$out" ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"
rendered=()
for overlay in "${OVERLAYS[@]}"; do
  say "kubectl kustomize k8s/overlays/$overlay"
  if ! kubectl kustomize "k8s/overlays/$overlay" > "$out/overlays-$overlay.yaml" 2> "$out/$overlay.err"; then
    cat "$out/$overlay.err" >&2
    fail "kubectl kustomize k8s/overlays/$overlay"
  fi
  kinds=$(awk '/^kind: /{print $2}' "$out/overlays-$overlay.yaml" | sort | uniq -c | awk '{printf "%s%s x%s", sep, $2, $1; sep=", "}')
  say "  $overlay renders: $kinds"
  rendered+=("overlays-$overlay.yaml")
done

# The optional migration Job (k8s/components/migrate-job), as an overlay would include it:
# rendered from a copy of k8s/ whose prod overlay lists the component.
say "kubectl kustomize k8s/overlays/prod + components/migrate-job + components/reference-worker + components/jvm (optional, in a copy)"
rm -rf "$out/copy" && mkdir -p "$out/copy/k8s"
cp -R k8s/base k8s/overlays k8s/components "$out/copy/k8s/"
rm -f "$out/copy/k8s/overlays/prod/secrets.env"
printf '\ncomponents:\n  - ../../components/migrate-job\n  - ../../components/reference-worker\n  - ../../components/jvm\n' >> "$out/copy/k8s/overlays/prod/kustomization.yaml"
if ! kubectl kustomize "$out/copy/k8s/overlays/prod" > "$out/overlays-prod+migrate-job.yaml" 2> "$out/prod-migrate.err"; then
  cat "$out/prod-migrate.err" >&2
  fail "kubectl kustomize of the prod overlay with components/migrate-job"
fi
grep -q '^kind: Job$' "$out/overlays-prod+migrate-job.yaml" || fail "components/migrate-job added no Job"
grep -q '^  name: scanflow-worker$' "$out/overlays-prod+migrate-job.yaml" \
  || fail "components/reference-worker added no worker Deployment"
grep -q 'image: scanflow-jvm' "$out/overlays-prod+migrate-job.yaml" && grep -q 'name: scanflow-jvm-' "$out/overlays-prod+migrate-job.yaml" \
  || fail "components/jvm did not switch the Deployment to the JVM image with its options"
rendered+=("overlays-prod+migrate-job.yaml")

say "schema validation (kubernetes-models $(node -p "require('$ROOT/$VALIDATE_DIR/node_modules/kubernetes-models/package.json').version"))"
# Run from the output folder, so that errors name the rendered overlay (overlays-dev.yaml, ...).
(cd "$out" && node "$ROOT/$VALIDATE_DIR/validate.js" "${rendered[@]}" "$ROOT/k8s/base/secret.example.yaml") \
  || fail "schema validation (errors above: source, Kind/name, field, message)"

# --- 3: no secret values in the prod overlay ---------------------------------------------------
if grep -q '^kind: Secret$' "$out/overlays-prod.yaml"; then
  fail "k8s/overlays/prod renders a Secret; prod must only reference operator-created Secrets"
fi

# --- 4: NATS configuration -------------------------------------------------------------------
if command -v nats-server >/dev/null; then
  say "nats-server -c k8s/nats/nats-server.conf -t"
  # The file reads its passwords from the environment; stand-ins for the test only.
  if ! env SCANFLOW_NATS_PASSWORD="${SCANFLOW_NATS_PASSWORD:-validate}" \
      NATS_SYS_PASSWORD="${NATS_SYS_PASSWORD:-validate}" \
      nats-server -c k8s/nats/nats-server.conf -t; then
    fail "nats-server rejects k8s/nats/nats-server.conf"
  fi
else
  say "nats-server not installed: skipping the NATS configuration check"
fi

say "OK: overlays ${OVERLAYS[*]} render and validate"
