package dev.scanflow.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ToolChoiceTest {

    private static WorkerConfig.ToolConfig entry(String tool, String... provides) {
        return new WorkerConfig.ToolConfig(List.of("x"), "none", null, null, List.of(provides), null, null, tool, null, null);
    }

    @Test
    void theStepsToolFirstThenAToolForItsCapabilities() {
        Map<String, WorkerConfig.ToolConfig> tools = new LinkedHashMap<>();
        tools.put("trivy", entry(null, "sca", "sbom"));
        tools.put("trivy-image", entry("trivy", "container"));
        tools.put("secretlint", entry(null, "secrets"));
        tools.put("nuclei", entry(null, "dast"));
        tools.put("nuclei-network", entry("nuclei", "dast", "network"));
        tools.put("nmap-vuln", entry("nmap", "dast", "network"));
        tools.put("nmap", entry(null, "network"));
        assertEquals("trivy", ToolChoice.choose(tools, "trivy", List.of("sca")));
        // one tool, several entries: the one that provides the step's capabilities
        assertEquals("trivy-image", ToolChoice.choose(tools, "trivy", List.of("container")));
        assertEquals("nuclei-network", ToolChoice.choose(tools, "nuclei", List.of("dast", "network")));
        assertEquals("nuclei", ToolChoice.choose(tools, "nuclei", List.of("dast")));
        // the entry made for fewer capabilities wins, whatever the file order
        assertEquals("nmap", ToolChoice.choose(tools, "nmap", List.of("network")));
        assertEquals("nmap-vuln", ToolChoice.choose(tools, "nmap", List.of("dast", "network")));
        assertEquals("nmap", ToolChoice.choose(tools, "masscan", List.of("network")));
        // the step's tool is not here: whatever provides all of its capabilities
        assertEquals("secretlint", ToolChoice.choose(tools, "gitleaks", List.of("secrets")));
        assertEquals("trivy", ToolChoice.choose(tools, "syft", List.of("sbom")));
        assertNull(ToolChoice.choose(tools, "checkov", List.of("iac")));
        assertNull(ToolChoice.choose(tools, "gitleaks", List.of("secrets", "iac")));
        // a step without capabilities in its command (an older server) gets the named tool only
        assertNull(ToolChoice.choose(tools, "gitleaks", List.of()));
    }

    @Test
    void theShippedConfigurationsLoadAndCoverEveryCapabilityTheyClaim() throws IOException {
        for (String file : List.of("examples/worker.yaml", "examples/worker-local.yaml")) {
            WorkerConfig c = WorkerConfig.load(Path.of(file), Map.of());
            for (String capability : c.capabilities()) {
                assertTrue(c.tools().values().stream().anyMatch(t -> t.provides(List.of(capability))), file + ": " + capability);
            }
            assertEquals(Path.of("examples").toAbsolutePath().toString(), c.configDir());
        }
        WorkerConfig full = WorkerConfig.load(Path.of("examples/worker.yaml"), Map.of());
        assertEquals(List.of("semgrep", "trivy", "gitleaks", "checkov", "nuclei", "syft", "grype", "swagger", "ffuf", "nmap",
                "testssl"), full.toolNames());
    }
}
