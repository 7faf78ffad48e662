-- Frontline foundation schema.
-- Portable subset: integer unix-second timestamps, TEXT enums checked by CHECK constraints,
-- BOOLEAN columns, no SQLite-only types. Only the immutability triggers are SQLite syntax.

CREATE TABLE organizations (
    id            INTEGER PRIMARY KEY,
    code          TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    time_zone     TEXT    NOT NULL,
    -- business hours in the organization's time zone, minutes after local midnight
    hours_start   INTEGER NOT NULL DEFAULT 540,
    hours_end     INTEGER NOT NULL DEFAULT 1020,
    -- ISO weekdays that are working days, 1 = Monday ... 7 = Sunday
    working_days  TEXT    NOT NULL DEFAULT '12345',
    -- SLA warning threshold: percent of a target elapsed
    warn_percent  INTEGER NOT NULL DEFAULT 75 CHECK (warn_percent BETWEEN 1 AND 99),
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    BIGINT  NOT NULL
);

-- the SLA contract: per organization and priority, first-response and resolution targets
CREATE TABLE sla_targets (
    org_id            BIGINT  NOT NULL REFERENCES organizations (id),
    priority          TEXT    NOT NULL CHECK (priority IN ('p1', 'p2', 'p3', 'ops')),
    response_mins     INTEGER NOT NULL CHECK (response_mins > 0),
    resolution_mins   INTEGER NOT NULL CHECK (resolution_mins >= response_mins),
    -- counted around the clock, or in the organization's business hours
    around_the_clock  BOOLEAN NOT NULL,
    PRIMARY KEY (org_id, priority)
);

-- local dates on which the organization does not work
CREATE TABLE org_holidays (
    org_id  BIGINT NOT NULL REFERENCES organizations (id),
    day     TEXT   NOT NULL,
    name    TEXT   NOT NULL,
    PRIMARY KEY (org_id, day)
);

CREATE TABLE teams (
    id          INTEGER PRIMARY KEY,
    name        TEXT   NOT NULL UNIQUE,
    lead_id     BIGINT REFERENCES users (id),
    created_at  BIGINT NOT NULL
);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    -- stored trimmed and lower-cased: unique case-insensitively
    email          TEXT    NOT NULL UNIQUE,
    name           TEXT    NOT NULL,
    role           TEXT    NOT NULL CHECK (role IN ('client', 'client_admin', 'analyst', 'senior', 'lead', 'manager', 'admin')),
    org_id         BIGINT  REFERENCES organizations (id),
    team_id        BIGINT  REFERENCES teams (id),
    tier           INTEGER CHECK (tier BETWEEN 1 AND 3),
    department     TEXT,
    location       TEXT,
    job_title      TEXT,
    phone          TEXT,
    password_hash  TEXT    NOT NULL,
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    created_at     BIGINT  NOT NULL,
    -- clients belong to an organization; staff belong to the provider
    CHECK ((role IN ('client', 'client_admin')) = (org_id IS NOT NULL))
);
CREATE INDEX users_by_org ON users (org_id, name);
CREATE INDEX users_by_team ON users (team_id, name);

-- which organizations a team serves
CREATE TABLE team_orgs (
    team_id  BIGINT NOT NULL REFERENCES teams (id),
    org_id   BIGINT NOT NULL REFERENCES organizations (id),
    PRIMARY KEY (team_id, org_id)
);
CREATE INDEX team_orgs_by_org ON team_orgs (org_id);

