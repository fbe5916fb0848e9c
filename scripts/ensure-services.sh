#!/usr/bin/env bash
# Makes sure PostgreSQL (127.0.0.1:5432, user postgres without password) and NATS with
# JetStream (127.0.0.1:4222) answer, installing them from Debian's packages and starting them
# where missing, creates the databases Scanflow uses (scanflow, scanflow_test), and installs
# the scanners the reference worker's tests run (scripts/install-scanners.sh).
# Safe to run again: it only acts on what is missing.
set -euo pipefail

PG_HOST=127.0.0.1
PG_PORT=5432
NATS_PORT=4222
NATS_STORE=${SCANFLOW_NATS_STORE:-/var/lib/scanflow-nats}
log() { printf '[ensure-services] %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=false
apt_install() {
  if [ "$apt_updated" = false ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=true
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# wait_for DESCRIPTION SECONDS COMMAND...: polls the condition until it holds or the deadline passes
wait_for() {
  local what=$1 seconds=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      log "timed out after ${seconds}s waiting for $what"
      return 1
    fi
    sleep 0.2
  done
}

pg_ready() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; }
pg_login() { psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -tAc 'select 1' | grep -q 1; }

ensure_postgres() {
  if ! command -v pg_isready >/dev/null || ! command -v pg_ctlcluster >/dev/null; then
    log "installing PostgreSQL"
    apt_install postgresql
  fi
  if ! pg_ready; then
    local version
    version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$version" ]; then
      log "no PostgreSQL cluster found after installation"; exit 1
    fi
    log "starting PostgreSQL $version"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    wait_for "PostgreSQL on $PG_HOST:$PG_PORT" 60 pg_ready
  fi
  if ! pg_login; then
    # A fresh Debian cluster asks for passwords on TCP; this development and CI setup trusts
    # local TCP connections, as the machines Scanflow is developed on do.
    local version hba
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    hba=/etc/postgresql/$version/main/pg_hba.conf
    log "allowing trusted local TCP connections in $hba"
    as_root sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload
    wait_for "a PostgreSQL login as postgres" 30 pg_login
  fi
  for db in scanflow scanflow_test; do
    if ! psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -tAc \
        "select 1 from pg_database where datname = '$db'" | grep -q 1; then
      log "creating database $db"
      psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -qc "create database $db"
    fi
  done
}

nats_info() {
  # the server greets every client with an INFO line that says whether JetStream is on
  timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$NATS_PORT && head -n 1 <&3" 2>/dev/null
}
nats_up() { nats_info | grep -q '^INFO'; }

ensure_nats() {
  if ! nats_up; then
    if ! command -v nats-server >/dev/null; then
      log "installing nats-server"
      apt_install nats-server
    fi
    log "starting nats-server with JetStream (store: $NATS_STORE)"
    as_root mkdir -p "$NATS_STORE"
    nohup setsid nats-server -a 127.0.0.1 -p "$NATS_PORT" -js -sd "$NATS_STORE" \
      >"${TMPDIR:-/tmp}/scanflow-nats-server.log" 2>&1 < /dev/null &
    wait_for "NATS on 127.0.0.1:$NATS_PORT" 30 nats_up
  fi
  if ! nats_info | grep -q '"jetstream":true'; then
    log "NATS answers on 127.0.0.1:$NATS_PORT but without JetStream: restart it with -js"
    exit 1
  fi
}

# The reference worker's tests run real scanners (nmap, testssl.sh, ffuf, Trivy, secretlint,
# ESLint) against repositories and ports they set up on 127.0.0.1.
ensure_scanners() {
  "$(dirname "$0")/install-scanners.sh"
}

ensure_postgres
ensure_nats
ensure_scanners
log "PostgreSQL and NATS (JetStream) are up; the scanners are installed"
