-- System templates (issue 14): the five templates shipped as files under
-- src/main/resources/system-templates/ are stored as pipelines without a tenant
-- (tenant_id NULL, is_system TRUE), one version per content change of their file.
-- A tenant pipeline made from one with POST /api/v1/pipeline-templates/{id}/use records
-- which template and version it came from; every later version keeps that record.

ALTER TABLE pipeline_templates
    ADD COLUMN slug                   TEXT,   -- system templates: the file's name, e.g. full-security-scan
    ADD COLUMN source_hash            TEXT,   -- system templates: SHA-256 of the file as shipped
    ADD COLUMN source_pipeline_id     UUID,   -- tenant pipelines: the system template used
    ADD COLUMN source_version         INTEGER,
    ADD CONSTRAINT ck_pipeline_templates_system_shape CHECK (
        (is_system AND tenant_id IS NULL AND slug IS NOT NULL AND source_hash IS NOT NULL)
        OR (NOT is_system AND tenant_id IS NOT NULL AND slug IS NULL)),
    ADD CONSTRAINT ck_pipeline_templates_source CHECK (
        (source_pipeline_id IS NULL) = (source_version IS NULL));

CREATE UNIQUE INDEX uq_pipeline_templates_system_slug_latest
    ON pipeline_templates (slug) WHERE is_system AND is_latest;
