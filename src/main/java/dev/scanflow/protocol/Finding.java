package dev.scanflow.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Set;

/**
 * One finding as a worker reports it (protocol 2.2), inside a {@link FindingsChunk}: what the
 * tool found ({@code tool}, {@code rule_id}, {@code title}, {@code severity}), what kind of
 * problem it is, where ({@link Location}, the fields that fit the kind), its references (CVE,
 * CWE, GHSA ids), the tool's own {@code fingerprint} when it gives one, a bounded
 * {@code message} and a bounded {@code raw} excerpt of the tool's output.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Finding(String tool, String ruleId, String title, String severity, String kind, Location location,
        List<String> references, String fingerprint, String message, String raw) {

    public static final List<String> SEVERITIES = List.of("critical", "high", "medium", "low", "info", "unknown");
    public static final Set<String> KINDS = Set.of("code", "dependency", "secret", "config", "network", "web", "tls");

    /** Longest {@code message} a worker sends and the service keeps. */
    public static final int MESSAGE_LIMIT = 2_000;
    /** Longest {@code raw} excerpt (and code {@code snippet}). */
    public static final int RAW_LIMIT = 4_000;
    /** What marks a masked secret: its first characters, then this. */
    public static final String MASK = "****";

    /**
     * A secret's snippet as it may travel and be kept: its first four characters and
     * {@link #MASK} (all masked when it is short); one masked already stays as it is.
     */
    public static String maskedSecret(String snippet) {
        if (snippet == null) {
            return null;
        }
        String s = snippet.strip();
        int length = s.codePointCount(0, s.length());
        if (s.endsWith(MASK) && length <= 4 + MASK.length()) {
            return s;
        }
        return length <= 8 ? MASK : s.substring(0, s.offsetByCodePoints(0, 4)) + MASK;
    }

    /**
     * Where: {@code file}, {@code start_line}, {@code end_line}, {@code snippet} for code, secrets
     * and configuration; {@code package}, {@code version}, {@code purl} for dependencies;
     * {@code host}, {@code port}, {@code protocol} for network and TLS; {@code url},
     * {@code method}, {@code parameter} for web findings.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Location(String file, Integer startLine, Integer endLine, String snippet, @JsonProperty("package") String packageName,
            String version, String purl, String host, Integer port, String protocol, String url, String method,
            String parameter) {

        public static Location code(String file, Integer startLine, Integer endLine, String snippet) {
            return new Location(file, startLine, endLine, snippet, null, null, null, null, null, null, null, null, null);
        }

        public static Location dependency(String packageName, String version, String purl) {
            return new Location(null, null, null, null, packageName, version, purl, null, null, null, null, null, null);
        }

        public static Location network(String host, Integer port, String protocol) {
            return new Location(null, null, null, null, null, null, null, host, port, protocol, null, null, null);
        }

        public static Location web(String url, String method, String parameter) {
            return new Location(null, null, null, null, null, null, null, null, null, null, url, method, parameter);
        }

        /** The same place with another snippet. */
        public Location withSnippet(String other) {
            return new Location(file, startLine, endLine, other, packageName, version, purl, host, port, protocol, url,
                    method, parameter);
        }
    }
}
