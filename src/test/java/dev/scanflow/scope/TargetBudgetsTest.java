package dev.scanflow.scope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scanflow.domain.RunState;
import dev.scanflow.domain.RunStatus;
import dev.scanflow.domain.StepState;
import dev.scanflow.domain.StepStatus;
import dev.scanflow.domain.TargetBudget;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Target budgets without Quarkus: the keys of declared targets and of steps' assets agree, the
 * tenant's own budget holds for its steps, the default applies to active steps only, and the index
 * follows the cache's changes.
 */
class TargetBudgetsTest {

    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

    private static String problem(String text) {
        return assertThrows(IllegalArgumentException.class, () -> TargetKeys.declared(text), text).getMessage();
    }

    private static Map<String, Object> asset(String type, String name, String url) {
        Map<String, Object> asset = new HashMap<>();
        asset.put("type", type);
        asset.put("name", name);
        asset.put("url", url);
        return asset;
    }

    private static RunState run(UUID tenant, Map<String, Object> asset, StepState step) {
        return new RunState(UUID.randomUUID(), tenant, RunStatus.RUNNING, 5, false, null, NOW, asset, Map.of(), Map.of(),
                List.of(step));
    }

    private static StepState step(String... capabilities) {
        return new StepState(UUID.randomUUID(), "probe", "Probe", 1, 0, "nmap", List.of(capabilities), Map.of(), 60,
                List.of(), null, null, 30, StepStatus.PENDING, 0, 1);
    }

    private static ScanPolicies.Stored stored(UUID tenant, int version, List<String> active, TargetBudget... budgets) {
        var doc = new ScanPolicyReader.Document(List.of(), List.of(), List.of(), active, List.of(budgets));
        return new ScanPolicies.Stored(tenant, doc, version, "admin", NOW.plusSeconds(version));
    }

    @Test
    void declaredTargetsAreNormalizedToTheirKeys() {
        assertEquals("scanme.example.com", TargetKeys.declared(" ScanMe.Example.COM. "));
        assertEquals("10.20.0.0/16", TargetKeys.declared("10.20.0.0/16"));
        assertEquals("10.0.0.5", TargetKeys.declared("10.0.0.5/32"));
        assertEquals("2001:db8::/32", TargetKeys.declared("2001:DB8:0::/32"));
        assertEquals("2001:db8::1", TargetKeys.declared("[2001:db8::1]"));
        assertEquals("10.0.0.1", TargetKeys.declared("::ffff:10.0.0.1"));
        for (String repository : List.of("https://github.com/Acme/WebApp.git", "https://github.com/acme/webapp/",
                "ssh://git@github.com:22/acme/webapp", "git@github.com:acme/webapp.git", "git://github.com/acme/webapp",
                "github.com/acme/webapp", "https://ci@GitHub.com:443/acme/webapp")) {
            assertEquals("github.com/acme/webapp", TargetKeys.declared(repository), repository);
        }
        assertEquals("gitlab.example.com/group/sub/project", TargetKeys.declared("https://gitlab.example.com/group/sub/project.git"));
        assertEquals("app.example.com", TargetKeys.declared("https://app.example.com/"), "a URL without a path is its host");
        assertEquals("app.example.com", TargetKeys.declared("app.example.com:8443"));
    }

    @Test
    void whatIsNoTargetIsRefusedWithoutQuotingCredentials() {
        assertEquals("must not be empty", problem(" "));
        assertTrue(problem("10.20.5.1/24").contains("did you mean 10.20.5.0/24?"));
        assertTrue(problem("10.0.0.0/33").startsWith("not a CIDR range or address"));
        assertTrue(problem("*.example.com").startsWith("not a target: use a host name"));
        assertTrue(problem("github.com/acme/*").contains("no patterns"));
        assertTrue(problem("ftp://files.example.com/x").contains("not ftp://"));
        assertTrue(problem("https://github.com/acme/webapp?ref=main").contains("no patterns, query or fragment"));
        String credentials = problem("https://x-access-token:ghp_secret@github.com/acme/webapp");
        assertFalse(credentials.contains("ghp_secret"), credentials);
        assertEquals("https://****@github.com/acme/webapp",
                TargetKeys.shown("https://x-access-token:ghp_secret@github.com/acme/webapp"));
        assertEquals("git@github.com:acme/webapp", TargetKeys.shown("git@github.com:acme/webapp"));
    }

    @Test
    void aStepsKeyIsItsAssetsTargetAsDeclaredTargetsAre() {
        assertEquals("app.example.com", TargetKeys.ofAsset(asset("web_application", "Shop", "https://App.Example.com:8443/login")));
        assertEquals("10.20.5.7", TargetKeys.ofAsset(asset("server", "legacy-db", "ssh://10.20.5.7")));
        assertEquals("2001:db8::7", TargetKeys.ofAsset(asset("server", "v6", "http://[2001:db8:0::7]:8080/")));
        assertEquals("legacy-db.example.com", TargetKeys.ofAsset(asset("server", "Legacy-DB.example.com", "")));
        assertEquals("10.20.0.0/16", TargetKeys.ofAsset(asset("network", "10.20.0.0/16", null)));
        // a repository is its repository's key, however its URL is written
        assertEquals(TargetKeys.declared("github.com/acme/webapp"),
                TargetKeys.ofAsset(asset("repository", "acme/webapp", "git@github.com:Acme/webapp.git")));
        assertEquals("github.com/acme/webapp",
                TargetKeys.ofAsset(asset("repository", "acme/webapp", "https://github.com/acme/webapp")));
        // a web application's URL path is not part of its key
        assertEquals("github.com", TargetKeys.ofAsset(asset("web_application", "gh", "https://github.com/acme/webapp")));
        assertNull(TargetKeys.ofAsset(asset("repository", "acme/webapp", "")), "a name that is no host names no target");
        assertNull(TargetKeys.ofAsset(asset("container_image", "My Image", null)));
        assertNull(TargetKeys.ofAsset(null));
    }

