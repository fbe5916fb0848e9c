package dev.scanflow.finding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.scanflow.agent.ResultParser;
import dev.scanflow.protocol.Finding;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * trivy (CycloneDX with vulnerabilities, as trivy writes it with its database) and grype (its
 * JSON) reporting one CVE on one package: the reference worker's parsers make records whose
 * identity is the same, so the service keeps one finding (FindingsTest shows the merge).
 */
class TwoToolsOneFindingTest {

    @Test
    void trivyAndGrypeOnLodashAreOneFinding(@TempDir Path dir) throws Exception {
        Path bom = dir.resolve("trivy.cdx.json");
        Files.writeString(bom, """
                {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
                 "components": [{"bom-ref": "pkg:npm/lodash@4.17.15", "type": "library", "name": "lodash",
                                 "version": "4.17.15", "purl": "pkg:npm/lodash@4.17.15"}],
                 "vulnerabilities": [{"bom-ref": "pkg:npm/lodash@4.17.15?vuln=CVE-2021-23337", "id": "CVE-2021-23337",
                                      "source": {"name": "ghsa"},
                                      "ratings": [{"source": {"name": "ghsa"}, "score": 7.2, "severity": "high",
                                                   "method": "CVSSv31"}],
                                      "cwes": [77, 94], "description": "Command Injection in lodash",
                                      "affects": [{"ref": "pkg:npm/lodash@4.17.15"}]}]}
                """);
        List<Finding> trivy = ResultParser.forFormat("cyclonedx-json", "trivy", null, null).parse(bom).findings();
        List<Finding> grype = ResultParser.forFormat("grype-json", "grype", null, null)
                .parse(Path.of("src/test/resources/agent/grype-matches.json")).findings();
        assertEquals(1, trivy.size());
        Finding fromGrype = grype.stream().filter(f -> "CVE-2021-23337".equals(f.ruleId())).findFirst().orElseThrow();
        FindingCheck.Checked a = FindingCheck.check(trivy.get(0));
        FindingCheck.Checked b = FindingCheck.check(fromGrype);
        assertEquals("dependency", a.finding().kind());
        assertEquals("dependency", b.finding().kind());
        assertEquals(a.identity(), b.identity(), a.finding() + " vs " + b.finding());
        Finding minimist = grype.stream().filter(f -> f.ruleId().startsWith("GHSA")).findFirst().orElseThrow();
        assertNotEquals(a.identity(), FindingCheck.check(minimist).identity());
    }
}
