package dev.scanflow.scope;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The key a target budget is kept under, the same for what a policy declares and for what a
 * step reaches (docs/api.md, "Target budgets"):
 * <ul>
 * <li>a host name: lower case, without a trailing dot ({@code scanme.example.com});</li>
 * <li>an address or a CIDR range: canonical ({@code 10.20.0.0/16}, {@code 2001:db8::1}; IPv4
 * carried in IPv6 is the IPv4 address);</li>
 * <li>a repository: {@code host/path}, without scheme, user, port, trailing {@code /} or
 * {@code .git}, the path in lower case ({@code github.com/acme/webapp} for
 * {@code https://github.com/Acme/webapp.git}, {@code ssh://git@github.com:22/acme/webapp} and
 * {@code git@github.com:acme/webapp.git}).</li>
 * </ul>
 * A step's key is its asset's: the URL's host when the asset has a URL with a host (the
 * repository's key for a {@code repository} asset), else the asset's name. Plain Java.
 */
final class TargetKeys {

    private static final Pattern SCHEME = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*)://");
    /** The schemes a repository URL may have. */
    private static final Set<String> URL_SCHEMES = Set.of("https", "http", "ssh", "git", "git+ssh", "ssh+git");
    /** {@code git@github.com:acme/webapp.git}. */
    private static final Pattern SCP = Pattern.compile("^[^/@\\s:]+@([^:/\\s]+):(.*)$");
    private static final Pattern BRACKETED = Pattern.compile("^\\[([^\\]]+)\\](?::(\\d{1,5}))?$");
    private static final Pattern HOST_PORT = Pattern.compile("^([^:\\[\\]]+):(\\d{1,5})$");
    /** A user and a password before the host: never quoted back. */
    private static final Pattern PASSWORD = Pattern.compile("^((?:[a-zA-Z][a-zA-Z0-9+.-]*://)?)[^/@\\s]*:[^/@\\s]*@");

    private TargetKeys() {
    }

    /** The key of a target a policy names, or an {@link IllegalArgumentException} saying what is wrong with it. */
    static String declared(String raw) {
        String text = TargetRule.text(raw);
        if (IpRange.looksLikeOne(text) || (text.startsWith("[") && text.endsWith("]"))) {
            try {
                return IpRange.parse(text.startsWith("[") ? text.substring(1, text.length() - 1) : text).toString();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not a CIDR range or address: " + e.getMessage());
            }
        }
        String rest;
        Matcher scheme = SCHEME.matcher(text);
        Matcher scp = SCP.matcher(text);
        if (scheme.find()) {
            String name = scheme.group(1).toLowerCase(Locale.ROOT);
            if (!URL_SCHEMES.contains(name)) {
                throw new IllegalArgumentException("a URL target is a repository's (https, http, ssh or git), not "
                        + name + "://");
            }
            rest = text.substring(scheme.end());
        } else if (scp.matches()) {
            rest = scp.group(1) + "/" + scp.group(2);
        } else {
            rest = text;
        }
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash + 1);
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            if (authority.substring(0, at).contains(":")) {
                throw new IllegalArgumentException("must not carry credentials (user:password@): a budget names a "
                        + "target only");
            }
            authority = authority.substring(at + 1);
        }
        String host = host(authority);
        if (path.contains("?") || path.contains("#") || path.contains("*") || path.contains("//")
                || path.contains(" ")) {
            throw new IllegalArgumentException("a repository is host/path, such as github.com/acme/webapp "
                    + "(no patterns, query or fragment)");
        }
        String trimmed = TargetRule.trimPath(path);
        return trimmed.isEmpty() ? host : host + "/" + trimmed;
    }

    /** The text as an error may quote it: a password before the host is masked. */
    static String shown(String text) {
        Matcher m = PASSWORD.matcher(text.trim());
        return m.find() ? m.group(1) + "****@" + text.trim().substring(m.end()) : text.trim();
    }

    /**
     * The key of the target a step on this asset reaches, or null when the asset names none a
     * budget can be kept for (no URL with a host, and a name that is no host, address or range).
     */
    static String ofAsset(Map<String, Object> asset) {
        if (asset == null) {
            return null;
        }
        if (asset.get("url") instanceof String url && !url.isBlank()) {
            if ("repository".equals(asset.get("type"))) {
                try {
                    return declared(url);
                } catch (IllegalArgumentException e) {
                    // not a repository URL: the name decides, as below
                }
            } else {
                ScanTargets.Target target = ScanTargets.parse("the asset's url", url.trim());
                if (target != null) {
                    return target.host() != null ? target.host() : target.range().toString();
                }
            }
        }
        if (asset.get("name") instanceof String name && !name.isBlank()) {
            ScanTargets.Target target = ScanTargets.parse("the asset's name", name.trim());
            if (target != null && target.path() == null) {
                return target.host() != null ? target.host() : target.range().toString();
            }
        }
        return null;
    }

    private static String host(String authority) {
        Matcher bracketed = BRACKETED.matcher(authority);
        String host = authority;
        if (bracketed.matches()) {
            host = bracketed.group(1);
        } else {
            Matcher hostPort = HOST_PORT.matcher(authority);
            if (hostPort.matches()) {
                host = hostPort.group(1);
            }
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("names no host");
        }
        if (IpRange.looksLikeOne(host)) {
            var literal = IpRange.literal(host);
            if (literal == null) {
                throw new IllegalArgumentException("'" + host + "' is not an IPv4 or IPv6 address");
            }
            return IpRange.of(literal).toString();
        }
        String name = HostNames.normalize(host);
        if (!HostNames.valid(name)) {
            throw new IllegalArgumentException("not a target: use a host name (scanme.example.com), an address "
                    + "(10.20.0.5), a CIDR range (10.20.0.0/16) or a repository URL (https://github.com/acme/webapp)");
        }
        return name;
    }
}
