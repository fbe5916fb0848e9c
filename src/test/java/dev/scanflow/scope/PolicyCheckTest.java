package dev.scanflow.scope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflow.common.ApiException;
import dev.scanflow.domain.ScopeCheck.Verdict;
import java.net.InetAddress;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** A scan policy's rules on a step's targets, blackout windows across DST, and the policy body's errors. */
class PolicyCheckTest {

    private static final UUID TENANT = UUID.randomUUID();
    /** The issue's example. */
    private static final String EXAMPLE = """
            {"allowed_targets": ["10.20.0.0/16", "*.example.com"], "excluded_targets": ["10.20.5.0/24"],
             "blackout_windows": [{"cron": "0 9 * * 1-5", "duration": "8h", "timezone": "Europe/Berlin"}],
             "active_capabilities": ["dast", "infra"]}""";
    private static final Map<String, List<InetAddress>> DNS = Map.of(
            "db.example.com", List.of(IpRange.literal("10.20.5.7")),
            "app.example.com", List.of(IpRange.literal("10.20.1.1")),
            "inside.corp", List.of(IpRange.literal("10.20.1.2"), IpRange.literal("10.20.1.3")),
            "straddles.corp", List.of(IpRange.literal("10.20.1.2"), IpRange.literal("192.0.2.1")),
            "example.com", List.of(IpRange.literal("192.0.2.80")),
            "nowhere.example.com", List.of());

    private static ScanPolicy policy(String json) throws Exception {
        var doc = ScanPolicyReader.read(new ObjectMapper().readTree(json), TENANT);
        return ScanPolicyReader.compile(TENANT, doc, 1, "test", Instant.EPOCH);
    }

    private static PolicyCheck.Result check(ScanPolicy p, String url, String name, Map<String, Object> config) {
        return PolicyCheck.check(p, ScanTargets.of(Map.of("url", url, "name", name), config), DNS::get);
    }

    private static String blocked(PolicyCheck.Result r) {
        assertTrue(r.blocked() != null, "expected a refusal: " + r);
        return r.blocked().kind() + ": " + r.blocked().rule();
    }

    @Test
    void theIssuesExampleAllowsItsRangesAndSubdomainsAndExclusionsWin() throws Exception {
        ScanPolicy p = policy(EXAMPLE);
        assertTrue(check(p, "", "10.20.1.9", Map.of()).allowed());
        assertTrue(check(p, "https://app.example.com/login", "app", Map.of()).allowed());
        assertEquals("excluded: 10.20.5.7 is in excluded_targets 10.20.5.0/24", blocked(check(p, "ssh://10.20.5.7", "x", Map.of())));
        assertEquals("excluded: 10.20.5.0/25 (config.targets) overlaps excluded_targets 10.20.5.0/24",
                blocked(check(p, "", "10.20.1.9", Map.of("targets", "10.20.5.0/25"))));
        assertEquals("not_allowed: 10.0.0.5 is not in allowed_targets", blocked(check(p, "ssh://10.0.0.5", "x", Map.of())));
        assertEquals("not_allowed: 10.30.0.0/16 (config.target) is not in allowed_targets",
                blocked(check(p, "", "10.20.1.9", Map.of("target", "10.30.0.0/16"))));
        // a name allowed by its pattern that resolves into an excluded range is refused
        assertEquals("excluded: db.example.com resolves to 10.20.5.7, in excluded_targets 10.20.5.0/24",
                blocked(check(p, "https://db.example.com", "db", Map.of())));
        assertEquals("not_allowed: example.com (resolving to 192.0.2.80) is not in allowed_targets",
                blocked(check(p, "https://example.com", "x", Map.of())), "subdomains only");
    }

