package dev.scanflow.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflow.domain.RunState;
import dev.scanflow.domain.StepState;
import dev.scanflow.domain.StepStatus;
import dev.scanflow.domain.WorkerMatcher;
import dev.scanflow.nats.Subjects;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Gives queued steps to workers inside the run's transaction. A worker's capacity is one
 * {@code worker_slots} row per slot; a step claims a free one with {@code FOR UPDATE SKIP LOCKED}, so
 * max_concurrency holds across runs and replicas while transitions of different runs on the same
 * worker take different rows and never wait for each other (docs/adr/0003-worker-slots.md).
 */
@ApplicationScoped
public class Dispatcher {

    private final ObjectMapper mapper;
    private final Subjects subjects;
    /**
     * Set when a step could not get a worker, cleared by a dispatch pass that finds nothing
     * waiting: a freed slot asks for a pass only then (the sweeper covers other replicas' steps).
     */
    private final java.util.concurrent.atomic.AtomicBoolean stepsWaiting = new java.util.concurrent.atomic.AtomicBoolean(true);

    /** Online, not draining workers the runs' tenants may use that have a free slot, with their load. */
    static final String CANDIDATES = "SELECT w.id, w.tenant_id, w.capabilities, w.tools, w.max_concurrency, "
            + "(SELECT count(*) FROM worker_slots b WHERE b.worker_id = w.id AND b.step_run_id IS NOT NULL)::int "
            + "AS active_commands FROM workers w WHERE w.status = 'online' AND NOT w.draining "
            + "AND (w.tenant_id IS NULL OR w.tenant_id = ANY($1)) AND EXISTS (SELECT 1 FROM worker_slots f "
            + "WHERE f.worker_id = w.id AND f.step_run_id IS NULL AND f.slot < w.max_concurrency)";

    /**
     * Every online, not draining worker the tenants of the given scan commands' runs may use,
     * with the slots it holds, full or not: read together with the locking reads of a batch of
     * results, before the slots this batch frees are freed ({@link #withFreed} counts those back).
     */
    static final String CANDIDATES_FOR_COMMANDS = "SELECT w.id, w.tenant_id, w.capabilities, w.tools, "
            + "w.max_concurrency, (SELECT count(*) FROM worker_slots b WHERE b.worker_id = w.id "
            + "AND b.step_run_id IS NOT NULL)::int AS active_commands FROM workers w WHERE w.status = 'online' "
            + "AND NOT w.draining AND (w.tenant_id IS NULL OR w.tenant_id IN (SELECT r.tenant_id FROM pipeline_runs r "
            + "WHERE r.id IN (SELECT run_id FROM commands WHERE id = ANY($1) AND type = 'scan')))";

    /**
     * Takes the lowest free slots of a worker for steps ($2, in order), one slot each; slots other
     * transactions are freeing or taking right now are locked and skipped. Returns the steps that
     * got a slot: fewer than asked (or none) when the worker is full, draining or offline.
     */
    static final String CLAIM = "WITH free AS (SELECT worker_id, slot, row_number() OVER (ORDER BY slot) AS n FROM ("
            + "SELECT s.worker_id, s.slot FROM worker_slots s JOIN workers w ON w.id = s.worker_id "
            + "WHERE s.worker_id = $1 AND s.step_run_id IS NULL AND s.slot < w.max_concurrency "
            + "AND w.status = 'online' AND NOT w.draining ORDER BY s.slot LIMIT cardinality($2::uuid[]) "
            + "FOR UPDATE OF s SKIP LOCKED) locked), "
            + "wanted AS (SELECT step, n FROM unnest($2::uuid[]) WITH ORDINALITY AS t(step, n)) "
            + "UPDATE worker_slots ws SET step_run_id = wanted.step FROM free JOIN wanted USING (n) "
            + "WHERE ws.worker_id = free.worker_id AND ws.slot = free.slot RETURNING ws.step_run_id";

    public Dispatcher(ObjectMapper mapper, Subjects subjects) {
        this.mapper = mapper;
        this.subjects = subjects;
    }

    /**
     * The workers that could take the runs' waiting steps now (no query when no step waits); the
     * engine sends this query together with others, then calls {@link #assign}.
     */
    public Uni<List<WorkerMatcher.Candidate>> candidates(SqlClient tx, List<RunState> runs, Instant now) {
        UUID[] tenants = runs.stream().filter(r -> r.steps().stream().anyMatch(s -> s.awaitingDispatch(now)))
                .map(r -> r.tenantId).distinct().toArray(UUID[]::new);
        if (tenants.length == 0) {
            return Uni.createFrom().item(List.of());
        }
        return tx.preparedQuery(CANDIDATES).execute(Tuple.of(tenants)).map(Dispatcher::candidates);
    }

