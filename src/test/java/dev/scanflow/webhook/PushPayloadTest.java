package dev.scanflow.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PushPayloadTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static PushPayload read(String scheme, String fixture) throws Exception {
        return PushPayload.read(scheme, JSON.readTree(Files.readString(Path.of("src/test/resources/webhooks", fixture))));
    }

    @Test
    void githubPush() throws Exception {
        PushPayload p = read("github", "github-push.json");
        assertEquals(List.of("https://github.com/Acme-Corp/WebApp.git", "git@github.com:Acme-Corp/WebApp.git",
                "https://github.com/Acme-Corp/WebApp", "git://github.com/Acme-Corp/WebApp.git"), p.repositoryUrls());
        assertEquals(Map.of("branch", "main", "commit", "9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c", "user", "dana-dev",
                "repository", "https://github.com/Acme-Corp/WebApp.git"), p.context());
    }

    @Test
    void gitlabPush() throws Exception {
        PushPayload p = read("gitlab", "gitlab-push.json");
        assertEquals("https://gitlab.acme.example/platform/billing-api.git", p.repositoryUrls().get(0));
        assertEquals(Map.of("branch", "release", "commit", "da1560886d4f094c3e6c9ef40349f7d38b5d27d7", "user", "sam.ops",
                "repository", "https://gitlab.acme.example/platform/billing-api.git"), p.context());
    }

    @Test
    void standardWebhooksData() throws Exception {
        PushPayload p = PushPayload.read("standard-webhooks", JSON.readTree("{\"type\":\"push\",\"timestamp\":"
                + "\"2026-12-01T10:00:00Z\",\"data\":{\"repository\":\"https://git.acme.example/x/y\",\"ref\":"
                + "\"refs/tags/v2.1.0\",\"commit\":\"abc123\",\"user\":\"ci-bot\"}}"));
        assertEquals(List.of("https://git.acme.example/x/y"), p.repositoryUrls());
        assertEquals(Map.of("tag", "v2.1.0", "commit", "abc123", "user", "ci-bot", "repository",
                "https://git.acme.example/x/y"), p.context());
    }
}
