package dev.scanflow.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scanflow.protocol.CredentialReply;
import dev.scanflow.protocol.CredentialReply.Credential;
import dev.scanflow.protocol.ScanCommand;
import dev.scanflow.protocol.ScanCommand.CredentialRef;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the worker accepts from a credential reply (the NATS round trip: CredentialCheckoutTest). */
class CredentialClientTest {

    private static final String ID = "7b0c3a52-5d4e-4a8e-9c55-0d8f1b2a3c4d";
    private static final ScanCommand COMMAND = ScanCommand.of(ID, "normal", null, 1, 60, new ScanCommand.Payload(
            null, "s", Map.of("tool", "x"), null, Map.of(), Map.of(), null, null,
            List.of(new CredentialRef("github-ci", "git_token", CredentialRef.CHECKOUT),
                    new CredentialRef("staging-login", "http_basic", CredentialRef.TARGET))));

    @Test
    void theReferencedCredentialsAreTakenAndNothingElse() throws Exception {
        List<Credential> held = CredentialClient.check(COMMAND, new CredentialReply(ID, List.of(
                new Credential("other", "cookie", "target", null, null, "c=1"),
                new Credential("github-ci", "git_token", null, null, null, "ghp_1"),
                new Credential("staging-login", "http_basic", "target", "alice", null, "pw")), null));
        assertEquals(List.of("github-ci", "staging-login"), held.stream().map(Credential::name).toList());
        assertEquals(CredentialRef.CHECKOUT, held.get(0).use()); // a reply without use takes the reference's
        assertEquals("alice", held.get(1).username());
    }

    @Test
    void anErrorAnotherCommandOrAMissingValueFailsWithoutValues() {
        CredentialsUnavailable refused = assertThrows(CredentialsUnavailable.class, () -> CredentialClient.check(COMMAND,
                new CredentialReply(ID, null, "credential github-ci is out of scope for this target")));
        assertEquals("Scanflow refused the credentials: credential github-ci is out of scope for this target",
                refused.getMessage());
        assertThrows(CredentialsUnavailable.class, () -> CredentialClient.check(COMMAND, new CredentialReply(
                "another", List.of(), null)));
        CredentialsUnavailable missing = assertThrows(CredentialsUnavailable.class, () -> CredentialClient.check(COMMAND,
                new CredentialReply(ID, List.of(new Credential("github-ci", "git_token", "checkout", null, null, "ghp_2"),
                        new Credential("staging-login", "http_basic", "checkout", "alice", null, "pw")), null)));
        assertEquals("Scanflow gave no value for staging-login (target)", missing.getMessage());
        assertFalse(missing.getMessage().contains("ghp_2"));
        assertThrows(CredentialsUnavailable.class, () -> CredentialClient.check(COMMAND, null));
    }

    @Test
    void aCommandWithoutCredentialsReferencesNone() {
        ScanCommand plain = ScanCommand.of(ID, "normal", null, 1, 60, new ScanCommand.Payload(null, "s",
                Map.of("tool", "x"), null, Map.of(), Map.of(), null, null));
        assertTrue(CredentialClient.refs(plain).isEmpty());
        assertEquals(2, CredentialClient.refs(COMMAND).size());
    }
}
