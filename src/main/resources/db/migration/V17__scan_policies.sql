-- The scope guard (issue 22): one scan policy per tenant, and what the engine records of it on
-- step runs. The policy's texts are stored as the API normalized them (canonical CIDRs, lower-case
-- host patterns, durations as 8h, IANA zones); the service checks them again when it loads them.

CREATE TABLE scan_policies (
    tenant_id            UUID PRIMARY KEY REFERENCES tenants (id),
    allowed_targets      TEXT[] NOT NULL DEFAULT '{}',      -- empty: every target not excluded
    excluded_targets     TEXT[] NOT NULL DEFAULT '{}',      -- win over allowed_targets
    blackout_windows     JSONB NOT NULL DEFAULT '[]'::jsonb, -- [{cron, duration, timezone}]
    active_capabilities  TEXT[] NOT NULL DEFAULT '{dast,infra,network,fuzzing}',
    version              INTEGER NOT NULL DEFAULT 1,        -- counts the policy's writes
    updated_by           TEXT,
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- step_runs (the engine's): a step the scope guard refused is skipped with skip_kind 'scope'; a
-- queued step it holds (a blackout window, a name being resolved) says why in wait_reason until
-- next_attempt_at.
ALTER TABLE step_runs DROP CONSTRAINT step_runs_skip_kind_check;
ALTER TABLE step_runs
    ADD CONSTRAINT step_runs_skip_kind_check CHECK (skip_kind IN ('condition', 'dependency', 'scope')),
    ADD COLUMN wait_reason TEXT;
