-- Administration: the audit log of every configuration change, one-time password links and
-- canned responses for analysts.

-- Who changed what, when, with the record before and after the change (JSON). Append only.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         BIGINT  NOT NULL,
    actor_id   BIGINT  NOT NULL REFERENCES users (id),
    -- e.g. 'organization.create', 'user.deactivate'
    action     TEXT    NOT NULL,
    entity     TEXT    NOT NULL,
    entity_id  BIGINT,
    summary    TEXT    NOT NULL,
    before     TEXT,
    after      TEXT
);
CREATE INDEX audit_log_by_entity ON audit_log (entity, entity_id, id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit entries are immutable');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit entries are immutable');
END;

-- One-time links that let a person set their password. Only the SHA-256 of the token is kept.
CREATE TABLE password_resets (
    token_hash  TEXT   PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    created_by  BIGINT NOT NULL REFERENCES users (id),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX password_resets_by_user ON password_resets (user_id);

-- Ready-made replies analysts may start from.
CREATE TABLE canned_responses (
    id          INTEGER PRIMARY KEY,
    title       TEXT    NOT NULL UNIQUE,
    body        TEXT    NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
