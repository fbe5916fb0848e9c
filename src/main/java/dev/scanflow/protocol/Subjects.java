package dev.scanflow.protocol;

import java.util.UUID;

/**
 * The subjects and streams of the protocol under a prefix ({@code scanflow} by default):
 * {@code <prefix>.workers.heartbeat.<worker>}, {@code <prefix>.commands.<worker>},
 * {@code <prefix>.results.<worker>}, {@code <prefix>.logs.<worker>} and
 * {@code <prefix>.events.<tenant>.<event>}, {@code <prefix>.assets.discovered.<tenant>}; streams
 * {@code <STREAM_PREFIX>_<KIND>}.
 */
public final class Subjects {

    public static final String DEFAULT_PREFIX = "scanflow";
    public static final String DEFAULT_STREAM_PREFIX = "SCANFLOW";

    private final String prefix;
    private final String streamPrefix;

    public Subjects(String prefix, String streamPrefix) {
        this.prefix = prefix;
        this.streamPrefix = streamPrefix;
    }

    public static Subjects defaults() {
        return new Subjects(DEFAULT_PREFIX, DEFAULT_STREAM_PREFIX);
    }

    public String prefix() {
        return prefix;
    }

    /** Where a worker heartbeats (protocol 2): its own subject, so NATS can bind it to the worker's user. */
    public String heartbeat(String workerId) {
        return prefix + ".workers.heartbeat." + workerId;
    }

    public String heartbeats() {
        return prefix + ".workers.heartbeat.*";
    }

    /** The worker of {@code <prefix>.workers.heartbeat.<id>} exactly, or null. */
    public String workerOfHeartbeat(String subject) {
        return workerAfter(subject, prefix + ".workers.heartbeat.");
    }

    /** A worker's inbox prefix: replies to its requests (JetStream publish acks) come under it. */
    public String inbox(String workerId) {
        return "_INBOX." + workerId;
    }

    public String command(String workerId) {
        return prefix + ".commands." + workerId;
    }

    public String commands() {
        return prefix + ".commands.>";
    }

    public String result(String workerId) {
        return prefix + ".results." + workerId;
    }

    public String results() {
        return prefix + ".results.>";
    }

    /** Where a worker sends its commands' findings, in chunks (protocol 2.2). */
    public String findings(String workerId) {
        return prefix + ".findings." + workerId;
    }

    public String allFindings() {
        return prefix + ".findings.>";
    }

    /** The worker of {@code <prefix>.findings.<id>} exactly, or null. */
    public String workerOfFindings(String subject) {
        return workerAfter(subject, prefix + ".findings.");
    }

    /** Where a worker asks for its command's credentials (core NATS request-reply; no stream). */
    public String credentials(String workerId) {
        return prefix + ".credentials." + workerId;
    }

    public String credentialRequests() {
        return prefix + ".credentials.*";
    }

    public String log(String workerId) {
        return prefix + ".logs." + workerId;
    }

    public String logs() {
        return prefix + ".logs.>";
    }

    public String event(UUID tenantId, String event) {
        return prefix + ".events." + tenantId + "." + event;
    }

    public String events() {
        return prefix + ".events.>";
    }

    /** Where discovery tools announce a tenant's assets. */
    public String assetsDiscovered(UUID tenantId) {
        return prefix + ".assets.discovered." + tenantId;
    }

    public String assetsDiscovered() {
        return prefix + ".assets.discovered.*";
    }

    /** The tenant of {@code <prefix>.assets.discovered.<tenant>} exactly, or null. */
    public UUID tenantOfDiscovery(String subject) {
        String start = prefix + ".assets.discovered.";
        if (subject == null || !subject.startsWith(start) || subject.length() != start.length() + 36) {
            return null;
        }
        try {
            UUID id = UUID.fromString(subject.substring(start.length()));
            return id.toString().equals(subject.substring(start.length()).toLowerCase()) ? id : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    public String stream(String kind) {
        return streamPrefix + "_" + kind;
    }

    /** The worker of {@code <prefix>.results.<id>} exactly (no further tokens), or null. */
    public String workerOfResult(String subject) {
        return workerAfter(subject, prefix + ".results.");
    }

    /** The worker of {@code <prefix>.logs.<id>} exactly, or null. */
    public String workerOfCredentialRequest(String subject) {
        return workerAfter(subject, prefix + ".credentials.");
    }

    public String workerOfLog(String subject) {
        return workerAfter(subject, prefix + ".logs.");
    }

    private static String workerAfter(String subject, String start) {
        if (subject == null || !subject.startsWith(start)) {
            return null;
        }
        String id = subject.substring(start.length());
        return WorkerIds.valid(id) ? id : null; // a '.' (another token) is not in the id alphabet
    }
}
