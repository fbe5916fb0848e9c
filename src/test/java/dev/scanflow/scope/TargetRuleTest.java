package dev.scanflow.scope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure matching of scan policies: CIDR ranges (v4, v6), host and URL patterns, and what a step targets. */
class TargetRuleTest {

    private static InetAddress ip(String literal) {
        return IpRange.literal(literal);
    }

    private static String problem(String text) {
        return assertThrows(IllegalArgumentException.class, () -> TargetRule.parse(text), text).getMessage();
    }

    @Test
    void ipv4RangesContainTheirAddressesAndRanges() {
        IpRange range = IpRange.parse("10.20.0.0/16");
        assertTrue(range.contains(ip("10.20.5.7")));
        assertTrue(range.contains(ip("10.20.255.255")));
        assertFalse(range.contains(ip("10.21.0.0")));
        assertFalse(range.contains(ip("2001:db8::1")), "no IPv6 address is in an IPv4 range");
        assertTrue(range.contains(IpRange.parse("10.20.5.0/24")));
        assertFalse(range.contains(IpRange.parse("10.0.0.0/8")));
        assertTrue(range.overlaps(IpRange.parse("10.0.0.0/8")));
        assertFalse(range.overlaps(IpRange.parse("10.21.0.0/16")));
        assertTrue(IpRange.parse("0.0.0.0/0").contains(ip("203.0.113.9")));
        assertTrue(IpRange.parse("10.0.0.5").contains(ip("10.0.0.5")));
        assertEquals("10.0.0.5", IpRange.parse("10.0.0.5/32").toString());
        // IPv4 carried in IPv6 is the IPv4 address
        assertTrue(range.contains(ip("::ffff:10.20.1.1")));
        assertEquals("10.0.0.0/8", IpRange.parse("::ffff:10.0.0.0/104").toString());
    }

    @Test
    void ipv6RangesAreWrittenCanonically() {
        IpRange range = IpRange.parse("2001:DB8::/32");
        assertEquals("2001:db8::/32", range.toString());
        assertTrue(range.contains(ip("2001:db8:1234::1")));
        assertFalse(range.contains(ip("2001:db9::1")));
        assertEquals("fd00::/8", TargetRule.parse("fd00::/8").text);
        assertEquals("::1", TargetRule.parse("[::1]").text);
        assertEquals("2001:db8:0:1::/64", IpRange.parse("2001:0db8:0000:0001:0000:0000:0000:0000/64").toString());
        assertTrue(IpRange.parse("::/0").contains(ip("2001:db8::1")));
    }

    @Test
    void badRangesSayWhatIsWrong() {
        assertEquals("not a CIDR range or address: the prefix length of an IPv4 range is 0 to 32", problem("10.0.0.0/33"));
        assertEquals("not a CIDR range or address: '10.0.0.300' is not an IPv4 or IPv6 address", problem("10.0.0.300/24"));
        assertEquals("not a CIDR range or address: has host bits set: did you mean 10.20.5.0/24?", problem("10.20.5.1/24"));
        assertEquals("not a CIDR range or address: '10.1' is not an IPv4 or IPv6 address", problem("10.1"));
        assertTrue(problem("2001:db8::/129").contains("0 to 128"));
        assertTrue(problem("fe80::1%eth0").startsWith("not a host pattern"), "zone ids are not addresses");
        assertTrue(problem("10.0.0.0/x").contains("'x' is not a prefix length"));
    }

    @Test
    void hostPatternsMatchTheHostOrOnlyItsSubdomains() {
        TargetRule sub = TargetRule.parse("*.Example.com.");
        assertEquals("*.example.com", sub.text);
        assertTrue(sub.matchesHost("www.example.com"));
        assertTrue(sub.matchesHost("a.b.example.com"));
        assertFalse(sub.matchesHost("example.com"), "subdomains only");
        assertFalse(sub.matchesHost("badexample.com"));
        TargetRule exact = TargetRule.parse("scanme.example.com");
        assertEquals(TargetRule.Kind.HOST, exact.kind);
        assertTrue(exact.matchesHost("scanme.example.com"));
        assertFalse(exact.matchesHost("www.scanme.example.com"));
        assertEquals("shop.example.com", TargetRule.parse("https://shop.example.com/").text, "a URL of a host is the host");
        for (String bad : List.of("*", "*.com.*", "foo*.example.com", "exa mple.com", "-bad.example.com", "*.com", "a..b")) {
            assertTrue(problem(bad).startsWith("not a host pattern"), bad + ": " + problem(bad));
        }
        assertEquals("must not be empty", problem(" "));
        assertTrue(problem("https://user:pw@github.com/acme/*").contains("never credentials"));
    }

