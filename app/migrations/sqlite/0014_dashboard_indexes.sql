-- Dashboard aggregates that otherwise sort: SQLite groups by sorting unless rows arrive in the
-- grouping order, and at 1M tickets the sorts cost more than the reading.

-- Per client, the next running target to fall due: one seek per client instead of sorting all
-- running open work by due time. Small: only open and pending tickets whose clock runs.
CREATE INDEX tickets_next_due_by_org ON tickets (org_id, next_due_at)
    WHERE status_rank <= 1 AND sla_paused_at IS NULL;

-- Resolutions and attainment per client over the last day and week: one range per client,
-- in client order, instead of sorting a week of resolutions by client.
CREATE INDEX tickets_resolved_by_org ON tickets (org_id, resolved_at, response_breached, resolution_breached)
    WHERE resolved_at IS NOT NULL;
