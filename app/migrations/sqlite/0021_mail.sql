-- The e-mail channel: the mailboxes the desk reads, the mail domains that tell which client a
-- stranger belongs to, and every message received, kept raw before anything is made of it.

CREATE TABLE mailboxes (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE,
    -- lower case; replies to tickets of this mailbox go back to it (Reply-To)
    address       TEXT    NOT NULL UNIQUE,
    -- NULL: no IMAP; mail arrives only through `frontline ingest-mail --mailbox NAME`
    imap_host     TEXT,
    imap_port     BIGINT  NOT NULL DEFAULT 993,
    imap_tls      TEXT    NOT NULL DEFAULT 'tls' CHECK (imap_tls IN ('tls', 'starttls', 'none')),
    imap_user     TEXT,
    imap_auth     TEXT    NOT NULL DEFAULT 'password' CHECK (imap_auth IN ('password', 'xoauth2')),
    -- the password or bearer token, sealed with FRONTLINE_SECRET_KEY; never shown again
    imap_secret   TEXT,
    imap_folder   TEXT    NOT NULL DEFAULT 'INBOX',
    -- seconds between polls when the server offers no IDLE
    poll_secs     BIGINT  NOT NULL DEFAULT 60 CHECK (poll_secs BETWEEN 5 AND 3600),
    -- NULL: the organization is found by the sender's mail domain
    org_id        BIGINT  REFERENCES organizations (id),
    team_id       BIGINT  REFERENCES teams (id),
    -- NULL: the priority follows the urgency read from the mail
    priority      TEXT    CHECK (priority IN ('p1', 'p2', 'p3', 'ops')),
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    -- the IMAP folder's UIDVALIDITY and the highest UID taken from it
    imap_uidvalidity BIGINT,
    imap_last_uid    BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT  NOT NULL
);

CREATE TABLE org_mail_domains (
    -- lower case, without '@'; a domain belongs to one organization at most
    domain      TEXT   PRIMARY KEY,
    org_id      BIGINT NOT NULL REFERENCES organizations (id),
    created_at  BIGINT NOT NULL
);
CREATE INDEX org_mail_domains_by_org ON org_mail_domains (org_id);

CREATE TABLE inbound_mail (
    id             INTEGER PRIMARY KEY,
    mailbox_id     BIGINT  REFERENCES mailboxes (id),
    -- without angle brackets; a message without one gets 'sha256-<hash>@frontline.invalid'
    message_id     TEXT    NOT NULL UNIQUE,
    -- the raw message, stored under its SHA-256 beside the attachments
    sha256         TEXT    NOT NULL,
    size_bytes     BIGINT  NOT NULL,
    imap_uidvalidity BIGINT,
    imap_uid       BIGINT,
    received_at    BIGINT  NOT NULL,
    from_address   TEXT,
    from_name      TEXT,
    subject        TEXT,
    -- placed: became a ticket or a step on one; held: waits for an administrator (reason says
    -- why); discarded: an administrator threw it away
    status         TEXT    NOT NULL CHECK (status IN ('placed', 'held', 'discarded')),
    -- why a message is held, as a word the Unprocessed list filters on
    hold_kind      TEXT    CHECK (hold_kind IN ('unparseable', 'auto_reply', 'unknown_sender',
                                                'rate_limited', 'not_allowed', 'failed')),
    reason         TEXT,
    -- what it became
    ticket_id      BIGINT  REFERENCES tickets (id),
    event_id       BIGINT  REFERENCES ticket_events (id),
    -- machine-sent (Auto-Submitted, Precedence, List-Id, empty return path): never answered
    automatic      BOOLEAN NOT NULL DEFAULT FALSE,
    decided_by     BIGINT  REFERENCES users (id),
    decided_at     BIGINT
);
CREATE INDEX inbound_mail_by_status ON inbound_mail (status, received_at);
CREATE INDEX inbound_mail_by_ticket ON inbound_mail (ticket_id);
CREATE INDEX inbound_mail_by_sender ON inbound_mail (from_address, received_at);
CREATE UNIQUE INDEX inbound_mail_by_uid ON inbound_mail (mailbox_id, imap_uidvalidity, imap_uid);

ALTER TABLE tickets ADD COLUMN mailbox_id BIGINT REFERENCES mailboxes (id);
