-- Runs that start by themselves (issue 13): schedules with their state and one row per fire,
-- what each trigger did with each asset, queued fires and idempotency keys.

-- machine callers (the CronJob, scripts) start runs as 'api'; 'cronjob' stays for older rows
ALTER TABLE pipeline_runs DROP CONSTRAINT pipeline_runs_trigger_type_check;
ALTER TABLE pipeline_runs ADD CONSTRAINT pipeline_runs_trigger_type_check
    CHECK (trigger_type IN ('manual', 'schedule', 'webhook', 'asset_discovery', 'api', 'cronjob'));
-- the overlap rules look for a pipeline's active runs on an asset
CREATE INDEX idx_pipeline_runs_active_on_asset ON pipeline_runs (pipeline_id, asset_id)
    WHERE status IN ('pending', 'running');

-- One row per schedule trigger of a pipeline's latest version. trigger_key is the trigger's
-- name, or its position in the template's triggers (0-based) when it has none. A new schedule
-- or a changed definition (definition_hash) moves baseline_at to now: no fire before it counts,
-- so saving a template never starts a run for the past. A resume moves it to when the pause
-- began, so the trigger's catch-up decides about the fires the pause held back.
CREATE TABLE schedules (
    pipeline_id      UUID NOT NULL,
    trigger_key      TEXT NOT NULL,
    tenant_id        UUID NOT NULL REFERENCES tenants (id),
    pipeline_name    TEXT NOT NULL,
    position         INTEGER NOT NULL,
    definition       JSONB NOT NULL,
    definition_hash  TEXT NOT NULL,
    active           BOOLEAN NOT NULL DEFAULT TRUE,
    paused           BOOLEAN NOT NULL DEFAULT FALSE,
    paused_at        TIMESTAMPTZ,
    baseline_at      TIMESTAMPTZ NOT NULL,
    next_fire_at     TIMESTAMPTZ,
    last_fire_at     TIMESTAMPTZ,
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (pipeline_id, trigger_key)
);
CREATE INDEX idx_schedules_due ON schedules (next_fire_at) WHERE active AND NOT paused;

-- Exactly once per (schedule, nominal fire time): written in the transaction that creates the
-- fire's runs, so a replica that dies mid-fire leaves all of them or none.
CREATE TABLE schedule_fires (
    pipeline_id  UUID NOT NULL,
    trigger_key  TEXT NOT NULL,
    fire_at      TIMESTAMPTZ NOT NULL,
    tenant_id    UUID NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('schedule', 'catchup', 'api')),
    fired_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (pipeline_id, trigger_key, fire_at)
);

-- What a trigger did about an asset (or a whole fire): every skipped, queued, replaced, missed,
-- held, debounced, filtered or unmatched start is recorded with its reason, never silent.
CREATE TABLE trigger_outcomes (
    id            BIGSERIAL PRIMARY KEY,
    tenant_id     UUID NOT NULL,
    pipeline_id   UUID NOT NULL,
    trigger_key   TEXT NOT NULL,
    trigger_type  TEXT NOT NULL,
    fire_at       TIMESTAMPTZ,
    asset_id      UUID,
    outcome       TEXT NOT NULL CHECK (outcome IN ('started', 'skipped', 'queued', 'replaced', 'missed', 'held',
                                                   'debounced', 'filtered', 'unmatched')),
    reason        TEXT,
    run_id        UUID,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_trigger_outcomes_trigger ON trigger_outcomes (pipeline_id, trigger_key, id DESC);

-- overlap: queue. At most one fire waits per pipeline and asset, started when the active run ends.
CREATE TABLE queued_fires (
    pipeline_id      UUID NOT NULL,
    asset_id         UUID NOT NULL,
    tenant_id        UUID NOT NULL,
    trigger_key      TEXT NOT NULL,
    trigger_type     TEXT NOT NULL,
    fire_at          TIMESTAMPTZ,
    waiting_for_run  UUID NOT NULL,
    triggered_by     TEXT NOT NULL,
    context          JSONB NOT NULL DEFAULT '{}'::jsonb,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (pipeline_id, asset_id)
);

-- Idempotency-Key of POST .../run and .../fire: the first request's runs, kept at least 24 h.
CREATE TABLE idempotency_keys (
    tenant_id     UUID NOT NULL,
    key           TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    run_ids       UUID[] NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idx_idempotency_keys_created ON idempotency_keys (created_at);
