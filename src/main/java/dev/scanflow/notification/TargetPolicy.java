package dev.scanflow.notification;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Where notifications may go: http(s) URLs whose host resolves only to public addresses, so a
 * tenant cannot make the service call its own network. Loopback, private, unique-local, CGNAT
 * and unspecified addresses are refused unless private targets are allowed (development,
 * tests); every other special-purpose address ({@link SpecialAddresses}: link-local with cloud
 * metadata, multicast, broadcast, reserved, ...) always is. Checked when a channel is saved and
 * again, after resolution, before each send.
 */
public final class TargetPolicy {

    private final boolean allowPrivate;

    public TargetPolicy(boolean allowPrivate) {
        this.allowPrivate = allowPrivate;
    }

    /** The URL's shape: null when fine, else why not. */
    public static String shapeProblem(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (Exception e) {
            return "is not a URL";
        }
        if (uri.getScheme() == null || !(uri.getScheme().equalsIgnoreCase("https") || uri.getScheme().equalsIgnoreCase("http"))) {
            return "must be an http or https URL";
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            return "must name a host";
        }
        if (uri.getUserInfo() != null) {
            return "must not carry credentials (user:password@)";
        }
        return null;
    }

    /** Resolves the host (blocking: call it off the event loop) and checks every address. */
    public String problem(String url) {
        String shape = shapeProblem(url);
        if (shape != null) {
            return shape;
        }
        String host = URI.create(url).getHost();
        List<InetAddress> addresses;
        try {
            addresses = List.of(InetAddress.getAllByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host));
        } catch (UnknownHostException e) {
            return "its host " + host + " does not resolve";
        }
        return problem(host, addresses);
    }

    /** Every address the host resolves to must be allowed (DNS may answer differently next time). */
    public String problem(String host, List<InetAddress> addresses) {
        for (InetAddress a : addresses) {
            SpecialAddresses.Special special = SpecialAddresses.of(a);
            if (special == null) {
                continue;
            }
            if (special.never() || !allowPrivate) {
                String what = special.what();
                return "its host " + host + " resolves to " + a.getHostAddress() + ", "
                        + ("aeiouAEIOU".indexOf(what.charAt(0)) >= 0 ? "an " : "a ") + what + " address"
                        + (special.never() ? ", which is never allowed"
                                : " (refused unless SCANFLOW_NOTIFICATIONS_ALLOW_PRIVATE_TARGETS=true)");
            }
        }
        return null;
    }
}
