package dev.scanflow.finding;

import dev.scanflow.protocol.Finding;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A finding's identity on its asset (docs/adr/0011-findings.md), so the same problem is the same
 * finding from one run to the next however the code around it moves. Never a line number:
 * <ul>
 *   <li>dependency: package + vulnerability id (so trivy and grype reporting one CVE on one
 *       package are one finding);</li>
 *   <li>otherwise the tool's {@code fingerprint} when it gives one;</li>
 *   <li>code, secret, config: rule + file + the snippet with its whitespace collapsed (the
 *       message, digits removed, when there is no snippet);</li>
 *   <li>network, tls: host + port + rule;</li>
 *   <li>web: host + normalised path (ids and numbers as {@code {id}}) + method + parameter + rule.</li>
 * </ul>
 * The key is hashed (SHA-256, hex): identities of secrets hold no secret.
 */
public final class FindingIdentity {

    private static final Pattern SPACE = Pattern.compile("\\s+");
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");
    private static final Pattern ID_SEGMENT = Pattern.compile(
            "[0-9]+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-fA-F]{24,}");
    private static final Pattern VULNERABILITY_ID = Pattern.compile("(?i)^(CVE-\\d{4}-\\d+|GHSA(-[0-9a-z]{4}){3})$");

    private FindingIdentity() {
    }

    /** The identity of a valid finding ({@link FindingCheck} passed). */
    public static String of(Finding f) {
        return sha256(key(f));
    }

    /** The identity's key before hashing. */
    static String key(Finding f) {
        String rule = f.ruleId().trim();
        Finding.Location at = f.location() == null ? Finding.Location.code(null, null, null, null) : f.location();
        if ("dependency".equals(f.kind())) {
            return String.join("|", "dependency", packageOf(at), vulnerabilityOf(rule, f.references()));
        }
        if (f.fingerprint() != null && !f.fingerprint().isBlank()) {
            return String.join("|", "fingerprint", f.kind(), f.tool(), f.fingerprint().trim());
        }
        return switch (f.kind()) {
            case "network", "tls" -> String.join("|", f.kind(), lower(at.host()), String.valueOf(at.port()), rule);
            case "web" -> String.join("|", "web", webPath(at.url()), upper(at.method()), nonNull(at.parameter()), rule);
            default -> String.join("|", f.kind(), rule, path(at.file()), context(at.snippet(), f.message()));
        };
    }

    /** purl without its version (and qualifiers) when there is one, else the package name; lower case. */
    static String packageOf(Finding.Location at) {
        String purl = at.purl();
        if (purl != null && !purl.isBlank()) {
            String p = purl.trim();
            int cut = p.length();
            for (char c : new char[] {'@', '?', '#'}) {
                int i = p.indexOf(c);
                if (i > 0) {
                    cut = Math.min(cut, i);
                }
            }
            return p.substring(0, cut).toLowerCase(Locale.ROOT);
        }
        return lower(at.packageName());
    }

    /** The CVE or GHSA id the finding is about: its rule when that is one, else its first such reference. */
    static String vulnerabilityOf(String rule, List<String> references) {
        if (VULNERABILITY_ID.matcher(rule).matches()) {
            return rule.toUpperCase(Locale.ROOT);
        }
        if (references != null) {
            for (String ref : references) {
                if (ref != null && VULNERABILITY_ID.matcher(ref.trim()).matches()) {
                    return ref.trim().toUpperCase(Locale.ROOT);
                }
            }
        }
        return rule;
    }

    static String path(String file) {
        if (file == null) {
            return "";
        }
        String p = file.trim().replace('\\', '/');
        while (p.startsWith("./")) {
            p = p.substring(2);
        }
        return p;
    }

    static String context(String snippet, String message) {
        if (snippet != null && !snippet.isBlank()) {
            return SPACE.matcher(snippet.trim()).replaceAll(" ");
        }
        return message == null ? "" : DIGITS.matcher(SPACE.matcher(message.trim()).replaceAll(" ")).replaceAll("#");
    }

    /** Host (lower case) and path with numeric, UUID and long hex segments as {id}; no query, no fragment. */
    static String webPath(String url) {
        if (url == null || url.isBlank()) {
            return "";
        }
        String host = "";
        String path = url.trim();
        try {
            URI u = URI.create(path);
            if (u.getHost() != null) {
                host = u.getHost().toLowerCase(Locale.ROOT) + (u.getPort() > 0 ? ":" + u.getPort() : "");
            }
            path = u.getRawPath() == null ? "" : u.getRawPath();
        } catch (IllegalArgumentException e) {
            int q = path.indexOf('?');
            path = q < 0 ? path : path.substring(0, q);
        }
        StringBuilder out = new StringBuilder(host);
        for (String segment : path.split("/")) {
            if (!segment.isEmpty()) {
                out.append('/').append(ID_SEGMENT.matcher(segment).matches() ? "{id}" : segment);
            }
        }
        return out.length() == host.length() ? out.append('/').toString() : out.toString();
    }

    private static String lower(String s) {
        return s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
    }

    private static String upper(String s) {
        return s == null ? "" : s.trim().toUpperCase(Locale.ROOT);
    }

    private static String nonNull(String s) {
        return s == null ? "" : s.trim();
    }

    static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