    @Test
    void eachTenantsOwnBudgetBoundsItsStepsAndNoOtherTenantsSteps() {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        PolicyCache cache = new PolicyCache(null);
        cache.apply(cache.begin(), Set.of(a, b), List.of(
                stored(a, 1, ScanPolicy.DEFAULT_ACTIVE, new TargetBudget("shared.example.com", 5, 50),
                        new TargetBudget("10.20.0.0/16", 3, null)),
                stored(b, 1, ScanPolicy.DEFAULT_ACTIVE, new TargetBudget("shared.example.com", 2, 80))));
        assertEquals(new TargetBudget("shared.example.com", 5, 50), cache.budgets().of(a, "shared.example.com"));
        assertEquals(new TargetBudget("shared.example.com", 2, 80), cache.budgets().of(b, "shared.example.com"));
        assertEquals(new TargetBudget("10.20.0.0/16", 3, null), cache.budgets().of(a, "10.20.0.0/16"));
        assertNull(cache.budgets().of(b, "10.20.0.0/16"), "a's budget is a's");

        TargetBudgetIndex index = new TargetBudgetIndex(cache, 1, OptionalInt.of(100));
        StepState passive = step("sast");
        StepState active = step("dast");
        var shared = asset("web_application", "s", "https://shared.example.com/");
        // b's own budget, for a passive step as well
        assertEquals(new TargetBudget("shared.example.com", 2, 80), index.of(run(b, shared, passive), passive));
        // a tenant that declared nothing: the default for an active step, none for a passive one
        UUID d = UUID.randomUUID();
        assertEquals(new TargetBudget("shared.example.com", 1, 100), index.of(run(d, shared, active), active));
        assertNull(index.of(run(d, shared, passive), passive));

        // b lowers its budget: applied at once; b's policy goes: b gets the default again
        cache.written(stored(b, 2, ScanPolicy.DEFAULT_ACTIVE, new TargetBudget("shared.example.com", 1, 10)).compile());
        assertEquals(new TargetBudget("shared.example.com", 1, 10), cache.budgets().of(b, "shared.example.com"));
        cache.deleted(b);
        assertNull(cache.budgets().of(b, "shared.example.com"));
        // a refresh that finds a's policy gone drops its budgets
        cache.apply(cache.begin(), Set.of(), List.of());
        assertNull(cache.budgets().of(a, "10.20.0.0/16"));
    }

    @Test
    void withoutADeclaredBudgetActiveStepsGetTheDefaultAndPassiveOnesNone() {
        UUID tenant = UUID.randomUUID();
        UUID withPolicy = UUID.randomUUID();
        PolicyCache cache = new PolicyCache(null);
        cache.apply(cache.begin(), Set.of(withPolicy), List.of(stored(withPolicy, 1, List.of("sast"))));
        TargetBudgetIndex index = new TargetBudgetIndex(cache, 2, OptionalInt.of(100));
        Map<String, Object> server = asset("server", "db", "ssh://10.20.5.7");
        StepState nmap = step("network");
        StepState sast = step("sast");
        assertEquals(new TargetBudget("10.20.5.7", 2, 100), index.of(run(tenant, server, nmap), nmap),
                "without a policy, the default active capabilities");
        assertNull(index.of(run(tenant, server, sast), sast), "passive, no budget declared");
        // the tenant's policy says which capabilities are active
        assertEquals(new TargetBudget("10.20.5.7", 2, 100), index.of(run(withPolicy, server, sast), sast));
        assertNull(index.of(run(withPolicy, server, nmap), nmap));
        // no rate by default when set so; a step without a target has no budget
        TargetBudgetIndex unrated = new TargetBudgetIndex(cache, 1, OptionalInt.empty());
        assertEquals(new TargetBudget("10.20.5.7", 1, null), unrated.of(run(tenant, server, nmap), nmap));
        assertNull(index.of(run(tenant, asset("container_image", "My Image", ""), nmap), nmap));
    }

    @Test
    void theDefaultsAreCheckedAtStart() {
        PolicyCache cache = new PolicyCache(null);
        assertThrows(IllegalArgumentException.class, () -> new TargetBudgetIndex(cache, 0, OptionalInt.empty()));
        assertThrows(IllegalArgumentException.class, () -> new TargetBudgetIndex(cache, 101, OptionalInt.empty()));
        String zero = assertThrows(IllegalArgumentException.class,
                () -> new TargetBudgetIndex(cache, 1, OptionalInt.of(0))).getMessage();
        assertTrue(zero.contains("set it empty for no rate"), zero);
    }
}
