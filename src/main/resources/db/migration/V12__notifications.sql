-- Notifications (issue 15): a tenant's channels, and one delivery per (run, event, channel).
-- A run's start or end event (run_events, written in the transaction that ends the run) is the
-- durable record that its notifications are due; the planner turns it into deliveries and
-- marks it notified in one transaction, the sender delivers them after commit.

CREATE TABLE notification_channels (
    id            UUID PRIMARY KEY,
    tenant_id     UUID NOT NULL REFERENCES tenants (id),
    name          TEXT NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9_.-]{0,62}$'),
    type          TEXT NOT NULL CHECK (type IN ('slack', 'email', 'webhook')),
    url           BYTEA,                      -- sealed (AES-GCM); slack and webhook
    secret        BYTEA,                      -- sealed; webhook (whsec_...)
    recipients    TEXT[] NOT NULL DEFAULT '{}',
    url_host      TEXT,                       -- shown redacted: scheme://host/…
    not_before    TIMESTAMPTZ NOT NULL DEFAULT now(),   -- Slack: one message a second per webhook
    created_by    TEXT,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT uq_notification_channels_tenant_name UNIQUE (tenant_id, name)
);

CREATE TABLE notification_deliveries (
    id               UUID PRIMARY KEY,
    tenant_id        UUID NOT NULL,
    run_id           UUID REFERENCES pipeline_runs (id) ON DELETE CASCADE,   -- null for a channel test
    event            TEXT NOT NULL,          -- pipeline.run.completed, pipeline.run.failed, ..., test
    channel_id       UUID NOT NULL REFERENCES notification_channels (id) ON DELETE CASCADE,
    channel_name     TEXT NOT NULL,
    channel_type     TEXT NOT NULL,
    idempotency_key  TEXT NOT NULL UNIQUE,   -- run, event and channel; the webhook's webhook-id
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    lease_until      TIMESTAMPTZ,            -- a sender holds it while sending
    give_up_at       TIMESTAMPTZ NOT NULL,
    last_status      INTEGER,                -- the channel's last HTTP status (or SMTP reply code)
    last_error       TEXT,
    message          JSONB NOT NULL,         -- what is sent: the run's summary
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    delivered_at     TIMESTAMPTZ
);
CREATE INDEX idx_notification_deliveries_due ON notification_deliveries (next_attempt_at)
    WHERE status IN ('pending', 'sending');
CREATE INDEX idx_notification_deliveries_run ON notification_deliveries (run_id, created_at);

ALTER TABLE run_events ADD COLUMN notified_at TIMESTAMPTZ;
-- the start and end events of runs still to be planned (those before this migration count as done)
UPDATE run_events SET notified_at = created_at
WHERE type IN ('pipeline.run.started', 'pipeline.run.completed', 'pipeline.run.failed', 'pipeline.run.cancelled',
               'pipeline.run.timeout');
CREATE INDEX idx_run_events_to_notify ON run_events (seq)
    WHERE notified_at IS NULL
      AND type IN ('pipeline.run.started', 'pipeline.run.completed', 'pipeline.run.failed', 'pipeline.run.cancelled',
                   'pipeline.run.timeout');
