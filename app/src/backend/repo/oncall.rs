//! The on-call roster and pages.

use crate::backend::repo::statement::statement;
use crate::backend::repo::{db_run, Columns, Conn};

pub struct OncallShift {
    pub id: i64,
    pub team_id: i64,
    pub team: String,
    pub user_id: i64,
    pub user: String,
    pub starts_at: i64,
    pub ends_at: i64,
}

pub async fn add_shift(
    conn: &mut Conn,
    team_id: i64,
    user_id: i64,
    starts_at: i64,
    ends_at: i64,
    created_by: i64,
) -> sqlx::Result<i64> {
    statement(
        "INSERT INTO oncall_shifts (team_id, user_id, starts_at, ends_at, created_by)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(team_id)
    .bind(user_id)
    .bind(starts_at)
    .bind(ends_at)
    .bind(created_by)
    .scalar(conn)
    .await
}

pub async fn remove_shift(conn: &mut Conn, id: i64) -> sqlx::Result<bool> {
    db_run!(conn, conn => {
        Ok(sqlx::query("DELETE FROM oncall_shifts WHERE id = $1")
            .bind(id)
            .execute(conn)
            .await?
            .rows_affected()
            == 1)
    })
}

pub async fn shift_team(conn: &mut Conn, id: i64) -> sqlx::Result<Option<i64>> {
    statement("SELECT team_id FROM oncall_shifts WHERE id = $1")
        .bind(id)
        .scalar_optional(conn)
        .await
}

/// Shifts overlapping [from, to), optionally of one team.
pub async fn shifts(
    conn: &mut Conn,
    from: i64,
    to: i64,
    team_id: Option<i64>,
) -> sqlx::Result<Vec<OncallShift>> {
    db_run!(conn, conn => {
        sqlx::query(
            "SELECT s.id, s.team_id, t.name AS team, s.user_id, u.name AS user_name, s.starts_at, s.ends_at
         FROM oncall_shifts s JOIN teams t ON t.id = s.team_id JOIN users u ON u.id = s.user_id
         WHERE s.starts_at < $2 AND s.ends_at > $1 AND ($3 IS NULL OR s.team_id = $3)
         ORDER BY t.name, s.starts_at",
        )
        .bind(from)
        .bind(to)
        .bind(team_id)
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| {
            Ok(OncallShift {
                id: r.try_get("id")?,
                team_id: r.try_get("team_id")?,
                team: r.try_get("team")?,
                user_id: r.try_get("user_id")?,
                user: r.try_get("user_name")?,
                starts_at: r.try_get("starts_at")?,
                ends_at: r.try_get("ends_at")?,
            })
        })
        .collect()
    })
}

/// Who of `team_id` is on call at `at` (the most recently added shift wins an overlap).
pub async fn on_call(conn: &mut Conn, team_id: i64, at: i64) -> sqlx::Result<Option<i64>> {
    statement(
        "SELECT s.user_id FROM oncall_shifts s JOIN users u ON u.id = s.user_id
         WHERE s.team_id = $1 AND s.starts_at <= $2 AND s.ends_at > $2 AND u.active
         ORDER BY s.id DESC LIMIT 1",
    )
    .bind(team_id)
    .bind(at)
    .scalar_optional(conn)
    .await
}

pub async fn team_lead(conn: &mut Conn, team_id: i64) -> sqlx::Result<Option<i64>> {
    db_run!(conn, conn => {
        sqlx::query_scalar("SELECT lead_id FROM teams WHERE id = $1")
            .bind(team_id)
            .fetch_optional(conn)
            .await
            .map(Option::flatten)
    })
}

/// Active members of a team who may be on call (its analysts, seniors and lead).
pub async fn team_members(conn: &mut Conn, team_id: i64) -> sqlx::Result<Vec<(i64, String)>> {
    statement("SELECT id, name FROM users WHERE active AND team_id = $1 AND role IN ('analyst', 'senior', 'lead') ORDER BY name").bind(team_id).fetch_all(conn).await
}

pub struct NewPage<'a> {
    pub ticket_id: i64,
    pub user_id: i64,
    pub ack_token_hash: &'a str,
    pub created_at: i64,
    pub escalate_at: Option<i64>,
}

pub async fn add_page(conn: &mut Conn, p: &NewPage<'_>) -> sqlx::Result<i64> {
    statement(
        "INSERT INTO pages (ticket_id, user_id, ack_token_hash, created_at, escalate_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(p.ticket_id)
    .bind(p.user_id)
    .bind(p.ack_token_hash)
    .bind(p.created_at)
    .bind(p.escalate_at)
    .scalar(conn)
    .await
}

pub struct PageRow {
    pub id: i64,
    pub ticket_id: i64,
    pub user_id: i64,
    pub acked_at: Option<i64>,
}

fn page_row(r: &impl Columns) -> sqlx::Result<PageRow> {
    Ok(PageRow {
        id: r.try_get("id")?,
        ticket_id: r.try_get("ticket_id")?,
        user_id: r.try_get("user_id")?,
        acked_at: r.try_get("acked_at")?,
    })
}

pub async fn page_by_token(conn: &mut Conn, token_hash: &str) -> sqlx::Result<Option<PageRow>> {
    db_run!(conn, conn => {
        sqlx::query("SELECT id, ticket_id, user_id, acked_at FROM pages WHERE ack_token_hash = $1")
            .bind(token_hash)
            .fetch_optional(conn)
            .await?
            .map(|r| page_row(&r))
            .transpose()
    })
}

/// Pages of a ticket not yet acknowledged.
pub async fn open_pages(conn: &mut Conn, ticket_id: i64) -> sqlx::Result<Vec<PageRow>> {
    db_run!(conn, conn => {
        sqlx::query("SELECT id, ticket_id, user_id, acked_at FROM pages WHERE ticket_id = $1 AND acked_at IS NULL ORDER BY id")
            .bind(ticket_id)
            .fetch_all(conn)
            .await?
            .iter()
            .map(page_row)
            .collect()
    })
}

/// Acknowledges every open page of a ticket (one answer is enough for all of them).
pub async fn acknowledge(conn: &mut Conn, ticket_id: i64, by: i64, now: i64) -> sqlx::Result<u64> {
    db_run!(conn, conn => {
        Ok(sqlx::query(
            "UPDATE pages SET acked_at = $1, acked_by = $2 WHERE ticket_id = $3 AND acked_at IS NULL",
        )
        .bind(now)
        .bind(by)
        .bind(ticket_id)
        .execute(conn)
        .await?
        .rows_affected())
    })
}

/// Unacknowledged pages whose time to escalate has come.
pub async fn due_escalations(conn: &mut Conn, now: i64) -> sqlx::Result<Vec<PageRow>> {
    db_run!(conn, conn => {
        sqlx::query(
            "SELECT id, ticket_id, user_id, acked_at FROM pages
             WHERE acked_at IS NULL AND escalate_at IS NOT NULL AND escalate_at <= $1 ORDER BY escalate_at",
        )
        .bind(now)
        .fetch_all(conn)
        .await?
        .iter()
        .map(page_row)
        .collect()
    })
}

/// Marks a page escalated (so it is never escalated twice).
pub async fn mark_escalated(conn: &mut Conn, id: i64, to_page: i64) -> sqlx::Result<bool> {
    db_run!(conn, conn => {
        Ok(sqlx::query("UPDATE pages SET escalate_at = NULL, escalated_page = $1 WHERE id = $2 AND escalate_at IS NOT NULL")
            .bind(to_page)
            .bind(id)
            .execute(conn)
            .await?
            .rows_affected()
            == 1)
    })
}
