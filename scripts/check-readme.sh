#!/usr/bin/env bash
# Guards README.md: every ```bash block must run as written, twice in a row (.ci/run runs this
# after ./mvnw verify; it needs the build in target/ and nothing outside the repository but what
# scripts/demo.sh installs).
#  1. Starts Scanflow the way the README's first command does, by running scripts/demo.sh: the
#     service, the worker w-demo-1 and the demo's assets, which the README's blocks use. It runs
#     apart from anything else on this machine: its own state directory (target/check-readme),
#     free ports, database (scanflow_readme_<id of this checkout>, dropped and made anew: a fresh
#     start) and NATS subjects, and the blocks reach it through SCANFLOW_URL.
#  2. Takes the ```bash blocks of README.md in order, SKIPPING THE FIRST ONE: it holds the
#     README's two entry commands, scripts/demo.sh (step 1 ran it) and the test command (.ci/run
#     runs it before this).
#  3. Checks that the blocks cannot hide a failed request: every curl has -f (--fail,
#     --fail-with-body), or pipes its answer to `jq -e` (which fails when the answer is not the
#     one expected), or prints its status with -w '%{http_code}'.
#  4. Runs all blocks in ONE bash session (variables carry over from block to block) with
#     set -euo pipefail, twice in a row: the second pass shows that a reader can run them again.
#     The first command that fails fails the check, named by its block and line in README.md.
#  5. Stops everything it started (scripts/dev-down.sh on its state directory), also on failure,
#     and fails if anything still answers on the ports the demo used.
# Takes about 2 minutes (timings printed). CHECK_README_KEEP=1 leaves the service running.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
started=$SECONDS
id=$(printf '%s' "$ROOT" | cksum | cut -d' ' -f1)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

export SCANFLOW_STATE_DIR=$ROOT/target/check-readme
export QUARKUS_HTTP_PORT=$(free_port) SCANFLOW_DEMO_WEB_PORT=$(free_port)
export SCANFLOW_DEMO_RECEIVER_PORT=$(free_port) SCANFLOW_DEMO_TLS_PORT=$(free_port)
DB=scanflow_readme_$id
export QUARKUS_DATASOURCE_REACTIVE_URL=postgresql://127.0.0.1:5432/$DB
export QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/$DB
export SCANFLOW_NATS_SUBJECT_PREFIX=sfreadme$id SCANFLOW_NATS_STREAM_PREFIX=SFREADME$id
export SCANFLOW_URL=http://127.0.0.1:$QUARKUS_HTTP_PORT
export SCANFLOW_SKIP_BUILD=1   # this checks the build in target/ (made by ./mvnw verify), never makes one
log() { printf '[check-readme %3ds] %s\n' $((SECONDS - started)) "$*"; }

[ -f target/quarkus-app/quarkus-run.jar ] && [ -f target/scanflow-cli.jar ] && [ -f target/scanflow-worker.jar ] ||
  { echo "[check-readme] build first: ./mvnw -B verify (or package)" >&2; exit 2; }

stop() {
  if [ "${CHECK_README_KEEP:-}" = 1 ]; then
    log "left running (CHECK_README_KEEP=1): $SCANFLOW_URL; stop with SCANFLOW_STATE_DIR=$SCANFLOW_STATE_DIR scripts/dev-down.sh"
  else
    scripts/dev-down.sh 2>&1 | grep -v '^note:' | sed 's/^/[check-readme] /' || true
    # dev-down must have stopped all of it: nothing answers on the ports the demo used
    for port in $QUARKUS_HTTP_PORT $SCANFLOW_DEMO_WEB_PORT $SCANFLOW_DEMO_RECEIVER_PORT; do
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        log "FAILED: 127.0.0.1:$port still answers after scripts/dev-down.sh"
        exit 1
      fi
    done
  fi
}
# whatever an interrupted earlier check left, then a fresh state directory and database
[ -d "$SCANFLOW_STATE_DIR" ] && scripts/dev-down.sh > /dev/null 2>&1 || true
rm -rf "$SCANFLOW_STATE_DIR"
mkdir -p "$SCANFLOW_STATE_DIR"
trap stop EXIT
scripts/ensure-services.sh > "$SCANFLOW_STATE_DIR/ensure-services.log" 2>&1 ||
  { tail -n 20 "$SCANFLOW_STATE_DIR/ensure-services.log"; exit 1; }
psql -qh 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"

log "scripts/demo.sh (the README's first command; Scanflow on $SCANFLOW_URL, log: $SCANFLOW_STATE_DIR/demo.log)"
if ! scripts/demo.sh > "$SCANFLOW_STATE_DIR/demo.log" 2>&1; then
  tail -n 30 "$SCANFLOW_STATE_DIR/demo.log"
  log "FAILED: scripts/demo.sh"
  exit 1
fi
log "demo done"

