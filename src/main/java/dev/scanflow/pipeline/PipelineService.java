package dev.scanflow.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scanflow.auth.TenantRegistry;
import dev.scanflow.common.ApiException;
import dev.scanflow.common.Applied;
import dev.scanflow.common.Cursor;
import dev.scanflow.common.Page;
import dev.scanflow.common.Timestamps;
import dev.scanflow.domain.ValidationError;
import dev.scanflow.pipeline.definition.TemplateDefinition;
import dev.scanflow.pipeline.definition.TemplateReader;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * Pipeline templates and their versions. Every edit, steps included, writes a new version; the
 * earlier ones stay readable. All queries are scoped by the caller's tenant: another tenant's
 * pipeline is simply not found.
 */
@ApplicationScoped
public class PipelineService {

    private final ObjectMapper mapper;
    private final TemplateReader reader;
    private final PipelineRows pipelineRows;
    private final TenantRegistry tenants;
    private final ChannelNames channels;

    public PipelineService(ObjectMapper mapper, TemplateReader reader, PipelineRows pipelineRows, TenantRegistry tenants,
            ChannelNames channels) {
        this.channels = channels;
        this.mapper = mapper;
        this.reader = reader;
        this.pipelineRows = pipelineRows;
        this.tenants = tenants;
    }

    // ------------------------------------------------------------------ reading bodies

    /**
     * Reads a template body: every error at once, or the normalized definition. The read-only
     * fields the design document's example and the API's own answers carry are accepted, except
     * a {@code tenant_id} of another tenant or (for {@code expectedId}) an {@code id} of another
     * pipeline, which would say the body is meant for something else. Channel names are looked
     * up even when other parts are wrong, so that their errors come in the same answer.
     */
    public Uni<TemplateDefinition> read(JsonNode body, UUID tenant, UUID expectedId) {
        TemplateReader.Result result = reader.read(body);
        List<ValidationError> errors = new ArrayList<>(result.errors());
        JsonNode tenantId = result.readOnly().get("tenant_id");
        if (tenantId != null && !tenantId.asText().equals(tenant.toString()) && isUuid(tenantId)) {
            errors.add(ValidationError.at("$.tenant_id", "is another tenant's id: the tenant comes from your token; "
                    + "leave tenant_id out"));
        }
        JsonNode id = result.readOnly().get("id");
        if (expectedId != null && id != null && isUuid(id) && !id.asText().equals(expectedId.toString())) {
            errors.add(ValidationError.at("$.id", "is pipeline " + id.asText() + ", not " + expectedId
                    + " (the one in the path); leave id out"));
        }
        List<String> channelNames = new ArrayList<>();
        JsonNode written = body == null ? null : body.path("settings").path("notification").path("channels");
        if (written != null && written.isArray()) {
            written.forEach(n -> channelNames.add(n.isTextual() ? n.textValue() : null));
        }
        return unknownChannels(tenant, channelNames).map(channelErrors -> {
            errors.addAll(channelErrors);
            if (!errors.isEmpty()) {
                throw ApiException.invalid("Invalid pipeline template", errors);
            }
            return result.definition();
        });
    }

