//! One-time links with which a person sets their password (stored as the token's hash).

use crate::backend::repo::statement::statement;
use crate::backend::repo::{db_run, Conn};

pub async fn insert(
    db: &mut Conn,
    token_hash: &str,
    user_id: i64,
    created_by: i64,
    now: i64,
    expires_at: i64,
) -> sqlx::Result<()> {
    statement(
        "INSERT INTO password_resets (token_hash, user_id, created_by, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(created_by)
    .bind(now)
    .bind(expires_at)
    .run(db)
    .await
}

/// Makes every unused link of a person unusable.
pub async fn revoke(db: &mut Conn, user_id: i64, now: i64) -> sqlx::Result<()> {
    statement("UPDATE password_resets SET expires_at = $1 WHERE user_id = $2 AND used_at IS NULL AND expires_at > $1").bind(now).bind(user_id).run(db).await
}

/// The person behind a live link: (id, name, email); the account active.
pub async fn live(
    db: &mut Conn,
    token_hash: &str,
    now: i64,
) -> sqlx::Result<Option<(i64, String, String)>> {
    statement(
        "SELECT u.id, u.name, u.email FROM password_resets r JOIN users u ON u.id = r.user_id
         LEFT JOIN organizations o ON o.id = u.org_id
         WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > $2
           AND u.active AND COALESCE(o.active, TRUE)",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(db)
    .await
}

/// Marks a link used; false when somebody used it first.
pub async fn use_up(db: &mut Conn, token_hash: &str, now: i64) -> sqlx::Result<bool> {
    db_run!(db, db => {
        Ok(sqlx::query(
            "UPDATE password_resets SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1",
        )
        .bind(now)
        .bind(token_hash)
        .execute(db)
        .await?
        .rows_affected()
            == 1)
    })
}
