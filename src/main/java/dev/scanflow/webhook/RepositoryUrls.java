package dev.scanflow.webhook;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One repository's URLs in one form, so that the clone, SSH and web URLs of a push payload find
 * the asset whatever form its {@code url} was written in: {@code https://github.com/Acme/App.git},
 * {@code git@github.com:acme/app.git}, {@code ssh://git@github.com:22/acme/app} and
 * {@code https://github.com/acme/app/} are all {@code github.com/acme/app}. Plain Java.
 */
public final class RepositoryUrls {

    /** scp-like SSH: user@host:path (no scheme). */
    private static final Pattern SCP = Pattern.compile("^(?:[^@/\\s]+@)?([^:/\\s]+):(?!\\d+/)(.+)$");
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*://(.*)$");

    private RepositoryUrls() {
    }

    /** The repository's canonical form, {@code host/path} in lower case; null when it is not a URL. */
    public static String canonical(String url) {
        if (url == null) {
            return null;
        }
        String u = url.trim();
        if (u.isEmpty() || u.chars().anyMatch(Character::isWhitespace)) {
            return null;
        }
        String hostAndPath;
        Matcher scheme = SCHEME.matcher(u);
        if (scheme.matches()) {
            hostAndPath = scheme.group(1);
            int at = hostAndPath.indexOf('@');
            int slash = hostAndPath.indexOf('/');
            if (at >= 0 && (slash < 0 || at < slash)) {
                hostAndPath = hostAndPath.substring(at + 1); // credentials or the ssh user
            }
            slash = hostAndPath.indexOf('/');
            String host = slash < 0 ? hostAndPath : hostAndPath.substring(0, slash);
            String path = slash < 0 ? "" : hostAndPath.substring(slash);
            int colon = host.indexOf(':');
            if (colon >= 0) {
                host = host.substring(0, colon); // the port
            }
            hostAndPath = host + path;
        } else {
            Matcher scp = SCP.matcher(u);
            if (!scp.matches()) {
                return null;
            }
            hostAndPath = scp.group(1) + "/" + scp.group(2);
        }
        int query = indexOfAny(hostAndPath, '?', '#');
        if (query >= 0) {
            hostAndPath = hostAndPath.substring(0, query);
        }
        String c = hostAndPath.replaceAll("/+", "/");
        while (c.endsWith("/")) {
            c = c.substring(0, c.length() - 1);
        }
        if (c.endsWith(".git")) {
            c = c.substring(0, c.length() - 4);
        }
        c = c.toLowerCase(Locale.ROOT);
        return c.contains("/") ? c : null;
    }

    /** The last two path segments ({@code owner/repo}), to narrow a lookup before comparing canonical forms. */
    public static String tail(String canonical) {
        String[] parts = canonical.split("/");
        return parts.length < 3 ? canonical : parts[parts.length - 2] + "/" + parts[parts.length - 1];
    }

    private static int indexOfAny(String s, char a, char b) {
        int i = s.indexOf(a);
        int j = s.indexOf(b);
        return i < 0 ? j : j < 0 ? i : Math.min(i, j);
    }
}