    private static boolean isUuid(JsonNode node) {
        try {
            UUID.fromString(node.asText());
            return node.isTextual();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    // ------------------------------------------------------------------ reads

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
        StringBuilder q = new StringBuilder("tenantId = :tenant and latest = true");
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

    /** The latest version of a pipeline, as a run pins it. */
    public record PinnedTemplate(UUID templateId, UUID pipelineId, int version, String name, boolean active,
            TemplateDefinition definition) {
    }

    @WithSession
    public Uni<PinnedTemplate> pinLatest(UUID tenant, UUID pipelineId) {
        return find(tenant, pipelineId, null, false)
                .onFailure(ApiException.class).recoverWithUni(e -> refuseSystem(pipelineId, "run or trigger", e))
                .chain(row -> definition(row)
                .map(d -> new PinnedTemplate(row.id, row.pipelineId, row.version, row.name, row.active, d)));
    }

    // ------------------------------------------------------------------ writes

    @WithTransaction
    public Uni<PipelineView> create(UUID tenant, String user, TemplateDefinition definition) {
        UUID pipelineId = UUID.randomUUID();
        Instant now = Timestamps.now();
        return channelsKnown(tenant, definition)
                .chain(() -> tenants.ensure(tenant))
                .chain(() -> ensureNameFree(tenant, definition.name(), pipelineId))
                .chain(() -> insertVersion(tenant, pipelineId, 1, true, definition, user, now, now));
    }

    /**
     * Declarative: creates the pipeline named in the body, or writes a new version of the
     * tenant's pipeline of that name only when the body differs from its latest version; the
     * same body again changes nothing and answers the same version.
     */
    @WithTransaction
    public Uni<Applied<PipelineView>> apply(UUID tenant, String user, TemplateDefinition definition) {
        return PipelineTemplateEntity.<PipelineTemplateEntity>find(
                        "tenantId = ?1 and lower(name) = lower(?2) and latest = true", tenant, definition.name())
                .firstResult()
                .chain(latest -> {
                    if (latest == null) {
                        return create(tenant, user, definition).map(v -> new Applied<>(v, Applied.Outcome.CREATED));
                    }
                    return findForEdit(tenant, latest.pipelineId).chain(locked -> definition(locked).chain(current -> {
                        if (sameDefinition(current, definition)) {
                            return view(locked).map(v -> new Applied<>(v, Applied.Outcome.UNCHANGED));
                        }
                        return channelsKnown(tenant, definition)
                                .chain(() -> newVersion(locked, user, definition))
                                .map(v -> new Applied<>(v, Applied.Outcome.UPDATED));
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
                .chain(latest -> channelsKnown(tenant, definition)
                        .chain(() -> ensureNameFree(tenant, definition.name(), pipelineId))
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
                .chain(latest -> definition(latest).chain(current -> {
                    ObjectNode changed = edit.apply(mapper.valueToTree(current), current);
                    TemplateDefinition next = revalidate(changed, StepEdits.pathOf(changed, focusStepId));
                    return channelsKnown(tenant, next).chain(() -> newVersion(latest, user, next));
                }));
    }

    @WithTransaction
    public Uni<Void> deactivate(UUID tenant, UUID pipelineId) {
        return PipelineTemplateEntity.update("active = false where pipelineId = ?1 and tenantId = ?2", pipelineId, tenant)
                .chain(count -> count == 0
                        ? refuseSystem(pipelineId, "delete", notFound(pipelineId)).replaceWithVoid()
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
        return findVisible(tenant, pipelineId, null)
                .chain(this::definition)
                .chain(source -> {
                    ObjectNode document = mapper.valueToTree(source);
                    document.put("name", newName);
                    TemplateDefinition clone = revalidate(document, null);
                    return ensureNameFree(tenant, clone.name(), cloneId)
                            .chain(() -> insertVersion(tenant, cloneId, 1, true, clone, user, now, now));
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
        return channelsKnown(tenant, definition)
                .chain(() -> tenants.ensure(tenant))
                .chain(() -> ensureNameFree(tenant, definition.name(), pipelineId))
                .chain(() -> insertVersion(tenant, pipelineId, 1, true, definition, user, now, now,
                        row -> {
                            row.sourcePipelineId = templateId;
                            row.sourceVersion = templateVersion;
                        }))
                .chain(view -> withDerivation(view, templateId, templateVersion));
    }

    /** What loading a system template's file did. */
    public enum Published { CREATED, NEW_VERSION, UNCHANGED }

    /**
     * Stores a system template file as loaded at start-up: nothing when its latest version came
     * from the same content, else a new version. Replicas starting together take turns (an
     * advisory lock per slug), so each content change is one version.
     */
    @WithTransaction
    public Uni<Published> publishSystem(String slug, String sourceHash, TemplateDefinition definition) {
        UUID pipelineId = systemPipelineId(slug);
        return Panache.getSession()
                .chain(session -> session.createNativeQuery("SELECT CAST(pg_advisory_xact_lock(hashtextextended(:key, 0)) AS text)")
                        .setParameter("key", "system-template:" + slug).getSingleResult())
                .chain(() -> systemVersion(pipelineId, null))
                .chain(latest -> {
                    Instant now = Timestamps.now();
                    Consumer<PipelineTemplateEntity> system = row -> {
                        row.system = true;
                        row.slug = slug;
                        row.sourceHash = sourceHash;
                    };
                    if (latest == null) {
                        return insertVersion(null, pipelineId, 1, true, definition, "system", now, now, system)
                                .replaceWith(Published.CREATED);
                    }
                    if (sourceHash.equals(latest.sourceHash)) {
                        return Uni.createFrom().item(Published.UNCHANGED);
                    }
                    return PipelineTemplateEntity.update("latest = false where id = ?1", latest.id)
                            .chain(() -> insertVersion(null, pipelineId, latest.version + 1, true, definition, "system",
                                    latest.createdAt, now, system))
                            .replaceWith(Published.NEW_VERSION);
                });
    }

    /** A system template's pipeline id: the same on every installation, derived from its file's name. */
    public static UUID systemPipelineId(String slug) {
        return UUID.nameUUIDFromBytes(("scanflow:system-template:" + slug).getBytes(StandardCharsets.UTF_8));
    }

    /** The latest version of every system template, with its steps, by name. */
    @WithSession
    public Uni<List<PipelineView>> systemTemplates() {
        return PipelineTemplateEntity.<PipelineTemplateEntity>list(LATEST_SYSTEM + " order by name")
                .chain(rows -> rows.isEmpty() ? Uni.createFrom().item(List.<PipelineView>of())
                        : PipelineStepEntity.<PipelineStepEntity>list("templateId in ?1", rows.stream().map(r -> r.id).toList())
                                .map(steps -> rows.stream().map(r -> pipelineRows.view(r,
                                        steps.stream().filter(st -> st.templateId.equals(r.id)).toList())).toList()));
    }

    /** A system template by pipeline id or slug: its latest version, or {@code version}. */
    @WithSession
    public Uni<PipelineView> systemTemplate(String idOrSlug, Integer version) {
        UUID id = systemIdOf(idOrSlug);
        return systemVersion(id, version).chain(row -> {
            if (row == null) {
                throw version == null ? ApiException.notFound("system template " + idOrSlug)
                        : ApiException.notFound("version " + version + " of system template " + idOrSlug);
            }
            return view(row);
        });
    }

    private static UUID systemIdOf(String idOrSlug) {
        try {
            return UUID.fromString(idOrSlug);
        } catch (IllegalArgumentException e) {
            return systemPipelineId(idOrSlug);
        }
    }

    // ------------------------------------------------------------------ internals

    /** 422 when {@code settings.notification.channels} names a channel the tenant does not have. */
    private Uni<Void> channelsKnown(UUID tenant, TemplateDefinition d) {
        List<String> names = d.settings() == null || d.settings().notification() == null
                || d.settings().notification().channels() == null ? List.of() : d.settings().notification().channels();
        return unknownChannels(tenant, names).map(errors -> {
            if (!errors.isEmpty()) {
                throw ApiException.invalid("Invalid pipeline template", errors);
            }
            return null;
        });
    }

    /** An error for each name (by its position; null entries are skipped) that is no channel of the tenant. */
    private Uni<List<ValidationError>> unknownChannels(UUID tenant, List<String> names) {
        List<String> given = names.stream().filter(java.util.Objects::nonNull).toList();
        return channels.unknown(tenant, given).map(unknown -> {
            List<ValidationError> errors = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                if (names.get(i) != null && unknown.contains(names.get(i))) {
                    errors.add(ValidationError.at("$.settings.notification.channels[" + i + "]", "'" + names.get(i)
                            + "' is neither a channel kind (slack, email, webhook) nor one of your notification "
                            + "channels (POST /api/v1/notification-channels)"));
                }
            }
            return errors;
        });
    }

    /** A tenant's pipeline or, failing that, a system template. */
    private Uni<PipelineTemplateEntity> findVisible(UUID tenant, UUID pipelineId, Integer version) {
        return find(tenant, pipelineId, version, false).onFailure(ApiException.class).recoverWithUni(e -> {
            return systemVersion(pipelineId, version).map(row -> {
                if (row == null) {
                    throw (ApiException) e;
                }
                return row;
            });
        });
    }

    /** The latest version, locked for an edit; a system template is refused with a 403 that says what to do. */
    private Uni<PipelineTemplateEntity> findForEdit(UUID tenant, UUID pipelineId) {
        return find(tenant, pipelineId, null, true)
                .onFailure(ApiException.class).recoverWithUni(e -> refuseSystem(pipelineId, "edit", e));
    }

    /** The latest versions of system templates, in the entity's query language. */
    private static final String LATEST_SYSTEM = "system = true and latest = true";

    /** A system template's version, the latest when {@code version} is null: the one place this query is written. */
    private static Uni<PipelineTemplateEntity> systemVersion(UUID pipelineId, Integer version) {
        return (version == null
                ? PipelineTemplateEntity.<PipelineTemplateEntity>find("pipelineId = ?1 and " + LATEST_SYSTEM,
                        pipelineId)
                : PipelineTemplateEntity.<PipelineTemplateEntity>find("pipelineId = ?1 and system = true and version = ?2",
                        pipelineId, version)).firstResult();
    }

    /** 403 when the pipeline is a system template, else the original failure (a 404). */
    private static <T> Uni<T> refuseSystem(UUID pipelineId, String action, Throwable original) {
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

    private Uni<PipelineView> withDerivation(PipelineView view, UUID templateId, int templateVersion) {
        return systemVersion(templateId, null)
                .map(latest -> latest == null ? view : copyWith(view, new DerivedFrom(templateId, latest.slug, latest.name,
                        templateVersion, latest.version, latest.version > templateVersion)));
    }

    private static PipelineView copyWith(PipelineView v, DerivedFrom d) {
        return new PipelineView(v.id(), v.tenantId(), v.name(), v.description(), v.version(), v.isActive(), v.isSystem(), v.slug(),
                v.tags(), v.triggers(), v.steps(), v.settings(), d, v.createdBy(), v.createdAt(), v.updatedAt());
    }

    private Uni<PipelineTemplateEntity> find(UUID tenant, UUID pipelineId, Integer version, boolean lock) {
        var query = version == null
                ? PipelineTemplateEntity.<PipelineTemplateEntity>find(
                        "pipelineId = ?1 and tenantId = ?2 and latest = true", pipelineId, tenant)
                : PipelineTemplateEntity.<PipelineTemplateEntity>find(
                        "pipelineId = ?1 and tenantId = ?2 and version = ?3", pipelineId, tenant, version);
        Uni<PipelineTemplateEntity> found = lock
                // Edits of one pipeline are serialized on its version-1 row, which never changes:
                // locking the latest row instead would let a waiting editor find it no longer latest.
                ? PipelineTemplateEntity.<PipelineTemplateEntity>find(
                                "pipelineId = ?1 and tenantId = ?2 and version = 1", pipelineId, tenant)
                        .withLock(LockModeType.PESSIMISTIC_WRITE).<PipelineTemplateEntity>firstResult()
                        .chain(first -> first == null
                                ? Uni.createFrom().<PipelineTemplateEntity>nullItem()
                                : query.<PipelineTemplateEntity>firstResult())
                : query.<PipelineTemplateEntity>firstResult();
        return found.map(row -> {
            if (row == null) {
                throw version == null ? notFound(pipelineId)
                        : ApiException.notFound("version " + version + " of pipeline " + pipelineId);
            }
            return row;
        });
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
        // The old row stops being latest before the new one is inserted: the partial unique
        // index allows one latest row per pipeline, and a concurrent editor fails on it (409).
        return PipelineTemplateEntity.update("latest = false where id = ?1", latest.id)
                .chain(() -> insertVersion(latest.tenantId, latest.pipelineId, latest.version + 1, latest.active,
                        definition, user, latest.createdAt, now, row -> {
                            row.sourcePipelineId = latest.sourcePipelineId;
                            row.sourceVersion = latest.sourceVersion;
                        }))
                .chain(view -> latest.sourcePipelineId == null ? Uni.createFrom().item(view)
                        : withDerivation(view, latest.sourcePipelineId, latest.sourceVersion));
    }

    private Uni<PipelineView> insertVersion(UUID tenant, UUID pipelineId, int version, boolean active,
            TemplateDefinition d, String user, Instant createdAt, Instant updatedAt) {
        return insertVersion(tenant, pipelineId, version, active, d, user, createdAt, updatedAt, row -> {
        });
    }

    private Uni<PipelineView> insertVersion(UUID tenant, UUID pipelineId, int version, boolean active,
            TemplateDefinition d, String user, Instant createdAt, Instant updatedAt,
            Consumer<PipelineTemplateEntity> marks) {
        PipelineTemplateEntity row = pipelineRows.templateRow(tenant, pipelineId, version, active, d, user, createdAt, updatedAt);
        marks.accept(row);
        List<PipelineStepEntity> steps = d.steps().stream().map(s -> pipelineRows.stepRow(row.id, s)).toList();
        return row.<PipelineTemplateEntity>persist()
                .chain(() -> PipelineStepEntity.persist(steps))
                .chain(() -> Panache.getSession().chain(s -> s.flush()))
                .map(ignored -> pipelineRows.view(row, steps));
    }

    private Uni<List<PipelineStepEntity>> steps(PipelineTemplateEntity row) {
        return PipelineStepEntity.<PipelineStepEntity>list("templateId", row.id);
    }

    private Uni<PipelineView> view(PipelineTemplateEntity row) {
        Uni<PipelineView> view = steps(row).map(steps -> pipelineRows.view(row, steps));
        return row.sourcePipelineId == null ? view
                : view.chain(v -> withDerivation(v, row.sourcePipelineId, row.sourceVersion));
    }

    public Uni<TemplateDefinition> definition(PipelineTemplateEntity row) {
        return steps(row).map(steps -> pipelineRows.definition(row, steps));
    }

    private TemplateDefinition revalidate(ObjectNode document, String focusStepPath) {
        TemplateReader.Result result = reader.read(document);
        if (!result.valid()) {
            List<ValidationError> errors = result.errors().stream()
                    .map(e -> focusStepPath != null && e.path().startsWith(focusStepPath)
                            ? ValidationError.at("$" + e.path().substring(focusStepPath.length()), e.message())
                            : e)
                    .toList();
            throw ApiException.invalid("Invalid pipeline template", errors);
        }
        return result.definition();
    }

    static ApiException notFound(UUID pipelineId) {
        return ApiException.notFound("pipeline " + pipelineId);
    }
}
