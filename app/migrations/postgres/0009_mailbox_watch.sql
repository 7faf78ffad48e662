-- What each mailbox's watcher is doing, as the instance watching it last said (any instance
-- shows it to administrators): not started (and why), connecting, watching (IDLE or polling),
-- failing (the reason, failures in a row). Rows of mailboxes no longer watched are removed.
CREATE TABLE mailbox_watch (
    mailbox_id  BIGINT  PRIMARY KEY REFERENCES mailboxes (id),
    state       TEXT    NOT NULL CHECK (state IN ('not_started', 'connecting', 'watching', 'failing')),
    detail      TEXT,
    attempts    BIGINT  NOT NULL DEFAULT 0,
    since       BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
