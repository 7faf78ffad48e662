-- Files attached to tickets. The bytes live on disk outside the web root, named by their
-- SHA-256 (identical files are stored once); this table says which ticket holds which file.
CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    ticket_id    BIGINT  NOT NULL REFERENCES tickets (id),
    file_name    TEXT    NOT NULL,
    size_bytes   BIGINT  NOT NULL,
    sha256       TEXT    NOT NULL,
    uploaded_by  BIGINT  NOT NULL REFERENCES users (id),
    uploaded_at  BIGINT  NOT NULL
);
CREATE INDEX attachments_by_ticket ON attachments (ticket_id, id);
