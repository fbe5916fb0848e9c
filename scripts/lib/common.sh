# Shared by scripts/demo.sh and scripts/dev-up.sh (sourced, not run).
PORT=${QUARKUS_HTTP_PORT:-8080}
BASE="http://127.0.0.1:$PORT"
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# ensure_commands CMD:PACKAGE ...: installs the Debian packages of missing commands
ensure_commands() {
  local missing=()
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

build_if_needed() {
  if [ ! -f target/quarkus-app/quarkus-run.jar ] \
      || [ -n "$(find src pom.xml -newer target/quarkus-app/quarkus-run.jar -print -quit)" ]; then
    say "Building (./mvnw -B package -DskipTests)"
    ./mvnw -B -q package -DskipTests
  fi
}

# Starts the service with the development key pair unless it already runs; waits until ready.
start_scanflow() {
  mkdir -p target
  local mode=${SCANFLOW_MODE:-normal}
  if [ -f target/scanflow.pid ] && [ target/quarkus-app/quarkus-run.jar -nt target/scanflow.pid ]; then
    say "Restarting Scanflow on the new build"
    stop_pidfile target/scanflow.pid "Scanflow"
    sleep 1
  elif [ -f target/scanflow.pid ] && [ "$(cat target/scanflow.mode 2>/dev/null || echo normal)" != "$mode" ]; then
    say "Restarting Scanflow ($mode)"
    stop_pidfile target/scanflow.pid "Scanflow"
    sleep 1
  fi
  if [ -f target/scanflow.pid ] && kill -0 "$(cat target/scanflow.pid)" 2>/dev/null; then
    say "Scanflow already runs (pid $(cat target/scanflow.pid))"
  else
    say "Starting Scanflow on $BASE (log: target/scanflow.log)"
    # the development key pair, the public development key for secrets, and notifications to
    # local receivers: local use only
    MP_JWT_VERIFY_PUBLICKEY_LOCATION=dev/keys/jwt-public.pem MP_JWT_VERIFY_ISSUER=scanflow-dev \
    SCANFLOW_SECRETS_KEY=${SCANFLOW_SECRETS_KEY:-ZGV2LW9ubHktc2VjcmV0cy1rZXktMzItYnl0ZXMhISE=} \
    SCANFLOW_NOTIFICATIONS_ALLOW_PRIVATE_TARGETS=${SCANFLOW_NOTIFICATIONS_ALLOW_PRIVATE_TARGETS:-true} \
    QUARKUS_HTTP_PORT=$PORT nohup java -jar target/quarkus-app/quarkus-run.jar > target/scanflow.log 2>&1 &
    echo $! > target/scanflow.pid
    echo "$mode" > target/scanflow.mode
  fi
  local deadline=$((SECONDS + 90))
  until curl -sf "$BASE/q/health/ready" >/dev/null; do
    if [ $SECONDS -ge $deadline ] || ! kill -0 "$(cat target/scanflow.pid)" 2>/dev/null; then
      echo "Scanflow did not become ready; last log lines:"; tail -n 30 target/scanflow.log; exit 1
    fi
    sleep 0.3
  done
  echo "ready: $(curl -s "$BASE/q/health/ready" | jq -c '[.checks[] | {(.name): .status}] | add')"
}

stop_pidfile() {
  local file=$1 what=$2
  if [ -f "$file" ] && kill -0 "$(cat "$file")" 2>/dev/null; then
    kill "$(cat "$file")" && echo "stopped $what (pid $(cat "$file"))"
  fi
  rm -f "$file"
}
