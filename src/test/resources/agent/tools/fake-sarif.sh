#!/usr/bin/env bash
# A stand-in for semgrep: writes a SARIF log to $1 and talks on stdout, like a scanner does.
set -euo pipefail
echo "scanning $2"
echo "rules loaded: 3"
cp "$(dirname "$0")/../semgrep-style.sarif" "$1"
echo "done"
