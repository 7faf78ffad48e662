//! Desk-wide data: settings and counters.

use crate::backend::repo::{db_run, Conn};

pub async fn setting(db: &mut Conn, key: &str) -> sqlx::Result<Option<String>> {
    db_run!(db, db => {
        sqlx::query_scalar("SELECT value FROM desk_settings WHERE key = $1")
            .bind(key)
            .fetch_optional(db)
            .await
    })
}

pub async fn set_setting(db: &mut Conn, key: &str, value: &str) -> sqlx::Result<()> {
    db_run!(db, db => {
        sqlx::query(
            "INSERT INTO desk_settings (key, value) VALUES ($1, $2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(db)
        .await?;
        Ok(())
    })
}

/// Takes the next value of a named counter (inside the caller's transaction, so a rolled-back
/// change gives its number back and a committed one never repeats).
pub async fn next_counter(db: &mut Conn, name: &str) -> sqlx::Result<i64> {
    db_run!(db, db => {
        sqlx::query_scalar("UPDATE counters SET value = value + 1 WHERE name = $1 RETURNING value")
            .bind(name)
            .fetch_one(db)
            .await
    })
}

/// Moves a counter forward to at least `value` (bulk loads that number rows themselves).
pub async fn raise_counter(db: &mut Conn, name: &str, value: i64) -> sqlx::Result<()> {
    db_run!(db, db => {
        sqlx::query("UPDATE counters SET value = $1 WHERE name = $2 AND value < $1")
            .bind(value)
            .bind(name)
            .execute(db)
            .await?;
        Ok(())
    })
}

pub async fn counter(db: &mut Conn, name: &str) -> sqlx::Result<i64> {
    db_run!(db, db => {
        sqlx::query_scalar("SELECT value FROM counters WHERE name = $1")
            .bind(name)
            .fetch_one(db)
            .await
    })
}
