-- Outgoing webhooks: administrators subscribe URLs to ticket and SLA events. Each delivery is
-- written in the transaction of the change that caused it (the outbox) and sent by the webhook
-- worker, retried for a day under its stable event id.

CREATE TABLE webhook_subscriptions (
    id              INTEGER PRIMARY KEY,
    name            TEXT    NOT NULL UNIQUE,
    url             TEXT    NOT NULL,
    -- standard: signed JSON (Standard Webhooks); slack, teams: a chat message, unsigned
    kind            TEXT    NOT NULL DEFAULT 'standard' CHECK (kind IN ('standard', 'slack', 'teams')),
    -- the event types it hears, comma-separated ("ticket.created,sla.breached")
    events          TEXT    NOT NULL,
    -- NULL: every organization, team, priority
    org_id          BIGINT  REFERENCES organizations (id),
    team_id         BIGINT  REFERENCES teams (id),
    -- this priority and the more urgent ones
    min_priority    TEXT    CHECK (min_priority IN ('p1', 'p2', 'p3', 'ops')),
    -- the signing secret (whsec_...), sealed with FRONTLINE_SECRET_KEY; NULL for chat kinds
    secret          TEXT,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    -- why the desk turned it off by itself (sustained failure); NULL when paused by a person
    disabled_reason TEXT,
    created_by      BIGINT  NOT NULL REFERENCES users (id),
    created_at      BIGINT  NOT NULL
);

CREATE TABLE webhook_deliveries (
    id               INTEGER PRIMARY KEY,
    subscription_id  BIGINT  NOT NULL REFERENCES webhook_subscriptions (id),
    -- stable across retries and redeliveries ("evt_..."): receivers de-duplicate on it
    event_id         TEXT    NOT NULL,
    event_type       TEXT    NOT NULL,
    ticket_id        BIGINT  REFERENCES tickets (id),
    -- the event as JSON; chat kinds are sent a message made from it
    payload          TEXT    NOT NULL,
    -- pending: not yet tried; failed: the last attempt failed, retried at next_attempt_at;
    -- dead: given up (retry_until passed)
    status           TEXT    NOT NULL DEFAULT 'pending'
                             CHECK (status IN ('pending', 'delivered', 'failed', 'dead')),
    attempts         BIGINT  NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT  NOT NULL,
    -- a worker holds it until then (a crash mid-send leaves it to be tried again after)
    lease_until      BIGINT,
    retry_until      BIGINT  NOT NULL,
    last_status_code BIGINT,
    last_response_ms BIGINT,
    last_error       TEXT,
    created_at       BIGINT  NOT NULL,
    delivered_at     BIGINT,
    UNIQUE (subscription_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_by_subscription ON webhook_deliveries (subscription_id, id);
