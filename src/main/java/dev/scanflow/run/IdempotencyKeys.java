package dev.scanflow.run;

import dev.scanflow.common.ApiException;
import dev.scanflow.engine.PlannedWrite;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
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
 * claimed by a guard of the plan that creates the runs: a concurrent claim waits for it, then
 * finds it taken and reads it. A key reused for another request is a 422. Keys are kept 24 hours.
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
     * The runs an earlier request with this key started (null: the key is free); a 422 when the
     * key was used for another request.
     */
    public Uni<List<UUID>> earlier(UUID tenant, String key, String requestHash) {
        return pool.preparedQuery("SELECT request_hash, run_ids FROM idempotency_keys WHERE tenant_id = $1 AND key = $2")
                .execute(Tuple.of(tenant, key))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row r = rows.iterator().next();
                    if (!requestHash.equals(r.getString("request_hash"))) {
                        throw new ApiException(422, "idempotency-key-reused", "Idempotency-Key reused",
                                "the Idempotency-Key '" + key + "' was used for another request; "
                                        + "use a new key for a new request", List.of());
                    }
                    return Arrays.asList(r.getArrayOfUUIDs("run_ids"));
                });
    }

    /**
     * The claim of a free key for these runs, a guard of the plan that starts them: a concurrent
     * claim of the same key waits on the unique index, then finds it taken, and its request
     * plans again (and finds the first request's runs).
     */
    public static PlannedWrite claim(UUID tenant, String key, String requestHash, List<UUID> runIds) {
        return PlannedWrite.guard("INSERT INTO idempotency_keys (tenant_id, key, request_hash, run_ids) "
                + "VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, key) DO NOTHING RETURNING key",
                Tuple.of(tenant, key, requestHash, runIds.toArray(UUID[]::new)));
    }

    /** Forgets keys older than a day. */
    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> expire() {
        return pool.query("DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'").execute()
                .replaceWithVoid();
    }
}
