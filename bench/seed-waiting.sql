-- Adds :n runs that wait on a worker that never answers (a running step each, due in a day),
-- so throughput can be measured with that many active runs in the database.
INSERT INTO tenants (id) VALUES ('00000000-0000-4000-8000-00000000beef') ON CONFLICT DO NOTHING;
INSERT INTO pipeline_templates (id, pipeline_id, tenant_id, name, version, is_latest, settings)
VALUES ('00000000-0000-4000-8000-0000000000f1', '00000000-0000-4000-8000-0000000000f2',
        '00000000-0000-4000-8000-00000000beef', 'bench-waiting', 1, true, '{}')
ON CONFLICT DO NOTHING;
INSERT INTO assets (id, tenant_id, type, name)
VALUES ('00000000-0000-4000-8000-0000000000f3', '00000000-0000-4000-8000-00000000beef', 'server', 'bench-waiting')
ON CONFLICT DO NOTHING;
-- the ghost worker has no free slot rows: nothing else is ever dispatched to it
INSERT INTO workers (id, tenant_id, capabilities, max_concurrency, status, last_heartbeat_at,
                     allowed_capabilities, allowed_tools, allowed_max_concurrency)
VALUES ('w-ghost', '00000000-0000-4000-8000-00000000beef', '{ghost}', 1000, 'online', now() + interval '10 years',
        '{ghost}', '{}', 1000)
ON CONFLICT DO NOTHING;
WITH runs AS (
  INSERT INTO pipeline_runs (id, tenant_id, pipeline_id, template_id, pipeline_version, asset_id, status,
                             trigger_type, total_steps, started_at, asset)
  SELECT gen_random_uuid(), '00000000-0000-4000-8000-00000000beef', '00000000-0000-4000-8000-0000000000f2',
         '00000000-0000-4000-8000-0000000000f1', 1, '00000000-0000-4000-8000-0000000000f3', 'running',
         'manual', 1, now(), '{"type": "server"}'
  FROM generate_series(1, :n)
  RETURNING id
)
INSERT INTO step_runs (id, run_id, tenant_id, step_key, name, step_order, status, attempt, max_attempts, worker_id,
                       command_id, queued_at, started_at, dispatched_at, capabilities, due_at)
SELECT gen_random_uuid(), id, '00000000-0000-4000-8000-00000000beef', 'wait', 'wait', 1, 'running', 1, 1, 'w-ghost',
       gen_random_uuid(), now(), now(), now(), '{ghost}', now() + interval '1 day'
FROM runs;
ANALYZE pipeline_runs;
ANALYZE step_runs;
