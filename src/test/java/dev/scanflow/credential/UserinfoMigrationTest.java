package dev.scanflow.credential;

import static dev.scanflow.support.Api.as;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scanflow.common.SecretBox;
import dev.scanflow.support.Api;
import dev.scanflow.support.LogCapture;
import dev.scanflow.support.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The start-up job that moves credentials out of asset URLs stored before assets refused them:
 * rows are written directly, as an older Scanflow left them, and the job is run again.
 */
@QuarkusTest
class UserinfoMigrationTest {

    private static final String TOKEN = "ghp_MigrateMe00000000000000000000000000";
    private static final String PASSWORD = "s3cr3t-P4ssw0rd-for-the-shop";

    @Inject
    Pool pool;

    @Inject
    UserinfoMigration migration;

    @Inject
    SecretBox box;

    private final UUID tenant = Api.newTenant();
    private final String admin = TestTokens.admin(tenant);

    /** An asset row as an older Scanflow stored it (the tenant row is made through the API first). */
    private UUID legacyAsset(String type, String name, String url) {
        as(admin).contentType(ContentType.JSON).body("{\"type\": \"domain\", \"name\": \"tenant-" + UUID.randomUUID() + "\"}")
                .post("/api/v1/assets").then().statusCode(201);
        UUID id = UUID.randomUUID();
        pool.preparedQuery("INSERT INTO assets (id, tenant_id, type, name, url, created_by) VALUES ($1, $2, $3, $4, $5, 'old')")
                .execute(Tuple.of(id, tenant, type, name, url)).await().indefinitely();
        return id;
    }

    private long assetRowsHolding(String text) {
        return pool.preparedQuery("SELECT count(*) AS n FROM assets a WHERE a::text LIKE '%' || $1 || '%'")
                .execute(Tuple.of(text)).await().indefinitely().iterator().next().getLong("n");
    }

    @Test
    void urlCredentialsBecomeScanCredentialsAndTheUrlsAreCleaned() {
        // a credential of the name the first asset would get: the job picks another
        as(admin).contentType(ContentType.JSON).body("{\"name\": \"acme-private\", \"kind\": \"cookie\", \"value\": \"c=1\"}")
                .post("/api/v1/credentials").then().statusCode(201);
        UUID repo = legacyAsset("repository", "Acme/Private", "https://ci-bot:" + TOKEN + "@git.example.com/acme/private.git");
        UUID shop = legacyAsset("web_application", "shop", "https://scanner:" + PASSWORD + "@shop.example.com/");
        UUID ssh = legacyAsset("repository", "acme/ssh", "ssh://git@github.com/acme/ssh.git");
        assertTrue(assetRowsHolding(TOKEN) > 0);

        UserinfoMigration.Report report;
        try (LogCapture log = LogCapture.start()) {
            report = migration.run().await().indefinitely();
            String repoName = "acme-private-" + repo.toString().substring(0, 8);
            assertTrue(report.migrated().stream().anyMatch(m -> m.contains(repo.toString()) && m.endsWith("-> " + repoName)),
                    report.toString());
            assertTrue(report.migrated().stream().anyMatch(m -> m.contains(shop.toString()) && m.endsWith("-> shop")),
                    report.toString());
            assertFalse(report.migrated().stream().anyMatch(m -> m.contains(ssh.toString())), "an SSH user is no secret");
            List<String> lines = log.lines().stream().filter(l -> l.contains(repo.toString())).toList();
            assertEquals(1, lines.size(), log.lines().toString());
            assertTrue(lines.get(0).startsWith("INFO") && lines.get(0).contains("'" + repoName + "'")
                    && lines.get(0).contains("Acme/Private"), lines.get(0));
            assertTrue(log.lines().stream().noneMatch(l -> l.contains(TOKEN) || l.contains(PASSWORD)), log.lines().toString());

            as(admin).get("/api/v1/assets/" + repo).then().statusCode(200)
                    .body("url", equalTo("https://git.example.com/acme/private.git"))
                    .body("credentials", contains(repoName));
            as(admin).get("/api/v1/credentials/" + repoName).then().statusCode(200)
                    .body("kind", equalTo("git_token")).body("username", equalTo("ci-bot"))
                    .body("scope", contains("https://git.example.com/acme/private.git"))
                    .body("created_by", equalTo(UserinfoMigration.CREATED_BY));
            as(admin).get("/api/v1/assets/" + shop).then().body("url", equalTo("https://shop.example.com/"))
                    .body("credentials", contains("shop"));
            as(admin).get("/api/v1/credentials/shop").then().body("kind", equalTo("http_basic"))
                    .body("username", equalTo("scanner"));
            as(admin).get("/api/v1/assets/" + ssh).then().body("url", equalTo("ssh://git@github.com/acme/ssh.git"));
        }
        assertEquals(0, assetRowsHolding(TOKEN), "the token is nowhere in assets");
        assertEquals(0, assetRowsHolding(PASSWORD));
        // the secret is in its sealed row, and only there
        byte[] sealed = pool.preparedQuery("SELECT value FROM scan_credentials WHERE tenant_id = $1 AND name = $2")
                .execute(Tuple.of(tenant, "acme-private-" + repo.toString().substring(0, 8))).await().indefinitely()
                .iterator().next().getBuffer("value").getBytes();
        assertEquals(TOKEN, box.open(sealed));
        assertFalse(new String(sealed, java.nio.charset.StandardCharsets.ISO_8859_1).contains(TOKEN));
        // once done, there is nothing left to do
        assertTrue(migration.run().await().indefinitely().migrated().stream().noneMatch(m -> m.contains(tenant.toString())));
    }

    @Test
    void withoutASecretsKeyNothingChangesAndAWarnNamesTheAssets() {
        UUID repo = legacyAsset("repository", "acme/keyless", "https://" + TOKEN + "@git.example.com/acme/keyless.git");
        try (LogCapture log = LogCapture.start()) {
            UserinfoMigration.Report report = new UserinfoMigration(pool, new SecretBox((String) null)).run()
                    .await().indefinitely();
            assertTrue(report.left().stream().anyMatch(a -> a.contains(repo.toString())), report.toString());
            assertTrue(report.migrated().isEmpty());
            assertTrue(log.lines().stream().anyMatch(l -> l.startsWith("WARN") && l.contains("acme/keyless")
                    && l.contains("SCANFLOW_SECRETS_KEY")), log.lines().toString());
            assertTrue(log.lines().stream().noneMatch(l -> l.contains(TOKEN)), log.lines().toString());
        } finally {
            // the job of the service under test runs with a key: leave nothing for it in other tests
            pool.preparedQuery("DELETE FROM assets WHERE id = $1").execute(Tuple.of(repo)).await().indefinitely();
        }
    }
}
