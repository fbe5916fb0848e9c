package dev.scanflow.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class RepositoryUrlsTest {

    @Test
    void everyFormOfOneRepositoryIsTheSame() {
        for (String url : List.of("https://github.com/Acme-Corp/WebApp", "https://github.com/Acme-Corp/WebApp.git",
                "https://github.com/acme-corp/webapp/", "http://github.com/Acme-Corp/WebApp", "git://github.com/Acme-Corp/WebApp.git",
                "git@github.com:Acme-Corp/WebApp.git", "ssh://git@github.com/Acme-Corp/WebApp.git",
                "ssh://git@github.com:22/Acme-Corp/WebApp", "https://token:x-oauth@github.com/Acme-Corp/WebApp.git",
                "https://github.com:443/Acme-Corp/WebApp", "https://github.com/Acme-Corp/WebApp?tab=readme#top",
                "  https://github.com/Acme-Corp//WebApp  ")) {
            assertEquals("github.com/acme-corp/webapp", RepositoryUrls.canonical(url), url);
        }
        assertEquals("gitlab.acme.example/platform/sub/billing-api",
                RepositoryUrls.canonical("git@gitlab.acme.example:platform/sub/billing-api.git"));
        assertEquals("platform/billing-api", RepositoryUrls.tail("gitlab.acme.example/platform/billing-api"));
    }

    @Test
    void otherRepositoriesAndNonUrlsDiffer() {
        assertEquals("github.com/acme-corp/webapp-legacy", RepositoryUrls.canonical("https://github.com/Acme-Corp/WebApp-legacy"));
        assertEquals("gitlab.com/acme-corp/webapp", RepositoryUrls.canonical("https://gitlab.com/acme-corp/webapp"));
        assertNull(RepositoryUrls.canonical("webapp"));
        assertNull(RepositoryUrls.canonical("https://github.com"));
        assertNull(RepositoryUrls.canonical("not a url"));
        assertNull(RepositoryUrls.canonical(null));
    }
}
