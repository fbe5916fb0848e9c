-- Scan credentials (issue 22): secrets workers use against a scan's target (a git token, an SSH
-- key, an HTTP header, basic auth, a cookie, an API key). The value is sealed (AES-GCM under
-- scanflow.secrets.key, common/SecretBox) and never leaves this table in clear except in the
-- reply to the worker whose command needs it (docs/adr/0009). After a rotation the previous value
-- is kept, sealed, for the commands created before it, until grace_until.
CREATE TABLE scan_credentials (
    id              UUID PRIMARY KEY,
    tenant_id       UUID NOT NULL REFERENCES tenants (id),
    name            TEXT NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'),
    kind            TEXT NOT NULL CHECK (kind IN ('git_token', 'git_ssh_key', 'http_header', 'http_basic', 'cookie',
                                                  'api_key')),
    value           BYTEA NOT NULL,             -- sealed
    username        TEXT,                       -- not secret: git_token, http_basic
    header          TEXT,                       -- not secret: http_header, api_key
    scope           TEXT[] NOT NULL DEFAULT '{}',   -- host or URL-prefix patterns; empty: any target
    usable_by       TEXT[],                     -- pipeline names or ids; null: every pipeline
    previous_value  BYTEA,                      -- sealed; until grace_until
    grace_until     TIMESTAMPTZ,
    created_by      TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    rotated_at      TIMESTAMPTZ,
    CONSTRAINT uq_scan_credentials_tenant_name UNIQUE (tenant_id, name)
);

-- The credentials an asset's scans use to fetch it (names; the asset package checks them).
ALTER TABLE assets ADD COLUMN credentials TEXT[] NOT NULL DEFAULT '{}';
CREATE INDEX idx_assets_credentials ON assets USING GIN (credentials);
