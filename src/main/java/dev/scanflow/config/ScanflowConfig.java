package dev.scanflow.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Scanflow's own settings ({@code scanflow.*}; environment: {@code SCANFLOW_*}). */
@ConfigMapping(prefix = "scanflow")
public interface ScanflowConfig {

    Api api();

    Nats nats();

    Engine engine();

    Workers workers();

    interface Api {
        /** Largest template or asset body accepted, in bytes (413 beyond). */
        @WithDefault("524288")
        long maxDocumentBytes();
    }

    interface Nats {
        /** First token of every subject: {@code <prefix>.commands.<worker>}, {@code <prefix>.results.<worker>}, ... */
        @WithDefault("scanflow")
        String subjectPrefix();

        /** Prefix of the JetStream stream names ({@code <prefix>_COMMANDS}, ...). */
        @WithDefault("SCANFLOW")
        String streamPrefix();

        /** How long JetStream keeps commands, results and logs. */
        @WithDefault("P7D")
        Duration retention();

        /** How long JetStream keeps run events (consumers may replay them). */
        @WithDefault("P30D")
        Duration eventRetention();
    }

    interface Engine {
        /** How often the sweeper looks for due timeouts, retries and unpublished messages. */
        @WithDefault("1s")
        Duration sweepInterval();

        /** A queued step that no capable worker took within this time ends timeout (NO_WORKER). */
        @WithDefault("10m")
        Duration queueTimeout();

        /** A command whose worker did not report running within this time is given to a worker again. */
        @WithDefault("60s")
        Duration ackTimeout();

        /** Retry delays double per attempt up to this. */
        @WithDefault("1h")
        Duration maxRetryDelay();

        /** Retry delay of steps that set no retry_delay_seconds. */
        @WithDefault("30s")
        Duration defaultRetryDelay();

        /** Worker losses a step survives (re-dispatched without spending an attempt) before it fails WORKER_LOST. */
        @WithDefault("2")
        int maxWorkerLosses();

        /** Results fetched from JetStream at once. */
        @WithDefault("64")
        int resultBatchSize();

        /** Most worker results applied in one transaction (when that many are waiting). */
        @WithDefault("64")
        int transitionBatchSize();

        /** Transactions applying worker results at the same time (each a batch of them). */
        @WithDefault("2")
        int transitionConcurrency();

        /** Outbox rows left unpublished this long are published again by the sweeper. */
        @WithDefault("3s")
        Duration republishAfter();
    }

    interface Workers {
        /** How often workers send heartbeats. */
        @WithDefault("10s")
        Duration heartbeatInterval();

        /** A worker is offline after this many missed heartbeats. */
        @WithDefault("3")
        int missedHeartbeats();

        /**
         * Development only: a heartbeat from an unregistered worker registers it (with the tenant,
         * capabilities and capacity it claims). Later heartbeats never change its tenant or widen
         * what it was registered with. Off: workers are registered through the API.
         */
        @WithDefault("false")
        boolean openRegistration();

        /** The most concurrency a worker registered by its heartbeat may have. */
        @WithDefault("16")
        int openRegistrationMaxConcurrency();

        /** A worker that let a command's ack timeout pass gets no new command for this long, doubling per repeat. */
        @WithDefault("2m")
        Duration benchAfterAckTimeout();

        /** The longest a worker is benched for unacknowledged commands. */
        @WithDefault("1h")
        Duration maxBench();
    }
}
