-- Daily report rollups: per client and UTC day, what its tickets raised that day add to a desk
-- report (`facts`, JSON of model::rollup::DayRollup), and `closed`: tickets of any day whose
-- latest resolution fell on it, for the backlog. A report over a period then reads one row per
-- client and day instead of every ticket.
CREATE TABLE report_days (
    org_id  BIGINT  NOT NULL REFERENCES organizations (id),
    day     BIGINT  NOT NULL,
    raised  BIGINT  NOT NULL,
    closed  BIGINT  NOT NULL,
    facts   TEXT    NOT NULL,
    PRIMARY KEY (org_id, day)
);

-- Days whose rollup no longer matches their tickets: each ticket change marks the day it was
-- raised and the days of its latest resolution before and after, in its own transaction; a
-- report recomputes the stale days it covers before reading, and housekeeping the rest.
CREATE TABLE report_days_stale (
    org_id  BIGINT  NOT NULL,
    day     BIGINT  NOT NULL,
    PRIMARY KEY (org_id, day)
);

INSERT INTO report_days_stale (org_id, day)
SELECT org_id, created_at / 86400 FROM tickets
UNION
SELECT org_id, resolved_at / 86400 FROM tickets WHERE resolved_at IS NOT NULL;

-- The scorecards' trend (tickets each analyst resolved in each of the previous weeks) reads only
-- this index: at 1M tickets, 0.9 s of table lookups become 0.1 s.
CREATE INDEX tickets_resolved_by_assignee ON tickets (resolved_at, assignee_id)
    WHERE resolved_at IS NOT NULL;