CREATE TABLE sessions (
    -- SHA-256 of the cookie's token: a copy of the database does not hand out live sessions
    id            TEXT   PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users (id),
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    ip            TEXT,
    user_agent    TEXT
);
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- failed sign-ins, for rate limiting per account ('account:<email>') and per address ('ip:<addr>')
CREATE TABLE login_failures (
    id         INTEGER PRIMARY KEY,
    scope_key  TEXT   NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX login_failures_by_key ON login_failures (scope_key, at);

CREATE TABLE categories (
    id                INTEGER PRIMARY KEY,
    name              TEXT    NOT NULL UNIQUE,
    default_priority  TEXT    CHECK (default_priority IN ('p1', 'p2', 'p3', 'ops')),
    active            BOOLEAN NOT NULL DEFAULT TRUE
);

-- named counters; ticket numbers come from here so they never repeat
CREATE TABLE counters (
    name   TEXT   PRIMARY KEY,
    value  BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('ticket_number', 1000);

CREATE TABLE tickets (
    id                        INTEGER PRIMARY KEY,
    number                    BIGINT  NOT NULL UNIQUE,
    org_id                    BIGINT  NOT NULL REFERENCES organizations (id),
    requester_id              BIGINT  NOT NULL REFERENCES users (id),
    created_by                BIGINT  NOT NULL REFERENCES users (id),
    channel                   TEXT    NOT NULL CHECK (channel IN ('web', 'phone', 'email', 'api')),
    subject                   TEXT    NOT NULL,
    problem                   TEXT    NOT NULL,
    urgency                   TEXT    NOT NULL CHECK (urgency IN ('urgent', 'not_urgent')),
    priority                  TEXT    NOT NULL CHECK (priority IN ('p1', 'p2', 'p3', 'ops')),
    category_id               BIGINT  REFERENCES categories (id),
    status                    TEXT    NOT NULL CHECK (status IN ('new', 'open', 'pending', 'resolved', 'closed')),
    -- queue order of the status: 0 new/open, 1 pending, 2 resolved, 3 closed
    status_rank               INTEGER NOT NULL,
    pending_reason            TEXT    CHECK (pending_reason IN ('customer', 'budget', 'approval', 'third_party')),
    requires_budget           BOOLEAN NOT NULL DEFAULT FALSE,
    requires_approval         BOOLEAN NOT NULL DEFAULT FALSE,
    tier                      INTEGER NOT NULL DEFAULT 1 CHECK (tier BETWEEN 1 AND 3),
    team_id                   BIGINT  REFERENCES teams (id),
    assignee_id               BIGINT  REFERENCES users (id),
    -- the requester's context as it was when the ticket was raised
    ctx_department            TEXT,
    ctx_location              TEXT,
    ctx_job_title             TEXT,
    first_contact_resolution  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at                BIGINT  NOT NULL,
    updated_at                BIGINT  NOT NULL,
    first_response_at         BIGINT,
    resolved_at               BIGINT,
    closed_at                 BIGINT,
    -- SLA instants (wall clock), recomputed in the transaction of every change that moves them
    response_due_at           BIGINT  NOT NULL,
    response_warn_at          BIGINT  NOT NULL,
    resolution_due_at         BIGINT  NOT NULL,
    resolution_warn_at        BIGINT  NOT NULL,
    -- the next target still to meet: the queue's sort key
    next_due_at               BIGINT  NOT NULL,
    next_warn_at              BIGINT  NOT NULL,
    -- the resolution clock stops while pending on the customer, budget or approval
    sla_paused_at             BIGINT,
    sla_paused_secs           BIGINT  NOT NULL DEFAULT 0,
    -- which SLA alerts the SLA engine has raised (each exactly once)
    response_warned           BOOLEAN NOT NULL DEFAULT FALSE,
    response_breached         BOOLEAN NOT NULL DEFAULT FALSE,
    resolution_warned         BOOLEAN NOT NULL DEFAULT FALSE,
    resolution_breached       BOOLEAN NOT NULL DEFAULT FALSE,
    -- optimistic concurrency: every change bumps it, every change names the version it saw
    version                   BIGINT  NOT NULL DEFAULT 1,
    CHECK ((status = 'pending') = (pending_reason IS NOT NULL))
);
-- the queue: open work by what is due first, finished work by what changed last; each also per
-- client and per assignee, so that a filtered page walks only its own rows
CREATE INDEX tickets_queue ON tickets (status_rank, next_due_at, id);
CREATE INDEX tickets_queue_by_org ON tickets (org_id, status_rank, next_due_at, id);
CREATE INDEX tickets_queue_by_assignee ON tickets (assignee_id, status_rank, next_due_at, id);
CREATE INDEX tickets_recent ON tickets (status_rank, updated_at, id);
CREATE INDEX tickets_recent_by_org ON tickets (org_id, status_rank, updated_at, id);
CREATE INDEX tickets_by_requester ON tickets (requester_id, status_rank, updated_at);
CREATE INDEX tickets_by_created ON tickets (org_id, created_at);

-- people who took part in a ticket (escalated it, were assigned it): they keep seeing it
CREATE TABLE ticket_participants (
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id),
    user_id    BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (ticket_id, user_id)
);
CREATE INDEX ticket_participants_by_user ON ticket_participants (user_id, ticket_id);

-- full-text search over subject and problem (SQLite FTS5; PostgreSQL would use tsvector)
CREATE VIRTUAL TABLE tickets_fts USING fts5 (
    subject, problem, content = 'tickets', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO tickets_fts (rowid, subject, problem) VALUES (new.id, new.subject, new.problem);
END;
CREATE TRIGGER tickets_fts_update AFTER UPDATE OF subject, problem ON tickets BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, subject, problem) VALUES ('delete', old.id, old.subject, old.problem);
    INSERT INTO tickets_fts (rowid, subject, problem) VALUES (new.id, new.subject, new.problem);
END;

-- the timeline: immutable, one row per step of a ticket
CREATE TABLE ticket_events (
    id         INTEGER PRIMARY KEY,
    ticket_id  BIGINT  NOT NULL REFERENCES tickets (id),
    at         BIGINT  NOT NULL,
    -- NULL when the system acted (SLA engine, workers)
    actor_id   BIGINT  REFERENCES users (id),
    kind       TEXT    NOT NULL,
    public     BOOLEAN NOT NULL,
    body       TEXT,
    -- JSON details of the step (from/to status, tier, assignee ...)
    data       TEXT
);
CREATE INDEX ticket_events_by_ticket ON ticket_events (ticket_id, id);

CREATE TRIGGER ticket_events_no_update BEFORE UPDATE ON ticket_events
BEGIN
    SELECT RAISE(ABORT, 'ticket events are immutable');
END;
CREATE TRIGGER ticket_events_no_delete BEFORE DELETE ON ticket_events
BEGIN
    SELECT RAISE(ABORT, 'ticket events are immutable');
END;

-- desk-wide settings ('demo' = 'true' on a seeded demo desk)
CREATE TABLE desk_settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
