-- Signed webhooks and asset discovery (issue 13): webhook secrets and the delivery log; assets
-- announced (created through the API or on NATS) and the discovery runs they request, which
-- wait for their tenant's budget.

-- A pipeline's webhook secret, encrypted (AES-GCM under scanflow.secrets.key); after a rotation
-- the previous one stays valid until previous_valid_until.
CREATE TABLE webhook_secrets (
    pipeline_id           UUID PRIMARY KEY,
    tenant_id             UUID NOT NULL REFERENCES tenants (id),
    secret                BYTEA NOT NULL,
    previous_secret       BYTEA,
    previous_valid_until  TIMESTAMPTZ,
    created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by            TEXT,
    rotated_at            TIMESTAMPTZ
);

-- Every authenticated delivery and what came of it. A replay (a delivery id seen within a day,
-- or the same body within the replay window) is logged as 'replayed' and answered with the
-- first delivery's runs. Deliveries of one pipeline are decided one at a time (an advisory lock).
CREATE TABLE webhook_deliveries (
    id            UUID PRIMARY KEY,
    tenant_id     UUID NOT NULL,
    pipeline_id   UUID NOT NULL,
    trigger_key   TEXT,
    delivery_id   TEXT,
    body_hash     TEXT NOT NULL,
    event         TEXT,
    scheme        TEXT NOT NULL,
    outcome       TEXT NOT NULL CHECK (outcome IN ('started', 'skipped', 'filtered', 'unmatched', 'ignored', 'replayed')),
    reason        TEXT,
    run_ids       UUID[] NOT NULL DEFAULT '{}',
    first_delivery UUID,
    received_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_webhook_deliveries_id ON webhook_deliveries (pipeline_id, delivery_id) WHERE delivery_id IS NOT NULL;
CREATE INDEX idx_webhook_deliveries_body ON webhook_deliveries (pipeline_id, body_hash, received_at DESC);
CREATE INDEX idx_webhook_deliveries_recent ON webhook_deliveries (pipeline_id, received_at DESC);

-- Assets announced: written in the transaction that created or upserted the asset, so no
-- discovery is lost; turned into discovery requests (one per pipeline whose asset_discovery
-- trigger matches) and removed.
CREATE TABLE asset_announcements (
    id            BIGSERIAL PRIMARY KEY,
    tenant_id     UUID NOT NULL,
    asset_id      UUID NOT NULL,
    source        TEXT NOT NULL CHECK (source IN ('api', 'nats')),
    announced_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- A discovery run a pipeline owes an asset: pending until the tenant's budget of discovery runs
-- allows it (held = recorded as held back), then started, debounced (the pipeline ran on the
-- asset within the debounce window) or skipped (the pipeline or the asset is gone).
CREATE TABLE discovery_requests (
    id            BIGSERIAL PRIMARY KEY,
    tenant_id     UUID NOT NULL,
    pipeline_id   UUID NOT NULL,
    trigger_key   TEXT NOT NULL,
    asset_id      UUID NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'started', 'debounced', 'skipped')),
    held          BOOLEAN NOT NULL DEFAULT FALSE,
    run_id        UUID,
    requested_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    decided_at    TIMESTAMPTZ,
    reason        TEXT
);
CREATE UNIQUE INDEX uq_discovery_pending ON discovery_requests (pipeline_id, asset_id) WHERE state = 'pending';
CREATE INDEX idx_discovery_pending ON discovery_requests (tenant_id, id) WHERE state = 'pending';
CREATE INDEX idx_discovery_started ON discovery_requests (pipeline_id, asset_id, decided_at DESC) WHERE state = 'started';
CREATE INDEX idx_discovery_tenant_started ON discovery_requests (tenant_id, decided_at) WHERE state = 'started';
