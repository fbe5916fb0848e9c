package dev.scanflow.engine;

import dev.scanflow.domain.Decision;
import dev.scanflow.domain.RunDecider;
import dev.scanflow.domain.RunState;
import dev.scanflow.domain.WorkerResult;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The engine's entrance: what the runs API, the fleet side (results, lost workers) and the
 * triggers may ask of it. Every call ends in one {@link RunTransactions} transaction that lets
 * {@link RunDecider} decide; nothing here decides or writes by itself.
 */
@ApplicationScoped
public class RunEngine {

    private final RunTransactions transactions;
    private final ResultIntake results;
    private final RunRows runs;
    private final RunDecider decider;
    private final Pool pool;
    private final CredentialPins credentials;

    public RunEngine(RunTransactions transactions, ResultIntake results, RunRows runs, RunDecider decider, Pool pool,
            CredentialPins credentials) {
        this.credentials = credentials;
        this.transactions = transactions;
        this.results = results;
        this.runs = runs;
        this.decider = decider;
        this.pool = pool;
    }

    /**
     * Writes a plan of runs to start (and cancel) with its guards and records in one transaction
     * (see {@link RunTransactions#start}); false, with nothing written, when the plan is stale.
     * The kinds of the scan credentials the runs name are pinned first ({@link CredentialPins}).
     */
    public Uni<Boolean> start(RunStartPlan plan) {
        return credentials.pin(plan).chain(transactions::start);
    }

    /** The active runs of a pipeline on these assets, by asset (the newest when several are). */
    public Uni<Map<UUID, UUID>> activeRuns(UUID pipelineId, Collection<UUID> assetIds) {
        return runs.activeOnByAsset(pool, pipelineId, assetIds);
    }

    /** Which of these runs have not ended. */
    public Uni<Set<UUID>> stillActive(Collection<UUID> runIds) {
        return runs.stillActive(pool, runIds);
    }

    /** A worker's report; completes once its effect is committed (or it was ignored). */
    public Uni<Void> onResult(WorkerResult result) {
        return results.submit(result);
    }

    /** The clock for one run; false when another transaction holds the run (it will decide). */
    public Uni<Boolean> tick(UUID runId) {
        return transactions.decide(runId, true, decider::tick).map(d -> d != null);
    }

    /**
     * A dispatch pass's plan, in one transaction: each planned run's clock, and only its planned
     * waiting steps may take a worker; runs another transaction holds are skipped. How many ran.
     */
    public Uni<Integer> dispatch(Map<UUID, Set<UUID>> planned) {
        return transactions.dispatch(planned);
    }

    /** A worker stopped heartbeating: its steps, in every run, go to another worker (or fail). */
    public Uni<Void> workerLost(String workerId) {
        return runs.runsHeldBy(pool, workerId)
                .chain(ids -> Multi.createFrom().iterable(ids)
                        .onItem().transformToUniAndConcatenate(run -> transactions.decide(run, false,
                                (state, now) -> decider.workerLost(state, workerId, now)))
                        .collect().last())
                .replaceWithVoid();
    }

    /**
     * A worker removed for good: {@code remove} (deleting its registration) and handing its steps
     * over as for a lost worker commit together, so that no crash between them strands a step on
     * a worker that no longer exists.
     */
    public Uni<Void> workerRemoved(String workerId, PlannedWrite remove) {
        return transactions.decideAround(tx -> runs.runsHeldBy(tx, workerId), remove,
                (state, now) -> decider.workerLost(state, workerId, now));
    }

    /**
     * Cancels a run; {@code check} sees the locked run first and may refuse (by throwing), as the
     * runs API does for another tenant's run. Null when there is no such run.
     */
    public Uni<Decision> cancel(UUID runId, Consumer<RunState> check) {
        return transactions.decide(runId, false, (run, now) -> {
            check.accept(run);
            return decider.cancel(run, now);
        });
    }

    /** Retries an ended run's failed, timed-out and cancelled steps (see {@link RunDecider#retry}). */
    public Uni<Decision> retry(UUID runId, Consumer<RunState> check) {
        return transactions.decideWithinLimits(runId, (run, now) -> {
            check.accept(run);
            return decider.retry(run, now);
        });
    }
}
