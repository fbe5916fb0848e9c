#!/usr/bin/env bash
# Stops everything scripts/dev-up.sh, scripts/demo.sh (all its modes) and scripts/check-readme.sh
# started from this state directory (SCANFLOW_STATE_DIR, default .scanflow-dev/): Scanflow, the
# demo worker (and the scanners it runs), the web and TLS targets, the notification receiver.
# Each was started in its own process group and recorded with a pid file there. PostgreSQL and
# NATS keep running. Pid files of older versions of the scripts (under target/) are honoured too.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
D=$STATE/demo
for pidfile in "$D"/*.pid "$STATE"/*.pid target/demo/*.pid target/scanflow.pid; do
  [ -e "$pidfile" ] || continue
  what=$(basename "$pidfile" .pid)
  case "$what" in
    worker) what="the demo worker" ;;
    web) what="the demo web application" ;;
    target) what="the demo TLS target" ;;
    receiver) what="the demo notification receiver" ;;
    scanflow) what="Scanflow" ;;
  esac
  stop_pidfile "$pidfile" "$what"
done
for port in "$PORT" "$WEB_PORT" "$RECEIVER_PORT" "$TLS_PORT"; do
  if port_open "$port"; then
    echo "note: 127.0.0.1:$port still answers, but not for a process started from $STATE"
  fi
done
