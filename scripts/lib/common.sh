# Shared by scripts/demo.sh, scripts/dev-up.sh, scripts/dev-down.sh and scripts/check-readme.sh
# (sourced, not run), so that all of them start, find and stop the same processes.
#
# Everything they start is recorded in a state directory, SCANFLOW_STATE_DIR (default
# .scanflow-dev/ in the repository, git-ignored; not under target/, which a `./mvnw clean`
# empties): a pid file per process, its log, and the generated SCANFLOW_SECRETS_KEY. Each
# process runs in its own process group, so stopping it stops what it started (a worker's
# scanners) too. Settings (environment): QUARKUS_HTTP_PORT (8080), SCANFLOW_DEMO_WEB_PORT (8081),
# SCANFLOW_DEMO_RECEIVER_PORT (8082), SCANFLOW_DEMO_TLS_PORT (8443), SCANFLOW_STATE_DIR; the
# service's own settings (QUARKUS_DATASOURCE_*, SCANFLOW_NATS_SUBJECT_PREFIX, ...) pass through.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PORT=${QUARKUS_HTTP_PORT:-8080}
BASE="http://127.0.0.1:$PORT"
STATE=${SCANFLOW_STATE_DIR:-$ROOT/.scanflow-dev}
WEB_PORT=${SCANFLOW_DEMO_WEB_PORT:-8081}
RECEIVER_PORT=${SCANFLOW_DEMO_RECEIVER_PORT:-8082}
TLS_PORT=${SCANFLOW_DEMO_TLS_PORT:-8443}
mkdir -p "$STATE/demo"
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
  if [ "${SCANFLOW_SKIP_BUILD:-}" = 1 ]; then
    return 0   # scripts/check-readme.sh: it checks the build that is there
  fi
  if [ ! -f target/quarkus-app/quarkus-run.jar ] || [ ! -f target/scanflow-worker.jar ] || [ ! -f target/scanflow-cli.jar ] \
      || [ -n "$(find src pom.xml -newer target/quarkus-app/quarkus-run.jar -print -quit)" ]; then
    say "Building (./mvnw -B package -DskipTests)"
    ./mvnw -B -q package -DskipTests
  fi
}

# The key that seals the secrets Scanflow reads back (webhook and notification secrets): made
# once per state directory (openssl rand -base64 32, readable by you only) and kept there, so
# that a restart can still read what an earlier run sealed. SCANFLOW_SECRETS_KEY wins if set.
secrets_key() {
  if [ -n "${SCANFLOW_SECRETS_KEY:-}" ]; then
    printf '%s' "$SCANFLOW_SECRETS_KEY"
    return
  fi
  if [ ! -s "$STATE/secrets.key" ]; then
    (umask 077 && openssl rand -base64 32 > "$STATE/secrets.key")
  fi
  cat "$STATE/secrets.key"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# start_bg PIDFILE LOG PORT COMMAND...: runs COMMAND in the background in its own process group
# (setsid), its pid in PIDFILE, unless PIDFILE's process still runs. PORT ("-": none) must be
# free: a process this state directory does not know is never mistaken for ours.
start_bg() {
  local pidfile=$1 log=$2 port=$3
  shift 3
  if running "$pidfile"; then
    echo "already running (pid $(cat "$pidfile"))"
    return 0
  fi
  if [ "$port" != - ] && port_open "$port"; then
    echo "port $port is taken by a process that $STATE does not know (set another port: see scripts/lib/common.sh)" >&2
    return 1
  fi
  setsid nohup "$@" > "$log" 2>&1 < /dev/null &
  echo $! > "$pidfile"
}

# wait_port PORT PIDFILE LOG WHAT: until something answers on 127.0.0.1:PORT (30 s)
wait_port() {
  local deadline=$((SECONDS + 30))
  until port_open "$1"; do
    if [ $SECONDS -ge $deadline ] || ! running "$2"; then
      echo "$4 did not start; its log ($3):" >&2
      tail -n 20 "$3" >&2
      return 1
    fi
    sleep 0.2
  done
}

# Starts the service unless it already runs (on the current build and mode); waits until ready.
# It listens on 127.0.0.1 only: it trusts the development key pair (dev/keys/, public: anyone
# could mint a platform-admin token) and sends notifications to private addresses.
start_scanflow() {
  local mode=${SCANFLOW_MODE:-normal} pidfile=$STATE/scanflow.pid log=$STATE/scanflow.log
  if running "$pidfile" && [ target/quarkus-app/quarkus-run.jar -nt "$pidfile" ]; then
    say "Restarting Scanflow on the new build"
    stop_pidfile "$pidfile" "Scanflow"
  elif running "$pidfile" && [ "$(cat "$STATE/scanflow.mode" 2>/dev/null || echo normal)" != "$mode" ]; then
    say "Restarting Scanflow ($mode)"
    stop_pidfile "$pidfile" "Scanflow"
  fi
  if running "$pidfile"; then
    say "Scanflow already runs on $BASE (pid $(cat "$pidfile"))"
  else
    say "Starting Scanflow on $BASE (log: $log)"
    QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=$PORT \
    MP_JWT_VERIFY_PUBLICKEY_LOCATION=dev/keys/jwt-public.pem MP_JWT_VERIFY_ISSUER=scanflow-dev \
    SCANFLOW_SECRETS_KEY=$(secrets_key) \
    SCANFLOW_SWAGGER_UI=${SCANFLOW_SWAGGER_UI:-true} \
    QUARKUS_LOG_CONSOLE_JSON_ENABLED=${QUARKUS_LOG_CONSOLE_JSON_ENABLED:-false} \
    SCANFLOW_NOTIFICATIONS_ALLOW_PRIVATE_TARGETS=${SCANFLOW_NOTIFICATIONS_ALLOW_PRIVATE_TARGETS:-true} \
      start_bg "$pidfile" "$log" "$PORT" java ${JAVA_OPTS:-} -jar target/quarkus-app/quarkus-run.jar
    echo "$mode" > "$STATE/scanflow.mode"
  fi
  local deadline=$((SECONDS + 120))
  until curl -sf "$BASE/q/health/ready" >/dev/null; do
    if [ $SECONDS -ge $deadline ] || ! running "$pidfile"; then
      echo "Scanflow did not become ready; last log lines:"; tail -n 30 "$log"; exit 1
    fi
    sleep 0.3
  done
  echo "ready: $(curl -s "$BASE/q/health/ready" | jq -c '[.checks[] | {(.name): .status}] | add')"
}

# stop_pidfile PIDFILE WHAT: stops the process and its process group, waits until it is gone
stop_pidfile() {
  local file=$1 what=$2 pid
  if running "$file"; then
    pid=$(cat "$file")
    if [ "$(ps -o pgid= -p "$pid" | tr -d ' ')" = "$pid" ]; then
      kill -- "-$pid" 2>/dev/null || true
    else
      kill "$pid" 2>/dev/null || true
    fi
    local deadline=$((SECONDS + 30))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 -- "-$pid" 2>/dev/null || kill -9 "$pid" 2>/dev/null || true; fi
    echo "stopped $what (pid $pid)"
  fi
  rm -f "$file"
}
