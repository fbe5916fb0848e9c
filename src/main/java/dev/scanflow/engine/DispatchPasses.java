package dev.scanflow.engine;

import static dev.scanflow.common.PgValues.instant;
import static dev.scanflow.common.PgValues.json;

import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.domain.FairShare;
import dev.scanflow.domain.RunState;
import dev.scanflow.domain.RunStatus;
import dev.scanflow.domain.StepState;
import dev.scanflow.domain.StepStatus;
import dev.scanflow.domain.TargetBudget;
import dev.scanflow.domain.TargetBudgets;
import dev.scanflow.domain.TenantShares;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Dispatch passes (docs/adr/0012-fair-admission.md): the head of every tenant's line of waiting
 * steps is read, with every worker and each tenant's active steps, and {@link FairShare} plans
 * which steps take the free slots: tenants by weighted fair share, a tenant's steps by priority
 * (raised with waiting) then age, within their targets' budgets, skipping what no free worker
 * can run. The planned steps' runs are then ticked with only those steps allowed to take a
 * worker ({@link RunEngine#dispatch}). A pass runs on every {@link EngineTicker} tick and when
 * capacity appears or steps were left in line ({@link CapacityFreed}), coalesced: one at a time,
 * one more after it if asked meanwhile.
 */
@ApplicationScoped
public class DispatchPasses {

    private static final Logger LOG = Logger.getLogger(DispatchPasses.class);

    /** A waiting step's rank: its run's priority, raised one level per {@code $2} seconds waited (FairShare.rank). */
    private static final String RANK = "greatest(0, (CASE r.priority WHEN 'critical' THEN 0 WHEN 'high' THEN 1 "
            + "WHEN 'normal' THEN 2 ELSE 3 END) - floor(extract(epoch FROM now() - s.queued_at) / $2))";

    /**
     * The head of each tenant's line: its first {@code $1} waiting steps in their order, taking at
     * most {@link #PER_TARGET} per target, so that steps on a target whose budget is used up never
     * fill the window and hide the tenant's steps on other targets.
     */
    static final String HEADS = "SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY tenant_id ORDER BY rank, "
            + "queued_at, id) AS n FROM (SELECT s.id, s.run_id, r.tenant_id, r.priority, s.queued_at, s.capabilities, "
            + "s.tool, s.config, s.previous_worker_id, s.step_key, s.wait_reason, r.asset, " + RANK + " AS rank, "
            + "row_number() OVER (PARTITION BY r.tenant_id, r.target_key ORDER BY " + RANK + ", s.queued_at, s.id) AS k "
            + "FROM step_runs s JOIN pipeline_runs r ON r.id = s.run_id WHERE s.status = 'queued' AND s.command_id IS NULL "
            + "AND (s.next_attempt_at IS NULL OR s.next_attempt_at <= now()) AND r.status = 'running') t "
            + "WHERE k <= " + "$3" + ") h WHERE n <= $1";

    /** Waiting steps per tenant and target a pass considers. */
    static final int PER_TARGET = 20;

    /** With nothing waiting, the workers are read again only this often (for NO_WORKER's sightings). */
    static final Duration SIGHTINGS_KEPT = Duration.ofSeconds(10);

    /**
     * A plan whose runs were busy (locked by their own transaction, so skipped) is planned again
     * this much later: nothing else would ask for a pass when those transactions free no slot,
     * and the planned slots would stay free until the engine's next tick (seen in the bench:
     * stalls of up to a second with every tenant waiting). Later, not at once, so that a run
     * locked for long does not make passes spin.
     */
    static final long BUSY_RUNS_RETRY_MS = 20;

    /** Steps each tenant has on shared workers now: its use of the fair share. */
    static final String ACTIVE = "SELECT s.tenant_id, count(*)::int AS active FROM worker_slots ws "
            + "JOIN workers w ON w.id = ws.worker_id JOIN step_runs s ON s.id = ws.step_run_id "
            + "WHERE w.tenant_id IS NULL AND w.status = 'online' GROUP BY s.tenant_id";

    private final Pool pool;
    private final Vertx vertx;
    private final RunEngine engine;
    private final WaitingSteps waiting;
    private final FleetSightings sightings;
    private final TargetHolds holds;
    private final TargetBudgets budgets;
    private final TenantShares shares;
    private final ScanflowConfig config;
    private final EngineMetrics metrics;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();

    public DispatchPasses(Pool pool, RunEngine engine, WaitingSteps waiting, FleetSightings sightings,
            TargetHolds holds, TargetBudgets budgets, TenantShares shares, ScanflowConfig config,
            EngineMetrics metrics, Vertx vertx) {
        this.vertx = vertx;
        this.pool = pool;
        this.engine = engine;
        this.waiting = waiting;
        this.sightings = sightings;
        this.holds = holds;
        this.budgets = budgets;
        this.shares = shares;
        this.config = config;
        this.metrics = metrics;
    }

    void onCapacity(@Observes CapacityFreed event) {
        request();
    }

    /** Asks for a pass soon (coalesced). */
    public void request() {
        again.set(true);
        if (running.compareAndSet(false, true)) {
            runPass();
        }
    }

    private void runPass() {
        again.set(false);
        pass().subscribe().with(v -> done(), e -> {
            LOG.warnf("dispatch pass failed: %s", e.toString());
            done();
        });
    }

    private void done() {
        running.set(false);
        if (again.get() && running.compareAndSet(false, true)) {
            runPass();
        }
    }

    /** The engine tick's pass: now, unless one is running (then one more follows it). */
    Uni<Void> fromTicker() {
        if (!running.compareAndSet(false, true)) {
            again.set(true);
            return Uni.createFrom().voidItem();
        }
        again.set(false);
        return pass().onTermination().invoke(this::done);
    }

    /** One pass now. */
    Uni<Void> pass() {
        Instant now = Instant.now();
        var aging = config.engine().priorityAging();
        // nothing waiting (an idle service): one statement, and the workers read now and then only
        return pool.preparedQuery(HEADS).execute(Tuple.of(config.engine().dispatchWindow(),
                        (double) Math.max(1, aging.toSeconds()), PER_TARGET))
                .chain(heads -> {
                    if (heads.size() == 0) {
                        waiting.none();
                        return sightings.stale(SIGHTINGS_KEPT) ? sightings.read(pool).replaceWithVoid()
                                : Uni.createFrom().voidItem();
                    }
                    return Uni.combine().all().unis(sightings.read(pool), pool.query(ACTIVE).execute()).asTuple()
                            .chain(read -> plan(heads, read.getItem1(), read.getItem2(), now, aging));
                });
    }

    /** Plans the free slots among the steps in line and dispatches the plan. */
    private Uni<Void> plan(Iterable<Row> heads, List<FleetSightings.Sighting> workers, Iterable<Row> activeRows,
            Instant now, Duration aging) {
        List<Line> line = new ArrayList<>();
        for (Row r : heads) {
            line.add(line(r));
        }
        // steps no online worker could run compete with nobody: they do not close the gate
        boolean contended = line.stream()
                .anyMatch(l -> FleetSightings.anyOnlineCould(workers, l.step().tenantId(), l.capabilities()));
        if (!contended) {
            waiting.none();
            return reasons(line, List.of(), Map.of(), workers);
        }
        waiting.found();
        Map<UUID, Integer> active = new HashMap<>();
        activeRows.forEach(r -> active.put(r.getUUID("tenant_id"), r.getInteger("active")));
        Set<String> targets = new HashSet<>();
        line.stream().filter(l -> l.budget() != null).forEach(l -> targets.add(l.budget().target()));
        return holds.counts(pool, targets).chain(held -> {
            Map<String, Integer> free = new HashMap<>();
            line.stream().filter(l -> l.budget() != null).forEach(l -> free.put(l.budget().target(),
                    l.budget().maxActiveSteps() - held.getOrDefault(l.budget().target(), 0)));
            Map<UUID, Integer> weights = new HashMap<>();
            line.forEach(l -> weights.put(l.step().tenantId(), shares.weight(l.step().tenantId())));
            List<FairShare.Pick> picks = FairShare.plan(line.stream().map(Line::step).toList(),
                    FleetSightings.available(workers), active, weights, free, now, aging);
            return reasons(line, picks, free, workers).chain(() -> dispatch(picks));
        });
    }

    /** Ticks the planned steps' runs, each allowed only its planned steps. */
    private Uni<Void> dispatch(List<FairShare.Pick> picks) {
        if (picks.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Map<UUID, Set<UUID>> byRun = new LinkedHashMap<>();
        picks.forEach(p -> byRun.computeIfAbsent(p.step().runId(), k -> new HashSet<>()).add(p.step().stepId()));
        // one transaction for the whole plan: a pass costs the same few round trips however many runs it serves
        return engine.dispatch(byRun)
                .invoke(done -> metrics.sweeperAction("dispatch", done))
                .invoke(done -> {
                    if (done < byRun.size()) {
                        vertx.setTimer(BUSY_RUNS_RETRY_MS, id -> request());
                    }
                })
                .onFailure().invoke(x -> LOG.warnf("dispatching a pass's plan failed: %s", x.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** A waiting step, its target's budget (null: none), the step as the budget saw it, and its wait reason. */
    private record Line(FairShare.Waiting step, TargetBudget budget, StepState capabilities, String reason) {
    }

    /**
     * Says why each step the plan left waiting waits, where that changed: its target's budget is
     * used up, no online worker could run it, or it is in line. Written outside the run's lock (a
     * reason only informs; the next pass writes it again if a transaction saved an older one).
     */
    private Uni<Void> reasons(List<Line> line, List<FairShare.Pick> picks, Map<String, Integer> free,
            List<FleetSightings.Sighting> workers) {
        Set<UUID> picked = new HashSet<>();
        picks.forEach(p -> picked.add(p.step().stepId()));
        List<UUID> ids = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (Line l : line) {
            if (picked.contains(l.step().stepId())) {
                continue;
            }
            String reason = l.budget() != null && free.getOrDefault(l.budget().target(), 1) <= 0
                    ? WaitReasons.budget(l.budget().target(), l.budget().maxActiveSteps())
                    : FleetSightings.anyOnlineCould(workers, l.step().tenantId(), l.capabilities())
                            ? WaitReasons.IN_LINE : WaitReasons.noWorker(l.capabilities());
            if (!reason.equals(l.reason())) {
                ids.add(l.step().stepId());
                texts.add(reason);
            }
        }
        if (ids.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        // rows a transaction holds are skipped (never waited for): that transaction saves its own reason
        return pool.preparedQuery("UPDATE step_runs s SET wait_reason = w.reason FROM unnest($1::uuid[], $2::text[]) "
                        + "AS w(id, reason) WHERE s.id = w.id AND s.id IN (SELECT id FROM step_runs WHERE id = ANY($1) "
                        + "AND status = 'queued' AND command_id IS NULL FOR UPDATE SKIP LOCKED)")
                .execute(Tuple.of(ids.toArray(UUID[]::new), texts.toArray(String[]::new))).replaceWithVoid()
                .onFailure().invoke(e -> LOG.debugf("wait reasons not written: %s", e.toString()))
                .onFailure().recoverWithNull();
    }

    private Line line(Row r) {
        UUID tenant = r.getUUID("tenant_id");
        StepState step = new StepState(r.getUUID("id"), r.getString("step_key"), r.getString("step_key"), 0, 0,
                r.getString("tool"), Arrays.asList(r.getArrayOfStrings("capabilities")), json(r, "config"), 0,
                List.of(), null, null, 0, StepStatus.QUEUED, 1, 1);
        // the budget asks only the run's tenant and asset
        RunState run = new RunState(r.getUUID("run_id"), tenant, RunStatus.RUNNING, 1, false, null, null,
                json(r, "asset"), Map.of(), Map.of(), List.of(step));
        TargetBudget budget = budgets.of(run, step);
        var w = new FairShare.Waiting(step.id, run.id, tenant, r.getString("priority"), instant(r, "queued_at"),
                step.capabilities, step.tool, r.getString("previous_worker_id"), budget == null ? null : budget.target());
        return new Line(w, budget, step, r.getString("wait_reason"));
    }
}
