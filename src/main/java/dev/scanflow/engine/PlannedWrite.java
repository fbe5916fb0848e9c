package dev.scanflow.engine;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.List;

/**
 * A statement another package asks the engine to run in the engine's transaction, as a value:
 * the SQL of the table's owning package (built by that package's queries) and its arguments.
 * The engine runs it; no code of the caller runs in the transaction or sees its connection.
 * A {@code guard} must find or change at least one row, else nothing of the plan is written
 * (the caller read something that has changed since: it plans again).
 */
public record PlannedWrite(String sql, List<Tuple> rows, boolean guard) {

    public PlannedWrite {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("a planned write needs at least one row of arguments");
        }
        rows = List.copyOf(rows);
    }

    /** A write whose effect is not checked. */
    public static PlannedWrite of(String sql, Tuple args) {
        return new PlannedWrite(sql, List.of(args), false);
    }

    /** The same statement once per row of arguments (a batch); none when there are no rows. */
    public static List<PlannedWrite> batch(String sql, List<Tuple> rows) {
        return rows.isEmpty() ? List.of() : List.of(new PlannedWrite(sql, rows, false));
    }

    /** A statement that must return or change a row for the plan to be written. */
    public static PlannedWrite guard(String sql, Tuple args) {
        return new PlannedWrite(sql, List.of(args), true);
    }

    /** Runs it; true when a guard found its row (always true for a plain write). */
    Uni<Boolean> run(SqlClient tx) {
        var query = tx.preparedQuery(sql);
        var done = rows.size() == 1 ? query.execute(rows.get(0)) : query.executeBatch(rows);
        return done.map(result -> !guard || result.rowCount() > 0);
    }

    /** A plan found stale in its transaction: rolled back, reported as not written. */
    static final class Stale extends RuntimeException {
        Stale() {
            super(null, null, false, false);
        }
    }

    /** Guards, one after another (a lock first, then what it protects); a miss throws {@link Stale}. */
    static Uni<Void> guards(SqlClient tx, List<PlannedWrite> guards) {
        return Multi.createFrom().iterable(guards)
                .onItem().transformToUniAndConcatenate(g -> g.run(tx).invoke(found -> {
                    if (!found) {
                        throw new Stale();
                    }
                }))
                .collect().last().replaceWithVoid();
    }

    /** Writes, pipelined. */
    static Uni<Void> all(SqlClient tx, List<PlannedWrite> writes) {
        return writes.isEmpty() ? Uni.createFrom().voidItem()
                : Uni.join().all(writes.stream().map(w -> w.run(tx)).toList()).andFailFast().replaceWithVoid();
    }
}
