-- One index of resolutions by time instead of two overlapping ones: the report rollups' closed
-- counts read (resolved_at, org_id), the scorecards' trend (resolved_at, assignee_id); both are
-- covered by this one. The breach flags of the old tickets_by_resolution are read by the
-- dashboard through tickets_resolved_by_org (0014) only. At 1M tickets: 31 MB of index became 15,
-- and a resolution writes one index entry fewer.
DROP INDEX tickets_by_resolution;
DROP INDEX tickets_resolved_by_assignee;
CREATE INDEX tickets_by_resolution ON tickets (resolved_at, org_id, assignee_id)
    WHERE resolved_at IS NOT NULL;
