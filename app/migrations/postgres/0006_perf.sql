-- The queue's counts per status view without a client filter (a manager's default queue) and
-- with a team filter (a lead's team queue) read only these indexes: at 1M tickets the count of
-- "new" walked the open work reading each ticket's status, 26 ms, and a team's counts read
-- each ticket's team, 64 ms for the eight; with them each count is one capped index range.
CREATE INDEX tickets_view_counts_all ON tickets (status_rank, status, assignee_id);
CREATE INDEX tickets_view_counts_by_team ON tickets (team_id, status_rank, status, assignee_id);

-- Weekly scorecard rollups: per analyst and UTC day, what the tickets they hold add to a week's
-- card on that day (`facts`, JSON of model::rollup::AnalystDay): raised, resolved and first
-- answered that day. A week's cards then read seven rows per analyst instead of the week's
-- tickets. Kept like report_days: each ticket change marks the days it counts in for its
-- analyst, before and after it writes; the scorecards recompute the stale days they cover.
CREATE TABLE analyst_days (
    assignee_id  BIGINT  NOT NULL REFERENCES users (id),
    day          BIGINT  NOT NULL,
    facts        TEXT    NOT NULL,
    PRIMARY KEY (assignee_id, day)
);

CREATE TABLE analyst_days_stale (
    assignee_id  BIGINT  NOT NULL,
    day          BIGINT  NOT NULL,
    PRIMARY KEY (assignee_id, day)
);

-- Recomputing one analyst's day reads their tickets raised, resolved (tickets_by_resolution)
-- and first answered on it.
CREATE INDEX tickets_by_assignee_created ON tickets (assignee_id, created_at);
CREATE INDEX tickets_by_assignee_response ON tickets (assignee_id, first_response_at)
    WHERE first_response_at IS NOT NULL;

INSERT INTO analyst_days_stale (assignee_id, day)
SELECT assignee_id, created_at / 86400 FROM tickets WHERE assignee_id IS NOT NULL
UNION
SELECT assignee_id, resolved_at / 86400 FROM tickets
    WHERE assignee_id IS NOT NULL AND resolved_at IS NOT NULL
UNION
SELECT assignee_id, first_response_at / 86400 FROM tickets
    WHERE assignee_id IS NOT NULL AND first_response_at IS NOT NULL;
