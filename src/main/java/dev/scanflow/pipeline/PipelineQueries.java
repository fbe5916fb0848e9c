package dev.scanflow.pipeline;

import static dev.scanflow.pipeline.PipelineTemplateEntity.LATEST;

import dev.scanflow.common.ApiException;
import dev.scanflow.common.Cursor;
import dev.scanflow.common.Page;
import dev.scanflow.pipeline.definition.TemplateDefinition;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Pipelines as they are read: a version with its steps, the version history, the list pages,
 * the version a run pins, and the system templates. Scoped by the caller's tenant: another
 * tenant's pipeline is simply not found; system templates are visible to every tenant.
 */
@ApplicationScoped
public class PipelineQueries {

    /** The latest versions of system templates. */
    private static final String LATEST_SYSTEM = "system = true and " + LATEST;

    private final PipelineRows pipelineRows;

    public PipelineQueries(PipelineRows pipelineRows) {
        this.pipelineRows = pipelineRows;
    }

    /** A tenant's pipeline, or a system template (visible to every tenant, read-only). */
    @WithSession
    public Uni<PipelineView> get(UUID tenant, UUID pipelineId, Integer version) {
        return findVisible(tenant, pipelineId, version).chain(this::view);
    }

    @WithSession
    public Uni<List<VersionView>> versions(UUID tenant, UUID pipelineId) {
        return PipelineTemplateEntity.<PipelineTemplateEntity>list(
                        "pipelineId = ?1 and (tenantId = ?2 or system = true) order by version desc", pipelineId, tenant)
                .map(rows -> {
                    if (rows.isEmpty()) {
                        throw notFound(pipelineId);
                    }
                    return rows.stream()
                            .map(r -> new VersionView(r.version, r.latest, r.name, r.createdBy, r.updatedAt))
                            .toList();
                });
    }

