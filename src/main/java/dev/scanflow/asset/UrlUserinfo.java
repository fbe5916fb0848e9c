package dev.scanflow.asset;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Credentials written into a URL ({@code https://user:token@host/...}): recognized, and split off
 * for the start-up migration. Any userinfo counts, except a bare user name on an SSH URL
 * ({@code ssh://git@host/...}), which names an account and holds no secret; scp-like
 * {@code git@github.com:acme/x.git} has no {@code ://} and is no URL with userinfo. The
 * authority ends at the first {@code /}, {@code ?} or {@code #}; the userinfo at its last
 * {@code @} (as git and curl read it).
 */
public final class UrlUserinfo {

    private static final Pattern AUTHORITY = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)(.*)$", Pattern.DOTALL);
    private static final Set<String> SSH_SCHEMES = Set.of("ssh", "git+ssh", "ssh+git");

    /** What the 422 says: how to keep the secret instead. */
    public static final String REFUSAL = "must not carry credentials (user:token@): remove them from the URL, store the "
            + "secret as a scan credential (POST /api/v1/credentials, e.g. {\"name\": \"github-ci\", \"kind\": "
            + "\"git_token\", \"value\": \"...\", \"scope\": [\"github.com/acme/*\"]}) and name it in the asset's "
            + "credentials ([\"github-ci\"])";

    private UrlUserinfo() {
    }

    /**
     * A URL's credentials, split off: the URL without them, the user name (null when only a
     * secret was given: {@code https://TOKEN@host}, the secret being the one part) and the secret.
     * Never printed: {@code toString} names neither.
     */
    public record Split(String cleanUrl, String scheme, String username, String secret) {

        @Override
        public String toString() {
            return "Split[" + cleanUrl + "]";
        }
    }

    /** Whether the URL carries credentials that must not be stored in it. */
    public static boolean hasSecret(String url) {
        return split(url) != null;
    }

    /** The URL's credentials split off, or null when it carries none (or only an SSH user name). */
    public static Split split(String url) {
        if (url == null) {
            return null;
        }
        Matcher m = AUTHORITY.matcher(url.trim());
        if (!m.matches()) {
            return null;
        }
        String scheme = m.group(1).toLowerCase(Locale.ROOT);
        String authority = m.group(2);
        int at = authority.lastIndexOf('@');
        if (at < 0) {
            return null;
        }
        String userinfo = authority.substring(0, at);
        int colon = userinfo.indexOf(':');
        String user = colon < 0 ? userinfo : userinfo.substring(0, colon);
        String password = colon < 0 ? null : userinfo.substring(colon + 1);
        String clean = m.group(1) + "://" + authority.substring(at + 1) + m.group(3);
        if (password != null && !password.isEmpty()) {
            return new Split(clean, scheme, user.isEmpty() ? null : decode(user), decode(password));
        }
        if (user.isEmpty() || SSH_SCHEMES.contains(scheme)) {
            return null; // nothing, or an SSH account name: no secret
        }
        return new Split(clean, scheme, null, decode(user)); // https://TOKEN@host: the one part is the secret
    }

    /** Percent-decoding as in a URL ('+' stays '+'). */
    static String decode(String text) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        byte[] in = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        for (int i = 0; i < in.length; i++) {
            int hi = i + 2 < in.length ? Character.digit(in[i + 1], 16) : -1;
            int lo = i + 2 < in.length ? Character.digit(in[i + 2], 16) : -1;
            if (in[i] == '%' && hi >= 0 && lo >= 0) {
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                out.write(in[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
