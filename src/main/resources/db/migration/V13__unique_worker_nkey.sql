-- A NATS public key belongs to one worker: nats-server refuses a configuration that names an
-- nkey twice ("Duplicate nkey"), which took every worker's access down when a second
-- registration reused a key (e.g. a shared worker's, readable by any tenant in the fleet API).
--
-- Existing duplicates: the oldest registration (registered_at, then id) keeps the key; the
-- later ones lose it (nats_public_key NULL, so GET /workers/{id}/nats shows no server entry
-- for them) and are named in a WARNING. They could not have connected with it anyway while
-- the server refused the duplicate; re-register them with a key of their own. Failing the
-- migration instead would stop the upgrade on data the service can repair safely itself.
DO $$
DECLARE
    losers TEXT;
BEGIN
    WITH ranked AS (
        SELECT id, row_number() OVER (PARTITION BY nats_public_key ORDER BY registered_at, id) AS n
        FROM workers WHERE nats_public_key IS NOT NULL
    ), cleared AS (
        UPDATE workers w SET nats_public_key = NULL FROM ranked r WHERE w.id = r.id AND r.n > 1 RETURNING w.id
    )
    SELECT string_agg(id, ', ' ORDER BY id) INTO losers FROM cleared;
    IF losers IS NOT NULL THEN
        RAISE WARNING 'workers whose NATS key another, older registration has: key removed, re-register them: %', losers;
    END IF;
END $$;

CREATE UNIQUE INDEX idx_workers_nats_public_key ON workers (nats_public_key) WHERE nats_public_key IS NOT NULL;
