-- Files only staff may see (a screenshot of a client's configuration), and what a person has
-- uploaded lately, for the upload quota.
ALTER TABLE attachments ADD COLUMN internal BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX attachments_by_uploader ON attachments (uploaded_by, uploaded_at);
