package dev.scanflow.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** Scanflow's own settings ({@code scanflow.*}; environment: {@code SCANFLOW_*}). */
@ConfigMapping(prefix = "scanflow")
public interface ScanflowConfig {

    Api api();

    Nats nats();

    Engine engine();

    Workers workers();

    Schedules schedules();

    Webhooks webhooks();

    Discovery discovery();

    Secrets secrets();

    Notifications notifications();

    Scope scope();

    Findings findings();

    Budgets budgets();

    Admission admission();

    /** Where people reach this service (links in notifications), e.g. https://scanflow.example.com. */
    @WithDefault("http://127.0.0.1:8080")
    String publicUrl();

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
        /** How often the engine ticks ({@code EngineTicker}): due timeouts, retries, dispatch, unpublished messages. */
        @WithDefault("1s")
        Duration sweepInterval();

        /**
         * A queued step ends timeout (NO_WORKER) when no worker that could run it has been seen
         * (online, or heartbeating) for this long; steps waiting their turn behind busy workers,
         * a budget or a fair share do not time out.
         */
        @WithDefault("10m")
        Duration queueTimeout();

        /**
         * A waiting step's priority rises one level per this much waiting (low to critical in
         * three), so a low-priority run behind a stream of urgent ones still goes (ADR 0012).
         */
        @WithDefault("5m")
        Duration priorityAging();

        /** Waiting steps of each tenant a dispatch pass considers (the head of its line). */
        @WithDefault("100")
        int dispatchWindow();

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

        /** Outbox rows left unpublished this long are published again by the engine tick. */
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

    interface Schedules {
        /**
         * Whether this service fires schedules itself. Off for clusters that fire them from
         * Kubernetes CronJobs through POST /api/v1/pipelines/{id}/schedules/{n}/fire.
         */
        @WithDefault("true")
        boolean enabled();

        /** How often due schedules are looked for. */
        @WithDefault("1s")
        Duration tick();

        /**
         * How often a tick brings every schedule in step with every template; between, a tick
         * looks only at the pipelines this replica wrote lately, so that its cost does not grow
         * with the number of templates. The full pass catches what a replica that crashed right
         * after a template write left undone.
         */
        @WithDefault("5m")
        Duration resync();

        /** Testing only: the schedule clock runs this many times faster than real time... */
        @WithDefault("1")
        double clockSpeed();

        /** ...counted from this instant, which every replica must share. */
        Optional<Instant> clockEpoch();

        /** How many assets one fire may start runs for; more are recorded as held. */
        @WithDefault("1000")
        int maxTargets();

        /** How many of a tenant's assets a fire looks at to select its targets. */
        @WithDefault("100000")
        int maxAssets();
    }

    interface Webhooks {
        /** After a rotation, the previous webhook secret stays valid this long. */
        @WithDefault("24h")
        Duration rotationGrace();

        /** A delivery whose body was seen within this time is a replay. */
        @WithDefault("10m")
        Duration replayWindow();

        /** A delivery whose delivery id was seen within this time is a replay. */
        @WithDefault("24h")
        Duration deliveryIdWindow();

        /** How long the delivery log keeps a delivery. */
        @WithDefault("7d")
        Duration retention();

        /** Standard Webhooks: how far a webhook-timestamp may be from now. */
        @WithDefault("5m")
        Duration timestampTolerance();

        /** Largest delivery body accepted, in bytes (413 beyond). */
        @WithDefault("1048576")
        int maxBodyBytes();
    }

    interface Discovery {
        /** One discovery run per pipeline and asset within this window. */
        @WithDefault("10m")
        Duration debounce();

        /** At most this many discovery runs per tenant per window; the rest wait for the next one. */
        @WithDefault("100")
        int maxRunsPerWindow();

        /** The window of maxRunsPerWindow. */
        @WithDefault("10m")
        Duration window();

        /** How often waiting discovery requests are looked at. */
        @WithDefault("1s")
        Duration tick();
    }

    interface Secrets {
        /**
         * The key (base64, 32 bytes) that encrypts the secrets Scanflow must keep readable
         * (webhook secrets, to check signatures). Required to create them; the dev and test
         * profiles set a public one.
         */
        Optional<String> key();
    }

    interface Notifications {
        /**
         * Allow channel URLs that resolve to loopback, private, CGNAT or unspecified addresses (for
         * local receivers in development and tests). Link-local addresses (cloud metadata) and the
         * other special-purpose addresses stay refused.
         */
        @WithDefault("false")
        boolean allowPrivateTargets();

        /** How long a delivery is retried before it is marked failed. */
        @WithDefault("24h")
        Duration giveUpAfter();

        /** How often the planner and the sender look for work (also woken after each run's end). */
        @WithDefault("1s")
        Duration tick();

        /** The first retry's delay; doubled each attempt, with jitter, up to {@link #maxBackoff}. */
        @WithDefault("2s")
        Duration initialBackoff();

        @WithDefault("10m")
        Duration maxBackoff();

        /** One HTTP or SMTP attempt's limit: a hanging channel is given up on after this. */
        @WithDefault("10s")
        Duration requestTimeout();

        /** Deliveries one replica sends at once. */
        @WithDefault("32")
        int maxInFlight();

        /** The least time between two messages to one Slack webhook (Slack allows one a second). */
        @WithDefault("1s")
        Duration slackInterval();
    }

    interface Scope {
        /**
         * A tenant without a scan policy: {@code allow} (every target is in scope, as before scan
         * policies existed) or {@code deny-active} (every active step is out of scope until the
         * tenant's admin writes a policy).
         */
        @WithDefault("allow")
        String withoutPolicy();

        /** How often every replica reads the scan policies again (a replica's own writes apply at once). */
        @WithDefault("5s")
        Duration refresh();

        /** How long a host name's addresses, as resolved for scope checks, are used. */
        @WithDefault("1m")
        Duration dnsTtl();

        /**
         * Names resolved without DNS, consulted first: {@code name=address} entries (a name may
         * have several), for split-horizon names the service's resolver does not see as the
         * workers do, and for tests.
         */
        Optional<List<String>> staticHosts();
    }

    interface Findings {
        /**
         * How long a completed result waits for its findings' chunks (result.findings_sent) before
         * the step fails with FINDINGS_INCOMPLETE instead of completing on a partial set.
         */
        @WithDefault("2m")
        Duration arrivalWait();

        /** Fixed findings, and what runs saw of findings, are kept this long, then purged. */
        @WithDefault("P180D")
        Duration retention();

        /** Rows one purge statement deletes: short transactions, no long locks. */
        @WithDefault("1000")
        int purgeBatch();

        /** How often the purge runs. */
        @WithDefault("10m")
        Duration purgeInterval();
    }

    /**
     * The budget of a target no tenant's scan policy gives one, for active steps (docs/api.md,
     * "Target budgets"); passive steps on such a target have none.
     */
    interface Budgets {
        /** Active steps given to workers at once on one target, 1 to 100. */
        @WithDefault("1")
        int activeSteps();

        /**
         * Requests a second those steps share, 1 to 100000; set empty
         * ({@code SCANFLOW_BUDGETS_REQUESTS_PER_SECOND=}) for no rate.
         */
        @WithDefault("100")
        OptionalInt requestsPerSecond();
    }

    /** Tenants' shares of shared workers and their run limits (docs/api.md, "Tenants: weight and run limit"). */
    interface Admission {
        /** How often every replica reads the tenants' weights and run limits again (its own writes apply at once). */
        @WithDefault("5s")
        Duration refresh();
    }
}
