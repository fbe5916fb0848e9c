package dev.scanflow.credential;

import dev.scanflow.engine.CommandOutbox;
import dev.scanflow.protocol.CredentialReply;
import dev.scanflow.protocol.ScanCommand;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Whether a worker gets the credentials of a command, and the reply (plain Java): the command is
 * a scan command given to this worker whose step is still queued or running with it; then every
 * credential the command references must exist, be usable by the run's pipeline and admit the
 * command's target with its scope. All of them, or none: a refusal names each problem and holds no
 * value. A command made before a rotation gets the previous value while the grace lasts.
 */
final class CredentialRelease {

    private CredentialRelease() {
    }

    /** The reply, and for the log: the names released, or why not. Never a value in {@code toString}. */
    record Outcome(CredentialReply reply, List<String> released, String refusal) {

        @Override
        public String toString() {
            return refusal != null ? "refused: " + refusal : "released " + released;
        }
    }

    static Outcome refuse(String commandId, String why) {
        return new Outcome(new CredentialReply(commandId, null, why), List.of(), why);
    }

    /**
     * @param issued the command as the engine has it, null when there is none
     * @param stored the tenant's credentials among those the command references, sealed
     * @param open   opens a sealed value (null when this Scanflow's key cannot)
     */
    static Outcome decide(String worker, String commandId, CommandOutbox.IssuedScan issued,
            Map<String, Credentials.Stored> stored, Instant now, Function<byte[], String> open) {
        if (issued == null || !issued.workerId().equals(worker)) {
            return refuse(commandId, "no scan command " + commandId + " was given to worker " + worker);
        }
        if (!issued.stepActive()) {
            return refuse(commandId, "the step of command " + commandId + " is no longer queued or running with it");
        }
        List<ScanCommand.CredentialRef> refs = references(issued);
        if (refs.isEmpty()) {
            return refuse(commandId, "command " + commandId + " references no credentials");
        }
        ScanCommand.Target target = issued.command().payload().target();
        List<String> problems = new ArrayList<>();
        for (String name : refs.stream().map(ScanCommand.CredentialRef::name).distinct().toList()) {
            Credentials.Stored c = stored.get(name);
            if (c == null) {
                problems.add("credential '" + name + "' does not exist");
            } else if (c.usableBy() != null && !c.usableBy().contains(issued.pipelineId().toString())
                    && !c.usableBy().contains(issued.pipelineName())) {
                problems.add("credential '" + name + "' may not be used by pipeline '" + issued.pipelineName() + "'");
            } else if (!CredentialScope.admits(c.scope(), target == null ? null : target.url(),
                    target == null ? null : target.name())) {
                problems.add("credential '" + name + "' is out of scope for the command's target");
            }
        }
        if (!problems.isEmpty()) {
            return refuse(commandId, String.join("; ", problems));
        }
        List<CredentialReply.Credential> values = new ArrayList<>();
        for (ScanCommand.CredentialRef ref : refs) {
            Credentials.Stored c = stored.get(ref.name());
            boolean previous = c.previousValue() != null && c.graceUntil() != null && c.graceUntil().isAfter(now)
                    && c.rotatedAt() != null && issued.createdAt() != null && issued.createdAt().isBefore(c.rotatedAt());
            String value = open.apply(previous ? c.previousValue() : c.value());
            if (value == null) {
                return refuse(commandId, "credential '" + ref.name() + "' cannot be opened with this Scanflow's "
                        + "secrets key (SCANFLOW_SECRETS_KEY changed or missing)");
            }
            values.add(new CredentialReply.Credential(c.name(), c.kind().wire, ref.use(), c.username(), c.header(), value));
        }
        return new Outcome(new CredentialReply(commandId, values, null),
                values.stream().map(v -> v.name() + " (" + v.use() + ")").toList(), null);
    }

    /** The command's references, each (name, use) once. */
    static List<ScanCommand.CredentialRef> references(CommandOutbox.IssuedScan issued) {
        List<ScanCommand.CredentialRef> refs = issued.command().payload() == null
                || issued.command().payload().credentials() == null ? List.of() : issued.command().payload().credentials();
        Set<String> seen = new LinkedHashSet<>();
        return refs.stream().filter(r -> r.name() != null && seen.add(r.name() + "\u0000" + r.use())).toList();
    }
}
