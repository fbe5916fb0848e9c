#!/usr/bin/env bash
# Builds Scanflow's native executable (target/scanflow-<version>-runner) and, with --image, its
# container image (src/main/docker/Dockerfile.native-micro, tagged scanflow:<pom version>).
#
#   ./native-build.sh [--image] [--sources-only] [--dry-run]
#
#   (none)          build the native executable:
#                     - with the local GraalVM/Mandrel when native-image is on PATH or
#                       GRAALVM_HOME is set:  ./mvnw -B package -Dnative -DskipTests
#                     - otherwise inside a builder container when Docker or Podman really
#                       answers (`docker info` / `podman info` succeed), adding
#                       -Dquarkus.native.container-build=true
#                     - otherwise: says what is missing and how to get it, and exits 2
#   --image         then build the container image with the engine found (needs Docker or
#                   Podman even when the executable is built locally)
#   --sources-only  run Quarkus' native build steps without native-image (works with a plain
#                   JDK): ./mvnw -B package -Dnative -Dquarkus.native.sources-only=true -DskipTests
#                   and check that target/native-sources/native-image.args was written
#   --dry-run       print the commands instead of running them
#   -h, --help      this text
#
# Exit codes: 0 done; 1 a build step failed; 2 wrong usage, or no way to build here.
#
# Footprint notes:
#   - No -Dquarkus.native.additional-build-args is needed: Quarkus' extensions register what
#     the executable needs (reflection, resources). Add one only for a native-image error
#     that asks for it.
#   - The native-image step itself is memory-hungry (several GB). On a small machine cap it
#     with -Dquarkus.native.native-image-xmx=4g (through MAVEN_ARGS, see below).
#   - At run time the executable's heap is set with -Xmx, e.g. ./application -Xmx256m; by
#     default it grows with the memory it sees. k8s/base/deployment.yaml passes -Xmx256m
#     under a 384Mi limit.
#   - Glibc: the container build uses Quarkus' UBI 9 Mandrel builder (glibc 2.34), matching
#     the UBI 9 micro base image of Dockerfile.native-micro. An executable built locally on a
#     distribution with a newer glibc may need that glibc at run time: for images, prefer the
#     container build (unset GRAALVM_HOME and take native-image off PATH, or pass
#     MAVEN_ARGS=-Dquarkus.native.container-build=true).
#
# Environment: MAVEN_ARGS (extra Maven arguments; Maven 3.9, which ./mvnw runs, reads it
# itself), CONTAINER_ENGINE=docker|podman (try only that engine).
set -euo pipefail
cd "$(dirname "$0")"

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
say() { printf 'native-build.sh: %s\n' "$*" >&2; }

image=false
sources_only=false
dry_run=false
for arg in "$@"; do
  case "$arg" in
    --image) image=true ;;
    --sources-only) sources_only=true ;;
    --dry-run) dry_run=true ;;
    -h|--help) usage; exit 0 ;;
    *) say "unknown option '$arg'"; usage >&2; exit 2 ;;
  esac
done
if [ "$image" = true ] && [ "$sources_only" = true ]; then
  say "--image needs the executable, which --sources-only does not build; use one or the other"
  exit 2
fi

run() {
  printf '+ %s\n' "$*" >&2
  if [ "$dry_run" = false ]; then "$@"; fi
}

# The project version: the first <version> directly under <project> in pom.xml.
version=$(sed -n 's:^  <version>\([^<]*\)</version>.*:\1:p' pom.xml | head -n 1)
if [ -z "$version" ]; then
  say "could not read the project version from pom.xml"
  exit 1
fi

# --- what this machine has ---------------------------------------------------------------------
native_toolchain=""
if command -v native-image >/dev/null 2>&1; then
  native_toolchain="native-image on PATH ($(command -v native-image))"
elif [ -n "${GRAALVM_HOME:-}" ]; then
  if [ -x "$GRAALVM_HOME/bin/native-image" ]; then
    native_toolchain="GRAALVM_HOME=$GRAALVM_HOME"
  else
    say "GRAALVM_HOME is set ($GRAALVM_HOME) but $GRAALVM_HOME/bin/native-image does not exist; ignoring it"
  fi
fi

