-- The public API: tokens that act as a user, and the answers to creates kept for their retries.

CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    -- who the token acts as: the person (personal) or the integration's service user
    user_id       BIGINT  NOT NULL REFERENCES users (id),
    name          TEXT    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('personal', 'integration')),
    -- integration tokens only: 'tickets:create' (raise tickets, read nothing), 'read', 'write'
    scope         TEXT    CHECK (scope IN ('tickets:create', 'read', 'write')),
    -- SHA-256 (hex) of the secret; the secret itself is shown once and never stored
    token_hash    TEXT    NOT NULL UNIQUE,
    -- the public part of `fl_<prefix>_<secret>`, to tell tokens apart in lists
    prefix        TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    expires_at    BIGINT,
    last_used_at  BIGINT,
    revoked_at    BIGINT,
    CHECK ((kind = 'integration') = (scope IS NOT NULL))
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);

-- One answer per (token, Idempotency-Key), kept 24 hours: a retried create gets it again.
-- status 0: the first request is still being answered.
CREATE TABLE api_idempotency (
    token_id      BIGINT  NOT NULL REFERENCES api_tokens (id),
    idem_key      TEXT    NOT NULL,
    request_hash  TEXT    NOT NULL,
    status        BIGINT  NOT NULL DEFAULT 0,
    response      TEXT    NOT NULL DEFAULT '',
    created_at    BIGINT  NOT NULL,
    PRIMARY KEY (token_id, idem_key)
);
CREATE INDEX api_idempotency_by_age ON api_idempotency (created_at);
