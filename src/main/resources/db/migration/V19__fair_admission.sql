-- Fair admission (issue 24): per-target budgets, run limits, fair share between tenants.

-- tenants (auth's): a tenant's share of shared workers (weighted fair share, default equal) and
-- the most runs it may have running at once (null: no limit); both set by a platform admin.
ALTER TABLE tenants
    ADD COLUMN weight              INTEGER NOT NULL DEFAULT 1 CHECK (weight BETWEEN 1 AND 1000),
    ADD COLUMN max_concurrent_runs INTEGER CHECK (max_concurrent_runs > 0),
    ADD COLUMN updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    ADD COLUMN updated_by          TEXT;

-- scan_policies (scope's): a tenant's budgets for the targets it scans, [{target,
-- max_active_steps, requests_per_second}]; the lowest budget any tenant declares for a target holds.
ALTER TABLE scan_policies ADD COLUMN target_budgets JSONB NOT NULL DEFAULT '[]'::jsonb;

-- pipeline_runs (the engine's): a run a limit holds stays pending and says why; the pipeline's
-- run limit (settings.max_concurrent_runs of the run's version) is kept with the run, and the key
-- of its asset's target (a dispatch pass takes a few waiting steps per target and tenant).
ALTER TABLE pipeline_runs
    ADD COLUMN wait_reason TEXT,
    ADD COLUMN max_concurrent_runs INTEGER,
    ADD COLUMN target_key TEXT;

-- target_holds (the engine's): one row per step given to a worker while its target's budget
-- counts it, written in the transaction that dispatches the step and deleted in the one that
-- frees its worker slot; a target's rows are counted under a transaction-scoped advisory lock on
-- the target, so a budget holds across replicas.
CREATE TABLE target_holds (
    step_run_id  UUID PRIMARY KEY REFERENCES step_runs (id) ON DELETE CASCADE,
    target       TEXT NOT NULL,
    tenant_id    UUID NOT NULL,
    held_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX target_holds_target ON target_holds (target);

-- pending runs waiting for a limit, by tenant, in the order they may start
CREATE INDEX pipeline_runs_pending ON pipeline_runs (tenant_id, created_at) WHERE status = 'pending';
-- running runs, counted by tenant and by pipeline against their limits
CREATE INDEX pipeline_runs_running ON pipeline_runs (tenant_id, pipeline_id) WHERE status = 'running';
