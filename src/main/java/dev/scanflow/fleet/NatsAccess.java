package dev.scanflow.fleet;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.scanflow.protocol.Subjects;
import io.nats.client.NKey;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.List;

/**
 * What a registered worker needs from NATS, and what the NATS server must know of it: an nkey
 * (the seed is the worker's secret, shown once; Scanflow keeps only the public key), the
 * subjects it may publish and subscribe to (its own only), its inbox prefix, and the server
 * configuration entry that grants exactly that (docs/protocol.md, "Securing workers").
 *
 * @param seed null except in the answer to the registration
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NatsAccess(String nkey, String seed, String inboxPrefix, List<String> publish, List<String> subscribe,
        String serverConfig) {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A fresh nkey pair and the permissions of this worker. */
    static NatsAccess issue(String workerId, Subjects subjects) {
        try {
            NKey key = NKey.createUser(RANDOM);
            String publicKey = new String(key.getPublicKey());
            String seed = new String(key.getSeed());
            key.clear();
            return of(workerId, subjects, publicKey, seed);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("could not create an nkey", e);
        }
    }

    /** The permissions of a worker whose public key is known (the seed is never kept). */
    static NatsAccess of(String workerId, Subjects subjects, String publicKey, String seed) {
        // credentials: core NATS requests for its commands' credentials, answered on its own inbox
        List<String> publish = List.of(subjects.heartbeat(workerId), subjects.result(workerId), subjects.log(workerId),
                subjects.findings(workerId), subjects.credentials(workerId));
        List<String> subscribe = List.of(subjects.command(workerId), subjects.inbox(workerId) + ".>");
        String config = publicKey == null ? null
                : "{ nkey: " + publicKey + ", permissions: { publish: " + quoted(publish) + ", subscribe: "
                        + quoted(subscribe) + " } }";
        return new NatsAccess(publicKey, seed, subjects.inbox(workerId), publish, subscribe, config);
    }

    private static String quoted(List<String> subjects) {
        return "[" + String.join(", ", subjects.stream().map(s -> "\"" + s + "\"").toList()) + "]";
    }
}