    /** The workers that may take steps of the runs of these scan commands (see {@link #CANDIDATES_FOR_COMMANDS}). */
    public Uni<List<WorkerMatcher.Candidate>> candidatesForCommands(SqlClient tx, List<UUID> commandIds) {
        return tx.preparedQuery(CANDIDATES_FOR_COMMANDS).execute(Tuple.of(commandIds.toArray(UUID[]::new)))
                .map(Dispatcher::candidates);
    }

    /** Candidates read before this transaction freed slots, with those slots counted as free. */
    public static List<WorkerMatcher.Candidate> withFreed(List<WorkerMatcher.Candidate> candidates,
            List<String> freedSlotsOf) {
        if (freedSlotsOf.isEmpty()) {
            return candidates;
        }
        return candidates.stream().map(c -> {
            int freed = (int) freedSlotsOf.stream().filter(c.id()::equals).count();
            return freed == 0 ? c : new WorkerMatcher.Candidate(c.id(), c.tenantId(), c.capabilities(), c.tools(),
                    c.maxConcurrency(), Math.max(0, c.active() - freed), c.online(), c.draining());
        }).toList();
    }

    /**
     * Gives the runs' waiting steps to the candidates: each step's worker is chosen in memory
     * (loads counted as they are taken), then one claim per chosen worker, all sent at once.
     * Steps whose worker turned out full are matched again among the others, until every step
     * has a worker or none is left. Returns the command rows to insert and publish.
     */
    public Uni<List<CommandRow>> assign(SqlClient tx, List<LoadedRun> runs, List<WorkerMatcher.Candidate> found,
            Instant now) {
        List<Waiting> waiting = new ArrayList<>();
        for (LoadedRun loaded : runs) {
            loaded.state().steps().stream().filter(s -> s.awaitingDispatch(now))
                    .forEach(s -> waiting.add(new Waiting(loaded, s)));
        }
        if (waiting.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        List<CommandRow> commands = new ArrayList<>();
        return round(tx, waiting, new ArrayList<>(found), new HashSet<>(), now, commands).replaceWith(commands);
    }

    private record Waiting(LoadedRun loaded, StepState step) {
    }

    private Uni<Void> round(SqlClient tx, List<Waiting> waiting, List<WorkerMatcher.Candidate> candidates,
            Set<String> full, Instant now, List<CommandRow> commands) {
        Map<String, List<Waiting>> byWorker = new LinkedHashMap<>();
        for (Waiting w : waiting) {
            RunState run = w.loaded().state();
            List<Collection<String>> otherPending = run.steps().stream()
                    .filter(s -> s != w.step() && (s.status == StepStatus.PENDING || s.awaitingDispatch(now)))
                    .map(s -> (Collection<String>) s.capabilities).toList();
            var need = new WorkerMatcher.Need(run.tenantId, w.step().capabilities, w.step().tool);
            var available = candidates.stream().filter(c -> !full.contains(c.id())).toList();
            Set<String> avoid = w.step().previousWorkerId == null ? Set.of() : Set.of(w.step().previousWorkerId);
            var choice = WorkerMatcher.choose(available, need, otherPending, avoid);
            if (choice.isEmpty()) {
                stepsWaiting.set(true);
                continue;
            }
            String id = choice.get().id();
            byWorker.computeIfAbsent(id, k -> new ArrayList<>()).add(w);
            candidates.replaceAll(c -> c.id().equals(id)
                    ? new WorkerMatcher.Candidate(c.id(), c.tenantId(), c.capabilities(), c.tools(),
                            c.maxConcurrency(), c.active() + 1, c.online(), c.draining())
                    : c);
        }
        if (byWorker.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Uni<Set<UUID>>> claims = new ArrayList<>();
        for (var e : byWorker.entrySet()) {
            UUID[] steps = e.getValue().stream().map(w -> w.step().id).toArray(UUID[]::new);
            claims.add(tx.preparedQuery(CLAIM).execute(Tuple.of(e.getKey(), steps)).map(rows -> {
                Set<UUID> got = new HashSet<>();
                rows.forEach(r -> got.add(r.getUUID("step_run_id")));
                return got;
            }));
        }
        return Uni.combine().all().unis(claims).with(results -> {
            List<Waiting> again = new ArrayList<>();
            int i = 0;
            for (var e : byWorker.entrySet()) {
                @SuppressWarnings("unchecked")
                Set<UUID> got = (Set<UUID>) results.get(i++);
                for (Waiting w : e.getValue()) {
                    if (got.contains(w.step().id)) {
                        commands.add(give(w.loaded(), w.step(), e.getKey(), now));
                    } else {
                        full.add(e.getKey());
                        again.add(w);
                    }
                }
            }
            return again;
        }).chain(again -> again.isEmpty() ? Uni.createFrom().voidItem()
                : round(tx, again, candidates, full, now, commands));
    }

    private CommandRow give(LoadedRun loaded, StepState step, String workerId, Instant now) {
        step.commandId = UUID.randomUUID();
        step.workerId = workerId;
        step.dispatchedAt = now;
        step.errorCode = null;
        step.errorMessage = null;
        step.nextAttemptAt = null;
        step.touch();
        return scanCommand(loaded, step, now);
    }

    /** Whether some step recently found no worker (see {@link #stepsWaiting}). */
    public boolean someStepWaits() {
        return stepsWaiting.get();
    }

    /** A dispatch pass found no waiting step. */
    public void noStepWaits() {
        stepsWaiting.set(false);
    }

    CommandRow scanCommand(LoadedRun loaded, StepState step, Instant now) {
        RunState run = loaded.state();
        Map<String, Object> stepConfig = new LinkedHashMap<>();
        stepConfig.put("tool", step.tool);
        stepConfig.putAll(step.config);
        Map<String, Object> target = new LinkedHashMap<>();
        target.put("asset_id", loaded.assetId().toString());
        target.put("type", run.asset.get("type"));
        target.put("name", run.asset.get("name"));
        target.put("url", run.asset.get("url"));
        target.put("tags", run.asset.get("tags"));
        target.put("criticality", run.asset.get("criticality"));
        target.put("properties", run.asset.get("properties"));
        for (String key : List.of("branch", "commit")) {
            if (run.context.get(key) != null) {
                target.put(key, run.context.get(key));
            }
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("pipeline_run_id", run.id.toString());
        payload.put("step_id", step.key);
        payload.put("step_config", stepConfig);
        payload.put("target", target);
        payload.put("context", run.context);
        payload.put("upstream", upstream(run, step));
        payload.put("output", Map.of("format", "ris", "include_assets", true));
        Map<String, Object> command = new LinkedHashMap<>();
        command.put("id", step.commandId.toString());
        command.put("type", "scan");
        command.put("priority", loaded.priority());
        command.put("tenant_id", run.tenantId.toString());
        command.put("attempt", step.attempt);
        command.put("timeout_seconds", step.timeoutSeconds);
        command.put("payload", payload);
        return new CommandRow(step.commandId, run.tenantId, run.id, step.id, step.workerId, "scan", loaded.priority(),
                command, bytes(command), subjects.command(step.workerId), step.attempt, now);
    }

    /** What the steps this one depends on (directly or not) produced, for tools that build on them. */
    private static Map<String, Object> upstream(RunState run, StepState step) {
        Map<String, java.util.List<String>> deps = new LinkedHashMap<>();
        run.steps().forEach(s -> deps.put(s.key, s.dependsOn));
        Map<String, Object> out = new LinkedHashMap<>();
        for (String key : dev.scanflow.domain.DagValidator.upstreamOf(step.key, deps)) {
            StepState s = run.step(key);
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("status", s.status.wire());
            v.put("findings_count", s.findingsCount);
            v.put("output", s.output == null ? Map.of() : s.output);
            out.put(key, v);
        }
        return out;
    }

    CommandRow cancelCommand(RunState run, StepState step, UUID cancelledCommand, String workerId, String priority,
            Instant now) {
        Map<String, Object> command = new LinkedHashMap<>();
        command.put("id", cancelledCommand.toString());
        command.put("type", "cancel");
        return new CommandRow(UUID.randomUUID(), run.tenantId, run.id, step.id, workerId, "cancel", priority,
                command, bytes(command), subjects.command(workerId), step.attempt, now);
    }

    private byte[] bytes(Object value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("command could not be serialized", e);
        }
    }

    private static List<WorkerMatcher.Candidate> candidates(Iterable<Row> rows) {
        List<WorkerMatcher.Candidate> candidates = new ArrayList<>();
        for (Row r : rows) {
            candidates.add(candidate(r));
        }
        return candidates;
    }

    private static WorkerMatcher.Candidate candidate(Row r) {
        return new WorkerMatcher.Candidate(r.getString("id"), r.getUUID("tenant_id"),
                new HashSet<>(Arrays.asList(r.getArrayOfStrings("capabilities"))),
                new HashSet<>(Arrays.asList(r.getArrayOfStrings("tools"))), r.getInteger("max_concurrency"),
                r.getInteger("active_commands"), true, false);
    }

    /** A command to insert into the commands outbox. */
    public record CommandRow(UUID id, UUID tenantId, UUID runId, UUID stepRunId, String workerId, String type,
            String priority, Map<String, Object> body, byte[] payload, String subject, int attempt, Instant createdAt) {
    }
}
