package dev.scanflow.trigger;

import dev.scanflow.common.ApiException;
import dev.scanflow.common.CronCalendar;
import dev.scanflow.pipeline.PipelineQueries;
import dev.scanflow.trigger.ScheduleViews.FireTime;
import dev.scanflow.trigger.ScheduleViews.FireView;
import dev.scanflow.trigger.ScheduleViews.OutcomeView;
import dev.scanflow.trigger.ScheduleViews.ScheduleView;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The schedules API: a pipeline's schedules with their next fires, pause, resume, fire now, outcomes. */
@ApplicationScoped
public class ScheduleService {

    static final int NEXT_FIRES = 10;
    static final int RECENT_OUTCOMES = 10;

    private final Schedules schedules;
    private final ScheduleFiring firing;
    private final TriggerOutcomes outcomes;
    private final PipelineQueries pipelines;
    private final ScheduleClock clock;

    public ScheduleService(Schedules schedules, ScheduleFiring firing, TriggerOutcomes outcomes,
            PipelineQueries pipelines, ScheduleClock clock) {
        this.schedules = schedules;
        this.firing = firing;
        this.outcomes = outcomes;
        this.pipelines = pipelines;
        this.clock = clock;
    }

    public Uni<List<ScheduleView>> list(UUID tenant, UUID pipelineId) {
        Instant now = clock.now();
        return current(tenant, pipelineId, now).chain(list -> Multi.createFrom().iterable(list)
                .onItem().transformToUniAndConcatenate(s -> view(tenant, s, now)).collect().asList());
    }

    public Uni<ScheduleView> get(UUID tenant, UUID pipelineId, String key) {
        Instant now = clock.now();
        return current(tenant, pipelineId, now).chain(list -> view(tenant, find(list, pipelineId, key), now));
    }

    public Uni<ScheduleView> setPaused(UUID tenant, UUID pipelineId, String key, boolean paused) {
        Instant now = clock.now();
        return current(tenant, pipelineId, now)
                .map(list -> find(list, pipelineId, key).triggerKey())
                .call(found -> schedules.setPaused(tenant, pipelineId, found, paused, now))
                .chain(found -> get(tenant, pipelineId, found));
    }

    public Uni<FireView> fire(UUID tenant, UUID pipelineId, String key, String user, String idempotencyKey) {
        Instant now = clock.now();
        return current(tenant, pipelineId, now)
                .map(list -> find(list, pipelineId, key).triggerKey())
                .chain(found -> firing.fireNow(tenant, pipelineId, found, user, idempotencyKey, now))
                .map(f -> new FireView(key, f.fireTimes(), f.runIds(), f.outcomes().stream().map(OutcomeView::of).toList(),
                        f.replayed()));
    }

    public Uni<List<OutcomeView>> outcomes(UUID tenant, UUID pipelineId, String key, int limit) {
        Instant now = clock.now();
        return current(tenant, pipelineId, now).map(list -> find(list, pipelineId, key).triggerKey())
                .chain(found -> outcomes.recent(tenant, pipelineId, found, limit))
                .map(list -> list.stream().map(OutcomeView::of).toList());
    }

    /** The pipeline's schedules as its latest version has them (404 for another tenant's pipeline). */
    private Uni<List<Schedules.State>> current(UUID tenant, UUID pipelineId, Instant now) {
        return pipelines.pinLatest(tenant, pipelineId)
                .chain(() -> schedules.sync(now, pipelineId))
                .chain(() -> schedules.of(tenant, pipelineId));
    }

    /** A schedule by its key, or by its position in the template's triggers (a number). */
    private static Schedules.State find(List<Schedules.State> list, UUID pipelineId, String key) {
        boolean position = !key.isEmpty() && key.length() < 6 && key.chars().allMatch(Character::isDigit);
        return list.stream()
                .filter(s -> s.triggerKey().equals(key) || position && s.position() == Integer.parseInt(key))
                .findFirst()
                .orElseThrow(() -> ApiException.notFound("schedule '" + key + "' of pipeline " + pipelineId + (list.isEmpty()
                        ? " (the pipeline has no schedule trigger)"
                        : " (its schedules: " + String.join(", ", list.stream().map(Schedules.State::triggerKey).toList())
                                + "; a number is a position in the template's triggers)")));
    }

    private Uni<ScheduleView> view(UUID tenant, Schedules.State s, Instant now) {
        CronCalendar calendar = ScheduleFiring.calendar(s.trigger());
        List<FireTime> next = calendar.next(now, NEXT_FIRES).stream().map(at -> FireTime.of(at, calendar.zone())).toList();
        return outcomes.recent(tenant, s.pipelineId(), s.triggerKey(), RECENT_OUTCOMES)
                .map(list -> ScheduleView.of(s, next, list.stream().map(OutcomeView::of).toList()));
    }
}
