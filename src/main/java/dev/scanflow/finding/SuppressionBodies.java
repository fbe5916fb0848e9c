package dev.scanflow.finding;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflow.common.ApiException;
import dev.scanflow.common.TreeReader;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A suppression's body, read with every error at once: {@code finding_id} (suppress that
 * finding, by its identity) or {@code rule_id} with an optional {@code pattern} (a path glob, a
 * host or {@code *.domain}) and {@code asset_id}; {@code reason} and {@code owner} always;
 * {@code expires_at} (RFC 3339, in the future) optionally.
 */
final class SuppressionBodies {

    static final String INVALID = "Invalid suppression";
    static final int TEXT_LIMIT = 1_000;
    /** A pattern is matched against every finding of a chunk: short, and few '**' (each one backtracks). */
    static final int PATTERN_LIMIT = 300;
    static final int MAX_DOUBLE_STARS = 3;
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}&&[^\\n\\t]]");

    /** A suppression to create. */
    record NewSuppression(UUID findingId, String ruleId, String pattern, UUID assetId, String reason, String owner,
            Instant expiresAt) {
    }

    private SuppressionBodies() {
    }

    static NewSuppression create(JsonNode body, Instant now) {
        TreeReader reader = new TreeReader();
        TreeReader.Fields f = reader.object(body, "$");
        if (f == null) {
            throw ApiException.invalid(INVALID, reader.errors());
        }
        String findingText = f.text("finding_id");
        String rule = f.text("rule_id");
        String pattern = f.text("pattern");
        String assetText = f.text("asset_id");
        String reason = f.text("reason");
        String owner = f.text("owner");
        String expiresText = f.text("expires_at");
        f.done();
        UUID findingId = uuid(findingText, "$.finding_id", reader);
        UUID assetId = uuid(assetText, "$.asset_id", reader);
        if ((findingText == null) == (rule == null) && !reader.hasErrorsUnder("$.finding_id")
                && !reader.hasErrorsUnder("$.rule_id")) {
            reader.error("$", "give either finding_id (that finding) or rule_id (with an optional pattern and asset_id)");
        }
        if (findingText != null && (pattern != null || assetText != null)) {
            reader.error(pattern != null ? "$.pattern" : "$.asset_id",
                    "applies to rule_id suppressions only: finding_id names one finding on one asset");
        }
        text(rule, "$.rule_id", reader);
        if (pattern != null && (pattern.isBlank() || pattern.contains("://") || pattern.length() > PATTERN_LIMIT
                || pattern.split("\\*\\*", -1).length - 1 > MAX_DOUBLE_STARS)) {
            reader.error("$.pattern", "must be a path glob (src/**/test_*.py), a host (app.example.com) or *.domain, "
                    + "at most " + PATTERN_LIMIT + " characters and " + MAX_DOUBLE_STARS + " '**'");
        }
        if (reason == null && !reader.hasErrorsUnder("$.reason")) {
            reader.error("$.reason", "is required: why this is not a problem (a false positive, an accepted risk)");
        } else {
            text(reason, "$.reason", reader);
        }
        if (owner == null && !reader.hasErrorsUnder("$.owner")) {
            reader.error("$.owner", "is required: who answers for the suppression (a person or a team)");
        } else {
            text(owner, "$.owner", reader);
        }
        Instant expires = null;
        if (expiresText != null) {
            try {
                expires = java.time.OffsetDateTime.parse(expiresText).toInstant();
                if (!expires.isAfter(now)) {
                    reader.error("$.expires_at", "must be in the future");
                } else if (expires.isAfter(dev.scanflow.common.Instants.MAX)) {
                    reader.error("$.expires_at", "must be before 9999-12-31T23:59:59Z");
                }
            } catch (DateTimeParseException e) {
                reader.error("$.expires_at", "must be an RFC 3339 time such as 2027-03-31T00:00:00Z");
            }
        }
        if (!reader.errors().isEmpty()) {
            throw ApiException.invalid(INVALID, reader.errors());
        }
        return new NewSuppression(findingId, rule == null ? null : rule.trim(), pattern == null ? null : pattern.trim(),
                assetId, reason.trim(), owner.trim(), expires);
    }

    private static UUID uuid(String text, String path, TreeReader reader) {
        if (text == null) {
            return null;
        }
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            reader.error(path, "must be an id (a UUID)");
            return null;
        }
    }

    private static void text(String s, String path, TreeReader reader) {
        if (s != null && (s.isBlank() || s.length() > TEXT_LIMIT || CONTROL.matcher(s).find())) {
            reader.error(path, "must be 1 to " + TEXT_LIMIT + " characters, without control characters");
        }
    }
}
