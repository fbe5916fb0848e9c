package dev.scanflow.credential;

import dev.scanflow.asset.AssetRows;
import dev.scanflow.asset.UrlUserinfo;
import dev.scanflow.common.NameRules;
import dev.scanflow.common.SecretBox;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jboss.logging.Logger;

/**
 * At start-up, moves credentials written into assets' URLs (from before assets refused them) into
 * scan credentials: per asset, in one transaction, a credential named after the asset holds the
 * secret (sealed; scope: the cleaned URL), the URL loses its userinfo and the asset names the
 * credential. One INFO line per asset names the asset and the credential, never the value.
 * Without a secrets key nothing is changed and a WARN names the assets. Runs on every start and
 * finds nothing once done; an asset changed meanwhile (another replica moved it) is left alone.
 */
@ApplicationScoped
public class UserinfoMigration {

    static final String CREATED_BY = "scanflow:url-credentials-migration";
    private static final Logger LOG = Logger.getLogger(UserinfoMigration.class);

    private final Pool pool;
    private final SecretBox box;

    public UserinfoMigration(Pool pool, SecretBox box) {
        this.pool = pool;
        this.box = box;
    }

    /** What a run did: the credentials made ({@code asset → credential}) and the assets it had to leave. */
    public record Report(List<String> migrated, List<String> left) {
    }

    void start(@Observes StartupEvent event) {
        run().subscribe().with(r -> { }, failure -> LOG.warnf("moving credentials out of asset URLs failed: %s; it is "
                + "tried again at the next start", failure.toString()));
    }

    public Uni<Report> run() {
        return AssetRows.withUserinfo(pool).chain(found -> {
            List<AssetRows.UserinfoAsset> withSecret = found.stream().filter(a -> UrlUserinfo.hasSecret(a.url())).toList();
            if (withSecret.isEmpty()) {
                return Uni.createFrom().item(new Report(List.of(), List.of()));
            }
            List<String> names = withSecret.stream().map(AssetRows.UserinfoAsset::toString).toList();
            if (!box.configured()) {
                LOG.warnf("%d asset(s) have credentials in their URL, and this Scanflow has no secrets key "
                        + "(SCANFLOW_SECRETS_KEY) to keep them as scan credentials, so they were left as they are: %s. "
                        + "Set the key and restart, or replace their URLs.", withSecret.size(), String.join(", ", names));
                return Uni.createFrom().item(new Report(List.of(), names));
            }
            return Multi.createFrom().iterable(withSecret)
                    .onItem().transformToUniAndConcatenate(this::migrate)
                    .collect().asList()
                    .map(done -> new Report(done.stream().filter(Objects::nonNull).toList(), List.of()));
        });
    }

    /** Moves one asset's URL credentials; null when the asset changed meanwhile. */
    private Uni<String> migrate(AssetRows.UserinfoAsset a) {
        UrlUserinfo.Split split = UrlUserinfo.split(a.url());
        boolean git = "repository".equals(a.type()) || !split.scheme().startsWith("http");
        CredentialKind kind = git || split.username() == null ? CredentialKind.GIT_TOKEN : CredentialKind.HTTP_BASIC;
        String username = split.username() != null ? split.username() : kind.defaultUsername;
        String base = nameFor(a.name());
        String second = (base.length() > NameRules.MAX_NAME_LENGTH - 9 ? base.substring(0, NameRules.MAX_NAME_LENGTH - 9)
                : base) + "-" + a.id().toString().substring(0, 8);
        byte[] sealed = box.seal(split.secret());
        return pool.withTransaction(tx -> Credentials.taken(tx, a.tenantId(), List.of(base, second))
                        .chain(taken -> {
                            String name = !taken.contains(base) ? base : !taken.contains(second) ? second : null;
                            if (name == null) {
                                throw new IllegalStateException("the names " + base + " and " + second + " are taken");
                            }
                            return Credentials.insert(tx, a.tenantId(), name, kind, sealed, username, null,
                                            scopeOf(split.cleanUrl()), null, CREATED_BY)
                                    .chain(inserted -> AssetRows.moveUrlSecret(tx, a.id(), a.url(), split.cleanUrl(), name))
                                    .map(moved -> {
                                        if (!moved) {
                                            throw new Changed();
                                        }
                                        return name;
                                    });
                        }))
                .invoke(name -> LOG.infof("asset %s: the credentials in its URL are now scan credential '%s' (%s); "
                        + "its URL no longer holds them and the asset names the credential", a, name, kind.wire))
                .map(name -> a + " -> " + name)
                .onFailure(Changed.class).recoverWithNull()
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("asset %s: the credentials in its URL could not be moved: %s", a, e.getMessage());
                    return null;
                });
    }

    /** The asset changed since it was read: rolled back, left for the next start. */
    private static final class Changed extends RuntimeException {
        Changed() {
            super("the asset changed meanwhile", null, false, false);
        }
    }

    /** A credential name from an asset's name: lower case, other characters as '-', within the name rule. */
    static String nameFor(String assetName) {
        String slug = assetName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_.-]+", "-").replaceAll("-{2,}", "-")
                .replaceAll("^[^a-z0-9]+", "");
        if (slug.length() > NameRules.MAX_NAME_LENGTH) {
            slug = slug.substring(0, NameRules.MAX_NAME_LENGTH);
        }
        slug = slug.replaceAll("[^a-z0-9]+$", "");
        return slug.isEmpty() ? "asset" : slug;
    }

    /** The cleaned URL as a URL prefix (without query or fragment); else its host; else none. */
    static List<String> scopeOf(String cleanUrl) {
        String prefix = cleanUrl.replaceAll("[?#].*$", "");
        if (CredentialScope.problem(prefix) == null) {
            return List.of(prefix);
        }
        CredentialScope.Place place = CredentialScope.target(cleanUrl);
        List<String> out = new ArrayList<>();
        if (place != null && CredentialScope.problem(place.host()) == null) {
            out.add(place.host());
        }
        return out;
    }
}
