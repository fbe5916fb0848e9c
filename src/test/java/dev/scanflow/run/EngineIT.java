package dev.scanflow.run;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same scenarios against the packaged artifact (the native executable with -Pnative). */
@QuarkusIntegrationTest
class EngineIT extends EngineTest {
}
