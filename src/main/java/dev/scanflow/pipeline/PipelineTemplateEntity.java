package dev.scanflow.pipeline;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One version of a pipeline; {@code pipelineId} is the identity users see across versions. */
@Entity
@Table(name = "pipeline_templates")
public class PipelineTemplateEntity extends PanacheEntityBase {

    /**
     * "The current version of its pipeline", in the entity's query language: the one place the
     * rule is written (one such row per pipeline, a partial unique index).
     */
    public static final String LATEST = "latest = true";

    @Id
    public UUID id;

    @Column(name = "pipeline_id", nullable = false)
    public UUID pipelineId;

    @Column(name = "tenant_id")
    public UUID tenantId;

    @Column(columnDefinition = "text")
    public String name;

    @Column(columnDefinition = "text")
    public String description;

    public int version;

    @Column(name = "is_latest")
    public boolean latest;

    @Column(name = "is_active")
    public boolean active;

    @Column(name = "is_system")
    public boolean system;

    @Column(name = "tags", columnDefinition = "_text")
    @JdbcTypeCode(SqlTypes.ARRAY)
    public List<String> tags;

    /** {@code {"items": [normalized triggers]}}: a JSON object, as Hibernate Reactive maps JSON columns to objects. */
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> triggers;

    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> settings;

    /** System templates: the file's name (e.g. full-security-scan); null for tenant pipelines. */
    @Column(columnDefinition = "text")
    public String slug;

    /** System templates: SHA-256 of the file this version was loaded from. */
    @Column(name = "source_hash", columnDefinition = "text")
    public String sourceHash;

    /** Tenant pipelines made from a system template: which one, and which version of it. */
    @Column(name = "source_pipeline_id")
    public UUID sourcePipelineId;

    @Column(name = "source_version")
    public Integer sourceVersion;

    @Column(name = "created_by", columnDefinition = "text")
    public String createdBy;

    /** When the pipeline (version 1) was created; copied to every version. */
    @Column(name = "created_at")
    public Instant createdAt;

    /** When this version was written. */
    @Column(name = "updated_at")
    public Instant updatedAt;
}
