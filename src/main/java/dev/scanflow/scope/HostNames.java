package dev.scanflow.scope;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Host names as the scope guard compares them: lower case, without a trailing dot, in the
 * letters-digits-hyphen syntax of DNS (underscores allowed, as in service names), ASCII only
 * (internationalized names in their {@code xn--} form), with a letter in the last label.
 */
final class HostNames {

    private static final Pattern LABEL = Pattern.compile("^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$");
    /** The last label has a letter: {@code 10.0.0.1-50} or {@code 167772165} are address notations, not names. */
    private static final Pattern LAST_LABEL = Pattern.compile(".*[a-z].*");
    private static final int MAX_LENGTH = 253;

    private HostNames() {
    }

    static String normalize(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    /** A normalized name with valid labels; not an IP address (those are ranges). */
    static boolean valid(String normalized) {
        if (normalized.isEmpty() || normalized.length() > MAX_LENGTH || IpRange.looksLikeOne(normalized)) {
            return false;
        }
        String[] labels = normalized.split("\\.", -1);
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return LAST_LABEL.matcher(labels[labels.length - 1]).matches();
    }
}