    @WithSession
    public Uni<Page<PipelineSummary>> list(UUID tenant, String name, String tag, Boolean active, int limit,
            Cursor after) {
        StringBuilder q = new StringBuilder("tenantId = :tenant and " + LATEST);
        Map<String, Object> params = new HashMap<>();
        params.put("tenant", tenant);
        if (name != null && !name.isBlank()) {
            q.append(" and lower(name) like :name escape '\\'");
            params.put("name", "%" + name.toLowerCase().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
        }
        if (tag != null && !tag.isBlank()) {
            q.append(" and array_contains(tags, :tag)");
            params.put("tag", tag);
        }
        if (active != null) {
            q.append(" and active = :active");
            params.put("active", active);
        }
        if (after != null) {
            q.append(" and (createdAt < :at or (createdAt = :at and pipelineId < :after))");
            params.put("at", after.createdAt());
            params.put("after", after.id());
        }
        q.append(" order by createdAt desc, pipelineId desc");
        return PipelineTemplateEntity.<PipelineTemplateEntity>find(q.toString(), params)
                .range(0, limit).list()
                .chain(rows -> {
                    List<PipelineTemplateEntity> page = Page.trim(rows, limit);
                    String next = Page.next(rows, limit, r -> new Cursor(r.createdAt, r.pipelineId).encode());
                    return page.isEmpty() ? Uni.createFrom().item(new Page<PipelineSummary>(List.of(), next))
                            : templatesOf(page).map(templates -> new Page<>(page.stream()
                                    .map(r -> pipelineRows.summary(r, r.sourcePipelineId == null ? null
                                            : PipelineRows.derivedFrom(r, templates.get(r.sourcePipelineId))))
                                    .toList(), next));
                });
    }

    /** The latest versions of the system templates these rows were made from, by pipeline id. */
    private Uni<Map<UUID, PipelineTemplateEntity>> templatesOf(List<PipelineTemplateEntity> rows) {
        List<UUID> sources = rows.stream().map(r -> r.sourcePipelineId).filter(Objects::nonNull).distinct().toList();
        if (sources.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return PipelineTemplateEntity.<PipelineTemplateEntity>list(LATEST_SYSTEM + " and pipelineId in ?1",
                        sources)
                .map(found -> {
                    Map<UUID, PipelineTemplateEntity> byId = new HashMap<>();
                    found.forEach(t -> byId.put(t.pipelineId, t));
                    return byId;
                });
    }

    /** The latest version of a tenant's pipeline, to run or to trigger; a system template is refused (403). */
    @WithSession
    public Uni<PinnedTemplate> pinLatest(UUID tenant, UUID pipelineId) {
        return find(tenant, pipelineId, null)
                .onFailure(ApiException.class).recoverWithUni(e -> refuseSystem(pipelineId, "run or trigger", e))
                .chain(row -> definition(row)
                .map(d -> new PinnedTemplate(row.id, row.pipelineId, row.version, row.name, row.active, d)));
    }

    // ------------------------------------------------------------------ system templates

    /** The latest version of every system template, with its steps, by name. */
    @WithSession
    public Uni<List<PipelineView>> systemTemplates() {
        return PipelineTemplateEntity.<PipelineTemplateEntity>list(LATEST_SYSTEM + " order by name")
                .chain(rows -> rows.isEmpty() ? Uni.createFrom().item(List.<PipelineView>of())
                        : PipelineStepEntity.<PipelineStepEntity>list("templateId in ?1", rows.stream().map(r -> r.id).toList())
                                .map(steps -> rows.stream().map(r -> pipelineRows.view(r,
                                        steps.stream().filter(st -> st.templateId.equals(r.id)).toList())).toList()));
    }

    /** A system template's version with its steps, the latest when {@code version} is null; null when there is none. */
    @WithSession
    public Uni<PipelineView> systemTemplate(UUID pipelineId, Integer version) {
        return systemVersion(pipelineId, version).chain(row -> row == null ? Uni.createFrom().nullItem() : view(row));
    }

    /** A system template's version row, the latest when {@code version} is null: the one place this query is written. */
    public static Uni<PipelineTemplateEntity> systemVersion(UUID pipelineId, Integer version) {
        return (version == null
                ? PipelineTemplateEntity.<PipelineTemplateEntity>find("pipelineId = ?1 and " + LATEST_SYSTEM,
                        pipelineId)
                : PipelineTemplateEntity.<PipelineTemplateEntity>find("pipelineId = ?1 and system = true and version = ?2",
                        pipelineId, version)).firstResult();
    }

    // ------------------------------------------------------------------ shared with PipelineWriter

    /** A tenant's pipeline or, failing that, a system template. */
    Uni<PipelineTemplateEntity> findVisible(UUID tenant, UUID pipelineId, Integer version) {
        return find(tenant, pipelineId, version).onFailure(ApiException.class).recoverWithUni(e -> {
            return systemVersion(pipelineId, version).map(row -> {
                if (row == null) {
                    throw (ApiException) e;
                }
                return row;
            });
        });
    }

    /** A tenant's pipeline: its latest version, or {@code version}; 404 when there is none. */
    static Uni<PipelineTemplateEntity> find(UUID tenant, UUID pipelineId, Integer version) {
        return (version == null
                ? PipelineTemplateEntity.<PipelineTemplateEntity>find(
                        "pipelineId = ?1 and tenantId = ?2 and " + LATEST, pipelineId, tenant)
                : PipelineTemplateEntity.<PipelineTemplateEntity>find(
                        "pipelineId = ?1 and tenantId = ?2 and version = ?3", pipelineId, tenant, version))
                .<PipelineTemplateEntity>firstResult()
                .map(row -> {
                    if (row == null) {
                        throw version == null ? notFound(pipelineId)
                                : ApiException.notFound("version " + version + " of pipeline " + pipelineId);
                    }
                    return row;
                });
    }

    /** 403 when the pipeline is a system template, else the original failure (a 404). */
    static <T> Uni<T> refuseSystem(UUID pipelineId, String action, Throwable original) {
        return systemVersion(pipelineId, null)
                .map(system -> {
                    if (system == null || !(original instanceof ApiException api) || api.status() != 404) {
                        throw original instanceof RuntimeException r ? r : new IllegalStateException(original);
                    }
                    throw ApiException.forbidden("pipeline " + pipelineId + " is the system template '" + system.name
                            + "', which is read-only: you cannot " + action + " it. Make your own pipeline from it with "
                            + "POST /api/v1/pipeline-templates/" + system.slug + "/use, then " + action + " that one.");
                });
    }

    Uni<PipelineView> view(PipelineTemplateEntity row) {
        Uni<PipelineView> view = steps(row).map(steps -> pipelineRows.view(row, steps));
        return row.sourcePipelineId == null ? view
                : view.chain(v -> withDerivation(v, row.sourcePipelineId, row.sourceVersion));
    }

    /** The view with what it says of the system template it was made from, as that template is now. */
    Uni<PipelineView> withDerivation(PipelineView view, UUID templateId, int templateVersion) {
        return systemVersion(templateId, null)
                .map(latest -> latest == null ? view : copyWith(view, new DerivedFrom(templateId, latest.slug, latest.name,
                        templateVersion, latest.version, latest.version > templateVersion)));
    }

    private static PipelineView copyWith(PipelineView v, DerivedFrom d) {
        return new PipelineView(v.id(), v.tenantId(), v.name(), v.description(), v.version(), v.isActive(), v.isSystem(), v.slug(),
                v.tags(), v.triggers(), v.steps(), v.settings(), d, v.createdBy(), v.createdAt(), v.updatedAt());
    }

    Uni<TemplateDefinition> definition(PipelineTemplateEntity row) {
        return steps(row).map(steps -> pipelineRows.definition(row, steps));
    }

    private static Uni<List<PipelineStepEntity>> steps(PipelineTemplateEntity row) {
        return PipelineStepEntity.<PipelineStepEntity>list("templateId", row.id);
    }

    static ApiException notFound(UUID pipelineId) {
        return ApiException.notFound("pipeline " + pipelineId);
    }
}
