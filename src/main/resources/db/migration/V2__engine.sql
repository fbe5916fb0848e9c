-- The orchestration engine: step runs carry the step definition they were created from (a run
-- never reads the template again), commands and run events are outboxes (written in the
-- transaction that decided them, published after commit), worker log lines are kept per step.

ALTER TABLE pipeline_runs
    ADD COLUMN max_parallel_steps INTEGER NOT NULL DEFAULT 5,
    ADD COLUMN fail_fast          BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN asset              JSONB NOT NULL DEFAULT '{}'::jsonb,
    ADD COLUMN pipeline_name      TEXT NOT NULL DEFAULT '',
    ADD COLUMN updated_at         TIMESTAMPTZ NOT NULL DEFAULT now();
CREATE INDEX idx_pipeline_runs_tenant_pipeline ON pipeline_runs (tenant_id, pipeline_id, created_at DESC);
CREATE INDEX idx_pipeline_runs_tenant_asset ON pipeline_runs (tenant_id, asset_id, created_at DESC);

ALTER TABLE step_runs
    ADD COLUMN step_index           INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN tool                 TEXT,
    ADD COLUMN capabilities         TEXT[] NOT NULL DEFAULT '{}',
    ADD COLUMN config               JSONB NOT NULL DEFAULT '{}'::jsonb,
    ADD COLUMN timeout_seconds      INTEGER NOT NULL DEFAULT 3600,
    ADD COLUMN depends_on           TEXT[] NOT NULL DEFAULT '{}',
    ADD COLUMN condition_cel        TEXT,
    ADD COLUMN condition_text       TEXT,
    ADD COLUMN retry_delay_seconds  INTEGER NOT NULL DEFAULT 30,
    ADD COLUMN skip_kind            TEXT CHECK (skip_kind IN ('condition', 'dependency')),
    ADD COLUMN dispatched_at        TIMESTAMPTZ,
    ADD COLUMN worker_losses        INTEGER NOT NULL DEFAULT 0;
CREATE INDEX idx_step_runs_command ON step_runs (command_id) WHERE command_id IS NOT NULL;
-- open work the sweeper and the dispatcher look for
CREATE INDEX idx_step_runs_active ON step_runs (status, run_id) WHERE status IN ('queued', 'running');
CREATE INDEX idx_step_runs_worker_active ON step_runs (worker_id) WHERE status IN ('queued', 'running');

ALTER TABLE commands
    ADD COLUMN subject       TEXT NOT NULL DEFAULT '',
    ADD COLUMN attempt       INTEGER NOT NULL DEFAULT 1,
    ADD COLUMN published_at  TIMESTAMPTZ;
DROP INDEX idx_commands_unsent;
CREATE INDEX idx_commands_unpublished ON commands (created_at) WHERE published_at IS NULL;

CREATE TABLE run_events (
    id            UUID PRIMARY KEY,
    seq           BIGSERIAL NOT NULL,
    tenant_id     UUID NOT NULL,
    run_id        UUID NOT NULL REFERENCES pipeline_runs (id) ON DELETE CASCADE,
    step_key      TEXT,
    type          TEXT NOT NULL,
    subject       TEXT NOT NULL,
    payload       JSONB NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    published_at  TIMESTAMPTZ
);
CREATE INDEX idx_run_events_run ON run_events (run_id, seq);
CREATE INDEX idx_run_events_unpublished ON run_events (created_at) WHERE published_at IS NULL;

CREATE TABLE step_logs (
    id           BIGSERIAL PRIMARY KEY,
    run_id       UUID NOT NULL REFERENCES pipeline_runs (id) ON DELETE CASCADE,
    step_run_id  UUID NOT NULL REFERENCES step_runs (id) ON DELETE CASCADE,
    command_id   UUID NOT NULL,
    seq          BIGINT NOT NULL,
    line         TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT uq_step_logs_command_seq UNIQUE (command_id, seq)
);
CREATE INDEX idx_step_logs_step ON step_logs (step_run_id, id);

CREATE INDEX idx_workers_status ON workers (status);

-- The next time the sweeper must look at an open step (its timeout, ack timeout, retry time or
-- queue timeout), so each sweep reads only what is due.
ALTER TABLE step_runs ADD COLUMN due_at TIMESTAMPTZ;
CREATE INDEX idx_step_runs_due ON step_runs (due_at) WHERE status IN ('queued', 'running');
CREATE INDEX idx_step_runs_waiting ON step_runs (queued_at) WHERE status = 'queued' AND command_id IS NULL;
CREATE INDEX idx_pipeline_runs_deadline ON pipeline_runs (deadline_at) WHERE status = 'running' AND deadline_at IS NOT NULL;

-- what the worker itself reports as running (for display); the engine counts active_commands itself
ALTER TABLE workers ADD COLUMN reported_active INTEGER NOT NULL DEFAULT 0;
