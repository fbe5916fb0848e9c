package dev.scanflow.engine;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Ticks the runs a {@link Sweeper} or a {@link DispatchPasses} pass found ({@link RunEngine#tick}),
 * four at a time; a failed tick is logged and left for the next one. Each finds at most
 * {@link #BATCH} runs at once.
 */
@ApplicationScoped
public class RunTicks {

    private static final Logger LOG = Logger.getLogger(RunTicks.class);
    /** Most runs one sweep or dispatch pass reads. */
    static final int BATCH = 200;

    private final RunEngine engine;
    private final EngineMetrics metrics;

    public RunTicks(RunEngine engine, EngineMetrics metrics) {
        this.engine = engine;
        this.metrics = metrics;
    }

    /** Ticks the runs; {@code why} names the sweeper action counted. */
    Uni<Void> tick(List<UUID> runs, String why) {
        if (runs.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Multi.createFrom().iterable(runs)
                .onItem().transformToUni(run -> engine.tick(run)
                        .onFailure().invoke(e -> LOG.warnf("tick of run %s failed: %s", run, e.toString()))
                        .onFailure().recoverWithItem(false))
                .merge(4)
                .collect().asList()
                .invoke(done -> metrics.sweeperAction(why, done.stream().filter(b -> b).count()))
                .replaceWithVoid();
    }

    /** The {@code id} column's run ids, each once, in order. */
    static List<UUID> ids(RowSet<Row> rows) {
        Set<UUID> out = new LinkedHashSet<>();
        for (Row r : rows) {
            out.add(r.getUUID("id"));
        }
        return new ArrayList<>(out);
    }
}
