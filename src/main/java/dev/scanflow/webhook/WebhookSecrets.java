package dev.scanflow.webhook;

import static dev.scanflow.common.PgValues.instant;
import static dev.scanflow.common.PgValues.odt;

import dev.scanflow.common.SecretBox;
import dev.scanflow.config.ScanflowConfig;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * A pipeline's webhook secret: generated here (32 random bytes as {@code whsec_<base64>}, usable
 * as GitHub's secret, GitLab's token and a Standard Webhooks key), shown once, kept encrypted
 * ({@link SecretBox}), never answered again. A rotation keeps the previous one valid for the
 * grace period.
 */
@ApplicationScoped
public class WebhookSecrets {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Pool pool;
    private final SecretBox box;
    private final ScanflowConfig config;

    public WebhookSecrets(Pool pool, SecretBox box, ScanflowConfig config) {
        this.pool = pool;
        this.box = box;
        this.config = config;
    }

    /** What may be shown of a secret: everything but the secret. */
    @RegisterForReflection
    public record Metadata(boolean configured, String webhookUrl, Instant createdAt, String createdBy, Instant rotatedAt,
            Instant previousValidUntil) {
    }

    /** The answer of a creation or rotation: the secret, once. */
    @RegisterForReflection
    public record Created(String secret, String webhookUrl, Instant createdAt, Instant previousValidUntil) {
    }

    /** The tenant of a pipeline that has a secret, and the secrets valid now (newest first). */
    public record Valid(UUID tenantId, List<String> secrets) {
    }

    static String url(UUID pipelineId) {
        return "/api/v1/webhooks/" + pipelineId;
    }

    /** Creates the pipeline's secret, or rotates it: the old one stays valid for the grace period. */
    Uni<Created> createOrRotate(UUID tenant, UUID pipelineId, String user) {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String secret = "whsec_" + Base64.getEncoder().encodeToString(raw);
        byte[] sealed = box.seal(secret);
        Instant graceEnd = Instant.now().plus(config.webhooks().rotationGrace());
        return pool.preparedQuery("INSERT INTO webhook_secrets (pipeline_id, tenant_id, secret, created_by) "
                        + "VALUES ($1, $2, $3, $4) ON CONFLICT (pipeline_id) DO UPDATE SET "
                        + "previous_secret = webhook_secrets.secret, previous_valid_until = $5, secret = EXCLUDED.secret, "
                        + "rotated_at = now(), created_by = EXCLUDED.created_by WHERE webhook_secrets.tenant_id = $2 "
                        + "RETURNING created_at, rotated_at, previous_valid_until")
                .execute(Tuple.of(pipelineId, tenant, io.vertx.core.buffer.Buffer.buffer(sealed), user,
                        odt(graceEnd)))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return new Created(secret, url(pipelineId), r.getOffsetDateTime("rotated_at") != null
                            ? instant(r, "rotated_at") : instant(r, "created_at"), instant(r, "previous_valid_until"));
                });
    }

    Uni<Metadata> metadata(UUID tenant, UUID pipelineId) {
        return pool.preparedQuery("SELECT created_at, created_by, rotated_at, previous_valid_until FROM webhook_secrets "
                        + "WHERE pipeline_id = $1 AND tenant_id = $2")
                .execute(Tuple.of(pipelineId, tenant))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return new Metadata(false, url(pipelineId), null, null, null, null);
                    }
                    Row r = rows.iterator().next();
                    Instant until = instant(r, "previous_valid_until");
                    return new Metadata(true, url(pipelineId), instant(r, "created_at"), r.getString("created_by"),
                            instant(r, "rotated_at"), until != null && until.isAfter(Instant.now()) ? until : null);
                });
    }

    /** Removes the secret: deliveries are refused from then on (fail closed). */
    Uni<Boolean> delete(UUID tenant, UUID pipelineId) {
        return pool.preparedQuery("DELETE FROM webhook_secrets WHERE pipeline_id = $1 AND tenant_id = $2 RETURNING 1")
                .execute(Tuple.of(pipelineId, tenant)).map(rows -> rows.size() == 1);
    }

    /** The secrets a delivery to the pipeline may be signed with now; null when it has none. */
    Uni<Valid> valid(UUID pipelineId, Instant now) {
        return pool.preparedQuery("SELECT tenant_id, secret, previous_secret, previous_valid_until FROM webhook_secrets "
                        + "WHERE pipeline_id = $1")
                .execute(Tuple.of(pipelineId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row r = rows.iterator().next();
                    List<String> secrets = new ArrayList<>();
                    String current = box.open(r.getBuffer("secret").getBytes());
                    if (current != null) {
                        secrets.add(current);
                    }
                    Instant until = instant(r, "previous_valid_until");
                    if (r.getBuffer("previous_secret") != null && until != null && until.isAfter(now)) {
                        String previous = box.open(r.getBuffer("previous_secret").getBytes());
                        if (previous != null) {
                            secrets.add(previous);
                        }
                    }
                    return new Valid(r.getUUID("tenant_id"), secrets);
                });
    }
}
