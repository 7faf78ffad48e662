//! The dashboard's aggregates. Each reads an index (see migrations 0002 and 0014) so its cost grows
//! with open work and recent arrivals, not with the number of tickets ever raised.

use crate::backend::repo::statement::statement;
use crate::backend::repo::{db_run, Columns, Conn};

use std::collections::btree_map::{BTreeMap, Entry};

/// Open work of one (client, assignee, tier) group.
pub struct OpenGroup {
    pub org_id: i64,
    pub assignee_id: Option<i64>,
    pub tier: i64,
    pub open: i64,
    pub at_risk: i64,
    pub breached: i64,
    pub oldest: i64,
}

// Every aggregate here streams in the order of an index: SQLite has no hash aggregate, so a
// GROUP BY or window out of index order sorts every row it reads in a temp B-tree, which at 1M
// tickets cost more than the reading (40 ms instead of 9 ms over 80k open tickets).

/// Cost: one pass over `tickets_open_health` for open and pending tickets, in its order.
pub async fn open_groups(conn: &mut Conn, now: i64) -> sqlx::Result<Vec<OpenGroup>> {
    db_run!(conn, conn => {
        // grouped by status_rank first so the groups follow the index; the two ranks of a group
        // are merged below
        let rows = sqlx::query(
            "SELECT org_id, assignee_id, tier, COUNT(*) AS open,
                SUM(CASE WHEN sla_paused_at IS NULL AND next_due_at > $1 AND next_warn_at <= $1 THEN 1 ELSE 0 END) AS at_risk,
                SUM(CASE WHEN sla_paused_at IS NULL AND next_due_at <= $1 THEN 1 ELSE 0 END) AS breached,
                MIN(created_at) AS oldest
         FROM tickets WHERE status_rank <= 1
         GROUP BY status_rank, org_id, assignee_id, tier",
        )
        .bind(now)
        .fetch_all(conn)
        .await?;
        let mut groups: BTreeMap<(i64, Option<i64>, i64), OpenGroup> = BTreeMap::new();
        for r in &rows {
            let g = OpenGroup {
                org_id: r.try_get("org_id")?,
                assignee_id: r.try_get("assignee_id")?,
                tier: r.try_get("tier")?,
                open: r.try_get("open")?,
                at_risk: r.try_get("at_risk")?,
                breached: r.try_get("breached")?,
                oldest: r.try_get("oldest")?,
            };
            match groups.entry((g.org_id, g.assignee_id, g.tier)) {
                Entry::Vacant(slot) => {
                    slot.insert(g);
                }
                Entry::Occupied(mut slot) => {
                    let m = slot.get_mut();
                    m.open += g.open;
                    m.at_risk += g.at_risk;
                    m.breached += g.breached;
                    m.oldest = m.oldest.min(g.oldest);
                }
            }
        }
        Ok(groups.into_values().collect())
    })
}

/// Per client, the next running target to fall due after `now`: (org, due, warn).
/// Cost: one seek per client into the partial index `tickets_next_due_by_org` (migration 0014).
pub async fn next_dues(conn: &mut Conn, now: i64) -> sqlx::Result<Vec<(i64, i64, i64)>> {
    statement(
        "SELECT o.id, t.next_due_at, t.next_warn_at
         FROM organizations o JOIN tickets t ON t.id = (
             SELECT f.id FROM tickets f
             WHERE f.org_id = o.id AND f.status_rank <= 1 AND f.sla_paused_at IS NULL
               AND f.next_due_at > $1
             ORDER BY f.next_due_at, f.id LIMIT 1)",
    )
    .bind(now)
    .fetch_all(conn)
    .await
}

/// Tickets raised in (from, to], per client. Cost: a range of `tickets_by_arrival`.
pub async fn arrivals(conn: &mut Conn, from: i64, to: i64) -> sqlx::Result<Vec<(i64, i64)>> {
    statement("SELECT org_id, COUNT(*) FROM tickets WHERE created_at > $1 AND created_at <= $2 GROUP BY org_id").bind(from).bind(to).fetch_all(conn).await
}

/// Tickets resolved after `since`, per client: (org, resolved, met every target).
/// Cost: one range per client of the partial index `tickets_resolved_by_org` (migration 0014);
/// the clients are walked in order (CROSS JOIN keeps SQLite's join order) so the grouping
/// streams.
pub async fn resolutions(conn: &mut Conn, since: i64) -> sqlx::Result<Vec<(i64, i64, i64)>> {
    statement(
        "SELECT o.id, COUNT(*),
                SUM(CASE WHEN t.response_breached OR t.resolution_breached THEN 0 ELSE 1 END)
         FROM organizations o CROSS JOIN tickets t
         WHERE t.org_id = o.id AND t.resolved_at IS NOT NULL AND t.resolved_at > $1
         GROUP BY o.id",
    )
    .bind(since)
    .fetch_all(conn)
    .await
}

/// Staff who hold tickets, by team: (id, name, tier, team).
pub async fn staff_by_team(
    conn: &mut Conn,
) -> sqlx::Result<Vec<(i64, String, Option<i64>, String)>> {
    statement(
        "SELECT u.id, u.name, u.tier, t.name FROM users u JOIN teams t ON t.id = u.team_id
         WHERE u.active AND u.role IN ('analyst', 'senior', 'lead')
         ORDER BY t.name, COALESCE(u.tier, 0), u.name",
    )
    .fetch_all(conn)
    .await
}

/// Arrivals in `buckets` buckets of `width` seconds from `from`, optionally for one client.
/// Cost: one count per bucket over its range of `tickets_by_arrival` (a GROUP BY on the bucket
/// would sort every arrival instead).
pub async fn volume(
    conn: &mut Conn,
    from: i64,
    width: i64,
    buckets: i64,
    org_id: Option<i64>,
) -> sqlx::Result<Vec<i64>> {
    db_run!(conn, conn => {
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "WITH RECURSIVE b (n) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT n + 1 FROM b WHERE n + 1 < $3)
         SELECT n, (SELECT COUNT(*) FROM tickets
                    WHERE created_at >= $1 + n * $2 AND created_at < $1 + (n + 1) * $2
                      AND ($4 IS NULL OR org_id = $4))
         FROM b",
        )
        .bind(from)
        .bind(width)
        .bind(buckets)
        .bind(org_id)
        .fetch_all(conn)
        .await?;
        let mut out = vec![0; buckets.max(0) as usize];
        for (bucket, n) in rows {
            if let Some(slot) = usize::try_from(bucket).ok().and_then(|b| out.get_mut(b)) {
                *slot = n;
            }
        }
        Ok(out)
    })
}
