package dev.scanflow.finding;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/** Where a finding is, as the URIs SARIF wants: relative file paths, host addresses, URLs percent-encoded. */
final class SarifUris {

    private static final Pattern SCHEME = Pattern.compile("[a-z][a-z0-9+.-]*");
    private static final String UNRESERVED = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~";
    private static final String PATH_SAFE = UNRESERVED + "!$&'()*+,;=@/";
    private static final String QUERY_SAFE = PATH_SAFE + ":?";

    private SarifUris() {
    }

    /** A relative path stays relative (to %SRCROOT%); an absolute one becomes a file URI. */
    static String fileUri(String file) {
        String path = file.replace('\\', '/');
        while (path.startsWith("./")) {
            path = path.substring(2);
        }
        if (path.isEmpty()) {
            return null;
        }
        return path.startsWith("/") ? "file://" + quote(path, PATH_SAFE) : quote(path, PATH_SAFE);
    }

    /**
     * A web finding's URL; else the host and port: tcp://host:port for network findings (or
     * their protocol as the scheme), https://host:port for TLS and web findings.
     */
    static String addressUri(String kind, String host, String protocol, Integer port, String url) {
        if ("web".equals(kind) && url != null) {
            String uri = urlUri(url);
            if (uri != null) {
                return uri;
            }
        }
        if (!"network".equals(kind) && !"tls".equals(kind) && !"web".equals(kind)) {
            return null;
        }
        if (host == null) {
            return null;
        }
        String scheme = "tls".equals(kind) || "web".equals(kind) ? "https"
                : protocol != null && SCHEME.matcher(protocol.toLowerCase(Locale.ROOT)).matches()
                        ? protocol.toLowerCase(Locale.ROOT) : "tcp";
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return absolute(scheme + "://" + h + (port == null ? "" : ":" + port));
    }

    /**
     * A URL as a valid URI: the authority as given, characters a path, query or fragment may
     * not hold (spaces, quotes, a second '#', fuzzing payloads) percent-encoded.
     */
    static String urlUri(String url) {
        int schemeEnd = url.indexOf("://");
        if (schemeEnd <= 0) {
            return null;
        }
        int authorityEnd = schemeEnd + 3;
        while (authorityEnd < url.length() && "/?#".indexOf(url.charAt(authorityEnd)) < 0) {
            authorityEnd++;
        }
        String rest = url.substring(authorityEnd);
        int hash = rest.indexOf('#');
        String quoted = hash < 0 ? quote(rest, QUERY_SAFE)
                : quote(rest.substring(0, hash), QUERY_SAFE) + "#" + quote(rest.substring(hash + 1), QUERY_SAFE);
        return absolute(url.substring(0, authorityEnd) + quoted);
    }

    private static String absolute(String candidate) {
        try {
            URI uri = new URI(candidate);
            return uri.isAbsolute() && uri.getHost() != null ? candidate : null;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /** Percent-encodes every character not in {@code safe} (as UTF-8), keeping existing %XX escapes. */
    private static String quote(String s, String safe) {
        StringBuilder out = new StringBuilder(s.length());
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            if (b < 0x80 && safe.indexOf(b) >= 0) {
                out.append((char) b);
            } else if (b == '%' && i + 2 < bytes.length && hex(bytes[i + 1]) && hex(bytes[i + 2])) {
                out.append('%');
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }

    private static boolean hex(byte b) {
        return Character.digit(b, 16) >= 0;
    }
}
