package dev.scanflow.pipeline;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflow.domain.DurationText;
import dev.scanflow.pipeline.definition.ConditionSpec;
import dev.scanflow.pipeline.definition.SettingsSpec;
import dev.scanflow.pipeline.definition.StepSpec;
import dev.scanflow.pipeline.definition.TemplateDefinition;
import dev.scanflow.pipeline.definition.TriggerSpec;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Templates between their records and their rows: a version row ({@code pipeline_templates},
 * triggers and settings as JSON) and one row per step ({@code pipeline_steps}), and back to the
 * definition and the API's views.
 */
@ApplicationScoped
public class PipelineRows {

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };
    private static final TypeReference<List<TriggerSpec>> TRIGGERS = new TypeReference<>() {
    };

    private final ObjectMapper mapper;

    public PipelineRows(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    PipelineTemplateEntity templateRow(UUID tenant, UUID pipelineId, int version, boolean active, TemplateDefinition d,
            String user, Instant createdAt, Instant updatedAt) {
        PipelineTemplateEntity row = new PipelineTemplateEntity();
        row.id = UUID.randomUUID();
        row.pipelineId = pipelineId;
        row.tenantId = tenant;
        row.name = d.name();
        row.description = d.description();
        row.version = version;
        row.latest = true;
        row.active = active;
        row.system = false;
        row.tags = new ArrayList<>(d.tags());
        row.triggers = Map.of("items", d.triggers().stream().map(t -> mapper.convertValue(t, MAP)).toList());
        row.settings = mapper.convertValue(d.settings(), MAP);
        row.createdBy = user;
        row.createdAt = createdAt;
        row.updatedAt = updatedAt;
        return row;
    }

    PipelineStepEntity stepRow(UUID templateId, StepSpec s) {
        PipelineStepEntity e = new PipelineStepEntity();
        e.id = UUID.randomUUID();
        e.templateId = templateId;
        e.stepKey = s.id();
        e.name = s.name();
        e.stepOrder = s.order();
        e.tool = s.tool();
        e.capabilities = new ArrayList<>(s.capabilities());
        e.config = s.config();
        e.timeoutSeconds = DurationText.parseSeconds(s.timeout()).orElseThrow().intValue();
        e.dependsOn = new ArrayList<>(s.dependsOn());
        e.condition = s.condition() == null ? null : mapper.convertValue(s.condition(), MAP);
        e.maxRetries = s.maxRetries();
        e.retryDelaySeconds = s.retryDelaySeconds();
        return e;
    }

    TemplateDefinition definition(PipelineTemplateEntity row, List<PipelineStepEntity> steps) {
        PipelineView v = view(row, steps);
        return new TemplateDefinition(v.name(), v.description(), v.tags(), v.triggers(), v.steps(), v.settings());
    }

    PipelineView view(PipelineTemplateEntity row, List<PipelineStepEntity> stepRows) {
        return view(row, stepRows, null);
    }

    PipelineView view(PipelineTemplateEntity row, List<PipelineStepEntity> stepRows, DerivedFrom derivedFrom) {
        List<StepSpec> steps = stepRows.stream()
                .sorted(Comparator.comparingInt((PipelineStepEntity s) -> s.stepOrder).thenComparing(s -> s.stepKey))
                .map(this::stepSpec)
                .toList();
        return new PipelineView(row.pipelineId, row.tenantId, row.name, row.description, row.version, row.active, row.system,
                row.slug, row.tags, triggers(row), steps, mapper.convertValue(row.settings, SettingsSpec.class),
                derivedFrom, row.createdBy, row.createdAt, row.updatedAt);
    }

    PipelineSummary summary(PipelineTemplateEntity row, DerivedFrom derivedFrom) {
        return new PipelineSummary(row.pipelineId, row.name, row.description, row.version, row.active, row.system,
                row.slug, row.tags, triggers(row), derivedFrom, row.createdBy, row.createdAt, row.updatedAt);
    }

    /** What a tenant pipeline says of the system template it came from, given that template's latest version. */
    static DerivedFrom derivedFrom(PipelineTemplateEntity row, PipelineTemplateEntity templateLatest) {
        if (row.sourcePipelineId == null || templateLatest == null) {
            return null;
        }
        return new DerivedFrom(row.sourcePipelineId, templateLatest.slug, templateLatest.name, row.sourceVersion,
                templateLatest.version, templateLatest.version > row.sourceVersion);
    }

    private List<TriggerSpec> triggers(PipelineTemplateEntity row) {
        return mapper.convertValue(row.triggers.get("items"), TRIGGERS);
    }

    private StepSpec stepSpec(PipelineStepEntity e) {
        return new StepSpec(e.stepKey, e.name, e.stepOrder, e.tool, e.capabilities, e.config,
                DurationText.format(e.timeoutSeconds), e.dependsOn,
                e.condition == null ? null : mapper.convertValue(e.condition, ConditionSpec.class),
                e.maxRetries, e.retryDelaySeconds);
    }

    /**
     * A trigger of a tenant pipeline's latest active version, with its key ({@link TriggerSpec#key})
     * and its definition as stored (the schedules keep its hash).
     */
    public record LatestTrigger(UUID tenantId, UUID pipelineId, String pipelineName, int position, String key,
            TriggerSpec trigger, JsonObject definition) {
    }

    /**
     * The triggers of one type of the latest active versions of tenant pipelines: of the
     * {@code tenants} (all when null) and of the {@code pipelines} (all when null), in the template's order.
     */
    public Uni<List<LatestTrigger>> triggersOfType(SqlClient client, String type, UUID[] tenants, UUID[] pipelines) {
        return client.preparedQuery("SELECT t.tenant_id, t.pipeline_id, t.name, (x.ord - 1)::int AS position, x.tr AS definition "
                        + "FROM pipeline_templates t, jsonb_array_elements(t.triggers -> 'items') WITH ORDINALITY AS x(tr, ord) "
                        + "WHERE t.is_latest AND t.is_active AND t.tenant_id IS NOT NULL AND x.tr ->> 'type' = $1 "
                        + "AND ($2::uuid[] IS NULL OR t.tenant_id = ANY($2)) AND ($3::uuid[] IS NULL OR t.pipeline_id = ANY($3)) "
                        + "ORDER BY t.pipeline_id, x.ord")
                .execute(Tuple.of(type, tenants, pipelines))
                .map(rows -> {
                    List<LatestTrigger> out = new ArrayList<>();
                    for (Row r : rows) {
                        JsonObject definition = (JsonObject) r.getValue("definition");
                        TriggerSpec trigger = mapper.convertValue(definition.getMap(), TriggerSpec.class);
                        int position = r.getInteger("position");
                        out.add(new LatestTrigger(r.getUUID("tenant_id"), r.getUUID("pipeline_id"), r.getString("name"),
                                position, trigger.key(position), trigger, definition));
                    }
                    return out;
                });
    }

    /** The names of the tenant's active pipelines whose latest version has a step naming this credential, at most 20. */
    public Uni<List<String>> namingCredential(SqlClient client, UUID tenant, String credential) {
        return client.preparedQuery("SELECT DISTINCT t.name FROM pipeline_templates t JOIN pipeline_steps s "
                        + "ON s.template_id = t.id WHERE t.tenant_id = $1 AND t.is_latest AND t.is_active "
                        + "AND s.config -> 'auth' ->> 'credential' = $2 ORDER BY t.name LIMIT 20")
                .execute(Tuple.of(tenant, credential))
                .map(rows -> {
                    List<String> out = new ArrayList<>();
                    rows.forEach(r -> out.add(r.getString("name")));
                    return out;
                });
    }
}