    @Test
    void repositoryUrlPatternsMatchPathsBySegment() {
        TargetRule acme = TargetRule.parse("github.com/acme/*");
        assertEquals(TargetRule.Kind.URL, acme.kind);
        assertTrue(acme.matchesUrl("github.com", "/acme/webapp.git"));
        assertTrue(acme.matchesUrl("github.com", "/Acme/WebApp/"));
        assertFalse(acme.matchesUrl("github.com", "/acme/group/webapp"), "* is one segment");
        assertFalse(acme.matchesUrl("github.com", "/acme"));
        assertFalse(acme.matchesUrl("github.com", "/acme-corp/webapp"));
        assertFalse(acme.matchesUrl("gitlab.com", "/acme/webapp"));
        assertFalse(acme.matchesHost("github.com") && acme.kind == TargetRule.Kind.HOST);
        TargetRule deep = TargetRule.parse("https://gitlab.acme.example/platform/**");
        assertEquals("gitlab.acme.example/platform/**", deep.text);
        assertTrue(deep.matchesUrl("gitlab.acme.example", "/platform/payments/billing-api.git"));
        TargetRule one = TargetRule.parse("github.com/acme/webapp.git");
        assertTrue(one.matchesUrl("github.com", "/acme/webapp"));
        assertTrue(TargetRule.parse("*.acme.example/platform/*").matchesUrl("git.acme.example", "/platform/x"));
    }

    @Test
    void aStepTargetsTheAssetsUrlHostOrItsNameAndTheHostsItsConfigNames() {
        var found = ScanTargets.of(Map.of("url", "https://user@Shop.Example.com:8443/app?x=1", "name", "shop"),
                Map.of("tool", "nuclei", "options", Map.of("targets", List.of("10.20.5.7", "db.example.com:5432, 10.0.0.0/24"),
                        "url", "{target.url}"), "headers", Map.of("host", "api.example.com")));
        List<String> shown = found.targets().stream().map(t -> t.source() + "=" + t.shown()).toList();
        assertTrue(shown.contains("the asset's url=shop.example.com"), shown.toString());
        assertTrue(shown.contains("config.options.targets[0]=10.20.5.7"), shown.toString());
        assertTrue(shown.contains("config.options.targets[1]=db.example.com"), shown.toString());
        assertTrue(shown.contains("config.options.targets[1]=10.0.0.0/24"), shown.toString());
        assertTrue(shown.contains("config.headers.host=api.example.com"), shown.toString());
        assertEquals(5, shown.size(), shown.toString());
        assertEquals(List.of(), found.uncheckable());
        assertEquals("/app", found.targets().get(0).path());

        assertEquals("10.0.0.5", ScanTargets.of(Map.of("url", "ssh://10.0.0.5", "name", "x"), Map.of()).targets().get(0).shown());
        var scp = ScanTargets.of(Map.of("url", "git@github.com:acme/webapp.git", "name", "x"), Map.of()).targets().get(0);
        assertEquals("github.com", scp.host());
        assertEquals("acme/webapp.git", scp.path());
        assertEquals("2001:db8::5", ScanTargets.of(Map.of("url", "http://[2001:db8::5]:8080/", "name", "x"), Map.of())
                .targets().get(0).shown());
        // no URL: the name, as the reference worker's {target.host}
        assertEquals("db-01.internal", ScanTargets.of(Map.of("url", "", "name", "db-01.internal"), Map.of()).targets().get(0).host());
        assertEquals(List.of(), ScanTargets.of(Map.of("url", "", "name", "Shop front end"), Map.of()).targets());
        // a file URL has no host: the name, again
        assertEquals("planted", ScanTargets.of(Map.of("url", "file:///srv/planted", "name", "planted"), Map.of())
                .targets().get(0).host());
        // what cannot be checked is reported, never skipped
        var ranges = ScanTargets.of(Map.of("name", "x"), Map.of("target", "10.0.0.1-50", "hosts", List.of("10.1")));
        assertEquals(java.util.Set.of("config.target: '10.0.0.1-50'", "config.hosts[0]: '10.1'"),
                java.util.Set.copyOf(ranges.uncheckable()));
        assertEquals(List.of("the asset's url: 'http://10.1/'"),
                ScanTargets.of(Map.of("url", "http://10.1/", "name", "db.example.com"), Map.of()).uncheckable());
        assertNull(ScanTargets.parse("x", "not a host!"));
    }
}
