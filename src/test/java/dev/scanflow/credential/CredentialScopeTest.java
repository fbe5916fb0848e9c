package dev.scanflow.credential;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CredentialScopeTest {

    private static boolean admits(String pattern, String target) {
        return CredentialScope.admits(List.of(pattern), target, null);
    }

    @Test
    void hostAndPathPatterns() {
        assertTrue(admits("github.com/acme/*", "https://github.com/acme/api.git"));
        assertTrue(admits("github.com/acme/*", "git@github.com:acme/api.git"));
        assertTrue(admits("github.com/acme/*", "ssh://git@github.com/acme/api.git"));
        assertFalse(admits("github.com/acme/*", "https://github.com/acme-evil/api.git"));
        assertFalse(admits("github.com/acme/*", "https://github.com/acme/group/api.git"), "* is one segment");
        assertTrue(admits("gitlab.com/acme/**", "https://gitlab.com/acme/group/api.git"));
        assertFalse(admits("github.com/acme/*", "https://github.com.evil.com/acme/api.git"));
        assertFalse(admits("github.com/acme/*", "https://github.com@evil.com/acme/api.git"));
        assertTrue(admits("github.com/acme/api", "https://github.com/acme/api.git"), ".git does not count");
        assertFalse(admits("github.com/acme/api", "https://github.com/acme/api-evil"));
        assertFalse(admits("github.com/acme/*", "https://github.com/acme/../other/x.git"));
        assertFalse(admits("github.com/acme/*", "https://github.com/acme/%2e%2e/other"));
    }

    @Test
    void wildcardHostsArePortsAndBareNames() {
        assertTrue(admits("*.example.com", "https://staging.example.com/login"));
        assertTrue(admits("*.example.com", "a.b.example.com"));
        assertFalse(admits("*.example.com", "https://example.com/"), "the name itself is not below it");
        assertFalse(admits("*.example.com", "https://badexample.com/"));
        assertTrue(admits("10.0.0.5", "ssh://10.0.0.5"));
        assertTrue(admits("app.example.com:8443", "https://app.example.com:8443/x"));
        assertFalse(admits("app.example.com:8443", "https://app.example.com/x"));
        assertTrue(admits("app.example.com:443", "https://app.example.com/x"), "the scheme's default port");
    }

    @Test
    void urlPrefixes() {
        assertTrue(admits("https://staging.example.com/", "https://staging.example.com/app/login"));
        assertTrue(admits("https://staging.example.com/app", "https://staging.example.com/app/login"));
        assertFalse(admits("https://staging.example.com/app", "https://staging.example.com/apple"));
        assertFalse(admits("https://staging.example.com/", "http://staging.example.com/"), "no downgrade");
        assertFalse(admits("https://staging.example.com", "https://staging.example.com.evil.io/"));
        assertTrue(admits("https://STAGING.example.com:443/", "https://staging.example.com/"));
    }

    @Test
    void anEmptyScopeAdmitsAnyTargetAndAnAssetNameStandsInForAUrl() {
        assertTrue(CredentialScope.admits(List.of(), "https://anything.example/", null));
        assertTrue(CredentialScope.admits(List.of("example.com"), "", "example.com"));
        assertFalse(CredentialScope.admits(List.of("example.com"), "", null));
    }

    @Test
    void patternsAreChecked() {
        assertNull(CredentialScope.problem("github.com/acme/*"));
        assertNull(CredentialScope.problem("*.example.com"));
        assertNull(CredentialScope.problem("https://staging.example.com/"));
        assertNull(CredentialScope.problem("[::1]:8080"));
        assertNotNull(CredentialScope.problem("*"));
        assertNotNull(CredentialScope.problem("https://user:pw@host/"));
        assertNotNull(CredentialScope.problem("https://*.example.com/"));
        assertNotNull(CredentialScope.problem("exa mple.com"));
        assertNotNull(CredentialScope.problem(""));
    }
}
