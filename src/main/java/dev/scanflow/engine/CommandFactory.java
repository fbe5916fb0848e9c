package dev.scanflow.engine;

import dev.scanflow.domain.DagValidator;
import dev.scanflow.domain.RunState;
import dev.scanflow.domain.StepAuth;
import dev.scanflow.domain.StepState;
import dev.scanflow.domain.TargetBudget;
import dev.scanflow.protocol.CancelCommand;
import dev.scanflow.protocol.ProtocolJson;
import dev.scanflow.protocol.ScanCommand;
import dev.scanflow.protocol.Subjects;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Builds the protocol's scan and cancel commands for steps, as rows of the commands outbox. */
@ApplicationScoped
public class CommandFactory {

    private final Subjects subjects;

    public CommandFactory(Subjects subjects) {
        this.subjects = subjects;
    }

    /** A command to insert into the outbox and publish after commit. */
    public record CommandRow(UUID id, UUID tenantId, UUID runId, UUID stepRunId, String workerId, String type,
            String priority, Object message, byte[] payload, String subject, int attempt, Instant createdAt) {
    }

    /**
     * The scan of a step just given to its worker; with the target's {@code budget} (or null), the
     * command carries the rate the step may use (protocol 2.3 {@code limits}, and
     * {@code step_config.rate_limit}: the step's share of the budget, no more than it asked).
     */
    CommandRow scan(LoadedRun loaded, StepState step, TargetBudget budget, Instant now) {
        RunState run = loaded.state();
        Map<String, Object> stepConfig = new LinkedHashMap<>();
        stepConfig.put("tool", step.tool);
        stepConfig.putAll(step.config);
        Integer asked = step.config.get(TargetBudget.RATE_KEY) instanceof Number n ? n.intValue() : null;
        Integer rate = budget == null ? asked : budget.stepRate(asked);
        ScanCommand.Limits limits = budget == null && rate == null ? null
                : new ScanCommand.Limits(budget == null ? null : budget.target(), rate);
        if (rate != null) {
            stepConfig.put(TargetBudget.RATE_KEY, rate);
        }
        @SuppressWarnings("unchecked")
        List<String> tags = (List<String>) run.asset.get("tags");
        @SuppressWarnings("unchecked")
        Map<String, Object> properties = (Map<String, Object>) run.asset.get("properties");
        var target = new ScanCommand.Target(loaded.assetId().toString(), (String) run.asset.get("type"),
                (String) run.asset.get("name"), (String) run.asset.get("url"), tags,
                (String) run.asset.get("criticality"), properties, text(run.context.get("branch")),
                text(run.context.get("commit")));
        var payload = new ScanCommand.Payload(run.id.toString(), step.key, stepConfig, target, run.context,
                upstream(run, step), ScanCommand.Output.RIS, step.capabilities, credentials(run, step), limits);
        ScanCommand command = ScanCommand.of(step.commandId.toString(), loaded.priority(), run.tenantId.toString(),
                step.attempt, step.timeoutSeconds, payload);
        return new CommandRow(step.commandId, run.tenantId, run.id, step.id, step.workerId, ScanCommand.TYPE,
                loaded.priority(), command, ProtocolJson.bytes(command), subjects.command(step.workerId), step.attempt,
                now);
    }

    /** Tells the worker to stop the command (which keeps its id: the cancellation quotes it). */
    CommandRow cancel(RunState run, StepState step, UUID cancelledCommand, String workerId, String priority,
            Instant now) {
        CancelCommand command = CancelCommand.of(cancelledCommand.toString());
        return new CommandRow(UUID.randomUUID(), run.tenantId, run.id, step.id, workerId, CancelCommand.TYPE, priority,
                command, ProtocolJson.bytes(command), subjects.command(workerId), step.attempt, now);
    }

    /**
     * The scan credentials the command may use, by reference (protocol 2.2): the pinned asset's
     * ({@code checkout}) and the step's {@code config.auth.credential} ({@code target}), with the
     * kinds pinned at run creation ({@link CredentialPins}). Never a value: the worker asks for
     * those (fleet/credential side) when it runs the command.
     */
    static List<ScanCommand.CredentialRef> credentials(RunState run, StepState step) {
        Map<?, ?> kinds = run.asset.get(CredentialPins.KINDS) instanceof Map<?, ?> m ? m : Map.of();
        List<ScanCommand.CredentialRef> refs = new ArrayList<>();
        if (run.asset.get(CredentialPins.NAMES) instanceof List<?> names) {
            for (Object name : names) {
                refs.add(new ScanCommand.CredentialRef(String.valueOf(name), text(kinds.get(name)),
                        ScanCommand.CredentialRef.CHECKOUT));
            }
        }
        String target = StepAuth.credential(step.config);
        if (target != null) {
            refs.add(new ScanCommand.CredentialRef(target, text(kinds.get(target)), ScanCommand.CredentialRef.TARGET));
        }
        return refs;
    }

    /** What the steps this one depends on (directly or not) produced, for tools that build on them. */
    private static Map<String, ScanCommand.Upstream> upstream(RunState run, StepState step) {
        Map<String, List<String>> deps = new LinkedHashMap<>();
        run.steps().forEach(s -> deps.put(s.key, s.dependsOn));
        Map<String, ScanCommand.Upstream> out = new LinkedHashMap<>();
        for (String key : DagValidator.upstreamOf(step.key, deps)) {
            StepState s = run.step(key);
            out.put(key, new ScanCommand.Upstream(s.status.wire(), s.findingsCount, s.output == null ? Map.of() : s.output));
        }
        return out;
    }

    private static String text(Object value) {
        return value == null ? null : String.valueOf(value);
    }
}
