#!/usr/bin/env bash
# Runs Quarkus's native build steps without native-image (which these machines cannot run)
# and checks what they produced, so a change that breaks native support fails CI:
#   - target/native-sources/native-image.args exists and names the generated main class;
#   - the reflection configuration registers the protocol messages and API types;
#   - the Flyway migrations are included as resources.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q package -Dnative -Dquarkus.native.sources-only=true -DskipTests
dir=target/native-sources
args=$dir/native-image.args
jar=$(ls $dir/*-runner.jar)
fail() { echo "check-native: $*" >&2; exit 1; }
[ -s "$args" ] || fail "no $args"
grep -q -- "-runner.jar" "$args" || fail "native-image.args names no runner jar"
unzip -p "$jar" META-INF/MANIFEST.MF | grep -q "Main-Class: io.quarkus.bootstrap.runner.QuarkusEntryPoint\|Main-Class: io.quarkus.runner.GeneratedMain" || fail "the runner jar has no Quarkus main class"
reflect=$(unzip -p "$jar" META-INF/native-image/reflect-config.json)
for type in dev.scanflow.protocol.Heartbeat dev.scanflow.protocol.StatusReport dev.scanflow.protocol.ScanCommand\$Target dev.scanflow.domain.ValidationError \
            dev.scanflow.pipeline.definition.TargetSelector dev.scanflow.pipeline.definition.TriggerSpec dev.scanflow.run.RunViews\$RunView \
            dev.scanflow.common.Problem dev.scanflow.run.RunResource dev.scanflow.asset.AssetResource; do
  grep -q "\"$type\"" <<<"$reflect" || fail "$type is not registered for reflection"
done
resources=$(unzip -p "$jar" META-INF/native-image/resource-config.json)
for migration in src/main/resources/db/migration/*.sql; do
  name=$(basename "$migration")
  grep -q "$name" <<<"$resources" || fail "migration $name is not included in the native image"
done
echo "check-native: OK ($(wc -w < "$args") arguments in $args)"
