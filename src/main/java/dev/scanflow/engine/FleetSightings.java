package dev.scanflow.engine;

import dev.scanflow.domain.StepState;
import dev.scanflow.domain.WorkerMatcher;
import dev.scanflow.domain.WorkerSightings;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;

/**
 * Every registered worker as the last dispatch pass read it (one query per pass): the pass plans
 * with the ones that can take steps now, and the decider's NO_WORKER timeout asks when a worker
 * that could run a step was last seen ({@link WorkerSightings}).
 */
@ApplicationScoped
public class FleetSightings implements WorkerSightings {

    static final String WORKERS = "SELECT w.id, w.tenant_id, w.capabilities, w.tools, w.max_concurrency, "
            + "w.status = 'online' AS online, w.draining, "
            + "(w.benched_until IS NOT NULL AND w.benched_until > now()) AS benched, w.last_heartbeat_at, "
            + "(SELECT count(*) FROM worker_slots b WHERE b.worker_id = w.id AND b.step_run_id IS NOT NULL)::int "
            + "AS active_commands FROM workers w";

    /** A worker and when it was last seen (now when online). */
    record Sighting(WorkerMatcher.Candidate worker, boolean benched, Instant seen) {
    }

    private volatile List<Sighting> last;
    private volatile Instant readAt = Instant.EPOCH;

    /** Reads every worker; the pass's view until the next. */
    Uni<List<Sighting>> read(SqlClient client) {
        return client.query(WORKERS).execute().map(rows -> {
            Instant now = Instant.now();
            List<Sighting> out = new ArrayList<>();
            for (Row r : rows) {
                boolean online = r.getBoolean("online");
                OffsetDateTime beat = r.getOffsetDateTime("last_heartbeat_at");
                var c = new WorkerMatcher.Candidate(r.getString("id"), r.getUUID("tenant_id"),
                        new HashSet<>(Arrays.asList(r.getArrayOfStrings("capabilities"))),
                        new HashSet<>(Arrays.asList(r.getArrayOfStrings("tools"))), r.getInteger("max_concurrency"),
                        r.getInteger("active_commands"), online, r.getBoolean("draining"));
                // a draining worker takes nothing new: it is not a worker that could run a step
                Instant seen = c.draining() ? null : online ? now : beat == null ? null : beat.toInstant();
                out.add(new Sighting(c, r.getBoolean("benched"), seen));
            }
            last = List.copyOf(out);
            readAt = now;
            return last;
        });
    }

    /** The workers that may take a step now, with their load. */
    static List<WorkerMatcher.Candidate> available(List<Sighting> sightings) {
        return sightings.stream().filter(s -> s.worker().online() && !s.worker().draining() && !s.benched())
                .map(Sighting::worker).toList();
    }

    /** Whether an online worker could run the step at all (busy or not). */
    static boolean anyOnlineCould(List<Sighting> sightings, UUID tenant, StepState step) {
        return sightings.stream().anyMatch(s -> s.worker().online() && !s.worker().draining()
                && could(s.worker(), tenant, step));
    }

    @Override
    public Instant lastSeen(UUID tenant, StepState step) {
        List<Sighting> known = last;
        if (known == null) {
            return Instant.now(); // not read yet (a replica just started): nobody times out for that
        }
        Instant seen = null;
        for (Sighting s : known) {
            if (s.seen() != null && could(s.worker(), tenant, step) && (seen == null || s.seen().isAfter(seen))) {
                seen = s.seen();
            }
        }
        return seen;
    }

    /** Whether the last read saw a worker that could take a step now (true before the first read). */
    boolean anyFree() {
        List<Sighting> known = last;
        return known == null || available(known).stream().anyMatch(c -> c.active() < c.maxConcurrency());
    }

    /** Whether the last read is older than {@code age} (or there was none). */
    boolean stale(Duration age) {
        return readAt.plus(age).isBefore(Instant.now());
    }

    /** This replica's last read, or null before its first pass. */
    List<Sighting> last() {
        return last;
    }

    private static boolean could(WorkerMatcher.Candidate w, UUID tenant, StepState step) {
        return (w.tenantId() == null || w.tenantId().equals(tenant)) && w.capabilities().containsAll(step.capabilities);
    }
}
