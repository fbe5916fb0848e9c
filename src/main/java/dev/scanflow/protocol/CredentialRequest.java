package dev.scanflow.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * A worker asks for the values of the credentials its command references: a core NATS request
 * (never JetStream: no stream keeps it) on {@code <prefix>.credentials.<worker_id>}, answered
 * on the worker's own inbox ({@link CredentialReply}), which only that worker may read.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
public record CredentialRequest(String commandId) {
}
