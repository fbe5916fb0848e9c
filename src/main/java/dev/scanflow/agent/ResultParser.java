package dev.scanflow.agent;

import java.io.IOException;
import java.nio.file.Path;

/** Turns a tool's result file into a report. */
public interface ResultParser {

    ScanReport parse(Path file) throws IOException;

    static ResultParser forFormat(String format) {
        return switch (format) {
            case "sarif" -> new SarifParser();
            case "nmap-xml" -> new NmapXmlParser();
            case "testssl-json" -> new TestsslJsonParser();
            case "none" -> file -> new ScanReport(0, java.util.Map.of(), java.util.Map.of());
            default -> throw new IllegalArgumentException("unknown result format '" + format
                    + "' (sarif, nmap-xml, testssl-json, none)");
        };
    }
}
