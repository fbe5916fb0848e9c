#!/usr/bin/env bash
echo "starting scan"
echo "error: could not open /dev/scanner" >&2
echo "fatal: giving up" >&2
exit 3
