package dev.scanflow.finding;

import dev.scanflow.protocol.Finding;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A worker's finding as the service keeps it, or why it cannot: {@code tool}, {@code rule_id}
 * and a known {@code kind} are required; a severity outside the six becomes {@code unknown};
 * texts are bounded and cleaned of NUL; only CVE, CWE and GHSA references are kept. A secret's
 * snippet is masked and its raw excerpt dropped: the service keeps where a secret is, not the
 * secret (its identity was taken from the whole snippet first).
 */
public final class FindingCheck {

    /** Longest tool, rule, title, file, package or URL text kept. */
    static final int TEXT_LIMIT = 1_000;
    /** Most references kept per finding. */
    static final int REFERENCE_LIMIT = 20;
    private static final Pattern REFERENCE = Pattern.compile("(?i)^(CVE-\\d{4}-\\d{4,}|CWE-\\d+|GHSA(-[0-9a-z]{4}){3})$");
    private static final Map<String, String> SEVERITY_WORDS = Map.of("error", "high", "warning", "medium",
            "note", "low", "moderate", "medium", "negligible", "info", "informational", "info", "none", "info");

    /** A kept finding and its identity; or the reason it was refused. */
    public record Checked(Finding finding, String identity, String refusal) {
    }

    private FindingCheck() {
    }

    public static Checked check(Finding raw) {
        if (raw == null) {
            return new Checked(null, null, "empty");
        }
        String tool = text(raw.tool(), 100);
        String rule = text(raw.ruleId(), TEXT_LIMIT);
        String kind = raw.kind() == null ? null : raw.kind().trim().toLowerCase(Locale.ROOT);
        if (tool == null || tool.isBlank() || rule == null || rule.isBlank()) {
            return new Checked(null, null, "no tool or rule_id");
        }
        if (kind == null || !Finding.KINDS.contains(kind)) {
            return new Checked(null, null, "unknown kind");
        }
        Finding.Location at = raw.location();
        Finding.Location location = at == null ? null : new Finding.Location(text(at.file(), TEXT_LIMIT),
                positive(at.startLine()), positive(at.endLine()), text(at.snippet(), Finding.RAW_LIMIT),
                text(at.packageName(), TEXT_LIMIT), text(at.version(), 200), text(at.purl(), TEXT_LIMIT),
                text(at.host(), 300), at.port() != null && at.port() > 0 && at.port() < 65536 ? at.port() : null,
                text(at.protocol(), 20), text(at.url(), TEXT_LIMIT), text(at.method(), 20), text(at.parameter(), 300));
        List<String> refs = new ArrayList<>();
        if (raw.references() != null) {
            for (String r : raw.references()) {
                String ref = r == null ? "" : r.trim().toUpperCase(Locale.ROOT);
                if (REFERENCE.matcher(ref).matches() && !refs.contains(ref) && refs.size() < REFERENCE_LIMIT) {
                    refs.add(ref);
                }
            }
        }
        Finding kept = new Finding(tool.trim(), rule.trim(), text(raw.title(), TEXT_LIMIT), severity(raw.severity()),
                kind, location, refs, text(raw.fingerprint(), 500), text(raw.message(), Finding.MESSAGE_LIMIT),
                text(raw.raw(), Finding.RAW_LIMIT));
        String identity = FindingIdentity.of(kept);
        if ("secret".equals(kind)) {
            // a secret's message and excerpt may quote it: only where it is stays
            kept = new Finding(kept.tool(), kept.ruleId(), kept.title(), kept.severity(), kind,
                    location == null ? null : location.withSnippet(Finding.maskedSecret(location.snippet())),
                    refs, kept.fingerprint(), null, null);
        }
        return new Checked(kept, identity, null);
    }

    static String severity(String s) {
        if (s == null) {
            return "unknown";
        }
        String v = s.trim().toLowerCase(Locale.ROOT);
        if (Finding.SEVERITIES.contains(v)) {
            return v;
        }
        return SEVERITY_WORDS.getOrDefault(v, "unknown");
    }

    private static Integer positive(Integer n) {
        return n != null && n > 0 ? n : null;
    }

    /**
     * A worker's text as PostgreSQL can store it: NUL and lone surrogates (which JSON and text
     * columns refuse) become U+FFFD, and it is cut at {@code max} without splitting a pair.
     */
    static String text(String s, int max) {
        if (s == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(Math.min(s.length(), max));
        for (int i = 0; i < s.length() && out.length() < max; i++) {
            char c = s.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
            if (pair) {
                if (out.length() + 2 > max) {
                    break;
                }
                out.append(c).append(s.charAt(++i));
            } else if (c == '\u0000' || Character.isSurrogate(c)) {
                out.append('\uFFFD');
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
