-- Notifications, on-call paging and shift handoff.

-- people may mute mail that is not essential (see backend::notify::outbox)
ALTER TABLE users ADD COLUMN mute_non_essential BOOLEAN NOT NULL DEFAULT FALSE;

-- a delivery in progress holds a lease: a worker that dies mid-send gives the message back when
-- the lease runs out, and two workers never send the same message at once
ALTER TABLE notifications ADD COLUMN lease_until BIGINT;
-- webhook deliveries carry their JSON here
ALTER TABLE notifications ADD COLUMN payload TEXT;
-- whether the message was essential (muting never silences essential mail)
ALTER TABLE notifications ADD COLUMN essential BOOLEAN NOT NULL DEFAULT TRUE;

-- who is on call for a team, when
CREATE TABLE oncall_shifts (
    id          INTEGER PRIMARY KEY,
    team_id     BIGINT NOT NULL REFERENCES teams (id),
    user_id     BIGINT NOT NULL REFERENCES users (id),
    starts_at   BIGINT NOT NULL,
    ends_at     BIGINT NOT NULL,
    created_by  BIGINT NOT NULL REFERENCES users (id),
    CHECK (ends_at > starts_at)
);
CREATE INDEX oncall_by_team_time ON oncall_shifts (team_id, starts_at, ends_at);

-- a page: a P1 outside business hours wakes the person on call; unacknowledged, the lead
CREATE TABLE pages (
    id              INTEGER PRIMARY KEY,
    ticket_id       BIGINT NOT NULL REFERENCES tickets (id),
    user_id         BIGINT NOT NULL REFERENCES users (id),
    -- SHA-256 of the token in the page's acknowledgement link
    ack_token_hash  TEXT   NOT NULL UNIQUE,
    created_at      BIGINT NOT NULL,
    -- when the lead is paged if nobody acknowledged
    escalate_at     BIGINT,
    acked_at        BIGINT,
    acked_by        BIGINT REFERENCES users (id),
    escalated_page  BIGINT REFERENCES pages (id)
);
CREATE INDEX pages_open ON pages (escalate_at) WHERE acked_at IS NULL AND escalate_at IS NOT NULL;
CREATE INDEX pages_by_ticket ON pages (ticket_id);

-- working shifts of analysts
CREATE TABLE shifts (
    id          INTEGER PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    started_at  BIGINT NOT NULL,
    ended_at    BIGINT
);
CREATE INDEX shifts_by_user ON shifts (user_id, started_at);

-- tickets handed over at shift end: to a colleague, or to the next shift (to_user NULL)
CREATE TABLE handoffs (
    id          INTEGER PRIMARY KEY,
    ticket_id   BIGINT NOT NULL REFERENCES tickets (id),
    from_user   BIGINT NOT NULL REFERENCES users (id),
    to_user     BIGINT REFERENCES users (id),
    note        TEXT   NOT NULL,
    shift_id    BIGINT REFERENCES shifts (id),
    created_at  BIGINT NOT NULL,
    taken_at    BIGINT
);
CREATE INDEX handoffs_open ON handoffs (to_user, created_at) WHERE taken_at IS NULL;
CREATE INDEX handoffs_by_ticket ON handoffs (ticket_id);
