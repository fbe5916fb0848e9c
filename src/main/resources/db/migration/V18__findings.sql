-- Findings (issue 23, docs/adr/0011-findings.md), owned by the finding package: one row per
-- finding per tenant and asset (its identity), what each run saw of it, the chunks workers sent,
-- and the tenants' suppressions.

CREATE TABLE findings (
    id              UUID PRIMARY KEY,
    tenant_id       UUID NOT NULL REFERENCES tenants (id),
    asset_id        UUID NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    identity        TEXT NOT NULL,                 -- sha-256 (hex) of the identity key: finding/FindingIdentity
    kind            TEXT NOT NULL CHECK (kind IN ('code', 'dependency', 'secret', 'config', 'network', 'web', 'tls')),
    tools           TEXT[] NOT NULL,               -- every tool that reported it
    rule_id         TEXT NOT NULL,
    title           TEXT,
    severity        TEXT NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low', 'info', 'unknown')),
    location        JSONB NOT NULL,
    refs            TEXT[] NOT NULL DEFAULT '{}',  -- CVE, CWE, GHSA ids
    fingerprint     TEXT,
    message         TEXT,
    raw             TEXT,
    state           TEXT NOT NULL CHECK (state IN ('new', 'unchanged', 'fixed', 'reopened')),
    first_seen_run  UUID NOT NULL,
    first_seen_at   TIMESTAMPTZ NOT NULL,
    last_seen_run   UUID NOT NULL,
    last_seen_at    TIMESTAMPTZ NOT NULL,
    fixed_run       UUID,
    fixed_at        TIMESTAMPTZ,
    suppression_id  UUID,                          -- the suppression in force when it was last seen
    CONSTRAINT uq_findings_identity UNIQUE (tenant_id, asset_id, identity)
);
CREATE INDEX idx_findings_tenant_list ON findings (tenant_id, last_seen_at DESC, id DESC);
CREATE INDEX idx_findings_asset_open ON findings (asset_id) WHERE state <> 'fixed';
CREATE INDEX idx_findings_fixed_at ON findings (fixed_at) WHERE state = 'fixed';

-- What a run saw of a finding: its change in that run (a fix records 'fixed' and the state before
-- it, so a fix by a result the engine then refused can be undone).
CREATE TABLE finding_observations (
    run_id          UUID NOT NULL,
    finding_id      UUID NOT NULL REFERENCES findings (id) ON DELETE CASCADE,
    step_run_id     UUID NOT NULL,
    tenant_id       UUID NOT NULL,
    change          TEXT NOT NULL CHECK (change IN ('new', 'unchanged', 'reopened', 'fixed')),
    previous_state  TEXT,
    severity        TEXT NOT NULL,
    suppressed      BOOLEAN NOT NULL,
    observed_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, finding_id)
);
CREATE INDEX idx_finding_observations_step ON finding_observations (step_run_id);
CREATE INDEX idx_finding_observations_finding ON finding_observations (finding_id);

-- The chunks a command's findings came in: each (command, chunk) is applied once.
CREATE TABLE finding_chunks (
    command_id   UUID NOT NULL,
    chunk        INTEGER NOT NULL CHECK (chunk >= 0),
    findings     INTEGER NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (command_id, chunk)
);

-- Suppressions: by a finding's identity, or by rule and a path or host pattern; until expires_at.
CREATE TABLE finding_suppressions (
    id          UUID PRIMARY KEY,
    tenant_id   UUID NOT NULL REFERENCES tenants (id),
    identity    TEXT,
    finding_id  UUID,                              -- the finding the identity was taken from
    rule_id     TEXT,
    pattern     TEXT,                              -- a path glob or a host pattern; null: any
    asset_id    UUID REFERENCES assets (id) ON DELETE CASCADE,
    reason      TEXT NOT NULL,
    owner       TEXT NOT NULL,
    expires_at  TIMESTAMPTZ,
    created_by  TEXT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT finding_suppressions_what CHECK ((identity IS NOT NULL) <> (rule_id IS NOT NULL))
);
CREATE INDEX idx_finding_suppressions_tenant ON finding_suppressions (tenant_id, created_at DESC, id DESC);

-- step_runs (the engine's): what a completed step changed in its asset's findings, as counted when
-- its result was applied (null: the worker sent counts only).
ALTER TABLE step_runs
    ADD COLUMN new_findings_count INTEGER,
    ADD COLUMN new_findings_by_severity JSONB,
    ADD COLUMN fixed_findings_count INTEGER,
    ADD COLUMN fixed_findings_by_severity JSONB;
