package dev.scanflow.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflow.common.ApiException;
import dev.scanflow.common.TreeReader;
import java.util.UUID;

/**
 * A share body (PUT /api/v1/tenants/{id}/share) read with every error at once, each with its
 * path: {@code weight} 1 to 1000 (absent: 1), {@code max_concurrent_runs} 1 to 100,000 or null
 * (absent: no limit). The fields a GET answers ({@code id}, {@code updated_at},
 * {@code updated_by}) are accepted and ignored, so a tenant read can be written back; an
 * {@code id} other than the path's is refused. Plain Java.
 */
final class TenantShareReader {

    static final int MAX_WEIGHT = 1_000;
    static final int MAX_RUNS = 100_000;

    /** The share to set. */
    record Body(int weight, Integer maxConcurrentRuns) {
    }

    private TenantShareReader() {
    }

    /** The body read, or a 422 with every error. */
    static Body read(JsonNode body, UUID tenant) {
        TreeReader reader = new TreeReader();
        TreeReader.Fields f = reader.object(body, "$");
        if (f == null) {
            throw ApiException.invalid("Invalid tenant share", reader.errors());
        }
        f.allow("updated_at", "updated_by");
        String id = f.text("id");
        if (id != null && !id.equalsIgnoreCase(tenant.toString())) {
            reader.error("$.id", "is another tenant's id than the path's: leave id out");
        }
        Integer weight = bounded(f, "weight", MAX_WEIGHT);
        Integer runs = bounded(f, "max_concurrent_runs", MAX_RUNS);
        f.done();
        if (!reader.errors().isEmpty()) {
            throw ApiException.invalid("Invalid tenant share", reader.errors());
        }
        return new Body(weight == null ? TenantRegistry.Share.DEFAULT_WEIGHT : weight, runs);
    }

    private static Integer bounded(TreeReader.Fields f, String field, int max) {
        Integer value = f.integer(field);
        if (value != null && (value < 1 || value > max)) {
            f.reader().error(f.path(field), "must be between 1 and " + max);
            return null;
        }
        return value;
    }
}
