-- Templates are stored in the design document's shapes (the API reads and writes them):
--   step conditions: {type, value} instead of {type, expression} / {type, asset_types};
--   settings.notification.on_completion instead of on_complete;
--   a schedule's targets: a list of selectors instead of one object of lists (asset_types ->
--   asset_type, asset_ids -> asset_id; no schedule fired before this version, so the selector's
--   tags, which all must match now, change nothing that ran).
-- A worker's scan_id (the worker response's result.scan_id) is kept with its step run.

UPDATE pipeline_steps
SET condition = (condition - 'expression') || jsonb_build_object('value', condition -> 'expression')
WHERE condition ? 'expression';

UPDATE pipeline_steps
SET condition = (condition - 'asset_types') || jsonb_build_object('value', condition -> 'asset_types')
WHERE condition ? 'asset_types';

UPDATE pipeline_templates
SET settings = jsonb_set(settings #- '{notification,on_complete}', '{notification,on_completion}',
                         settings -> 'notification' -> 'on_complete')
WHERE jsonb_typeof(settings -> 'notification') = 'object' AND settings -> 'notification' ? 'on_complete';

UPDATE pipeline_templates
SET triggers = jsonb_build_object('items', (
    SELECT jsonb_agg(CASE WHEN jsonb_typeof(t -> 'targets') = 'object'
                          THEN jsonb_set(t, '{targets}', jsonb_build_array(jsonb_strip_nulls(jsonb_build_object(
                                   'asset_type', t -> 'targets' -> 'asset_types',
                                   'criticality', t -> 'targets' -> 'criticality',
                                   'tags', t -> 'targets' -> 'tags',
                                   'asset_id', t -> 'targets' -> 'asset_ids'))))
                          ELSE t END ORDER BY ord)
    FROM jsonb_array_elements(triggers -> 'items') WITH ORDINALITY AS x(t, ord)))
WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(triggers -> 'items') t WHERE jsonb_typeof(t -> 'targets') = 'object');

ALTER TABLE step_runs ADD COLUMN scan_id TEXT;
