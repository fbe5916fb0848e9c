package dev.scanflow.notification;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The IANA IPv4 and IPv6 special-purpose address registries, as {@link TargetPolicy} needs them:
 * which addresses are not plain public unicast, and whether allowing private targets (for local
 * receivers in development) lets one through. Loopback, private, unique-local, CGNAT and
 * unspecified addresses are private; every other special-purpose range (link-local with cloud
 * metadata, multicast, broadcast, reserved, documentation, benchmarking, protocol assignments,
 * discard, anything outside 2000::/3) is never allowed. IPv6 forms that carry an IPv4 address
 * (mapped, IPv4-compatible, NAT64, 6to4, Teredo) are judged by the address they carry, since some
 * network may deliver them there; when that one is public, the form is still never allowed.
 */
final class SpecialAddresses {

    /** What an address is; {@code never} when allowing private targets does not let it through. */
    record Special(String what, boolean never) {
    }

    private record Range(byte[] prefix, int bits, String what, boolean never) {

        boolean contains(byte[] address) {
            if (address.length != prefix.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >>> (i % 8);
                if ((address[i / 8] & mask) != (prefix[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final boolean PRIVATE = false;
    private static final boolean NEVER = true;

    /** First match wins: narrower ranges before the ones that hold them. */
    private static final List<Range> IPV4 = List.of(
            range("0.0.0.0/8", "unspecified", PRIVATE),
            range("10.0.0.0/8", "private", PRIVATE),
            range("100.64.0.0/10", "shared (CGNAT)", PRIVATE),
            range("127.0.0.0/8", "loopback", PRIVATE),
            range("169.254.0.0/16", "link-local", NEVER),
            range("172.16.0.0/12", "private", PRIVATE),
            range("192.0.0.0/24", "IETF protocol assignments (192.0.0.0/24)", NEVER),
            range("192.0.2.0/24", "documentation (TEST-NET-1)", NEVER),
            range("192.88.99.0/24", "6to4 relay anycast", NEVER),
            range("192.168.0.0/16", "private", PRIVATE),
            range("198.18.0.0/15", "benchmarking (198.18.0.0/15)", NEVER),
            range("198.51.100.0/24", "documentation (TEST-NET-2)", NEVER),
            range("203.0.113.0/24", "documentation (TEST-NET-3)", NEVER),
            range("224.0.0.0/4", "multicast", NEVER),
            range("255.255.255.255/32", "broadcast", NEVER),
            range("240.0.0.0/4", "reserved (240.0.0.0/4)", NEVER));

    private static final List<Range> IPV6 = List.of(
            range("::/128", "unspecified", PRIVATE),
            range("::1/128", "loopback", PRIVATE),
            range("64:ff9b:1::/48", "local-use NAT64 (64:ff9b:1::/48)", NEVER),
            range("100::/64", "discard-only (100::/64)", NEVER),
            range("2001:db8::/32", "documentation (2001:db8::/32)", NEVER),
            range("2001::/23", "IETF protocol assignments (2001::/23)", NEVER),
            range("3fff::/20", "documentation (3fff::/20)", NEVER),
            range("5f00::/16", "segment routing (5f00::/16)", NEVER),
            range("fc00::/7", "private (unique local)", PRIVATE),
            range("fe80::/10", "link-local", NEVER),
            range("fec0::/10", "private (site-local)", PRIVATE),
            range("ff00::/8", "multicast", NEVER),
            range("2000::/3", null, PRIVATE)); // global unicast: public unless matched above

    private SpecialAddresses() {
    }

    /** Null for a public unicast address, else what it is. */
    static Special of(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return match(IPV4, b);
        }
        Special carried = carried(b);
        if (carried != null) {
            return carried;
        }
        Special special = match(IPV6, b);
        if (special == null && !IPV6.get(IPV6.size() - 1).contains(b)) {
            return new Special("reserved (outside 2000::/3)", NEVER);
        }
        return special != null && special.what() == null ? null : special;
    }

    /** An IPv6 form carrying an IPv4 address: judged by that address; null for any other. */
    private static Special carried(byte[] b) {
        if (prefixZero(b, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            Special inner = match(IPV4, slice(b, 12, false));
            return inner; // IPv4-mapped is the IPv4 address itself
        }
        if (prefixZero(b, 12) && !(prefixZero(b, 15) && (b[15] & 0xfe) == 0)) { // :: and ::1 are themselves
            return via("IPv4-compatible (::/96)", slice(b, 12, false));
        }
        if ((b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
                && zero(b, 4, 12)) {
            return via("NAT64 (64:ff9b::/96)", slice(b, 12, false));
        }
        if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
            return via("6to4 (2002::/16)", slice(b, 2, false));
        }
        if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x01 && b[2] == 0 && b[3] == 0) {
            return via("Teredo (2001::/32)", slice(b, 12, true)); // the client's address, stored inverted
        }
        return null;
    }

    private static Special via(String form, byte[] ipv4) {
        Special inner = match(IPV4, ipv4);
        String address = (ipv4[0] & 0xff) + "." + (ipv4[1] & 0xff) + "." + (ipv4[2] & 0xff) + "." + (ipv4[3] & 0xff);
        return inner == null ? new Special(form, NEVER)
                : new Special(form + " address of " + address + ", a " + inner.what(), inner.never());
    }

    private static Special match(List<Range> ranges, byte[] address) {
        for (Range r : ranges) {
            if (r.contains(address)) {
                return new Special(r.what(), r.never());
            }
        }
        return null;
    }

    private static boolean prefixZero(byte[] b, int n) {
        return zero(b, 0, n);
    }

    private static boolean zero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static byte[] slice(byte[] b, int from, boolean inverted) {
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            out[i] = (byte) (inverted ? ~b[from + i] : b[from + i]);
        }
        return out;
    }

    private static Range range(String cidr, String what, boolean never) {
        int slash = cidr.indexOf('/');
        try {
            byte[] prefix = InetAddress.getByName(cidr.substring(0, slash)).getAddress(); // literals only: no lookup
            return new Range(prefix, Integer.parseInt(cidr.substring(slash + 1)), what, never);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(cidr, e);
        }
    }
}
