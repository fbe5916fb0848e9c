package dev.scanflow.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a delivery says about the code it is about: the repository's URLs (every form the
 * payload gives), and the run context it implies ({@code branch}, {@code commit}, {@code user},
 * {@code repository}). Reads GitHub and GitLab push (and tag push, merge request) payloads and a
 * Standard Webhooks body's {@code data} ({@code repository} or {@code repository_url},
 * {@code ref} or {@code branch}, {@code commit}, {@code user}). Plain Java over Jackson's tree.
 */
public record PushPayload(List<String> repositoryUrls, Map<String, Object> context) {

    public static PushPayload read(String scheme, JsonNode body) {
        List<String> urls = new ArrayList<>();
        Map<String, Object> context = new LinkedHashMap<>();
        switch (scheme) {
            case WebhookSignatures.GITHUB -> {
                JsonNode repo = body.path("repository");
                add(urls, repo, "clone_url", "ssh_url", "html_url", "git_url", "url");
                ref(context, text(body, "ref"));
                put(context, "commit", firstText(body.path("after"), body.path("head_commit").path("id"),
                        body.path("pull_request").path("head").path("sha")));
                put(context, "user", firstText(body.path("pusher").path("name"), body.path("sender").path("login")));
            }
            case WebhookSignatures.GITLAB -> {
                add(urls, body.path("project"), "git_http_url", "git_ssh_url", "web_url", "http_url", "ssh_url", "url");
                add(urls, body.path("repository"), "git_http_url", "git_ssh_url", "homepage", "url");
                String ref = text(body, "ref");
                if (ref == null) {
                    ref = text(body.path("object_attributes"), "source_branch");
                }
                ref(context, ref);
                put(context, "commit", firstText(body.path("checkout_sha"), body.path("after"),
                        body.path("object_attributes").path("last_commit").path("id")));
                put(context, "user", firstText(body.path("user_username"), body.path("user_name"),
                        body.path("user").path("username")));
            }
            default -> {
                JsonNode data = body.path("data");
                JsonNode repo = data.path("repository");
                if (repo.isTextual()) {
                    urls.add(repo.textValue());
                } else {
                    add(urls, repo, "url", "clone_url", "html_url", "ssh_url");
                }
                if (data.path("repository_url").isTextual()) {
                    urls.add(data.path("repository_url").textValue());
                }
                String ref = text(data, "ref");
                ref(context, ref != null ? ref : text(data, "branch"));
                put(context, "commit", text(data, "commit"));
                put(context, "user", text(data, "user"));
            }
        }
        if (!urls.isEmpty()) {
            context.put("repository", urls.get(0));
        }
        return new PushPayload(urls, context);
    }

    /** {@code refs/heads/main} → branch main; {@code refs/tags/v1} → tag v1; another ref as the branch. */
    private static void ref(Map<String, Object> context, String ref) {
        if (ref == null) {
            return;
        }
        if (ref.startsWith("refs/heads/")) {
            context.put("branch", ref.substring("refs/heads/".length()));
        } else if (ref.startsWith("refs/tags/")) {
            context.put("tag", ref.substring("refs/tags/".length()));
        } else {
            context.put("branch", ref);
        }
    }

    private static void add(List<String> urls, JsonNode node, String... fields) {
        for (String f : fields) {
            String v = text(node, f);
            if (v != null && !urls.contains(v)) {
                urls.add(v);
            }
        }
    }

    private static void put(Map<String, Object> context, String key, String value) {
        if (value != null) {
            context.put(key, value);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isTextual() && !v.textValue().isBlank() ? v.textValue() : null;
    }

    private static String firstText(JsonNode... nodes) {
        for (JsonNode n : nodes) {
            if (n.isTextual() && !n.textValue().isBlank()) {
                return n.textValue();
            }
        }
        return null;
    }
}
