//! The shape of every administration change: one immediate transaction, opened only for an
//! administrator (or a caller that checked its own permission), that reads what it changes,
//! checks, writes, and commits together with the audit row saying who did what.

use crate::backend::db::{begin_write, WriteTx};
use crate::backend::policy::Actor;
use crate::backend::repo::audit;
use crate::backend::state::AppState;
use crate::model::admin::AuditAction;
use crate::model::AppResult;
use serde::Serialize;

pub struct AdminChange {
    pub tx: WriteTx,
    pub now: i64,
    actor_id: i64,
}

/// The audit row a change appends as it commits: what was done to which record, in words, and
/// the record before and after (as JSON).
pub struct Audit {
    action: AuditAction,
    entity_id: i64,
    summary: String,
    before: Option<String>,
    after: Option<String>,
}

impl Audit {
    pub fn new(action: AuditAction, entity_id: i64, summary: impl Into<String>) -> Audit {
        Audit {
            action,
            entity_id,
            summary: summary.into(),
            before: None,
            after: None,
        }
    }

    /// The row of a save that creates a record, or changes the one that was `before`:
    /// "Created team Atlas", "Changed team Atlas".
    pub fn saved(
        (create, update): (AuditAction, AuditAction),
        entity_id: i64,
        what: &str,
        before: Option<&impl Serialize>,
    ) -> Audit {
        let (action, done) = match before {
            Some(_) => (update, "Changed"),
            None => (create, "Created"),
        };
        Audit::new(action, entity_id, format!("{done} {what}")).before_if(before)
    }

    pub fn before(mut self, value: &impl Serialize) -> Audit {
        self.before = serde_json::to_string(value).ok();
        self
    }

    /// The record before, when there was one (a creation has none).
    pub fn before_if(self, value: Option<&impl Serialize>) -> Audit {
        match value {
            Some(value) => self.before(value),
            None => self,
        }
    }

    pub fn after(mut self, value: &impl Serialize) -> Audit {
        self.after = serde_json::to_string(value).ok();
        self
    }
}

impl AdminChange {
    /// Opens a change by an administrator; anyone else is refused before anything is read.
    pub async fn begin(state: &AppState, actor: &Actor) -> AppResult<AdminChange> {
        actor.require_admin()?;
        Self::begin_by(state, actor.id).await
    }

    /// Opens a change whose caller decides who may make it (a lead's roster, a password set
    /// through a link); `actor_id` is recorded as the one who made it.
    pub async fn begin_by(state: &AppState, actor_id: i64) -> AppResult<AdminChange> {
        let now = state.now();
        Ok(AdminChange {
            tx: begin_write(&state.pool).await?,
            now,
            actor_id,
        })
    }

    /// Appends the audit row and commits both.
    pub async fn commit(mut self, entry: Audit) -> AppResult<()> {
        audit::append(
            &mut self.tx,
            &audit::NewEntry {
                at: self.now,
                actor_id: self.actor_id,
                action: entry.action,
                entity_id: Some(entry.entity_id),
                summary: &entry.summary,
                before: entry.before.as_deref(),
                after: entry.after.as_deref(),
            },
        )
        .await?;
        self.tx.commit().await?;
        Ok(())
    }
}
