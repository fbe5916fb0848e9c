package dev.scanflow.pipeline;

import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.UUID;

/**
 * What templates need to know of notification channels: which names a tenant cannot use. The
 * notification package implements it, so templates are checked against the tenant's channels
 * without the pipeline package depending on notifications.
 */
public interface ChannelNames {

    /** Names in a template's {@code settings.notification.channels} that are neither a kind nor one of the tenant's channels. */
    Uni<List<String>> unknown(UUID tenant, List<String> names);
}
