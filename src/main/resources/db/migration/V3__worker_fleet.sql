-- Fleet management: draining is an operator's decision that survives heartbeats and restarts;
-- status keeps to what heartbeats say (online / offline). A step remembers the worker it was
-- taken from, so a re-dispatch prefers another one.
ALTER TABLE workers ADD COLUMN draining BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE workers SET draining = TRUE, status = 'online' WHERE status = 'draining';
ALTER TABLE workers DROP CONSTRAINT workers_status_check;
ALTER TABLE workers ADD CONSTRAINT workers_status_check CHECK (status IN ('online', 'offline'));

ALTER TABLE step_runs ADD COLUMN previous_worker_id TEXT;