engine=""
engine_report=()
probe_engine() { # probe_engine NAME: sets engine when `NAME info` succeeds
  local name=$1 out
  if ! command -v "$name" >/dev/null 2>&1; then
    engine_report+=("$name: not installed")
    return 1
  fi
  if command -v timeout >/dev/null 2>&1; then
    out=$(timeout 30 "$name" info 2>&1 >/dev/null) && { engine=$name; return 0; }
  else
    out=$("$name" info 2>&1 >/dev/null) && { engine=$name; return 0; }
  fi
  engine_report+=("$name: installed, but '$name info' failed: $(printf '%s' "$out" | grep -v '^\s*$' | tail -n 1)")
  return 1
}
if [ -n "${CONTAINER_ENGINE:-}" ]; then
  probe_engine "$CONTAINER_ENGINE" || true
else
  probe_engine docker || probe_engine podman || true
fi

explain_missing() { # explain_missing WHAT
  say "cannot $1 on this machine."
  if [ -n "$native_toolchain" ]; then
    say "  native toolchain: $native_toolchain"
  else
    if [ -n "${GRAALVM_HOME:-}" ]; then
      say "  native toolchain: native-image is not on PATH, and GRAALVM_HOME ($GRAALVM_HOME) has no bin/native-image"
    else
      say "  native toolchain: native-image is not on PATH and GRAALVM_HOME is not set"
    fi
  fi
  local line
  for line in "${engine_report[@]}"; do say "  container engine: $line"; done
  cat >&2 <<'EOF'

Get one of these:
  - Mandrel or GraalVM for JDK 25 (what Quarkus 3.33's builder image uses), then
      export GRAALVM_HOME=/path/to/mandrel-or-graalvm
    (https://github.com/graalvm/mandrel/releases or https://www.graalvm.org/downloads/;
    native-image also needs a C toolchain: apt-get install gcc libc6-dev zlib1g-dev)
  - or a working container engine, and the build runs in
    quay.io/quarkus/ubi9-quarkus-mandrel-builder-image instead:
      Docker: https://docs.docker.com/engine/install/ (the daemon must run and you must be
              allowed to use it: `docker info` has to succeed)
      Podman: apt-get install podman (`podman info` has to succeed)
    (--image needs one of these in any case)

What works here without either: ./native-build.sh --sources-only
(Quarkus' native build steps; target/native-sources/ then holds the input of native-image.)
EOF
}

# --- --sources-only ------------------------------------------------------------------------------
if [ "$sources_only" = true ]; then
  run ./mvnw -B package -Dnative -Dquarkus.native.sources-only=true -DskipTests
  args_file=target/native-sources/native-image.args
  if [ "$dry_run" = true ]; then
    say "(dry run) would check that $args_file exists"
    exit 0
  fi
  if [ ! -f "$args_file" ]; then
    say "the build finished but $args_file is missing"
    exit 1
  fi
  say "native build steps done; native-image's input is in target/native-sources/"
  printf '%s\n' "$PWD/$args_file"
  say "to finish on a machine with native-image: cd target/native-sources && native-image \$(cat native-image.args)"
  exit 0
fi

# --- the executable ------------------------------------------------------------------------------
if [ "$image" = true ] && [ -z "$engine" ]; then
  explain_missing "build the container image (--image needs Docker or Podman)"
  exit 2
fi

if [ -n "$native_toolchain" ]; then
  say "building the native executable with the local toolchain ($native_toolchain)"
  run ./mvnw -B package -Dnative -DskipTests
elif [ -n "$engine" ]; then
  say "no local native-image; building inside a builder container with $engine"
  run ./mvnw -B package -Dnative -DskipTests -Dquarkus.native.container-build=true \
    "-Dquarkus.native.container-runtime=$engine"
else
  explain_missing "build the native executable"
  exit 2
fi

runner="target/scanflow-$version-runner"
if [ "$dry_run" = false ]; then
  if [ ! -x "$runner" ]; then
    say "the build finished but $runner is missing"
    exit 1
  fi
  say "native executable: $PWD/$runner ($(du -h "$runner" | cut -f1))"
fi

# --- the image -------------------------------------------------------------------------------------
if [ "$image" = true ]; then
  tag="scanflow:$version"
  run "$engine" build -f src/main/docker/Dockerfile.native-micro -t "$tag" .
  say "image: $tag (run: $engine run --rm -p 8080:8080 $tag; deploy: k8s/README.md)"
fi
