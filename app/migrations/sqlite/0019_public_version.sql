-- The version of a ticket as its clients know it: it moves with every change they can see and
-- not with staff-only steps (an internal note, a desk-only file), which they are never told of.
-- Clients' changes are checked against it, so a note added meanwhile is not a conflict for them.
ALTER TABLE tickets ADD COLUMN public_version BIGINT NOT NULL DEFAULT 1;
UPDATE tickets SET public_version = version;
