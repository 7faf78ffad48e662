-- Mail is checked against the recipient's scope when it is delivered: a message to someone who
-- may no longer see its ticket (deactivated account or organization, moved to another client) is
-- marked 'skipped' with the reason in last_error, never retried. SQLite cannot change a CHECK, so
-- the table is rebuilt with the new status.
-- The HTML part of a mail is written by its template beside the plain text (html): links in it
-- come only from the template, never from text people wrote.
CREATE TABLE notifications_new (
    id               INTEGER PRIMARY KEY,
    ticket_id        BIGINT  REFERENCES tickets (id),
    recipient_id     BIGINT  NOT NULL REFERENCES users (id),
    channel          TEXT    NOT NULL DEFAULT 'email' CHECK (channel IN ('email', 'webhook')),
    kind             TEXT    NOT NULL,
    subject          TEXT    NOT NULL,
    body             TEXT    NOT NULL,
    created_at       BIGINT  NOT NULL,
    status           TEXT    NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'muted', 'skipped')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT  NOT NULL,
    sent_at          BIGINT,
    last_error       TEXT,
    lease_until      BIGINT,
    payload          TEXT,
    essential        BOOLEAN NOT NULL DEFAULT TRUE,
    html             TEXT
);
INSERT INTO notifications_new (id, ticket_id, recipient_id, channel, kind, subject, body, created_at,
                               status, attempts, next_attempt_at, sent_at, last_error, lease_until,
                               payload, essential)
SELECT id, ticket_id, recipient_id, channel, kind, subject, body, created_at, status, attempts,
       next_attempt_at, sent_at, last_error, lease_until, payload, essential
FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE INDEX notifications_due ON notifications (status, next_attempt_at);
CREATE INDEX notifications_by_ticket ON notifications (ticket_id);
