package dev.scanflow.agent;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Turns a tool's result file into a report. */
public interface ResultParser {

    List<String> FORMATS = List.of("sarif", "cyclonedx-json", "grype-json", "nuclei-jsonl", "ffuf-json", "openapi",
            "nmap-xml", "testssl-json", "none");

    ScanReport parse(Path file) throws IOException;

    static ResultParser forFormat(String format) {
        return forFormat(format, null, null);
    }

    /**
     * @param defaultSeverity for formats whose results carry none (ffuf)
     * @param sourceDir       the checked-out repository, so SARIF file URIs are reported relative to it
     */
    static ResultParser forFormat(String format, String defaultSeverity, Path sourceDir) {
        return switch (format) {
            case "sarif" -> new SarifParser(sourceDir);
            case "cyclonedx-json" -> new CycloneDxParser();
            case "grype-json" -> new GrypeJsonParser();
            case "nuclei-jsonl" -> new NucleiJsonlParser();
            case "ffuf-json" -> new FfufJsonParser(defaultSeverity);
            case "openapi" -> new OpenApiParser();
            case "nmap-xml" -> new NmapXmlParser();
            case "testssl-json" -> new TestsslJsonParser();
            case "none" -> file -> new ScanReport(0, Map.of(), Map.of());
            default -> throw new IllegalArgumentException("unknown result format '" + format + "' ("
                    + String.join(", ", FORMATS) + ")");
        };
    }
}