# The blocks, as a script for one bash session: both passes, each block announced on fd 3, and
# a map from the script's lines back to README.md's lines.
script=$SCANFLOW_STATE_DIR/readme-blocks.sh
python3 - README.md "$script" <<'PY'
import re, sys
readme, out = sys.argv[1], sys.argv[2]
lines = open(readme, encoding="utf-8").read().split("\n")
blocks, current, start = [], None, 0
for n, line in enumerate(lines, 1):
    if current is None and line.strip() == "```bash":
        current, start = [], n + 1
    elif current is not None and line.strip() == "```":
        blocks.append((start, current))
        current = None
    elif current is not None:
        current.append(line)
if current is not None:
    sys.exit(f"README.md: the ```bash block at line {start - 1} is not closed")
if not blocks or "scripts/demo.sh" not in "\n".join(blocks[0][1]):
    sys.exit("README.md: the first ```bash block must hold the entry commands (scripts/demo.sh ...)")
entry, blocks = blocks[0], blocks[1:]

# every curl must fail on an HTTP error, or have its answer checked, or print its status
problems = []
for start, body in blocks:
    i = 0
    while i < len(body):
        first, cmd = i, body[i]
        while (cmd.rstrip().endswith("\\") or cmd.rstrip().endswith("|")) and i + 1 < len(body):
            i += 1
            cmd = cmd.rstrip().rstrip("\\") + " " + body[i]
        i += 1
        code = re.sub(r"\s#.*$", "", cmd)
        curl = re.search(r"(?:^|[\s($|])curl(\s[^|]*)", code)
        if not curl:
            continue
        honest = (re.search(r"\s(-[A-Za-z]*f[A-Za-z]*|--fail|--fail-with-body)(?=\s|$)", curl.group(1))
                  or re.search(r"\|\s*jq\s+(-[A-Za-z]+\s+)*-[A-Za-z]*e", code)
                  or re.search(r"-w\s+'[^']*%\{http_code\}", code))
        if not honest:
            problems.append(f"README.md line {start + first}: curl without -f/--fail-with-body, jq -e or -w '%{{http_code}}': "
                            f"a failed request would pass unnoticed\n    {body[first].strip()}")
if problems:
    sys.exit("\n".join(problems))

with open(out, "w", encoding="utf-8") as f, open(out + ".map", "w", encoding="utf-8") as m:
    script_line = 0
    def emit(text, readme_line=0, label=""):
        global script_line
        for piece in text.split("\n"):
            script_line += 1
            f.write(piece + "\n")
            m.write(f"{script_line}\t{readme_line}\t{label}\n")
    emit("set -euo pipefail")
    emit('trap \'echo "$LINENO" > "$CHECK_README_FAILED_AT"\' ERR')
    for p in (1, 2):
        for k, (start, body) in enumerate(blocks, 2):
            label = f"pass {p}, block {k} (README.md line {start - 1})"
            emit(f"printf '[check-readme %3ds] %s\\n' $(($(date +%s) - CHECK_README_EPOCH)) '{label}' | tee -a \"$CHECK_README_PROGRESS\" >&3")
            for j, line in enumerate(body):
                emit(line, start + j, label)
    emit("printf '[check-readme %3ds] %s\\n' $(($(date +%s) - CHECK_README_EPOCH)) 'both passes done' >&3")
print(f"{len(blocks)} blocks after the entry block (README.md lines {entry[0] - 1}-{entry[0] + len(entry[1])})")
PY
log "$(wc -l < "$script") lines to run: the blocks twice"

failed_at=$SCANFLOW_STATE_DIR/failed-at
rm -f "$failed_at"
progress=$SCANFLOW_STATE_DIR/progress
output=$SCANFLOW_STATE_DIR/blocks.log
status=0
CHECK_README_FAILED_AT=$failed_at CHECK_README_PROGRESS=$progress CHECK_README_EPOCH=$(($(date +%s) - SECONDS + started)) \
  timeout "${CHECK_README_TIMEOUT:-300}" bash "$script" 3>&1 > "$output" 2>&1 || status=$?
if [ $status -ne 0 ]; then
  echo "---- the last lines the blocks printed ($output):"
  tail -n 25 "$output"
  echo "----"
  if [ -s "$failed_at" ]; then
    line=$(cat "$failed_at")
    where=$(awk -F'\t' -v l="$line" '$1 == l {print $2 "\t" $3}' "$script.map")
    readme_line=${where%%$'\t'*}
    log "FAILED: ${where#*$'\t'}: the command at README.md line $readme_line:"
    sed -n "${readme_line}p" README.md
  elif [ $status -eq 124 ]; then
    log "FAILED: timed out after ${CHECK_README_TIMEOUT:-300} s in $(tail -n 1 "$progress" | sed 's/^\[[^]]*\] //')"
  else
    log "FAILED (exit $status) in $(tail -n 1 "$progress" | sed 's/^\[[^]]*\] //')"
  fi
  exit 1
fi
log "OK: every block ran twice"
