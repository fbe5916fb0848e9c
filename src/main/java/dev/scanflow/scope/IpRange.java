package dev.scanflow.scope;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 CIDR range (a single address is a /32 or /128). Read from text without any
 * name lookup: IPv4 only as four decimal octets, IPv6 only as a literal of hex digits, colons
 * and dots. IPv4 carried in IPv6 ({@code ::ffff:10.0.0.1}) is the IPv4 address, as Java and the
 * resolver give it.
 */
final class IpRange {

    private static final Pattern IPV4 = Pattern.compile(
            "^(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}$");
    private static final Pattern IPV6_CHARS = Pattern.compile("^[0-9a-fA-F:][0-9a-fA-F:.]*$");
    private static final Pattern PREFIX = Pattern.compile("^\\d{1,3}$");

    private final byte[] network;
    private final int prefix;

    private IpRange(byte[] network, int prefix) {
        this.network = network;
        this.prefix = prefix;
    }

    /** Whether the text is an address or a CIDR in the notation above (it may still be invalid). */
    static boolean looksLikeOne(String text) {
        String address = text.contains("/") ? text.substring(0, text.indexOf('/')) : text;
        return IPV4.matcher(address).matches() || (address.contains(":") && IPV6_CHARS.matcher(address).matches())
                || address.matches("^[0-9.]+$");
    }

    /** The address literal as an address (no lookup), or null when it is not one. */
    static InetAddress literal(String text) {
        String t = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        if (IPV4.matcher(t).matches() || (t.contains(":") && IPV6_CHARS.matcher(t).matches())) {
            try {
                return InetAddress.getByName(t); // a literal: only its syntax is checked, nothing is looked up
            } catch (UnknownHostException e) {
                return null;
            }
        }
        return null;
    }

    /** A range from {@code 10.20.0.0/16}, {@code 2001:db8::/32} or a single address; the message says what is wrong. */
    static IpRange parse(String text) {
        int slash = text.indexOf('/');
        String addressText = slash < 0 ? text : text.substring(0, slash);
        InetAddress address = literal(addressText);
        if (address == null) {
            throw new IllegalArgumentException("'" + addressText + "' is not an IPv4 or IPv6 address");
        }
        byte[] bytes = address.getAddress();
        int bits = bytes.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String prefixText = text.substring(slash + 1);
            if (!PREFIX.matcher(prefixText).matches()) {
                throw new IllegalArgumentException("'" + prefixText + "' is not a prefix length");
            }
            prefix = Integer.parseInt(prefixText);
            if (address instanceof Inet4Address && addressText.contains(":")) {
                // ::ffff:a.b.c.d/104 is the IPv4 range a.b.c.d/8
                prefix -= 96;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("the prefix length of an IPv" + (bits == 32 ? 4 : 6)
                        + " range is 0 to " + bits);
            }
        }
        IpRange range = new IpRange(mask(bytes, prefix), prefix);
        if (!Arrays.equals(range.network, bytes)) {
            throw new IllegalArgumentException("has host bits set: did you mean " + range + "?");
        }
        return range;
    }

    /** The single address as a range. */
    static IpRange of(InetAddress address) {
        byte[] bytes = address.getAddress();
        return new IpRange(bytes, bytes.length * 8);
    }

    boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        return bytes.length == network.length && Arrays.equals(mask(bytes, prefix), network);
    }

    /** Every address of {@code other} is in this range. */
    boolean contains(IpRange other) {
        return other.network.length == network.length && other.prefix >= prefix
                && Arrays.equals(mask(other.network, prefix), network);
    }

    /** Some address is in both. */
    boolean overlaps(IpRange other) {
        return contains(other) || other.contains(this);
    }

    boolean single() {
        return prefix == network.length * 8;
    }

    private static byte[] mask(byte[] bytes, int prefix) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] = (byte) (out[i] & (0xff << (8 - keep)));
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpRange r && r.prefix == prefix && Arrays.equals(r.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefix;
    }

    /** Canonical: {@code 10.20.0.0/16}, {@code 2001:db8::/32}; a single address without its prefix. */
    @Override
    public String toString() {
        String address;
        try {
            address = InetAddress.getByAddress(network).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        if (network.length == 16) {
            address = compress(address);
        }
        return single() ? address : address + "/" + prefix;
    }

    /** Java writes IPv6 uncompressed (2001:db8:0:0:0:0:0:0); the longest run of zero groups becomes ::. */
    private static String compress(String full) {
        String[] groups = full.split(":");
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < groups.length; ) {
            if (groups[i].equals("0")) {
                int j = i;
                while (j < groups.length && groups[j].equals("0")) {
                    j++;
                }
                if (j - i > bestLength) {
                    bestStart = i;
                    bestLength = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestStart < 0) {
            return full;
        }
        String head = String.join(":", Arrays.copyOfRange(groups, 0, bestStart));
        String tail = String.join(":", Arrays.copyOfRange(groups, bestStart + bestLength, groups.length));
        return head + "::" + tail;
    }
}
