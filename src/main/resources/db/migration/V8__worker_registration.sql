-- Workers are who they say they are (protocol 2): a worker's tenant, the capabilities and tools
-- it may offer and its largest concurrency come from a registration (the API, or with open
-- registration in development its first heartbeat), never from later heartbeats. Heartbeats
-- only say it is alive, how busy it is and which of its registered capabilities it offers now
-- (the capabilities, tools and max_concurrency columns the engine matches on).
--
-- Rows that heartbeats created before this version are kept as registrations of what they last
-- announced (registration = 'heartbeat'): review them with GET /api/v1/workers and deregister
-- the ones nobody knows.
ALTER TABLE workers
    ADD COLUMN allowed_capabilities    TEXT[],
    ADD COLUMN allowed_tools           TEXT[],
    ADD COLUMN allowed_max_concurrency INTEGER,
    ADD COLUMN registration            TEXT NOT NULL DEFAULT 'api'
                                       CHECK (registration IN ('api', 'open', 'heartbeat')),
    ADD COLUMN registered_by           TEXT,
    -- the public half of the worker's NATS nkey, when the registration issued one
    ADD COLUMN nats_public_key         TEXT,
    -- commands the worker let time out without a word since it last acknowledged one; while
    -- benched_until is ahead, it gets no new command
    ADD COLUMN ack_timeouts            INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN benched_until           TIMESTAMPTZ;

UPDATE workers SET allowed_capabilities = capabilities, allowed_tools = tools,
                   allowed_max_concurrency = max_concurrency, registration = 'heartbeat';

ALTER TABLE workers
    ALTER COLUMN allowed_capabilities SET NOT NULL,
    ALTER COLUMN allowed_tools SET NOT NULL,
    ALTER COLUMN allowed_max_concurrency SET NOT NULL,
    ADD CONSTRAINT workers_allowed_max_check CHECK (allowed_max_concurrency BETWEEN 1 AND 1000),
    ADD CONSTRAINT workers_max_within_registration CHECK (max_concurrency <= allowed_max_concurrency),
    -- a registered worker is offline until its first heartbeat
    ALTER COLUMN status SET DEFAULT 'offline',
    ALTER COLUMN version TYPE VARCHAR(64) USING left(version, 64);

-- slots beyond what the worker announces now were never claimable; they go
DELETE FROM worker_slots s USING workers w
WHERE s.worker_id = w.id AND s.slot >= w.max_concurrency AND s.step_run_id IS NULL;
