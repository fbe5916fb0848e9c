package dev.scanflow.asset;

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

/** Something a tenant scans: a repository, a domain, a web application, ... */
@Entity
@Table(name = "assets")
public class AssetEntity extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "tenant_id", nullable = false)
    public UUID tenantId;

    @Column(columnDefinition = "text")
    public String type;

    @Column(columnDefinition = "text")
    public String name;

    @Column(columnDefinition = "text")
    public String url;

    @Column(name = "tags", columnDefinition = "_text")
    @JdbcTypeCode(SqlTypes.ARRAY)
    public List<String> tags;

    @Column(columnDefinition = "text")
    public String criticality;

    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> properties;

    /** The names of the scan credentials its scans use to fetch it. */
    @Column(name = "credentials", columnDefinition = "_text")
    @JdbcTypeCode(SqlTypes.ARRAY)
    public List<String> credentials;

    @Column(name = "created_by", columnDefinition = "text")
    public String createdBy;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "updated_at")
    public Instant updatedAt;
}
