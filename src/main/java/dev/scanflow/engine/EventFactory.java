package dev.scanflow.engine;

import dev.scanflow.domain.Decision;
import dev.scanflow.domain.RunState;
import dev.scanflow.protocol.ProtocolJson;
import dev.scanflow.protocol.RunEvent;
import dev.scanflow.protocol.Subjects;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Builds the protocol's run events for what a decision did, as rows of the events outbox. */
@ApplicationScoped
public class EventFactory {

    private final Subjects subjects;

    public EventFactory(Subjects subjects) {
        this.subjects = subjects;
    }

    record EventRow(UUID id, UUID tenantId, UUID runId, String type, String stepKey, String subject, RunEvent event,
            byte[] payload) {
    }

    List<EventRow> events(LoadedRun loaded, Decision decision, Instant now) {
        RunState run = loaded.state();
        List<EventRow> rows = new ArrayList<>();
        for (Decision.Event e : decision.events) {
            UUID id = UUID.randomUUID();
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("pipeline_run_id", run.id.toString());
            data.put("pipeline_name", loaded.pipelineName());
            data.putAll(e.data());
            RunEvent event = RunEvent.of(id.toString(), e.type(), now.toString(), data, run.tenantId.toString(),
                    run.id.toString(), loaded.pipelineId().toString(), loaded.pipelineVersion(),
                    loaded.assetId().toString(), e.stepKey());
            rows.add(new EventRow(id, run.tenantId, run.id, e.type(), e.stepKey(), subjects.event(run.tenantId, e.type()),
                    event, ProtocolJson.bytes(event)));
        }
        return rows;
    }
}
