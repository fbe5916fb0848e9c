-- Every transition frees one slot and takes one (issue 25). With step_run_id indexed (the unique
-- index and the two partial ones on its NULL-ness) each of those updates wrote a new entry in
-- three indexes and was never HOT. A slot is now found by its worker, the primary key's prefix
-- (a worker has at most 1,000 rows), and freed by worker and step, so only the primary key
-- remains and the updates are HOT. fillfactor leaves room on each page for the new versions.
DROP INDEX IF EXISTS idx_worker_slots_step;
DROP INDEX IF EXISTS idx_worker_slots_free;
DROP INDEX IF EXISTS idx_worker_slots_busy;
ALTER TABLE worker_slots SET (fillfactor = 50);
-- A run's row is updated on each of its transitions, its columns that change (updated_at, the
-- wait reason) are in no index: room on the page lets those updates be HOT too.
ALTER TABLE pipeline_runs SET (fillfactor = 80);
