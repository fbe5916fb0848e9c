package dev.scanflow.agent;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Turns a tool's result file into a report: counts, an output, and the findings as records. */
public interface ResultParser {

    List<String> FORMATS = List.of("sarif", "cyclonedx-json", "grype-json", "nuclei-jsonl", "ffuf-json", "openapi",
            "nmap-xml", "testssl-json", "none");

    ScanReport parse(Path file) throws IOException;

    static ResultParser forFormat(String format) {
        return forFormat(format, null, null, null);
    }

    /**
     * @param tool            the tool that wrote the file, as the worker names it (the findings'
     *                        {@code tool}); null: what the file says, else the format's usual tool
     * @param defaultSeverity for formats whose results carry none (ffuf)
     * @param sourceDir       the checked-out repository, so SARIF file URIs are reported relative
     *                        to it and unquoted snippets are read from it
     */
    static ResultParser forFormat(String format, String tool, String defaultSeverity, Path sourceDir) {
        return switch (format) {
            case "sarif" -> new SarifParser(tool, sourceDir);
            case "cyclonedx-json" -> new CycloneDxParser(tool);
            case "grype-json" -> new GrypeJsonParser(tool);
            case "nuclei-jsonl" -> new NucleiJsonlParser(tool);
            case "ffuf-json" -> new FfufJsonParser(tool, defaultSeverity);
            case "openapi" -> new OpenApiParser(tool);
            case "nmap-xml" -> new NmapXmlParser(tool);
            case "testssl-json" -> new TestsslJsonParser(tool);
            case "none" -> file -> new ScanReport(0, Map.of(), Map.of());
            default -> throw new IllegalArgumentException("unknown result format '" + format + "' ("
                    + String.join(", ", FORMATS) + ")");
        };
    }
}
