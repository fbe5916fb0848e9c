#!/usr/bin/env bash
# Writes a small container image as `docker save` would (manifest.json, the config, one layer),
# for Trivy's `image --input`: Alpine's package database with two packages, an npm package, and
# a planted Slack token. No registry or container engine is reachable on the test machines.
#   make-planted-image.sh OUT.tar
set -euo pipefail
out=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/rootfs/etc" "$work/rootfs/lib/apk/db" "$work/rootfs/app/node_modules/lodash"
cat > "$work/rootfs/etc/os-release" <<'TXT'
PRETTY_NAME="Alpine Linux v3.19"
NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.19.1
TXT
printf 'C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\nL:MIT\no:musl\n\nC:Q1def=\nP:busybox\nV:1.36.1-r15\nA:x86_64\nL:GPL-2.0-only\no:busybox\n\n' \
  > "$work/rootfs/lib/apk/db/installed"
echo '{"name":"lodash","version":"4.17.15","license":"MIT"}' > "$work/rootfs/app/node_modules/lodash/package.json"
echo 'module.exports = { slackToken: "xoxb-263594206564-2343594206574-FGqddMF8t08v8N7Oq4i57vs1" };' > "$work/rootfs/app/config.js"
mkdir -p "$work/image"
tar -C "$work/rootfs" -cf "$work/layer.tar" etc lib app
layer=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
mkdir -p "$work/image/$layer"
mv "$work/layer.tar" "$work/image/$layer/layer.tar"
printf '{"architecture":"amd64","os":"linux","config":{"User":"root"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created_by":"COPY . /app"}]}' \
  "$layer" > "$work/config.json"
config=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mv "$work/config.json" "$work/image/$config.json"
printf '[{"Config":"%s.json","RepoTags":["planted:1.0"],"Layers":["%s/layer.tar"]}]' "$config" "$layer" > "$work/image/manifest.json"
tar -C "$work/image" -cf "$out" manifest.json "$config.json" "$layer/layer.tar"