    @Test
    void namesAreAllowedByPatternOrByEveryAddressTheyResolveTo() throws Exception {
        ScanPolicy ranges = policy("{\"allowed_targets\": [\"10.20.0.0/16\"]}");
        assertTrue(check(ranges, "", "inside.corp", Map.of()).allowed());
        assertEquals("not_allowed: 10.20.0.0/15 (config.target) is not in allowed_targets",
                blocked(check(ranges, "", "10.20.1.9", Map.of("target", "10.20.0.0/15"))), "a range must lie inside");
        assertEquals("not_allowed: straddles.corp (resolving to 10.20.1.2, 192.0.2.1) is not in allowed_targets",
                blocked(check(ranges, "", "straddles.corp", Map.of())));
        assertEquals("unresolvable: nowhere.example.com does not resolve, so it cannot be checked against the policy's "
                + "address ranges", blocked(check(ranges, "https://nowhere.example.com", "x", Map.of())));
        PolicyCheck.Result pending = check(ranges, "", "unknown.corp", Map.of());
        assertNull(pending.blocked());
        assertEquals(List.of("unknown.corp"), pending.resolving());
        // names only: nothing is resolved
        ScanPolicy names = policy("{\"allowed_targets\": [\"github.com/acme/*\", \"*.acme.example\"]}");
        assertEquals(List.of(), PolicyCheck.namesToResolve(names, ScanTargets.of(Map.of("url", "https://unknown.corp"), Map.of())));
        assertTrue(check(names, "https://github.com/acme/webapp.git", "webapp", Map.of()).allowed());
        assertEquals("not_allowed: github.com is not in allowed_targets",
                blocked(check(names, "https://github.com/other/webapp", "webapp", Map.of())));
        assertEquals("not_allowed: github.com (config.target) is not in allowed_targets",
                blocked(check(names, "https://github.com/acme/webapp", "webapp", Map.of("target", "github.com"))),
                "a URL pattern allows URLs under it, not the whole host");
        // exclusions only: everything else is in scope
        ScanPolicy exclusions = policy("{\"excluded_targets\": [\"github.com/acme/secret*\", \"*.prod.example\"]}");
        assertTrue(check(exclusions, "https://github.com/acme/webapp", "x", Map.of()).allowed());
        assertEquals("excluded: github.com (github.com/acme/secret-sauce) matches excluded_targets github.com/acme/secret*",
                blocked(check(exclusions, "https://github.com/acme/secret-sauce.git", "x", Map.of())));
        assertEquals("excluded: db.prod.example (config.hosts[1]) matches excluded_targets *.prod.example",
                blocked(check(exclusions, "", "x.test", Map.of("hosts", List.of("ok.test", "db.prod.example")))));
    }

    @Test
    void whatCannotBeCheckedIsRefused() throws Exception {
        ScanPolicy p = policy("{}");
        assertEquals("uncheckable: config.target: '10.0.0.1-50' is not a host, address, CIDR range or URL the scope "
                + "guard can check", blocked(check(p, "", "x.test", Map.of("target", "10.0.0.1-50"))));
        assertTrue(blocked(check(p, "", "Shop front end", Map.of())).startsWith("no_target: the step names no target"));
        assertTrue(check(p, "", "anything.test", Map.of()).allowed(), "an empty policy only holds unchecked values back");
    }

    @Test
    void blackoutWindowsOpenOnTheZonesWallClockAndLastTheirDuration() throws Exception {
        ScanPolicy p = policy(EXAMPLE);
        // Tuesday 2026-03-10, 09:00 in Berlin is 08:00Z (CET)
        assertNull(PolicyCheck.blackout(p, Instant.parse("2026-03-10T07:59:59Z")));
        Verdict open = PolicyCheck.blackout(p, Instant.parse("2026-03-10T08:00:00Z"));
        assertEquals(Instant.parse("2026-03-10T16:00:00Z"), open.until());
        assertEquals("blackout window '0 9 * * 1-5' for 8h (Europe/Berlin) until 2026-03-10T16:00:00Z", open.rule());
        assertEquals(Instant.parse("2026-03-10T16:00:00Z"), PolicyCheck.blackout(p, Instant.parse("2026-03-10T15:59:59Z")).until());
        assertNull(PolicyCheck.blackout(p, Instant.parse("2026-03-10T16:00:00Z")));
        assertNull(PolicyCheck.blackout(p, Instant.parse("2026-03-14T10:00:00Z")), "Saturday");
        // after the spring change (2026-03-29), 09:00 in Berlin is 07:00Z (CEST)
        assertEquals(Instant.parse("2026-03-30T15:00:00Z"), PolicyCheck.blackout(p, Instant.parse("2026-03-30T07:00:00Z")).until());
        assertNull(PolicyCheck.blackout(p, Instant.parse("2026-03-30T06:59:00Z")));
    }

