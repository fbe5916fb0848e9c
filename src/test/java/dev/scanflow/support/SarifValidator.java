package dev.scanflow.support;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Microsoft's SARIF validator (npm @microsoft/sarif-multitool, installed by
 * scripts/install-scanners.sh): it writes its verdict as SARIF and exits 0 either way, so the
 * verdict's results of level error are what a test asserts on.
 */
public final class SarifValidator {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SarifValidator() {
    }

    /** The validator's errors about this log (written into {@code dir}), as "rule message arguments". */
    public static List<String> errors(Path dir, byte[] sarif) throws Exception {
        Path validator = toolsDir().resolve("node_modules/.bin/sarif-multitool");
        if (!Files.isExecutable(validator)) {
            fail("the SARIF validator is not installed at " + validator
                    + ": run scripts/install-scanners.sh (it installs @microsoft/sarif-multitool into SCANFLOW_TOOLS)");
        }
        Files.write(dir.resolve("findings.sarif"), sarif);
        // relative names: the npm launcher passes its arguments through a shell
        Process p = new ProcessBuilder(validator.toString(), "validate", "findings.sarif", "-o", "verdict.sarif")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("validator.log").toFile())
                .start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("sarif-multitool did not finish in 120 s: " + Files.readString(dir.resolve("validator.log")));
        }
        Path verdict = dir.resolve("verdict.sarif");
        assertTrue(Files.exists(verdict), "no verdict (exit " + p.exitValue() + "): "
                + Files.readString(dir.resolve("validator.log")));
        List<String> errors = new ArrayList<>();
        for (JsonNode run : JSON.readTree(verdict.toFile()).path("runs")) {
            for (JsonNode r : run.path("results")) {
                if ("error".equals(r.path("level").asText())) {
                    errors.add(r.path("ruleId").asText() + " " + r.path("message").path("id").asText() + " "
                            + r.path("message").path("arguments"));
                }
            }
        }
        return errors;
    }

    public static Path toolsDir() {
        String env = System.getenv("SCANFLOW_TOOLS");
        return env != null && !env.isBlank() ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".local", "share", "scanflow", "tools");
    }
}
