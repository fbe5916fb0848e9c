package dev.scanflow.run;

import dev.scanflow.common.Page;
import dev.scanflow.common.PgValues;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * The {@code step_logs} table: workers' log lines, appended in the order they come (so the first
 * of two lines with the same seq wins: unique (command, seq)), read back by id, which is that order.
 */
@ApplicationScoped
public class StepLogs {

    /** One line of a scan command's log, with the run and step run the command belongs to. */
    public record Line(UUID runId, UUID stepRunId, UUID commandId, long seq, String line) {
    }

    /** Appends the lines in their order, one batched statement; lines already stored are left as they are. */
    public Uni<Void> append(SqlClient client, List<Line> lines) {
        if (lines.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> rows = lines.stream()
                .map(l -> Tuple.of(l.runId(), l.stepRunId(), l.commandId(), l.seq(), l.line())).toList();
        return client.preparedQuery("INSERT INTO step_logs (run_id, step_run_id, command_id, seq, line) "
                        + "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (command_id, seq) DO NOTHING")
                .executeBatch(rows).replaceWithVoid();
    }

    /** A page of a step run's lines after the line id {@code afterId} (none: from the first). */
    Uni<Page<RunViews.LogLine>> page(SqlClient client, UUID stepRunId, int limit, Long afterId) {
        return client.preparedQuery("SELECT id, seq, line, command_id, created_at FROM step_logs "
                        + "WHERE step_run_id = $1 AND id > $2 ORDER BY id LIMIT $3")
                .execute(Tuple.from(Arrays.asList(stepRunId, afterId == null ? 0L : afterId, limit + 1)))
                .map(rows -> {
                    List<Row> all = new ArrayList<>();
                    rows.forEach(all::add);
                    return Page.of(all, limit, r -> String.valueOf(r.getLong("id")), r -> new RunViews.LogLine(
                            r.getLong("seq"), r.getString("line"), r.getUUID("command_id"), PgValues.instant(r, "created_at")));
                });
    }
}
