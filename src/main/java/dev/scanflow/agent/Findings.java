package dev.scanflow.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflow.protocol.Finding;
import dev.scanflow.protocol.Finding.Location;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Building finding records from a tool's data: the references in its text, a raw excerpt, and
 * the size bounds. Parsers bound loosely ({@link #of}: four times the limits) and the worker cuts
 * to the protocol's limits only after redaction ({@link #bounded}), so that a cut never leaves
 * the first half of a credential value where the redactor cannot recognise it.
 */
final class Findings {

    /** Longest title (the protocol names none; a title is a line). */
    static final int TITLE_LIMIT = 300;
    /** Longest other text field: a rule id, a path, a URL, a package name, a fingerprint. */
    static final int FIELD_LIMIT = 1_000;
    static final int REFERENCES_LIMIT = 50;
    /** How much more than the limits a parser keeps until redaction. */
    private static final int LOOSE = 4;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern REFERENCE = Pattern.compile(
            "(?i)(?<![A-Za-z0-9])(CVE-\\d{4}-\\d{4,7}|CWE-\\d{1,5}|GHSA(?:-[23456789cfghjmpqrvwx]{4}){3})(?![A-Za-z0-9])");

    private Findings() {
    }

    /** A finding as a parser makes it: bounded loosely, its severity and references checked. */
    static Finding of(String tool, String ruleId, String title, String severity, String kind, Location location,
            Collection<String> references, String fingerprint, String message, String raw) {
        if (!Finding.SEVERITIES.contains(severity) || !Finding.KINDS.contains(kind)) {
            throw new IllegalArgumentException("severity " + severity + ", kind " + kind);
        }
        return bound(new Finding(tool, ruleId, title, severity, kind, location,
                references == null ? List.of() : List.copyOf(references), fingerprint, message, raw), LOOSE);
    }

    /**
     * The finding within the protocol's limits (after redaction). A secret leaves the worker
     * without its value: its snippet masked to the first four characters, no message or raw
     * excerpt (either may quote it), and, when the tool gave no fingerprint, a SHA-256 of the
     * whole snippet as one, so the same secret on the same line is the same finding next time.
     */
    static Finding bounded(Finding f) {
        Finding b = bound(f, 1);
        if (!"secret".equals(b.kind())) {
            return b;
        }
        Location l = b.location();
        String snippet = l == null ? null : l.snippet();
        String fingerprint = b.fingerprint() != null || snippet == null ? b.fingerprint()
                : "sha256:" + sha256(snippet.strip().replaceAll("\\s+", " "));
        Location masked = l == null ? null : l.withSnippet(Finding.maskedSecret(snippet));
        return new Finding(b.tool(), b.ruleId(), b.title(), b.severity(), b.kind(), masked, b.references(), fingerprint,
                null, null);
    }

    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Finding bound(Finding f, int factor) {
        List<String> refs = f.references() == null ? List.of() : f.references().stream()
                .limit(REFERENCES_LIMIT).map(r -> cut(r, 100)).toList();
        return new Finding(cut(f.tool(), FIELD_LIMIT * factor), cut(f.ruleId(), FIELD_LIMIT * factor),
                cut(f.title(), TITLE_LIMIT * factor), f.severity(), f.kind(), bound(f.location(), factor), refs,
                cut(f.fingerprint(), FIELD_LIMIT * factor), cut(f.message(), Finding.MESSAGE_LIMIT * factor),
                cut(f.raw(), Finding.RAW_LIMIT * factor));
    }

    private static Location bound(Location l, int factor) {
        if (l == null) {
            return null;
        }
        int n = FIELD_LIMIT * factor;
        return new Location(cut(l.file(), n), l.startLine(), l.endLine(), cut(l.snippet(), Finding.RAW_LIMIT * factor),
                cut(l.packageName(), n), cut(l.version(), n), cut(l.purl(), n), cut(l.host(), n), l.port(),
                cut(l.protocol(), n), cut(l.url(), n), cut(l.method(), n), cut(l.parameter(), n));
    }

    /** At most {@code limit} characters, never half a surrogate pair. */
    static String cut(String s, int limit) {
        if (s == null || s.length() <= limit) {
            return s;
        }
        int end = Character.isHighSurrogate(s.charAt(limit - 1)) ? limit - 1 : limit;
        return s.substring(0, end);
    }

    /** The first non-blank line, trimmed; null for none. */
    static String firstLine(String text) {
        if (text == null) {
            return null;
        }
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse(null);
    }

    /** A tool's record as compact JSON (cut later). */
    static String raw(Object record) {
        try {
            return JSON.writeValueAsString(record);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    static String text(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? null : blankToNull(node.asText());
    }

    static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** CVE, CWE and GHSA ids, each once, in the order found. */
    static final class References {

        private final Set<String> ids = new LinkedHashSet<>();

        References add(String text) {
            if (text == null) {
                return this;
            }
            Matcher m = REFERENCE.matcher(text);
            while (m.find()) {
                ids.add(normal(m.group(1)));
            }
            return this;
        }

        /** Every value under a node (tags, URLs, nested properties). */
        References addAll(JsonNode node) {
            if (node == null) {
                return this;
            }
            if (node.isValueNode()) {
                add(node.asText());
            } else {
                node.forEach(this::addAll);
            }
            return this;
        }

        List<String> list() {
            return new ArrayList<>(ids);
        }

        private static String normal(String id) {
            String upper = id.toUpperCase(Locale.ROOT);
            if (upper.startsWith("GHSA")) {
                return "GHSA" + id.substring(4).toLowerCase(Locale.ROOT);
            }
            if (upper.startsWith("CWE-")) {
                return "CWE-" + Integer.parseInt(upper.substring(4)); // CodeQL writes cwe-079
            }
            return upper;
        }
    }
}
