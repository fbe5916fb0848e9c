package dev.scanflow.nats;

import dev.scanflow.config.ScanflowConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/** The subjects and streams of worker protocol v1 (docs/protocol.md). */
@ApplicationScoped
public class Subjects {

    private final String prefix;
    private final String streamPrefix;

    @jakarta.inject.Inject
    public Subjects(ScanflowConfig config) {
        this(config.nats().subjectPrefix(), config.nats().streamPrefix());
    }

    public Subjects(String prefix, String streamPrefix) {
        this.prefix = prefix;
        this.streamPrefix = streamPrefix;
    }

    public String command(String workerId) {
        return prefix + ".commands." + workerId;
    }

    public String event(UUID tenantId, String type) {
        return prefix + ".events." + tenantId + "." + type;
    }

    public String heartbeat() {
        return prefix + ".workers.heartbeat";
    }

    public String results() {
        return prefix + ".results.>";
    }

    public String logs() {
        return prefix + ".logs.>";
    }

    public String commands() {
        return prefix + ".commands.>";
    }

    public String events() {
        return prefix + ".events.>";
    }

    /** The worker id in {@code <prefix>.results.<id>} or {@code <prefix>.logs.<id>}, or null. */
    public String workerOf(String subject) {
        int last = subject.lastIndexOf('.');
        if (last < 0 || !(subject.startsWith(prefix + ".results.") || subject.startsWith(prefix + ".logs."))) {
            return null;
        }
        String id = subject.substring(last + 1);
        return id.matches("^[A-Za-z0-9_-]{1,64}$") ? id : null;
    }

    public String stream(String kind) {
        return streamPrefix + "_" + kind;
    }
}
