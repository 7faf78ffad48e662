-- A second factor at sign-in (TOTP, RFC 6238) with single-use recovery codes, browsers trusted
-- for a while, and the half-finished sign-ins waiting for their code.

CREATE TABLE second_factors (
    user_id       BIGINT PRIMARY KEY REFERENCES users (id),
    -- the shared secret, as the authenticator app was given it (base32)
    secret        TEXT   NOT NULL,
    -- NULL while enrolment waits for the first code
    confirmed_at  BIGINT,
    -- the last 30-second step a code was accepted for: a code is never accepted twice
    last_step     BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL
);

CREATE TABLE recovery_codes (
    id         INTEGER PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    -- SHA-256 of the code: a copy of the database does not hand them out
    code_hash  TEXT   NOT NULL,
    used_at    BIGINT
);
CREATE INDEX recovery_codes_by_user ON recovery_codes (user_id);

CREATE TABLE trusted_devices (
    id          INTEGER PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    token_hash  TEXT   NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    label       TEXT   NOT NULL
);
CREATE INDEX trusted_devices_by_user ON trusted_devices (user_id);

-- A password that verified, waiting for the second factor (or for enrolment when one is
-- required and none is set up yet).
CREATE TABLE sign_in_challenges (
    id_hash     TEXT   PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    -- the secret offered for enrolment; NULL when an enrolled factor is asked for
    new_secret  TEXT,
    attempts    BIGINT NOT NULL DEFAULT 0,
    -- the failed sign-in this attempt was counted as until it succeeds (login_failures.id)
    pending_failure BIGINT,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    ip          TEXT,
    user_agent  TEXT
);
CREATE INDEX sign_in_challenges_by_expiry ON sign_in_challenges (expires_at);
