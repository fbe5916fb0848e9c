package dev.scanflow.engine;

import java.util.UUID;

/** A row of the commands or run_events outbox, ready to publish with its id as Nats-Msg-Id. */
public record OutboxMessage(Kind kind, UUID id, String subject, byte[] payload) {

    public enum Kind {
        COMMAND, EVENT
    }
}
