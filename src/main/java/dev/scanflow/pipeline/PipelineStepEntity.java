package dev.scanflow.pipeline;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A step of one template version. Its row id is internal; users address steps by key. */
@Entity
@Table(name = "pipeline_steps")
public class PipelineStepEntity extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "template_id", nullable = false)
    public UUID templateId;

    @Column(name = "step_key", columnDefinition = "text")
    public String stepKey;

    @Column(columnDefinition = "text")
    public String name;

    @Column(name = "step_order")
    public int stepOrder;

    @Column(columnDefinition = "text")
    public String tool;

    @Column(name = "capabilities", columnDefinition = "_text")
    @JdbcTypeCode(SqlTypes.ARRAY)
    public List<String> capabilities;

    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> config;

    @Column(name = "timeout_seconds")
    public int timeoutSeconds;

    @Column(name = "depends_on", columnDefinition = "_text")
    @JdbcTypeCode(SqlTypes.ARRAY)
    public List<String> dependsOn;

    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> condition;

    @Column(name = "max_retries")
    public Integer maxRetries;

    @Column(name = "retry_delay_seconds")
    public Integer retryDelaySeconds;
}
