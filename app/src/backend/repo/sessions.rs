//! Server-side sessions and the failed sign-in log behind the rate limit.

use super::users::{me_from_row, ME_COLUMNS};
use crate::backend::repo::statement::statement;
use crate::backend::repo::{db_run, Columns, Conn};
use crate::model::Me;

pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub user_id: i64,
    pub created_at: i64,
    pub expires_at: i64,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

pub async fn insert(db: &mut Conn, s: &NewSession<'_>) -> sqlx::Result<()> {
    statement(
        "INSERT INTO sessions (id, user_id, created_at, expires_at, ip, user_agent)
             VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(s.id_hash)
    .bind(s.user_id)
    .bind(s.created_at)
    .bind(s.expires_at)
    .bind(s.ip)
    .bind(s.user_agent)
    .run(db)
    .await
}

/// The user behind a live session: not expired, the user active, their organization active.
/// One indexed lookup per request.
pub async fn find_user(db: &mut Conn, id_hash: &str, now: i64) -> sqlx::Result<Option<(Me, i64)>> {
    db_run!(db, db => {
        let sql = format!(
            "SELECT {ME_COLUMNS}, s.expires_at FROM sessions s
         JOIN users u ON u.id = s.user_id
         LEFT JOIN organizations o ON o.id = u.org_id
         LEFT JOIN teams t ON t.id = u.team_id
         WHERE s.id = $1 AND s.expires_at > $2 AND u.active AND COALESCE(o.active, TRUE)"
        );
        let row = sqlx::query(&sql)
            .bind(id_hash)
            .bind(now)
            .fetch_optional(db)
            .await?;
        row.map(|r| Ok((me_from_row(&r)?, r.try_get("expires_at")?)))
            .transpose()
    })
}

/// Pushes a session's end to `expires_at`, but never past `absolute_secs` after it began.
pub async fn extend(
    db: &mut Conn,
    id_hash: &str,
    expires_at: i64,
    absolute_secs: i64,
) -> sqlx::Result<()> {
    statement(
        "UPDATE sessions
             SET expires_at = CASE WHEN $1 < created_at + $3 THEN $1 ELSE created_at + $3 END
             WHERE id = $2",
    )
    .bind(expires_at)
    .bind(id_hash)
    .bind(absolute_secs)
    .run(db)
    .await
}

pub async fn delete(db: &mut Conn, id_hash: &str) -> sqlx::Result<()> {
    statement("DELETE FROM sessions WHERE id = $1")
        .bind(id_hash)
        .run(db)
        .await
}

/// Ends every session of a person.
pub async fn delete_for_user(db: &mut Conn, user_id: i64) -> sqlx::Result<()> {
    statement("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .run(db)
        .await
}

/// The last recorded failure under `key` since `since`, and how many there were.
pub async fn failures_and_last_since(
    db: &mut Conn,
    key: &str,
    since: i64,
) -> sqlx::Result<(i64, Option<i64>)> {
    statement("SELECT COUNT(*), MAX(at) FROM login_failures WHERE scope_key = $1 AND at > $2")
        .bind(key)
        .bind(since)
        .fetch_one(db)
        .await
}

pub async fn delete_expired(db: &mut Conn, now: i64) -> sqlx::Result<u64> {
    db_run!(db, db => {
        Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(db)
            .await?
            .rows_affected())
    })
}

pub async fn count_for_user(db: &mut Conn, user_id: i64) -> sqlx::Result<i64> {
    statement("SELECT COUNT(*) FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .scalar(db)
        .await
}

pub async fn failures_since(db: &mut Conn, key: &str, since: i64) -> sqlx::Result<i64> {
    statement("SELECT COUNT(*) FROM login_failures WHERE scope_key = $1 AND at > $2")
        .bind(key)
        .bind(since)
        .scalar(db)
        .await
}

/// Records a failed (or not yet verified) sign-in; returns its id.
pub async fn record_failure(db: &mut Conn, key: &str, at: i64) -> sqlx::Result<i64> {
    statement("INSERT INTO login_failures (scope_key, at) VALUES ($1, $2) RETURNING id")
        .bind(key)
        .bind(at)
        .scalar(db)
        .await
}

/// Forgets one recorded attempt (it succeeded).
pub async fn forget_failure(db: &mut Conn, id: i64) -> sqlx::Result<()> {
    statement("DELETE FROM login_failures WHERE id = $1")
        .bind(id)
        .run(db)
        .await
}

pub async fn clear_failures(db: &mut Conn, key: &str) -> sqlx::Result<()> {
    statement("DELETE FROM login_failures WHERE scope_key = $1")
        .bind(key)
        .run(db)
        .await
}

pub async fn prune_failures(db: &mut Conn, before: i64) -> sqlx::Result<u64> {
    db_run!(db, db => {
        Ok(sqlx::query("DELETE FROM login_failures WHERE at <= $1")
            .bind(before)
            .execute(db)
            .await?
            .rows_affected())
    })
}
