package dev.scanflow.notification;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.List;

/**
 * A channel as the API shows it: the URL redacted to its scheme and host, the webhook secret
 * never (only {@code secret} in the creation answer, once).
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChannelView(String name, String type, String url, List<String> recipients, Boolean signed,
        String createdBy, Instant createdAt, String secret) {
}
