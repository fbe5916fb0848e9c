#!/usr/bin/env bash
# Stops what scripts/dev-up.sh and scripts/demo.sh started: Scanflow, the demo worker and
# the demo target (PostgreSQL and NATS keep running).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
stop_pidfile target/demo/worker.pid "the demo worker"
stop_pidfile target/demo/target.pid "the demo target"
stop_pidfile target/demo/web.pid "the demo web application"
stop_pidfile target/demo/receiver.pid "the demo notification receiver"
stop_pidfile target/scanflow.pid "Scanflow"
