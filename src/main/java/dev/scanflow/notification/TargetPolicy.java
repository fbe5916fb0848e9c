package dev.scanflow.notification;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Where notifications may go: http(s) URLs whose host resolves only to public addresses, so a
 * tenant cannot make the service call its own network. Loopback, private, unique-local, CGNAT
 * and unspecified addresses are refused unless private targets are allowed (development,
 * tests); link-local addresses (169.254.0.0/16 with cloud metadata, fe80::/10) and multicast
 * always are. Checked when a channel is saved and again, after resolution, before each send.
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
            String kind = kind(a);
            if (kind == null) {
                continue;
            }
            boolean always = kind.startsWith("link-local") || kind.equals("multicast");
            if (always || !allowPrivate) {
                return "its host " + host + " resolves to " + a.getHostAddress() + ", a " + kind + " address"
                        + (always ? ", which is never allowed"
                                : " (refused unless SCANFLOW_NOTIFICATIONS_ALLOW_PRIVATE_TARGETS=true)");
            }
        }
        return null;
    }

    /** Null for a public address, else what it is. */
    static String kind(InetAddress a) {
        if (a.isLinkLocalAddress()) {
            return "link-local";
        }
        if (a.isMulticastAddress()) {
            return "multicast";
        }
        if (a.isLoopbackAddress()) {
            return "loopback";
        }
        if (a.isAnyLocalAddress()) {
            return "unspecified";
        }
        if (a.isSiteLocalAddress()) {
            return "private";
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            if (first == 100 && second >= 64 && second <= 127) {
                return "shared (CGNAT)";
            }
            if (first == 0) {
                return "unspecified";
            }
        }
        if (a instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) {
                return "private (unique local)";
            }
            // IPv4-mapped (::ffff:a.b.c.d): judge the IPv4 address
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            if (mapped && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
                try {
                    return kind(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
                } catch (UnknownHostException e) {
                    return "invalid";
                }
            }
        }
        return null;
    }
}
