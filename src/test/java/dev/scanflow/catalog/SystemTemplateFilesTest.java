package dev.scanflow.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflow.condition.ConditionCompiler;
import dev.scanflow.pipeline.definition.ConditionCel;
import dev.scanflow.pipeline.definition.StepSpec;
import dev.scanflow.pipeline.definition.TemplateDefinition;
import dev.scanflow.pipeline.definition.TemplateReader;
import dev.scanflow.support.Documents;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The shipped system templates: all listed, each valid, each shaped as the design document lists it. */
class SystemTemplateFilesTest {

    private static final TemplateReader READER = new TemplateReader(new ConditionCompiler(),
            ConditionCompiler.assetFilters(), ConditionCompiler.payloadFilters());

    static TemplateDefinition read(String slug) {
        SystemTemplateFiles.File f = SystemTemplateFiles.read(slug);
        JsonNode tree = Documents.reader().parse(f.content(), "application/yaml");
        TemplateReader.Result r = READER.read(tree);
        assertTrue(r.valid(), slug + ": " + r.errors());
        return r.definition();
    }

    @Test
    void everyFileInTheDirectoryIsListedAndStartsWithTheSchemaLine() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/system-templates"))) {
            List<String> slugs = files.map(p -> p.getFileName().toString().replaceFirst("\\.yaml$", "")).sorted().toList();
            assertEquals(SystemTemplateFiles.SLUGS.stream().sorted().toList(), slugs);
        }
        for (SystemTemplateFiles.File f : SystemTemplateFiles.all()) {
            String text = new String(f.content(), StandardCharsets.UTF_8);
            assertTrue(text.startsWith("# yaml-language-server: $schema=../../../../docs/schema/pipeline-template.schema.json"),
                    f.slug());
            assertEquals(64, f.sha256().length());
        }
    }

    @Test
    void eachIsValidAndSaysWhenEachStepApplies() {
        // (TemplateSchemaTest checks them against docs/schema/pipeline-template.schema.json too)
        for (String slug : SystemTemplateFiles.SLUGS) {
            TemplateDefinition d = read(slug);
            assertTrue(d.tags().contains("system"), slug);
            assertNotNull(d.description(), slug);
            for (StepSpec s : d.steps()) {
                assertNotNull(s.tool(), slug + "." + s.id());
                assertNotNull(s.timeout(), slug + "." + s.id());
                assertNotNull(s.condition(), slug + "." + s.id() + ": every system step says when it applies");
            }
        }
    }

    @Test
    void theStepsAndToolsAreTheDesignDocumentsLists() {
        Map<String, String> expected = Map.of(
                "full-security-scan", "sast:semgrep sca:trivy secrets:gitleaks iac:checkov dast:nuclei",
                "container-security", "container_scan:trivy sbom_generation:syft vulnerability_check:grype",
                "api-security", "api_discovery:swagger api_scan:nuclei fuzzing:ffuf",
                "infrastructure-scan", "port_scan:nmap vuln_scan:nuclei ssl_check:testssl",
                "continuous-monitoring", "quick_sast:semgrep sca_critical:trivy");
        Map<String, String> names = Map.of("full-security-scan", "Full Security Scan", "container-security",
                "Container Security", "api-security", "API Security", "infrastructure-scan", "Infrastructure Scan",
                "continuous-monitoring", "Continuous Monitoring");
        for (String slug : SystemTemplateFiles.SLUGS) {
            TemplateDefinition d = read(slug);
            assertEquals(names.get(slug), d.name());
            assertEquals(expected.get(slug), d.steps().stream().map(s -> s.id() + ":" + s.tool()).collect(Collectors.joining(" ")));
        }
    }

    @Test
    void theDependenciesAndConditionsSayWhatTheIssueAsks() {
        TemplateDefinition full = read("full-security-scan");
        StepSpec dast = step(full, "dast");
        assertEquals("asset.type == 'web_application' && asset.has_url", ConditionCel.of(dast.condition()));
        assertEquals(List.of("sast", "sca", "secrets", "iac"), dast.dependsOn());
        assertEquals("asset.type in ['repository']", ConditionCel.of(step(full, "iac").condition()));

        TemplateDefinition container = read("container-security");
        assertEquals(List.of("sbom_generation"), step(container, "vulnerability_check").dependsOn());
        assertEquals("(has(steps.sbom_generation.output.component_count) && steps.sbom_generation.output.component_count > 0)",
                ConditionCel.of(step(container, "vulnerability_check").condition()));

        TemplateDefinition api = read("api-security");
        assertEquals(List.of("api_discovery"), step(api, "api_scan").dependsOn());
        assertEquals(List.of("api_discovery"), step(api, "fuzzing").dependsOn());

        TemplateDefinition infra = read("infrastructure-scan");
        assertEquals(List.of("port_scan"), step(infra, "ssl_check").dependsOn());
        assertEquals("(has(steps.port_scan.output.tls_port_count) && steps.port_scan.output.tls_port_count > 0)",
                ConditionCel.of(step(infra, "ssl_check").condition()));

        TemplateDefinition monitoring = read("continuous-monitoring");
        assertTrue(monitoring.triggers().stream().anyMatch(t -> "schedule".equals(t.type())));
        assertTrue(monitoring.triggers().stream().anyMatch(t -> "webhook".equals(t.type())));
        assertEquals(List.of("CRITICAL"), step(monitoring, "sca_critical").config().get("severity"));
    }

    @Test
    void nothingInASystemTemplateStartsARunThatNobodyAskedFor() {
        // no discovery trigger (every new asset would start scans); schedules ship paused; a
        // webhook fires only once an admin has created the pipeline's secret
        for (String slug : SystemTemplateFiles.SLUGS) {
            for (var t : read(slug).triggers()) {
                assertTrue(!"asset_discovery".equals(t.type()), slug + " starts runs on asset discovery");
                assertTrue(!"schedule".equals(t.type()) || Boolean.TRUE.equals(t.paused()),
                        slug + ": schedule " + t.name() + " is not paused");
            }
        }
    }

    private static StepSpec step(TemplateDefinition d, String id) {
        return d.steps().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
    }
}
