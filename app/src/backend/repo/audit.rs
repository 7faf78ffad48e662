//! The audit log of administration changes: append and read, newest first.

use crate::backend::repo::statement::statement;
use crate::backend::repo::{db_run, Columns, Conn};
use crate::model::admin::{AuditAction, AuditEntry};

pub struct NewEntry<'a> {
    pub at: i64,
    pub actor_id: i64,
    pub action: AuditAction,
    pub entity_id: Option<i64>,
    pub summary: &'a str,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
}

/// Appends one entry; the log is never changed afterwards.
pub async fn append(db: &mut Conn, e: &NewEntry<'_>) -> sqlx::Result<()> {
    statement(
        "INSERT INTO audit_log (at, actor_id, action, entity, entity_id, summary, before, after)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(e.at)
    .bind(e.actor_id)
    .bind(e.action.as_str())
    .bind(e.action.entity())
    .bind(e.entity_id)
    .bind(e.summary)
    .bind(e.before)
    .bind(e.after)
    .run(db)
    .await
}

/// Entries older than `before` (an id), newest first.
pub async fn page(db: &mut Conn, before: Option<i64>, limit: i64) -> sqlx::Result<Vec<AuditEntry>> {
    db_run!(db, db => {
        sqlx::query(
            "SELECT a.id, a.at, u.name AS actor, a.action, a.entity, a.entity_id, a.summary, a.before, a.after
         FROM audit_log a JOIN users u ON u.id = a.actor_id
         WHERE a.id < $1 ORDER BY a.id DESC LIMIT $2",
        )
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(db)
        .await?
        .iter()
        .map(|r| {
            Ok(AuditEntry {
                id: r.try_get("id")?,
                at: r.try_get("at")?,
                actor: r.try_get("actor")?,
                action: r.try_get("action")?,
                entity: r.try_get("entity")?,
                entity_id: r.try_get("entity_id")?,
                summary: r.try_get("summary")?,
                before: r.try_get("before")?,
                after: r.try_get("after")?,
            })
        })
        .collect()
    })
}
