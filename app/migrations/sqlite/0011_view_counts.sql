-- The queue's counts per status view, "mine" and "unassigned" for one client read only this
-- index (at 1M tickets: 29 ms -> 0.5 ms for the four that otherwise read table rows).
CREATE INDEX tickets_view_counts ON tickets (org_id, status_rank, status, assignee_id);
