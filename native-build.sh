#!/usr/bin/env bash
# Builds Scanflow's native executable. Not available yet: the native build (GraalVM/Mandrel
# or a container build) and its container images come with the deployment work. What already
# runs everywhere is Quarkus's native build steps without native-image:
#   ./mvnw -B package -Dnative -Dquarkus.native.sources-only=true -DskipTests
set -euo pipefail
echo "native-build.sh: the native executable build is not set up yet." >&2
echo "  Run the native build steps only with:" >&2
echo "    ./mvnw -B package -Dnative -Dquarkus.native.sources-only=true -DskipTests" >&2
exit 2