    @Test
    void blackoutWindowsAcrossTheDstChangesThemselves() {
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        // 02:30 does not exist on 2026-03-29 in Berlin: the window opens at the end of the gap (03:00 CEST = 01:00Z)
        BlackoutWindow gap = new BlackoutWindow("30 2 * * *", "1h", berlin.getId());
        assertNull(gap.openUntil(Instant.parse("2026-03-29T00:59:59Z")));
        assertEquals(Instant.parse("2026-03-29T02:00:00Z"), gap.openUntil(Instant.parse("2026-03-29T01:00:00Z")));
        // 02:30 happens twice on 2026-10-25: the window opens once, at the first (00:30Z), for one real hour
        BlackoutWindow overlap = new BlackoutWindow("30 2 * * *", "1h", berlin.getId());
        assertEquals(Instant.parse("2026-10-25T01:30:00Z"), overlap.openUntil(Instant.parse("2026-10-25T00:45:00Z")));
        assertNull(overlap.openUntil(Instant.parse("2026-10-25T01:45:00Z")), "the repeated 02:30 opens nothing");
        // a window over the change lasts its duration in real time: 22:00 + 8h is 05:00 after the clocks went back
        BlackoutWindow night = new BlackoutWindow("0 22 * * *", "8h", berlin.getId());
        assertEquals(Instant.parse("2026-10-25T04:00:00Z"), night.openUntil(Instant.parse("2026-10-25T03:00:00Z")));
        // windows that overlap are one, followed for a few fires: the step is checked again then, still in it
        BlackoutWindow always = new BlackoutWindow("* * * * *", "2m", "UTC");
        Instant now = Instant.parse("2026-06-01T12:00:30Z");
        Instant until = always.openUntil(now);
        assertEquals(Instant.parse("2026-06-01T12:01:00Z").plusSeconds(60L * BlackoutWindow.MAX_LINKS), until);
        assertTrue(always.openUntil(until).isAfter(until));
        BlackoutWindow halves = new BlackoutWindow("* * * * *", "30s", "UTC");
        assertEquals(Instant.parse("2026-06-01T12:00:30Z"), halves.openUntil(Instant.parse("2026-06-01T12:00:10Z")));
        assertNull(halves.openUntil(Instant.parse("2026-06-01T12:00:45Z")));
    }

    @Test
    void aPolicyBodyGivesEveryErrorAtOnceWithItsPath() throws Exception {
        String body = """
                {"allowed_targets": ["10.20.0.0/16", "10.0.0.0/33", "*.example.com", "exa mple.com", 7],
                 "excluded_targets": ["10.20.5.1/24"],
                 "blackout_windows": [{"cron": "0 9 * *", "duration": "8 hours", "timezone": "Mars/Olympus"},
                                      {"duration": "90d", "extra": 1}],
                 "active_capabilities": ["dast", "Not A Token"],
                 "tenant_id": "00000000-0000-0000-0000-000000000001", "colour": "red"}""";
        ApiException e = assertThrowsApi(() -> ScanPolicyReader.read(new ObjectMapper().readTree(body), TENANT));
        List<String> errors = e.errors().stream().map(x -> x.path() + " " + x.message()).toList();
        List<String> paths = e.errors().stream().map(x -> x.path()).toList();
        assertEquals(List.of("$.tenant_id", "$.allowed_targets[1]", "$.allowed_targets[3]", "$.allowed_targets[4]",
                "$.excluded_targets[0]", "$.blackout_windows[0].cron", "$.blackout_windows[0].duration",
                "$.blackout_windows[0].timezone", "$.blackout_windows[1].cron", "$.blackout_windows[1].duration",
                "$.blackout_windows[1].extra", "$.active_capabilities[1]", "$.colour"), paths, errors.toString());
        assertTrue(errors.get(1).contains("'10.0.0.0/33': not a CIDR range or address"), errors.get(1));
        assertTrue(errors.get(5).contains("invalid cron expression '0 9 * *'"), errors.get(5));
        assertTrue(errors.get(9).contains("must be between 1m and 31d"), errors.get(9));
        assertEquals(422, e.status());
    }

    @Test
    void aPolicyBodyIsNormalizedAndItsAnswerCanBeWrittenBack() throws Exception {
        var doc = ScanPolicyReader.read(new ObjectMapper().readTree("""
                {"allowed_targets": ["*.Example.com", "*.example.com", "2001:DB8::/32"],
                 "blackout_windows": [{"cron": " 0  9 * * 1-5 ", "duration": "480m"}],
                 "version": 7, "updated_by": "someone", "updated_at": "2026-01-01T00:00:00Z", "blackout_until": null,
                 "tenant_id": "%s"}""".formatted(TENANT)), TENANT);
        assertEquals(List.of("*.example.com", "2001:db8::/32"), doc.allowedTargets());
        assertEquals(List.of(new ScanPolicyReader.Window("0 9 * * 1-5", "8h", "UTC")), doc.blackoutWindows());
        assertEquals(ScanPolicy.DEFAULT_ACTIVE, doc.activeCapabilities(), "the default capabilities when none are given");
        assertEquals(List.of(), ScanPolicyReader.read(new ObjectMapper().readTree("{\"active_capabilities\": []}"), TENANT)
                .activeCapabilities());
    }

    private static ApiException assertThrowsApi(Executable call) {
        return org.junit.jupiter.api.Assertions.assertThrows(ApiException.class, call);
    }
}
