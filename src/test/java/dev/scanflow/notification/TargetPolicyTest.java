package dev.scanflow.notification;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class TargetPolicyTest {

    private static String check(TargetPolicy p, String... addresses) throws Exception {
        List<InetAddress> list = new java.util.ArrayList<>();
        for (String a : addresses) {
            list.add(InetAddress.getByName(a));
        }
        return p.problem("hooks.example.com", list);
    }

    @Test
    void privateAndLoopbackAddressesAreRefusedUnlessAllowedLinkLocalAlways() throws Exception {
        TargetPolicy strict = new TargetPolicy(false);
        TargetPolicy lenient = new TargetPolicy(true);
        for (String a : List.of("127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "100.64.0.1", "0.0.0.0", "::1",
                "fd00::1", "::ffff:10.0.0.1")) {
            assertTrue(check(strict, a) != null, a);
            assertNull(check(lenient, a), a);
        }
        for (String a : List.of("169.254.169.254", "fe80::1", "224.0.0.1", "::ffff:169.254.169.254")) {
            String problem = check(lenient, a);
            assertTrue(problem != null && problem.contains("never allowed"), a + ": " + problem);
        }
        assertNull(check(strict, "93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"));
        // one bad address among good ones is enough: DNS may answer with it next time
        assertTrue(check(strict, "93.184.216.34", "10.0.0.1").contains("10.0.0.1"));
    }

    /** Refused without SCANFLOW_NOTIFICATIONS_ALLOW_PRIVATE_TARGETS, let through with it. */
    private static void privateOnly(String... addresses) throws Exception {
        for (String a : addresses) {
            String problem = check(new TargetPolicy(false), a);
            assertTrue(problem != null && problem.contains("ALLOW_PRIVATE_TARGETS"), a + ": " + problem);
            assertNull(check(new TargetPolicy(true), a), a);
        }
    }

    /** Refused whatever the setting says. */
    private static void never(String... addresses) throws Exception {
        for (String a : addresses) {
            for (boolean allowPrivate : new boolean[] {false, true}) {
                String problem = check(new TargetPolicy(allowPrivate), a);
                assertTrue(problem != null && problem.contains("never allowed"), a + " (" + allowPrivate + "): " + problem);
            }
        }
    }

    @Test
    void embeddedIpv4IsJudgedByTheAddressItEmbeds() throws Exception {
        // IPv4-compatible, NAT64 and 6to4 forms of loopback: as private as 127.0.0.1 itself
        privateOnly("::127.0.0.1", "::7f00:1", "64:ff9b::7f00:1", "2002:7f00:1::", "::10.0.0.1", "64:ff9b::a00:1",
                "2002:c0a8:101::1");
        // ... of the metadata address: never
        never("64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::", "::169.254.169.254");
        // Teredo: the client address is stored inverted; 2001::1 is client 255.255.255.254
        never("2001::1", "2001:0:4136:e378:8000:63bf:a247:27dd"); // client 255.255.255.254; 93.184.216.34
        String teredo = check(new TargetPolicy(false), "2001:0:4136:e378:8000:63bf:80ff:fffe"); // client 127.0.0.1
        assertTrue(teredo != null && teredo.contains("127.0.0.1"), teredo);
        // a public address inside a transition prefix is still a special-purpose address
        never("64:ff9b::5db8:d822", "2002:5db8:d822::1", "::93.184.216.34", "64:ff9b:1::5db8:d822");
        String six = check(new TargetPolicy(false), "2002:7f00:1::");
        assertTrue(six.contains("6to4") && six.contains("127.0.0.1") && six.contains("loopback"), six);
    }

    @Test
    void everyIpv4SpecialPurposeRangeIsRefused() throws Exception {
        privateOnly("0.0.0.0", "0.1.2.3", "10.255.255.255", "100.64.0.1", "100.127.255.254", "127.0.0.1", "127.255.0.1",
                "172.16.0.1", "172.31.255.255", "192.168.0.1");
        never("169.254.169.254", "169.254.0.1", "192.0.0.1", "192.0.0.170", "192.0.2.1", "192.88.99.1", "198.18.0.1",
                "198.19.255.255", "198.51.100.7", "203.0.113.9", "224.0.0.1", "239.255.255.250", "240.0.0.1",
                "254.1.2.3", "255.255.255.255");
        String broadcast = check(new TargetPolicy(true), "255.255.255.255");
        assertTrue(broadcast.contains("broadcast"), broadcast);
        // the neighbours of those ranges are public
        for (String a : List.of("1.1.1.1", "100.63.255.255", "100.128.0.1", "172.15.255.255", "172.32.0.1", "192.0.1.1",
                "192.0.3.1", "198.17.255.255", "198.20.0.1", "223.255.255.255", "11.0.0.1")) {
            assertNull(check(new TargetPolicy(false), a), a);
        }
    }

    @Test
    void everyIpv6SpecialPurposeRangeIsRefused() throws Exception {
        privateOnly("::", "::1", "fc00::1", "fd12:3456::1", "::ffff:127.0.0.1", "::ffff:192.168.1.1");
        never("fe80::1", "febf::1", "ff02::1", "ff05::1:3", "100::1", "100::ffff:ffff:ffff:ffff", "2001:db8::1",
                "2001:1ff:ffff::1", "2001:2::1", "2001:10::1", "2001:20::1", "3fff::1", "5f00::1", "::ffff:169.254.169.254",
                "::ffff:255.255.255.255", "4000::1", "8000::1", "e000::1");
        for (String a : List.of("2606:2800:220:1:248:1893:25c8:1946", "2001:200::1", "2001:4860:4860::8888",
                "2a00:1450:4001::1", "::ffff:93.184.216.34", "2003::1")) {
            assertNull(check(new TargetPolicy(false), a), a);
        }
    }

    @Test
    void bracketedUrlsAreJudgedByTheirAddress() {
        for (String url : List.of("http://[::127.0.0.1]/x", "http://[::7f00:1]/x", "http://[64:ff9b::7f00:1]/x",
                "http://[2002:7f00:1::]/x")) {
            assertTrue(new TargetPolicy(false).problem(url) != null, url);
            assertNull(new TargetPolicy(true).problem(url), url);
        }
        for (String url : List.of("http://[64:ff9b::a9fe:a9fe]/x", "http://[2002:a9fe:a9fe::]/x", "http://[2001::1]/x",
                "http://255.255.255.255/x", "http://240.0.0.1/x", "http://198.18.0.1/x", "http://192.0.0.1/x")) {
            String problem = new TargetPolicy(true).problem(url);
            assertTrue(problem != null && problem.contains("never allowed"), url + ": " + problem);
        }
    }

    @Test
    void onlyHttpUrlsWithAHostAndNoCredentials() {
        assertNull(TargetPolicy.shapeProblem("https://hooks.slack.com/services/T/B/X"));
        assertTrue(TargetPolicy.shapeProblem("ftp://example.com/x").contains("http"));
        assertTrue(TargetPolicy.shapeProblem("file:///etc/passwd").contains("http"));
        assertTrue(TargetPolicy.shapeProblem("https://user:pw@example.com/").contains("credentials"));
        assertTrue(TargetPolicy.shapeProblem("https:///x").contains("host"));
        assertTrue(new TargetPolicy(true).problem("http://localhost.invalid./x").contains("does not resolve"));
    }
}
