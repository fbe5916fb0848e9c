#!/usr/bin/env bash
# A tool that never ends; it records its PID (and its child's) so tests can check it was killed.
echo $$ > "$1"
echo "started"
sleep 300 &
echo $! >> "$1"
wait
