-- Scanflow initial schema. UUID ids everywhere except workers, whose id is the text the worker chose.

CREATE TABLE tenants (
    id          UUID PRIMARY KEY,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE assets (
    id           UUID PRIMARY KEY,
    tenant_id    UUID NOT NULL REFERENCES tenants (id),
    type         TEXT NOT NULL,
    name         TEXT NOT NULL,
    url          TEXT,
    tags         TEXT[] NOT NULL DEFAULT '{}',
    criticality  TEXT NOT NULL DEFAULT 'medium'
                 CHECK (criticality IN ('critical', 'high', 'medium', 'low')),
    properties   JSONB NOT NULL DEFAULT '{}'::jsonb,
    created_by   TEXT,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT uq_assets_tenant_type_name UNIQUE (tenant_id, type, name)
);
CREATE INDEX idx_assets_tenant_created ON assets (tenant_id, created_at DESC, id DESC);
CREATE INDEX idx_assets_tags ON assets USING GIN (tags);

-- One row per version of a pipeline. pipeline_id is the stable identity across versions.
CREATE TABLE pipeline_templates (
    id            UUID PRIMARY KEY,
    pipeline_id   UUID NOT NULL,
    tenant_id     UUID REFERENCES tenants (id),          -- NULL for system templates
    name          TEXT NOT NULL,
    description   TEXT,
    version       INTEGER NOT NULL CHECK (version >= 1),
    is_latest     BOOLEAN NOT NULL,
    is_active     BOOLEAN NOT NULL DEFAULT TRUE,
    is_system     BOOLEAN NOT NULL DEFAULT FALSE,
    tags          TEXT[] NOT NULL DEFAULT '{}',
    triggers      JSONB NOT NULL DEFAULT '{"items": []}'::jsonb,   -- {"items": [normalized triggers]}
    settings      JSONB NOT NULL DEFAULT '{}'::jsonb,
    created_by    TEXT,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT uq_pipeline_templates_tenant_name_version UNIQUE (tenant_id, name, version),
    CONSTRAINT uq_pipeline_templates_pipeline_version UNIQUE (pipeline_id, version)
);
-- Exactly one latest row per pipeline: concurrent edits of one pipeline conflict here.
CREATE UNIQUE INDEX uq_pipeline_templates_latest ON pipeline_templates (pipeline_id) WHERE is_latest;
CREATE INDEX idx_pipeline_templates_tenant_latest
    ON pipeline_templates (tenant_id, created_at DESC, pipeline_id DESC) WHERE is_latest;
CREATE INDEX idx_pipeline_templates_tags ON pipeline_templates USING GIN (tags);

CREATE TABLE pipeline_steps (
    id                   UUID PRIMARY KEY,
    template_id          UUID NOT NULL REFERENCES pipeline_templates (id) ON DELETE CASCADE,
    step_key             TEXT NOT NULL CHECK (step_key ~ '^[a-z][a-z0-9_]{0,62}$'),
    name                 TEXT NOT NULL,
    step_order           INTEGER NOT NULL,
    tool                 TEXT,
    capabilities         TEXT[] NOT NULL,
    config               JSONB NOT NULL DEFAULT '{}'::jsonb,
    timeout_seconds      INTEGER NOT NULL CHECK (timeout_seconds > 0),
    depends_on           TEXT[] NOT NULL DEFAULT '{}',
    condition            JSONB,
    max_retries          INTEGER CHECK (max_retries >= 0),
    retry_delay_seconds  INTEGER CHECK (retry_delay_seconds >= 0),
    CONSTRAINT uq_pipeline_steps_template_key UNIQUE (template_id, step_key)
);

CREATE TABLE workers (
    id                 TEXT PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{1,64}$'),
    tenant_id          UUID REFERENCES tenants (id),      -- NULL: shared by every tenant
    capabilities       TEXT[] NOT NULL DEFAULT '{}',
    tools              TEXT[] NOT NULL DEFAULT '{}',
    max_concurrency    INTEGER NOT NULL DEFAULT 1 CHECK (max_concurrency >= 1),
    active_commands    INTEGER NOT NULL DEFAULT 0 CHECK (active_commands >= 0),
    status             TEXT NOT NULL DEFAULT 'online'
                       CHECK (status IN ('online', 'offline', 'draining')),
    version            TEXT,
    last_heartbeat_at  TIMESTAMPTZ,
    registered_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE pipeline_runs (
    id                UUID PRIMARY KEY,
    tenant_id         UUID NOT NULL REFERENCES tenants (id),
    pipeline_id       UUID NOT NULL,
    template_id       UUID NOT NULL REFERENCES pipeline_templates (id),
    pipeline_version  INTEGER NOT NULL,
    asset_id          UUID NOT NULL REFERENCES assets (id),
    status            TEXT NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled', 'timeout')),
    trigger_type      TEXT NOT NULL
                      CHECK (trigger_type IN ('manual', 'schedule', 'webhook', 'asset_discovery', 'cronjob')),
    triggered_by      TEXT,
    priority          TEXT NOT NULL DEFAULT 'normal'
                      CHECK (priority IN ('critical', 'high', 'normal', 'low')),
    context           JSONB NOT NULL DEFAULT '{}'::jsonb,
    total_steps       INTEGER NOT NULL DEFAULT 0,
    completed_steps   INTEGER NOT NULL DEFAULT 0,
    failed_steps      INTEGER NOT NULL DEFAULT 0,
    skipped_steps     INTEGER NOT NULL DEFAULT 0,
    total_findings    INTEGER NOT NULL DEFAULT 0,
    error_message     TEXT,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at        TIMESTAMPTZ,
    completed_at      TIMESTAMPTZ,
    deadline_at       TIMESTAMPTZ
);
CREATE INDEX idx_pipeline_runs_tenant_created ON pipeline_runs (tenant_id, created_at DESC, id DESC);
CREATE INDEX idx_pipeline_runs_open ON pipeline_runs (status) WHERE status IN ('pending', 'running');

CREATE TABLE step_runs (
    id                    UUID PRIMARY KEY,
    run_id                UUID NOT NULL REFERENCES pipeline_runs (id) ON DELETE CASCADE,
    tenant_id             UUID NOT NULL,
    step_key              TEXT NOT NULL,
    name                  TEXT NOT NULL,
    step_order            INTEGER NOT NULL,
    status                TEXT NOT NULL DEFAULT 'pending'
                          CHECK (status IN ('pending', 'queued', 'running', 'completed', 'failed',
                                            'skipped', 'cancelled', 'timeout')),
    attempt               INTEGER NOT NULL DEFAULT 0,
    max_attempts          INTEGER NOT NULL DEFAULT 1,
    worker_id             TEXT,
    command_id            UUID,
    condition_evaluated   BOOLEAN NOT NULL DEFAULT FALSE,
    condition_result      BOOLEAN,
    skip_reason           TEXT,
    findings_count        INTEGER,
    findings_by_severity  JSONB,
    output                JSONB,
    error_code            TEXT,
    error_message         TEXT,
    queued_at             TIMESTAMPTZ,
    started_at            TIMESTAMPTZ,
    completed_at          TIMESTAMPTZ,
    next_attempt_at       TIMESTAMPTZ,
    CONSTRAINT uq_step_runs_run_key UNIQUE (run_id, step_key)
);

CREATE TABLE commands (
    id            UUID PRIMARY KEY,
    tenant_id     UUID NOT NULL,
    run_id        UUID NOT NULL REFERENCES pipeline_runs (id) ON DELETE CASCADE,
    step_run_id   UUID NOT NULL REFERENCES step_runs (id) ON DELETE CASCADE,
    worker_id     TEXT NOT NULL,
    type          TEXT NOT NULL CHECK (type IN ('scan', 'cancel')),
    priority      TEXT NOT NULL DEFAULT 'normal'
                  CHECK (priority IN ('critical', 'high', 'normal', 'low')),
    payload       JSONB NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'sent', 'acknowledged', 'completed', 'failed',
                                    'cancelled', 'superseded')),
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at       TIMESTAMPTZ,
    acked_at      TIMESTAMPTZ,
    completed_at  TIMESTAMPTZ
);
CREATE INDEX idx_commands_unsent ON commands (created_at) WHERE status = 'pending';
