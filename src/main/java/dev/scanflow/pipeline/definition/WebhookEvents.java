package dev.scanflow.pipeline.definition;

import java.util.Comparator;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The webhook events a trigger may name, so that {@code webhook: pushh} is an error when the
 * template is saved rather than a trigger that never fires. GitHub's event names
 * ({@code X-GitHub-Event}) and GitLab's ({@code X-Gitlab-Event} as the intake reads it:
 * {@code Tag Push Hook} is {@code tag_push}) are closed lists; a Standard Webhooks sender names
 * its own event types, which by that specification's convention are dotted
 * ({@code image.pushed}), so a name with a '.' or ':' is taken as written.
 */
public final class WebhookEvents {

    static final Set<String> GITHUB = Set.of("branch_protection_rule", "check_run", "check_suite",
            "code_scanning_alert", "commit_comment", "create", "delete", "dependabot_alert", "deploy_key", "deployment",
            "deployment_status", "discussion", "discussion_comment", "fork", "gollum", "installation",
            "installation_repositories", "issue_comment", "issues", "label", "member", "membership", "merge_group",
            "meta", "milestone", "package", "page_build", "ping", "project", "public", "pull_request",
            "pull_request_review", "pull_request_review_comment", "pull_request_review_thread", "push",
            "registry_package", "release", "repository", "repository_dispatch", "repository_vulnerability_alert",
            "secret_scanning_alert", "security_advisory", "star", "status", "team", "team_add", "watch",
            "workflow_dispatch", "workflow_job", "workflow_run");
    static final Set<String> GITLAB = Set.of("push", "tag_push", "issue", "confidential_issue", "note",
            "confidential_note", "merge_request", "wiki_page", "pipeline", "job", "deployment", "release", "member",
            "subgroup", "project", "feature_flag", "emoji", "resource_access_token", "vulnerability", "system");

    private WebhookEvents() {
    }

    /** Why the event cannot fire a trigger, or empty when it can. */
    public static Optional<String> problem(String event) {
        if (event.contains(".") || event.contains(":") || GITHUB.contains(event) || GITLAB.contains(event)) {
            return Optional.empty();
        }
        Set<String> all = new TreeSet<>(GITHUB);
        all.addAll(GITLAB);
        String nearest = all.stream().min(Comparator.comparingInt(known -> distance(known, event))).orElseThrow();
        String hint = distance(nearest, event) <= 2 ? " (did you mean '" + nearest + "'?)" : "";
        return Optional.of("unknown webhook event '" + event + "'" + hint + ": use a GitHub event (push, pull_request, "
                + "release, ...), a GitLab event (push, tag_push, merge_request, ...) or a dotted Standard Webhooks "
                + "type such as image.pushed");
    }

    /** Levenshtein distance: enough to suggest the event a typo meant. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
