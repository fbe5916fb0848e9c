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
