-- A worker's capacity as one row per slot (docs/adr/0003-worker-slots.md). A counter on the
-- workers row serialized every transition that freed or took a slot of the same worker (the
-- row stayed locked until commit); slot rows are claimed with FOR UPDATE SKIP LOCKED, so
-- transitions of different runs on one worker take different rows and never wait for each other.
CREATE TABLE worker_slots (
    worker_id   TEXT    NOT NULL REFERENCES workers (id) ON DELETE CASCADE,
    slot        INTEGER NOT NULL,
    -- the step whose command holds the slot; NULL when free
    step_run_id UUID REFERENCES step_runs (id) ON DELETE SET NULL,
    PRIMARY KEY (worker_id, slot)
);
CREATE UNIQUE INDEX idx_worker_slots_step ON worker_slots (step_run_id) WHERE step_run_id IS NOT NULL;
CREATE INDEX idx_worker_slots_free ON worker_slots (worker_id, slot) WHERE step_run_id IS NULL;
CREATE INDEX idx_worker_slots_busy ON worker_slots (worker_id) WHERE step_run_id IS NOT NULL;

-- every worker's slots, then the steps that hold one now take theirs
INSERT INTO worker_slots (worker_id, slot)
SELECT w.id, g
FROM workers w
CROSS JOIN LATERAL generate_series(0, greatest(w.max_concurrency,
    (SELECT count(*) FROM step_runs s WHERE s.worker_id = w.id AND s.command_id IS NOT NULL
       AND s.status IN ('queued', 'running'))::int) - 1) g;
UPDATE worker_slots ws SET step_run_id = held.id
FROM (SELECT id, worker_id, (row_number() OVER (PARTITION BY worker_id ORDER BY dispatched_at, id) - 1)::int AS slot
      FROM step_runs WHERE worker_id IS NOT NULL AND command_id IS NOT NULL AND status IN ('queued', 'running')) held
WHERE ws.worker_id = held.worker_id AND ws.slot = held.slot;

ALTER TABLE workers DROP COLUMN active_commands;
