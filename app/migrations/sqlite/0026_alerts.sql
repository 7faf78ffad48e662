-- Monitoring alerts: one row per alert a tool reports (its source and key, per organization),
-- with the ticket it keeps open and what the desk remembers of its returns.

CREATE TABLE alerts (
    id                INTEGER PRIMARY KEY,
    org_id            BIGINT  NOT NULL REFERENCES organizations (id),
    source            TEXT    NOT NULL,
    alert_key         TEXT    NOT NULL,
    status            TEXT    NOT NULL CHECK (status IN ('firing', 'resolved')),
    severity          TEXT    NOT NULL CHECK (severity IN ('critical', 'major', 'minor', 'warning', 'info')),
    title             TEXT    NOT NULL,
    device            TEXT,
    -- the ticket of the alert's current or last incident
    ticket_id         BIGINT  REFERENCES tickets (id),
    -- when the alert's clearing resolved that ticket (not a person)
    auto_resolved_at  BIGINT,
    fired_count       BIGINT  NOT NULL DEFAULT 0,
    -- reports that fell in a maintenance window
    suppressed_count  BIGINT  NOT NULL DEFAULT 0,
    -- returns soon after clearing, counted from returns_since: the flapping rule
    returns_count     BIGINT  NOT NULL DEFAULT 0,
    returns_since     BIGINT,
    first_at          BIGINT  NOT NULL,
    last_at           BIGINT  NOT NULL,
    UNIQUE (org_id, source, alert_key)
);
CREATE INDEX alerts_by_ticket ON alerts (ticket_id);

-- Planned work per organization: alerts inside a window open no ticket and page nobody.
CREATE TABLE maintenance_windows (
    id          INTEGER PRIMARY KEY,
    org_id      BIGINT  NOT NULL REFERENCES organizations (id),
    starts_at   BIGINT  NOT NULL,
    ends_at     BIGINT  NOT NULL,
    reason      TEXT    NOT NULL,
    created_by  BIGINT  NOT NULL REFERENCES users (id),
    created_at  BIGINT  NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX maintenance_windows_by_org ON maintenance_windows (org_id, ends_at);
