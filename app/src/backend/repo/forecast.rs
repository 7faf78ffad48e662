//! What the staffing forecast reads: arrivals per client, priority and hour, the teams and the
//! clients they serve, who is on shift or on call, open work with its next target, and recent
//! resolutions for handle times.

use crate::backend::repo::statement::statement;
use crate::backend::repo::Conn;

/// (org, priority, hour since 1970, tickets).
pub type ArrivalRow = (i64, String, i64, i64);

/// Tickets raised in [from, to), per org, priority and hour. Reads `tickets_by_arrival`.
pub async fn arrivals(conn: &mut Conn, from: i64, to: i64) -> sqlx::Result<Vec<ArrivalRow>> {
    statement(
        "SELECT org_id, priority, created_at / 3600 AS hour, COUNT(*) FROM tickets
         WHERE created_at >= $1 AND created_at < $2
         GROUP BY org_id, priority, created_at / 3600",
    )
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}

/// (team, name) of every team, by name.
pub async fn teams(conn: &mut Conn) -> sqlx::Result<Vec<(i64, String)>> {
    statement("SELECT id, name FROM teams ORDER BY name")
        .fetch_all(conn)
        .await
}

/// (team, org) pairs: which teams serve which clients.
pub async fn team_orgs(conn: &mut Conn) -> sqlx::Result<Vec<(i64, i64)>> {
    statement("SELECT team_id, org_id FROM team_orgs ORDER BY org_id, team_id")
        .fetch_all(conn)
        .await
}

/// (team, person, shift start) of everyone on shift now.
pub async fn on_shift(conn: &mut Conn, now: i64) -> sqlx::Result<Vec<(i64, i64, i64)>> {
    statement(
        "SELECT u.team_id, s.user_id, MIN(s.started_at) FROM shifts s JOIN users u ON u.id = s.user_id
         WHERE s.ended_at IS NULL AND s.started_at <= $1 AND u.team_id IS NOT NULL AND u.active
         GROUP BY u.team_id, s.user_id",
    )
    .bind(now)
    .fetch_all(conn)
    .await
}

/// (team, person, start, end) of on-call duty overlapping [from, to).
pub async fn on_call(
    conn: &mut Conn,
    from: i64,
    to: i64,
) -> sqlx::Result<Vec<(i64, i64, i64, i64)>> {
    statement(
        "SELECT team_id, user_id, starts_at, ends_at FROM oncall_shifts
         WHERE starts_at < $2 AND ends_at > $1",
    )
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}

/// An open ticket whose clock runs: (id, number, org, team, priority, next due, responded).
pub type OpenRow = (i64, i64, i64, Option<i64>, String, i64, Option<i64>);

/// Open (not pending) tickets whose clock runs. Reads `tickets_forecast_open`, a partial index
/// holding every column read.
pub async fn open(conn: &mut Conn) -> sqlx::Result<Vec<OpenRow>> {
    statement(
        "SELECT id, number, org_id, team_id, priority, next_due_at, first_response_at FROM tickets
         WHERE status_rank = 0 AND sla_paused_at IS NULL",
    )
    .fetch_all(conn)
    .await
}

/// A resolved ticket: (org, team, priority, first response, created, resolved).
pub type ResolvedRow = (i64, Option<i64>, String, Option<i64>, i64, i64);

/// The latest `limit` resolutions in [since, until). Reads `tickets_by_resolution` backwards.
pub async fn resolved(
    conn: &mut Conn,
    since: i64,
    until: i64,
    limit: i64,
) -> sqlx::Result<Vec<ResolvedRow>> {
    statement(
        "SELECT org_id, team_id, priority, first_response_at, created_at, resolved_at FROM tickets
         WHERE resolved_at >= $1 AND resolved_at < $2 ORDER BY resolved_at DESC LIMIT $3",
    )
    .bind(since)
    .bind(until)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Whether the ticket's timeline already has a step of `kind` with exactly `data`.
pub async fn already_alerted(
    conn: &mut Conn,
    ticket_id: i64,
    kind: &str,
    data: Option<&str>,
) -> sqlx::Result<bool> {
    let n: i64 = statement(
        "SELECT COUNT(*) FROM ticket_events WHERE ticket_id = $1 AND kind = $2 AND data = $3",
    )
    .bind(ticket_id)
    .bind(kind)
    .bind(data)
    .scalar(conn)
    .await?;
    Ok(n > 0)
}

/// The team's lead, while active.
pub async fn team_lead(conn: &mut Conn, team_id: i64) -> sqlx::Result<Option<i64>> {
    statement(
        "SELECT u.id FROM teams t JOIN users u ON u.id = t.lead_id WHERE t.id = $1 AND u.active",
    )
    .bind(team_id)
    .scalar_optional(conn)
    .await
}
