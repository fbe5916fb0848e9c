-- worker_slots is tiny (max_concurrency rows per worker) but every transition rewrites two of
-- its rows: at 1,000 transitions/s it gains 2,000 dead row versions a second, and with the
-- default thresholds (20 % of the table) autovacuum would clean it on nearly every round anyway.
-- Vacuum it as soon as a thousand dead versions pile up, without cost-based pauses, so that
-- claims do not wade through dead versions (seen in bench/profile.sh: 146,000 dead, 2,000 live).
ALTER TABLE worker_slots SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000,
                              autovacuum_vacuum_cost_delay = 0);
