-- What a worker asks for in its heartbeats (max_concurrency there) next to what it is granted
-- (workers.max_concurrency, at most the registration's allowed_max_concurrency). A heartbeat
-- asking for more than the registration allows is clamped, no longer refused, and the fleet API
-- shows both. NULL until the worker's first heartbeat after this version.
ALTER TABLE workers ADD COLUMN announced_max_concurrency INTEGER;
