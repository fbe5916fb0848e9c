package dev.scanflow.pipeline;

import static dev.scanflow.pipeline.PipelineTemplateEntity.LATEST;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scanflow.auth.TenantRegistry;
import dev.scanflow.common.ApiException;
import dev.scanflow.common.Applied;
import dev.scanflow.common.Timestamps;
import dev.scanflow.pipeline.definition.TemplateDefinition;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * Writes pipeline versions, each in one transaction. Every edit, steps included, writes a new
 * version; the earlier ones stay readable. Edits of one pipeline take turns on a row lock, and
 * system templates are refused (403) except through {@link #writeSystemVersion}.
 * Definitions given to {@link #create}, {@link #update} and {@link #apply} come from
 * {@link PipelineBodies#read}, which has checked their channel names.
 */
@ApplicationScoped
public class PipelineWriter {

    private final ObjectMapper mapper;
    private final PipelineRows pipelineRows;
    private final PipelineQueries queries;
    private final PipelineBodies bodies;
    private final TenantRegistry tenants;
    private final TemplateChanges changes;

    public PipelineWriter(ObjectMapper mapper, PipelineRows pipelineRows, PipelineQueries queries, PipelineBodies bodies,
            TenantRegistry tenants, TemplateChanges changes) {
        this.changes = changes;
        this.mapper = mapper;
        this.pipelineRows = pipelineRows;
        this.queries = queries;
        this.bodies = bodies;
        this.tenants = tenants;
    }

    @WithTransaction
    public Uni<PipelineView> create(UUID tenant, String user, TemplateDefinition definition) {
        UUID pipelineId = UUID.randomUUID();
        Instant now = Timestamps.now();
        return tenants.ensure(tenant)
                .chain(() -> ensureNameFree(tenant, definition.name(), pipelineId))
                .chain(() -> insertVersion(tenant, pipelineId, 1, true, definition, user, now, now, row -> {
                }));
    }

    /**
     * Declarative: creates the pipeline named in the body, or writes a new version of the
     * tenant's pipeline of that name only when the body differs from its latest version; the
     * same body again changes nothing and answers the same version.
     */
    @WithTransaction
    public Uni<Applied<PipelineView>> apply(UUID tenant, String user, TemplateDefinition definition) {
        return PipelineTemplateEntity.<PipelineTemplateEntity>find(
                        "tenantId = ?1 and lower(name) = lower(?2) and " + LATEST, tenant, definition.name())
                .firstResult()
                .chain(latest -> {
                    if (latest == null) {
                        return create(tenant, user, definition).map(v -> new Applied<>(v, Applied.Outcome.CREATED));
                    }
                    return findForEdit(tenant, latest.pipelineId).chain(locked -> queries.definition(locked).chain(current -> {
                        if (sameDefinition(current, definition)) {
                            return queries.view(locked).map(v -> new Applied<>(v, Applied.Outcome.UNCHANGED));
                        }
                        return newVersion(locked, user, definition).map(v -> new Applied<>(v, Applied.Outcome.UPDATED));
                    }));
                });
    }

    /** Equal as stored: the body goes through the same rows-and-back mapping as the latest version did. */
    private boolean sameDefinition(TemplateDefinition stored, TemplateDefinition body) {
        PipelineTemplateEntity row = pipelineRows.templateRow(null, UUID.randomUUID(), 1, true, body, null, Timestamps.now(),
                Timestamps.now());
        List<PipelineStepEntity> steps = body.steps().stream().map(s -> pipelineRows.stepRow(row.id, s)).toList();
        TemplateDefinition normalized = pipelineRows.definition(row, steps);
        return mapper.valueToTree(normalized).equals(mapper.valueToTree(stored));
    }

    @WithTransaction
    public Uni<PipelineView> update(UUID tenant, String user, UUID pipelineId, TemplateDefinition definition) {
        return findForEdit(tenant, pipelineId)
                .chain(latest -> ensureNameFree(tenant, definition.name(), pipelineId)
                        .chain(() -> newVersion(latest, user, definition)));
    }

    /**
     * Applies an edit to the latest version's document, reads the result as a whole template,
     * and stores it as a new version. Errors about {@code focusStepId} are reported relative to
     * the step body the user sent ({@code $.capabilities}), others with their full path.
     */
    @WithTransaction
    public Uni<PipelineView> edit(UUID tenant, String user, UUID pipelineId,
            BiFunction<ObjectNode, TemplateDefinition, ObjectNode> edit, String focusStepId) {
        return findForEdit(tenant, pipelineId)
                .chain(latest -> queries.definition(latest).chain(current -> {
                    ObjectNode changed = edit.apply(mapper.valueToTree(current), current);
                    String focus = StepEdits.pathOf(changed, focusStepId);
                    TemplateDefinition next = bodies.reread(changed, focus);
                    return bodies.knownReferences(tenant, next, focus).chain(() -> newVersion(latest, user, next));
                }));
    }

    @WithTransaction
    public Uni<Void> deactivate(UUID tenant, UUID pipelineId) {
        changes.written(pipelineId);
        return PipelineTemplateEntity.update("active = false where pipelineId = ?1 and tenantId = ?2", pipelineId, tenant)
                .chain(count -> count == 0
                        ? PipelineQueries.refuseSystem(pipelineId, "delete", PipelineQueries.notFound(pipelineId))
                                .replaceWithVoid()
                        : Uni.createFrom().voidItem());
    }

    /** Version 1 of a new pipeline with the latest definition of this one, under a new name. */
    @WithTransaction
    public Uni<PipelineView> cloneAs(UUID tenant, String user, UUID pipelineId, String newName) {
        if (newName == null || newName.isBlank()) {
            return Uni.createFrom().failure(ApiException.invalid("$.name", "is required and must not be empty"));
        }
        UUID cloneId = UUID.randomUUID();
        Instant now = Timestamps.now();
        return queries.findVisible(tenant, pipelineId, null)
                .chain(queries::definition)
                .chain(source -> {
                    ObjectNode document = mapper.valueToTree(source);
                    document.put("name", newName);
                    TemplateDefinition clone = bodies.reread(document, null);
                    return ensureNameFree(tenant, clone.name(), cloneId)
                            .chain(() -> insertVersion(tenant, cloneId, 1, true, clone, user, now, now, row -> {
                            }));
                });
    }

    /**
     * Version 1 of a tenant pipeline made from a system template version; the pipeline and every
     * later version of it record where it came from.
     */
    @WithTransaction
    public Uni<PipelineView> createDerived(UUID tenant, String user, TemplateDefinition definition, UUID templateId,
            int templateVersion) {
        UUID pipelineId = UUID.randomUUID();
        Instant now = Timestamps.now();
        return bodies.knownReferences(tenant, definition)
                .chain(() -> tenants.ensure(tenant))
                .chain(() -> ensureNameFree(tenant, definition.name(), pipelineId))
                .chain(() -> insertVersion(tenant, pipelineId, 1, true, definition, user, now, now,
                        row -> {
                            row.sourcePipelineId = templateId;
                            row.sourceVersion = templateVersion;
                        }))
                .chain(view -> queries.withDerivation(view, templateId, templateVersion));
    }

    /**
     * A system template's next version: version 1 when {@code latest} (its latest version row,
     * {@link PipelineQueries#systemVersion}) is null. For the catalog's publisher, whose
     * transaction (and advisory lock) it joins.
     */
    @WithTransaction
    public Uni<Void> writeSystemVersion(UUID pipelineId, String slug, String sourceHash, TemplateDefinition definition,
            PipelineTemplateEntity latest) {
        Instant now = Timestamps.now();
        Consumer<PipelineTemplateEntity> system = row -> {
            row.system = true;
            row.slug = slug;
            row.sourceHash = sourceHash;
        };
        if (latest == null) {
            return insertVersion(null, pipelineId, 1, true, definition, "system", now, now, system).replaceWithVoid();
        }
        return supersede(latest)
                .chain(() -> insertVersion(null, pipelineId, latest.version + 1, true, definition, "system",
                        latest.createdAt, now, system))
                .replaceWithVoid();
    }

    // ------------------------------------------------------------------ internals

    /** The latest version, locked for an edit; a system template is refused with a 403 that says what to do. */
    private Uni<PipelineTemplateEntity> findForEdit(UUID tenant, UUID pipelineId) {
        // Edits of one pipeline are serialized on its version-1 row, which never changes:
        // locking the latest row instead would let a waiting editor find it no longer latest.
        return PipelineTemplateEntity.<PipelineTemplateEntity>find(
                        "pipelineId = ?1 and tenantId = ?2 and version = 1", pipelineId, tenant)
                .withLock(LockModeType.PESSIMISTIC_WRITE).<PipelineTemplateEntity>firstResult()
                .chain(first -> first == null
                        ? Uni.createFrom().<PipelineTemplateEntity>failure(PipelineQueries.notFound(pipelineId))
                        : PipelineQueries.find(tenant, pipelineId, null))
                .onFailure(ApiException.class).recoverWithUni(e -> PipelineQueries.refuseSystem(pipelineId, "edit", e));
    }

    private Uni<Void> ensureNameFree(UUID tenant, String name, UUID pipelineId) {
        return PipelineTemplateEntity.<PipelineTemplateEntity>find(
                        "tenantId = ?1 and lower(name) = lower(?2) and pipelineId <> ?3", tenant, name, pipelineId)
                .firstResult()
                .map(other -> {
                    if (other != null) {
                        throw ApiException.conflict("the name '" + name + "' is used by pipeline " + other.pipelineId
                                + " (names stay reserved by every version of a pipeline)");
                    }
                    return null;
                });
    }

    private Uni<PipelineView> newVersion(PipelineTemplateEntity latest, String user, TemplateDefinition definition) {
        Instant now = Timestamps.now();
        return supersede(latest)
                .chain(() -> insertVersion(latest.tenantId, latest.pipelineId, latest.version + 1, latest.active,
                        definition, user, latest.createdAt, now, row -> {
                            row.sourcePipelineId = latest.sourcePipelineId;
                            row.sourceVersion = latest.sourceVersion;
                        }))
                .chain(view -> latest.sourcePipelineId == null ? Uni.createFrom().item(view)
                        : queries.withDerivation(view, latest.sourcePipelineId, latest.sourceVersion));
    }

    /**
     * The latest row stops being latest, before its successor is inserted: the partial unique
     * index allows one latest row per pipeline, and a concurrent writer fails on it (409).
     */
    private static Uni<Void> supersede(PipelineTemplateEntity latest) {
        return PipelineTemplateEntity.update("latest = false where id = ?1", latest.id).replaceWithVoid();
    }

    private Uni<PipelineView> insertVersion(UUID tenant, UUID pipelineId, int version, boolean active,
            TemplateDefinition d, String user, Instant createdAt, Instant updatedAt,
            Consumer<PipelineTemplateEntity> marks) {
        PipelineTemplateEntity row = pipelineRows.templateRow(tenant, pipelineId, version, active, d, user, createdAt, updatedAt);
        marks.accept(row);
        if (tenant != null) {
            changes.written(pipelineId);
        }
        List<PipelineStepEntity> steps = d.steps().stream().map(s -> pipelineRows.stepRow(row.id, s)).toList();
        return row.<PipelineTemplateEntity>persist()
                .chain(() -> PipelineStepEntity.persist(steps))
                .chain(() -> Panache.getSession().chain(s -> s.flush()))
                .map(ignored -> pipelineRows.view(row, steps));
    }
}
