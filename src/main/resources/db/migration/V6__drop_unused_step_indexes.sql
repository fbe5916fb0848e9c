-- Every step update rewrites the row (its status and due time are indexed), so each index costs
-- an insert per transition. These two serve no query (pg_stat_user_indexes after a benchmark:
-- 0 scans for the first; the second duplicates idx_step_runs_due's predicate, which the
-- sweeper's queries and the step gauges use).
DROP INDEX IF EXISTS idx_step_runs_command;
DROP INDEX IF EXISTS idx_step_runs_active;
