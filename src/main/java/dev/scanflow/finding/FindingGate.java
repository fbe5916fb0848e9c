package dev.scanflow.finding;

import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.domain.WorkerResult;
import dev.scanflow.engine.CommandOutbox;
import dev.scanflow.engine.CommandOutbox.ScanOfFindings;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Between a worker's completed report and the engine (docs/adr/0011-findings.md): a result that
 * says it sent findings waits until they all arrived (or fails the step with
 * {@code FINDINGS_INCOMPLETE} once {@code scanflow.findings.arrival-wait} passed), then the
 * step's fixes are written and its new findings counted onto the result. Only a completed step
 * fixes anything; when the engine then does not complete the step with that result (it ended
 * meanwhile), {@link #settled} undoes the fixes.
 */
@ApplicationScoped
public class FindingGate {

    private static final Logger LOG = Logger.getLogger(FindingGate.class);
    public static final String INCOMPLETE = "FINDINGS_INCOMPLETE";

    /** What to do with a result. */
    public sealed interface Verdict {
    }

    /** Hand this result (perhaps counted, perhaps turned into a failure) to the engine. */
    public record Apply(WorkerResult result, ScanOfFindings scan) implements Verdict {
    }

    /** Not all findings are here yet: try again shortly. */
    public record Wait(long arrived, int sent) implements Verdict {
    }

    private final Pool pool;
    private final CommandOutbox commands;
    private final FindingWrites writes;
    private final ScanflowConfig config;
    private final Instant startedAt = Instant.now();

    public FindingGate(Pool pool, CommandOutbox commands, FindingWrites writes, ScanflowConfig config) {
        this.pool = pool;
        this.commands = commands;
        this.writes = writes;
        this.config = config;
    }

    /**
     * @param reportedAt when the report was first stored (the stream's time): the wait counts from it
     */
    public Uni<Verdict> admit(WorkerResult result, Instant reportedAt, Instant now) {
        if (!"completed".equals(result.status()) || result.findingsSent() == null) {
            return Uni.createFrom().item(new Apply(result, null)); // counts only: nothing is fixed, nothing new
        }
        int sent = Math.max(0, result.findingsSent());
        return commands.scanOfFindings(pool, result.commandId()).chain(scan -> {
            if (scan != null && !scan.stepActive() && !scan.stepCompleted()) {
                // the step ended otherwise (timed out, cancelled) while this report waited or was
                // redelivered after a crash: fixes an earlier delivery wrote must not stand
                return undo(scan).map(v -> (Verdict) new Apply(result, null));
            }
            if (scan == null || !scan.stepActive() || !scan.workerId().equals(result.subjectWorkerId())) {
                return Uni.createFrom().item(new Apply(result, null)); // the engine ignores it, and counts why
            }
            return writes.arrived(pool, result.commandId()).chain(arrived -> {
                if (arrived.findings() < sent) {
                    // the wait counts from the latest of: the report, the last chunk filed, this
                    // replica's start (after an outage the chunks are still being read)
                    Instant from = latest(reportedAt, arrived.lastAt(), startedAt);
                    if (Duration.between(from, now).compareTo(config.findings().arrivalWait()) < 0) {
                        return Uni.createFrom().item(new Wait(arrived.findings(), sent));
                    }
                    LOG.warnf("command %s: %d of %d findings arrived in %s; the step fails", result.commandId(),
                            arrived.findings(), sent, config.findings().arrivalWait());
                    return Uni.createFrom().item(new Apply(result.asFailure(INCOMPLETE, arrived.findings() + " of the "
                            + sent + " findings the worker sent arrived within " + config.findings().arrivalWait().toSeconds()
                            + "s; the step is not completed on a partial set"), null));
                }
                return fixAndCount(result, scan);
            });
        });
    }

    private static Instant latest(Instant... candidates) {
        Instant out = Instant.EPOCH;
        for (Instant i : candidates) {
            if (i != null && i.isAfter(out)) {
                out = i;
            }
        }
        return out;
    }

    private Uni<Void> undo(ScanOfFindings scan) {
        return pool.withTransaction(tx -> writes.undoFixes(tx, scan)).invoke(n -> {
            if (n > 0) {
                LOG.infof("command %s: the step did not complete with its result; %d fixes undone", scan.commandId(), n);
            }
        }).replaceWithVoid();
    }

    private Uni<Verdict> fixAndCount(WorkerResult result, ScanOfFindings scan) {
        // only the tool that ran fixes: a stand-in (eslint for semgrep) fixes its own findings, not semgrep's
        String ran = result.output() != null && result.output().get("tool") instanceof String t && !t.isBlank() ? t
                : scan.tool();
        List<String> tools = ran == null ? List.of() : List.of(ran);
        return pool.withTransaction(tx -> writes.reportedKinds(tx, scan)
                .chain(kinds -> writes.fix(tx, scan, tools, ScanCoverage.kinds(ran, Set.copyOf(kinds))))
                .chain(fixed -> writes.changes(tx, scan)))
                .map(changes -> new Apply(result.withFindingChanges(changes), scan));
    }

    /** After the engine applied a result whose step fixed findings: undoes them unless the step completed with it. */
    public Uni<Void> settled(ScanOfFindings scan) {
        if (scan == null) {
            return Uni.createFrom().voidItem();
        }
        return commands.scanOfFindings(pool, scan.commandId())
                .chain(now -> now != null && now.stepCompleted() ? Uni.createFrom().voidItem() : undo(scan));
    }
}
