package dev.scanflow.credential;

import dev.scanflow.common.PathGlob;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a credential may be sent: host or URL-prefix patterns, plain Java.
 *
 * <ul>
 *   <li>a URL prefix, {@code https://staging.example.com/app/}: the target's scheme, host and port
 *       are these, and its path is this one or below it (at a {@code /});</li>
 *   <li>a host, {@code example.com} or {@code *.example.com} (any name below it, not the name
 *       itself), with an optional port and path: {@code github.com/acme/*}. In a path {@code *}
 *       stands for one segment's characters and {@code **} for anything; a path without them is
 *       a prefix at a {@code /}. A trailing {@code /} or {@code .git} does not count.</li>
 * </ul>
 *
 * A target is the command's target URL ({@code https://...}, {@code ssh://...}, scp-like
 * {@code git@host:path}) or, without one, the asset's name as a host. A target path with
 * {@code ..} or encoded dots or slashes matches nothing. An empty scope admits every target.
 */
final class CredentialScope {

    static final int MAX_PATTERNS = 50;
    static final int MAX_LENGTH = 512;

    private static final String HOST = "(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
            + "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\\.?)";
    private static final Pattern URL_PREFIX = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*)://" + HOST + "(?::(\\d{1,5}))?(/[^?#*\\s]*)?$");
    private static final Pattern HOST_PATTERN = Pattern.compile("^(\\*\\.)?" + HOST + "(?::(\\d{1,5}))?(/[^?#\\s]*)?$");
    private static final Pattern TARGET_URL = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*)://(?:[^/?#]*@)?" + HOST
            + "(?::(\\d{1,5}))?([^?#]*)");
    private static final Pattern SCP_LIKE = Pattern.compile("^(?:[^@/:]+@)?" + HOST + ":(?!//)([^?#]*)$");
    private static final Pattern BARE = Pattern.compile("^" + HOST + "(?::(\\d{1,5}))?(/[^?#]*)?$");
    private static final Map<String, Integer> DEFAULT_PORTS = Map.of("http", 80, "https", 443, "ssh", 22, "git", 9418,
            "git+ssh", 22, "ssh+git", 22);

    private CredentialScope() {
    }

    /** A place: scheme (null for a bare host), host (lower case), port (-1: the scheme's default) and path. */
    record Place(String scheme, String host, int port, String path) {

        int effectivePort() {
            return port >= 0 ? port : scheme == null ? -1 : DEFAULT_PORTS.getOrDefault(scheme, -1);
        }
    }

    /** What is wrong with a pattern, or null when it is one. */
    static String problem(String pattern) {
        if (pattern == null || pattern.isEmpty()) {
            return "must not be empty";
        }
        if (pattern.length() > MAX_LENGTH) {
            return "must be at most " + MAX_LENGTH + " characters";
        }
        if (pattern.contains("://")) {
            if (pattern.contains("@")) {
                return "must not hold credentials: a URL prefix is scheme://host[:port][/path]";
            }
            return URL_PREFIX.matcher(pattern).matches() ? null
                    : "is not a URL prefix such as https://staging.example.com/ (scheme://host[:port][/path], no "
                            + "wildcards, query or fragment)";
        }
        if (pattern.equals("*") || pattern.startsWith("*/") || pattern.startsWith("**")) {
            return "would admit every host: leave scope out to let the credential go to any target";
        }
        return HOST_PATTERN.matcher(pattern).matches() ? null
                : "is not a host pattern such as github.com/acme/*, *.example.com or 10.0.0.5:8443";
    }

    /** Whether the scope admits the target (the command's target URL, else the asset's name). */
    static boolean admits(List<String> scope, String targetUrl, String assetName) {
        if (scope == null || scope.isEmpty()) {
            return true;
        }
        Place target = target(targetUrl == null || targetUrl.isBlank() ? assetName : targetUrl);
        if (target == null) {
            return false;
        }
        return scope.stream().anyMatch(p -> matches(p, target));
    }

    /** A target as a place; null when it cannot be read or its path tries to climb out of a prefix. */
    static Place target(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String t = text.trim();
        Place place;
        Matcher m;
        if (t.contains("://")) {
            m = TARGET_URL.matcher(t);
            place = m.lookingAt() ? new Place(m.group(1).toLowerCase(Locale.ROOT), host(m.group(2)), port(m.group(3)),
                    m.group(4)) : null;
        } else if ((m = BARE.matcher(t)).matches()) {
            place = new Place(null, host(m.group(1)), port(m.group(2)), m.group(3) == null ? "" : m.group(3));
        } else if ((m = SCP_LIKE.matcher(t)).matches()) {
            place = new Place("ssh", host(m.group(1)), -1, "/" + m.group(2));
        } else {
            place = null;
        }
        if (place == null || place.port() > 65_535 || !(place.path().isEmpty() || place.path().startsWith("/"))) {
            return null;
        }
        String lower = place.path().toLowerCase(Locale.ROOT);
        if (lower.contains("%2e") || lower.contains("%2f") || lower.contains("%5c") || lower.contains("\\")
                || ("/" + lower + "/").contains("/../") || ("/" + lower + "/").contains("/./")) {
            return null;
        }
        return place;
    }

    static boolean matches(String pattern, Place target) {
        if (pattern.contains("://")) {
            Matcher m = URL_PREFIX.matcher(pattern);
            if (!m.matches()) {
                return false;
            }
            Place p = new Place(m.group(1).toLowerCase(Locale.ROOT), host(m.group(2)), port(m.group(3)),
                    m.group(4) == null ? "" : m.group(4));
            return p.scheme().equals(target.scheme()) && p.host().equals(target.host())
                    && p.effectivePort() == target.effectivePort() && underPrefix(p.path(), target.path());
        }
        Matcher m = HOST_PATTERN.matcher(pattern);
        if (!m.matches()) {
            return false;
        }
        String host = host(m.group(2));
        boolean hostOk = m.group(1) != null ? target.host().endsWith("." + host) : target.host().equals(host);
        if (!hostOk) {
            return false;
        }
        if (m.group(3) != null && Integer.parseInt(m.group(3)) != target.effectivePort()) {
            return false;
        }
        String path = m.group(4);
        if (path == null) {
            return true;
        }
        return path.contains("*") ? PathGlob.compile(normalized(path)).matcher(normalized(target.path())).matches()
                : underPrefix(path, target.path());
    }

    /** The target's path is the prefix's, or below it at a '/'. */
    private static boolean underPrefix(String prefix, String path) {
        String p = normalized(prefix);
        String t = normalized(path);
        return p.isEmpty() || t.equals(p) || t.startsWith(p + "/");
    }

    /** Without trailing slashes and a trailing .git. */
    static String normalized(String path) {
        String p = path == null ? "" : path;
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.toLowerCase(Locale.ROOT).endsWith(".git")) {
            p = p.substring(0, p.length() - 4);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    private static String host(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    private static int port(String port) {
        return port == null ? -1 : Integer.parseInt(port);
    }
}
