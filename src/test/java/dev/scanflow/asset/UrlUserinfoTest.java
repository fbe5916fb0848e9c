package dev.scanflow.asset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class UrlUserinfoTest {

    @Test
    void aUserAndATokenAreSplitOff() {
        UrlUserinfo.Split s = UrlUserinfo.split("https://ci-bot:ghp_SUPERSECRET@git.example.com/acme/private.git");
        assertEquals("https://git.example.com/acme/private.git", s.cleanUrl());
        assertEquals("ci-bot", s.username());
        assertEquals("ghp_SUPERSECRET", s.secret());
        assertFalse(s.toString().contains("SUPERSECRET"), s.toString());
    }

    @Test
    void aLoneTokenIsTheSecretAndEncodingIsUndone() {
        UrlUserinfo.Split s = UrlUserinfo.split("https://ghp_abc@github.com/acme/x.git");
        assertNull(s.username());
        assertEquals("ghp_abc", s.secret());
        assertEquals("p@ss:w+rd/é", UrlUserinfo.split("http://u:p%40ss%3Aw+rd%2F%C3%A9@h/").secret());
        // the userinfo ends at the last @ of the authority, as git and curl read it
        UrlUserinfo.Split at = UrlUserinfo.split("https://u:to@ken@host.example/p?q=a@b");
        assertEquals("to@ken", at.secret());
        assertEquals("https://host.example/p?q=a@b", at.cleanUrl());
    }

    @Test
    void sshPasswordsAreSecretsButSshUsersAreNot() {
        assertTrue(UrlUserinfo.hasSecret("ssh://deploy:hunter2@10.0.0.5/repo.git"));
        assertFalse(UrlUserinfo.hasSecret("ssh://git@github.com/acme/x.git"));
        assertFalse(UrlUserinfo.hasSecret("git@github.com:acme/x.git"));
        assertFalse(UrlUserinfo.hasSecret("https://git.example.com/acme/x.git"));
        assertFalse(UrlUserinfo.hasSecret("https://example.com/path@v1"));
        assertFalse(UrlUserinfo.hasSecret(null));
    }
}
