//! Desk-wide data: settings and counters.

use crate::backend::repo::statement::statement;
use crate::backend::repo::Conn;

pub async fn setting(db: &mut Conn, key: &str) -> sqlx::Result<Option<String>> {
    statement("SELECT value FROM desk_settings WHERE key = $1")
        .bind(key)
        .scalar_optional(db)
        .await
}

pub async fn set_setting(db: &mut Conn, key: &str, value: &str) -> sqlx::Result<()> {
    statement(
        "INSERT INTO desk_settings (key, value) VALUES ($1, $2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .run(db)
    .await
}

/// Takes the next value of a named counter (inside the caller's transaction, so a rolled-back
/// change gives its number back and a committed one never repeats).
pub async fn next_counter(db: &mut Conn, name: &str) -> sqlx::Result<i64> {
    statement("UPDATE counters SET value = value + 1 WHERE name = $1 RETURNING value")
        .bind(name)
        .scalar(db)
        .await
}

/// Moves a counter forward to at least `value` (bulk loads that number rows themselves).
pub async fn raise_counter(db: &mut Conn, name: &str, value: i64) -> sqlx::Result<()> {
    statement("UPDATE counters SET value = $1 WHERE name = $2 AND value < $1")
        .bind(value)
        .bind(name)
        .run(db)
        .await
}

pub async fn counter(db: &mut Conn, name: &str) -> sqlx::Result<i64> {
    statement("SELECT value FROM counters WHERE name = $1")
        .bind(name)
        .scalar(db)
        .await
}
