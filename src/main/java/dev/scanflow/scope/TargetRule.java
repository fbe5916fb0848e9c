package dev.scanflow.scope;

import dev.scanflow.common.PathGlob;
import java.util.regex.Pattern;

/**
 * One entry of a scan policy's {@code allowed_targets} or {@code excluded_targets}:
 * <ul>
 * <li>a CIDR range or an address, IPv4 or IPv6 ({@code 10.20.0.0/16}, {@code 2001:db8::/32},
 * {@code 10.0.0.5}): matches addresses in it, and ranges inside it (allowed) or overlapping it
 * (excluded);</li>
 * <li>a host ({@code scanme.example.com}) or its subdomains ({@code *.example.com}: subdomains at
 * any depth, not {@code example.com} itself): matches a target's host name;</li>
 * <li>a repository URL pattern ({@code github.com/acme/*}, a scheme is ignored): a host pattern
 * and a path, where {@code *} stands for one path segment or part of one and {@code **} for any
 * number of segments; a trailing {@code /} or {@code .git} does not matter. Matches targets
 * given as URLs.</li>
 * </ul>
 * {@link #text} is the canonical form the API answers.
 */
final class TargetRule {

    enum Kind { RANGE, HOST, URL }

    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*://");
    private static final int MAX_LENGTH = 1_000;

    final Kind kind;
    final String text;
    /** RANGE. */
    final IpRange range;
    /** HOST and URL: the host, without {@code *.} for a wildcard. */
    private final String host;
    private final boolean subdomains;
    /** URL: the path as a regular expression. */
    private final Pattern path;

    private TargetRule(Kind kind, String text, IpRange range, String host, boolean subdomains, Pattern path) {
        this.kind = kind;
        this.text = text;
        this.range = range;
        this.host = host;
        this.subdomains = subdomains;
        this.path = path;
    }

    /** The rule, or an {@link IllegalArgumentException} saying what is wrong with the text. */
    /** A target as written, trimmed; refused when empty or longer than the limit (rules and budgets alike). */
    static String text(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new IllegalArgumentException("must not be empty");
        }
        String text = raw.trim();
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("must be at most " + MAX_LENGTH + " characters");
        }
        return text;
    }

    static TargetRule parse(String raw) {
        String text = text(raw);
        if (IpRange.looksLikeOne(text) || (text.startsWith("[") && text.endsWith("]"))) {
            try {
                IpRange range = IpRange.parse(text.startsWith("[") ? text.substring(1, text.length() - 1) : text);
                return new TargetRule(Kind.RANGE, range.toString(), range, null, false, null);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not a CIDR range or address: " + e.getMessage());
            }
        }
        var scheme = SCHEME.matcher(text);
        String rest = scheme.find() ? text.substring(scheme.end()) : text;
        int slash = rest.indexOf('/');
        String hostPart = slash < 0 ? rest : rest.substring(0, slash);
        if (hostPart.contains("@")) {
            throw new IllegalArgumentException("a pattern names hosts and paths, never credentials (user@)");
        }
        String host = HostNames.normalize(hostPart);
        boolean subdomains = host.startsWith("*.");
        String bare = subdomains ? host.substring(2) : host;
        if (!HostNames.valid(bare) || (subdomains && !bare.contains("."))) {
            throw new IllegalArgumentException("not a host pattern: use a host name (scanme.example.com), its "
                    + "subdomains (*.example.com), a CIDR range (10.20.0.0/16) or a repository URL pattern "
                    + "(github.com/acme/*)");
        }
        if (slash < 0 || rest.substring(slash).matches("/*")) {
            // https://scanme.example.com/ is the host
            return new TargetRule(Kind.HOST, host, null, bare, subdomains, null);
        }
        String pathText = trimPath(rest.substring(slash + 1));
        if (pathText.contains("//") || pathText.contains("?") || pathText.contains("#")) {
            throw new IllegalArgumentException("a repository URL pattern is host/path, such as github.com/acme/*");
        }
        return new TargetRule(Kind.URL, host + "/" + pathText, null, bare, subdomains, PathGlob.compile(pathText));
    }

    /** The host name matches this HOST rule, or the host of this URL rule. */
    boolean matchesHost(String name) {
        return subdomains ? name.endsWith("." + host) : name.equals(host);
    }

    /** A URL target (its host name and normalized path) matches this URL rule. */
    boolean matchesUrl(String name, String urlPath) {
        return kind == Kind.URL && matchesHost(name) && path.matcher(trimPath(urlPath)).matches();
    }

    /** A path without the leading and trailing slashes and {@code .git}, in lower case. */
    static String trimPath(String p) {
        String out = p.toLowerCase(java.util.Locale.ROOT);
        while (out.startsWith("/")) {
            out = out.substring(1);
        }
        while (out.endsWith("/")) {
            out = out.substring(0, out.length() - 1);
        }
        return out.endsWith(".git") ? out.substring(0, out.length() - 4) : out;
    }

    @Override
    public String toString() {
        return text;
    }
}
