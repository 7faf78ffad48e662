-- The queue's counts per status view without a client filter (a manager's default queue) and
-- with a team filter (a lead's team queue) read only these indexes: at 1M tickets the count of
-- "new" walked the open work reading each ticket's status, 26 ms, and a team's counts read
-- each ticket's team, 64 ms for the eight; with them each count is one capped index range.
CREATE INDEX tickets_view_counts_all ON tickets (status_rank, status, assignee_id);
CREATE INDEX tickets_view_counts_by_team ON tickets (team_id, status_rank, status, assignee_id);
