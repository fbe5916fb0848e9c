package dev.scanflow.notification;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflow.auth.TenantRegistry;
import dev.scanflow.common.ApiException;
import dev.scanflow.common.PgValues;
import dev.scanflow.common.SecretBox;
import dev.scanflow.common.TreeReader;
import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.domain.ValidationError;
import dev.scanflow.engine.RunReads;
import dev.scanflow.pipeline.ChannelNames;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A tenant's notification channels: named Slack webhooks, email recipient lists and signed
 * webhooks. URLs and secrets are sealed (common/SecretBox) and never shown again; a URL must pass
 * {@link TargetPolicy} when saved. Also what templates' {@code channels} may name.
 */
@ApplicationScoped
public class NotificationChannels implements ChannelNames {

    public static final Set<String> TYPES = Set.of("slack", "email", "webhook");
    static final Pattern NAME = dev.scanflow.common.NameRules.NAME_TOKEN;
    static final Pattern EMAIL = Pattern.compile("^[^@\\s<>]{1,64}@[A-Za-z0-9.-]{1,253}\\.[A-Za-z]{2,63}$");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Pool pool;
    private final SecretBox box;
    private final TenantRegistry tenants;
    private final TargetPolicy policy;
    private final NotificationSender sender;
    private final RunReads runs;
    private final ObjectMapper mapper;

    public NotificationChannels(Pool pool, SecretBox box, TenantRegistry tenants, ScanflowConfig config,
            NotificationSender sender, RunReads runs, ObjectMapper mapper) {
        this.mapper = mapper;
        this.runs = runs;
        this.pool = pool;
        this.box = box;
        this.tenants = tenants;
        this.policy = new TargetPolicy(config.notifications().allowPrivateTargets());
        this.sender = sender;
    }

    record Input(String name, String type, String url, List<String> recipients) {
    }

    /** Reads a creation body: every problem with its path (422). */
    Input read(JsonNode body) {
        TreeReader reader = new TreeReader();
        TreeReader.Fields f = reader.object(body, "$");
        if (f == null) {
            throw ApiException.invalid("Invalid notification channel", reader.errors());
        }
        String name = f.text("name");
        String type = f.text("type");
        String url = f.text("url");
        List<String> recipients = f.present("recipients") ? f.strings("recipients") : null;
        f.done();
        if (name == null) {
            reader.error("$.name", "is required: a name such as sec-slack (a-z, 0-9, . _ -)");
        } else if (!NAME.matcher(name).matches()) {
            reader.error("$.name", "must be " + dev.scanflow.common.NameRules.NAME_TOKEN_TEXT);
        } else if (TYPES.contains(name)) {
            reader.error("$.name", "'" + name + "' names a channel kind in templates; choose another name");
        }
        if (type == null) {
            reader.error("$.type", "is required: slack, email or webhook");
        } else if (!TYPES.contains(type)) {
            reader.error("$.type", "must be slack, email or webhook, not '" + type + "'");
        }
        if ("email".equals(type)) {
            if (url != null) {
                reader.error("$.url", "an email channel has recipients, not a url");
            }
            if (recipients == null || recipients.isEmpty()) {
                reader.error("$.recipients", "list at least one address");
            } else {
                if (recipients.size() > 50) {
                    reader.error("$.recipients", "at most 50 addresses");
                }
                for (int i = 0; i < recipients.size(); i++) {
                    if (!EMAIL.matcher(recipients.get(i)).matches()) {
                        reader.error("$.recipients[" + i + "]", "'" + recipients.get(i) + "' is not an email address");
                    }
                }
            }
        } else if (type != null && TYPES.contains(type)) {
            if (recipients != null) {
                reader.error("$.recipients", "only email channels have recipients");
            }
            if (url == null) {
                reader.error("$.url", "is required for a " + type + " channel");
            } else {
                String shape = TargetPolicy.shapeProblem(url);
                if (shape != null) {
                    reader.error("$.url", shape);
                } else if (url.length() > 2048) {
                    reader.error("$.url", "must be at most 2048 characters");
                }
            }
        }
        if (!reader.errors().isEmpty()) {
            throw ApiException.invalid("Invalid notification channel", reader.errors());
        }
        return new Input(name, type, url, recipients == null ? List.of() : List.copyOf(new LinkedHashSet<>(recipients)));
    }

    public Uni<ChannelView> create(UUID tenant, String user, JsonNode body) {
        Input in = read(body);
        Uni<String> checked = in.url() == null ? Uni.createFrom().nullItem()
                : Uni.createFrom().item(() -> policy.problem(in.url())).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        return checked.chain(problem -> {
            if (problem != null) {
                throw ApiException.invalid("Invalid notification channel", List.of(ValidationError.at("$.url", problem)));
            }
            String secret = "webhook".equals(in.type()) ? "whsec_" + Base64.getEncoder().encodeToString(random(32)) : null;
            byte[] url = in.url() == null ? null : box.seal(in.url());
            byte[] sealedSecret = secret == null ? null : box.seal(secret);
            return tenants.ensureWithoutSession(tenant).chain(() -> pool.preparedQuery("INSERT INTO notification_channels (id, tenant_id, "
                                    + "name, type, url, secret, recipients, url_host, created_by) VALUES ($1, $2, $3, $4, $5, $6, "
                                    + "$7, $8, $9) ON CONFLICT (tenant_id, name) DO NOTHING RETURNING created_at")
                            .execute(Tuple.tuple(Arrays.asList(UUID.randomUUID(), tenant, in.name(), in.type(),
                                    url == null ? null : Buffer.buffer(url),
                                    sealedSecret == null ? null : Buffer.buffer(sealedSecret),
                                    in.recipients().toArray(String[]::new), redact(in.url()), user))))
                    .map(rows -> {
                        if (!rows.iterator().hasNext()) {
                            throw ApiException.conflict("you have a notification channel named '" + in.name() + "'");
                        }
                        return new ChannelView(in.name(), in.type(), redact(in.url()),
                                "email".equals(in.type()) ? in.recipients() : null, "webhook".equals(in.type()) ? true : null,
                                user, PgValues.instant(rows.iterator().next(), "created_at"), secret);
                    });
        });
    }

