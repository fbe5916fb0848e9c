package dev.scanflow.run;

import dev.scanflow.common.ApiException;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * {@code Idempotency-Key}: the first request with a key (per tenant) starts its runs and keeps
 * their ids; a repeat, even a concurrent one, gets those runs and starts nothing. The key is
 * claimed in the transaction that creates the runs: a concurrent claim waits for it, then sees
 * it. A key reused for another request is a 422. Keys are kept 24 hours.
 */
@ApplicationScoped
public class IdempotencyKeys {

    public static final String HEADER = "Idempotency-Key";
    private static final Pattern KEY = Pattern.compile("^[\\x21-\\x7E]{1,255}$");

    private final Pool pool;

    public IdempotencyKeys(Pool pool) {
        this.pool = pool;
    }

    /** The key, checked: null when absent; a 400 naming the header for anything else but 1-255 visible ASCII characters. */
    public static String read(String header) {
        if (header == null || header.isEmpty()) {
            return null;
        }
        if (!KEY.matcher(header).matches()) {
            throw ApiException.badParameter(HEADER, "must be 1 to 255 visible ASCII characters");
        }
        return header;
    }

    /** A fingerprint of what a request asks for, so a reused key can be told from a repeat. */
    public static String hash(String... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : parts) {
                sha.update(String.valueOf(part).getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Claims the key for these runs in the caller's transaction. Null when claimed (start them);
     * the first request's run ids when the key was used for the same request before.
     */
    public Uni<List<UUID>> claim(SqlConnection tx, UUID tenant, String key, String requestHash, List<UUID> runIds) {
        return tx.preparedQuery("INSERT INTO idempotency_keys (tenant_id, key, request_hash, run_ids) VALUES ($1, $2, $3, $4) "
                        + "ON CONFLICT (tenant_id, key) DO NOTHING RETURNING key")
                .execute(Tuple.of(tenant, key, requestHash, runIds.toArray(UUID[]::new)))
                .chain(inserted -> inserted.size() == 1 ? Uni.createFrom().<List<UUID>>nullItem()
                        : tx.preparedQuery("SELECT request_hash, run_ids FROM idempotency_keys WHERE tenant_id = $1 AND key = $2")
                                .execute(Tuple.of(tenant, key))
                                .map(rows -> {
                                    Row r = rows.iterator().next();
                                    if (!requestHash.equals(r.getString("request_hash"))) {
                                        throw new ApiException(422, "idempotency-key-reused", "Idempotency-Key reused",
                                                "the Idempotency-Key '" + key + "' was used for another request; "
                                                        + "use a new key for a new request", List.of());
                                    }
                                    return Arrays.asList(r.getArrayOfUUIDs("run_ids"));
                                }));
    }

    /** Records the runs a claimed key started, when they were decided after the claim (a fire). */
    public Uni<Void> settle(SqlConnection tx, UUID tenant, String key, List<UUID> runIds) {
        return tx.preparedQuery("UPDATE idempotency_keys SET run_ids = $3 WHERE tenant_id = $1 AND key = $2")
                .execute(Tuple.of(tenant, key, runIds.toArray(UUID[]::new))).replaceWithVoid();
    }

    /** Forgets keys older than a day. */
    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> expire() {
        return pool.query("DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'").execute()
                .replaceWithVoid();
    }
}
