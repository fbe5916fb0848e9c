package dev.scanflow.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Without SCANFLOW_SECRETS_KEY the server is not configured to keep secrets: 503, naming the setting. */
class SecretBoxTest {

    @Test
    void sealingWithoutAKeyIsTheServersConfigurationA503NamingTheSetting() {
        SecretBox keyless = new SecretBox((String) null);
        assertFalse(keyless.configured());
        ApiException e = assertThrows(ApiException.class, () -> keyless.seal("whsec_x"));
        assertEquals(503, e.status());
        assertEquals("not-configured", e.type());
        assertTrue(e.getMessage().contains("SCANFLOW_SECRETS_KEY"), e.getMessage());
        assertTrue(e.getMessage().contains("openssl rand -base64 32"), e.getMessage());
        assertTrue(SecretBox.MISSING_KEY.contains("SCANFLOW_SECRETS_KEY"), SecretBox.MISSING_KEY);
    }

    @Test
    void withAKeyItSealsAndOpens() {
        SecretBox box = new SecretBox("dGVzdC1vbmx5LXNlY3JldHMta2V5LTMyLWJ5dGVzISE=");
        assertEquals("whsec_x", box.open(box.seal("whsec_x")));
        assertThrows(IllegalArgumentException.class, () -> new SecretBox("c2hvcnQ="));
    }
}