    public Uni<List<ChannelView>> list(UUID tenant) {
        return pool.preparedQuery("SELECT * FROM notification_channels WHERE tenant_id = $1 ORDER BY name")
                .execute(Tuple.of(tenant))
                .map(rows -> {
                    List<ChannelView> out = new ArrayList<>();
                    rows.forEach(r -> out.add(view(r)));
                    return out;
                });
    }

    public Uni<ChannelView> get(UUID tenant, String name) {
        return row(tenant, name).map(NotificationChannels::view);
    }

    public Uni<Void> delete(UUID tenant, String name) {
        return pool.preparedQuery("DELETE FROM notification_channels WHERE tenant_id = $1 AND name = $2 RETURNING id")
                .execute(Tuple.of(tenant, name))
                .map(rows -> {
                    if (!rows.iterator().hasNext()) {
                        throw ApiException.notFound("notification channel '" + name + "'");
                    }
                    return null;
                });
    }

    /** A test message, sent now, once: its delivery and outcome. */
    public Uni<DeliveryView> test(UUID tenant, String user, String name, String link) {
        UUID delivery = UUID.randomUUID();
        return row(tenant, name).chain(channel -> {
            RunSummary sample = new RunSummary(null, null, "Scanflow test message", 1, "example-asset", "repository",
                    "completed", "manual", user, 1L, 0, Map.of(), null,
                    List.of(new RunSummary.Step("test", "Test step", "completed", 0, Map.of(), null, null, null)), link);
            @SuppressWarnings("unchecked")
            JsonObject message = new JsonObject(mapper.convertValue(sample, Map.class));
            return pool.preparedQuery("INSERT INTO notification_deliveries (id, tenant_id, event, channel_id, channel_name, "
                            + "channel_type, idempotency_key, give_up_at, message) VALUES ($1, $2, 'notification.test', $3, "
                            + "$4, $5, $6, now(), $7)")
                    .execute(Tuple.tuple(List.of(delivery, tenant, channel.getUUID("id"), name, channel.getString("type"),
                            "test_" + delivery, message)))
                    .chain(() -> sender.sendNow(delivery))
                    .chain(() -> deliveries("id = $1", Tuple.of(delivery)))
                    .map(list -> list.get(0));
        });
    }

    /** The deliveries of one of the tenant's runs; 404 for another tenant's or no run. */
    public Uni<List<DeliveryView>> ofRun(UUID tenant, UUID runId) {
        return runs.exists(pool, tenant, runId)
                .chain(exists -> {
                    if (!exists) {
                        throw ApiException.notFound("pipeline run " + runId);
                    }
                    return deliveries("tenant_id = $1 AND run_id = $2", Tuple.of(tenant, runId));
                });
    }

    private Uni<List<DeliveryView>> deliveries(String where, Tuple params) {
        return pool.preparedQuery("SELECT id, channel_name, channel_type, event, status, attempts, last_status, last_error, "
                        + "created_at, next_attempt_at, delivered_at FROM notification_deliveries WHERE " + where
                        + " ORDER BY created_at, channel_name")
                .execute(params)
                .map(rows -> {
                    List<DeliveryView> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new DeliveryView(r.getUUID("id"), r.getString("channel_name"),
                            r.getString("channel_type"), r.getString("event"), r.getString("status"), r.getInteger("attempts"),
                            r.getInteger("last_status"), r.getString("last_error"), PgValues.instant(r, "created_at"),
                            "pending".equals(r.getString("status")) ? PgValues.instant(r, "next_attempt_at") : null,
                            PgValues.instant(r, "delivered_at"))));
                    return out;
                });
    }

    @Override
    public Uni<List<String>> unknown(UUID tenant, List<String> names) {
        List<String> named = names.stream().filter(n -> !TYPES.contains(n)).distinct().toList();
        if (named.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return pool.preparedQuery("SELECT name FROM notification_channels WHERE tenant_id = $1 AND name = ANY($2)")
                .execute(Tuple.of(tenant, named.toArray(String[]::new)))
                .map(rows -> {
                    Set<String> found = new LinkedHashSet<>();
                    rows.forEach(r -> found.add(r.getString("name")));
                    return named.stream().filter(n -> !found.contains(n)).toList();
                });
    }

    private Uni<Row> row(UUID tenant, String name) {
        return pool.preparedQuery("SELECT * FROM notification_channels WHERE tenant_id = $1 AND name = $2")
                .execute(Tuple.of(tenant, name))
                .map(rows -> {
                    if (!rows.iterator().hasNext()) {
                        throw ApiException.notFound("notification channel '" + name + "'");
                    }
                    return rows.iterator().next();
                });
    }

    private static ChannelView view(Row r) {
        String type = r.getString("type");
        String[] recipients = r.getArrayOfStrings("recipients");
        return new ChannelView(r.getString("name"), type, r.getString("url_host"),
                "email".equals(type) ? List.of(recipients) : null, "webhook".equals(type) ? true : null,
                r.getString("created_by"), PgValues.instant(r, "created_at"), null);
    }

    /** scheme://host/… : enough to recognise a channel, nothing of its token. */
    static String redact(String url) {
        if (url == null) {
            return null;
        }
        URI uri = URI.create(url);
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + "/…";
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
