#!/usr/bin/env bash
# Stops the Scanflow started by scripts/dev-up.sh (PostgreSQL and NATS keep running).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f target/scanflow.pid ] && kill -0 "$(cat target/scanflow.pid)" 2>/dev/null; then
  kill "$(cat target/scanflow.pid)"
  echo "stopped Scanflow (pid $(cat target/scanflow.pid))"
else
  echo "Scanflow is not running"
fi
rm -f target/scanflow.pid
