-- The SLA engine and live queue health.

-- When the SLA engine next has an alert to raise for this ticket (warning or breach of its
-- response or resolution target); NULL when none is pending. The engine sleeps until the
-- smallest of these instead of scanning every ticket every minute.
ALTER TABLE tickets ADD COLUMN sla_next_alert_at BIGINT;
CREATE INDEX tickets_by_next_alert ON tickets (sla_next_alert_at) WHERE sla_next_alert_at IS NOT NULL;

-- Dashboard aggregates read only these indexes (no table lookups): open work per client,
-- assignee and tier with its SLA instants; arrivals by time; resolutions by time.
CREATE INDEX tickets_open_health ON tickets (status_rank, org_id, assignee_id, tier, sla_paused_at, next_warn_at, next_due_at, created_at);
CREATE INDEX tickets_by_arrival ON tickets (created_at, org_id);
CREATE INDEX tickets_by_resolution ON tickets (resolved_at, org_id, response_breached, resolution_breached)
    WHERE resolved_at IS NOT NULL;

-- The outbox: one row per message to send, written in the same transaction as the change that
-- caused it. A worker delivers them (notifications issue); here they are recorded.
CREATE TABLE notifications (
    id               INTEGER PRIMARY KEY,
    ticket_id        BIGINT  REFERENCES tickets (id),
    recipient_id     BIGINT  NOT NULL REFERENCES users (id),
    channel          TEXT    NOT NULL DEFAULT 'email' CHECK (channel IN ('email', 'webhook')),
    kind             TEXT    NOT NULL,
    subject          TEXT    NOT NULL,
    body             TEXT    NOT NULL,
    created_at       BIGINT  NOT NULL,
    status           TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'muted')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT  NOT NULL,
    sent_at          BIGINT,
    last_error       TEXT
);
CREATE INDEX notifications_due ON notifications (status, next_attempt_at);
CREATE INDEX notifications_by_ticket ON notifications (ticket_id);
