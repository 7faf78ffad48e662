//! Switching a record off and on (an organization, a mailbox, a webhook, a user): one change
//! that finds the record, does nothing when it already is as asked, and otherwise switches it
//! and records who did, with the record's state before and after.

use super::change::{AdminChange, Audit};
use crate::backend::db::Conn;
use crate::backend::policy::Actor;
use crate::backend::state::AppState;
use crate::model::admin::AuditAction;
use crate::model::AppResult;
use serde_json::{json, Value};

/// How the audit log words switching one kind of record off and on.
pub struct Kind {
    action: fn(bool) -> AuditAction,
    off: &'static str,
    on: &'static str,
}

impl Kind {
    const fn new(action: fn(bool) -> AuditAction, off: &'static str, on: &'static str) -> Kind {
        Kind { action, off, on }
    }
}

pub const ORG: Kind = Kind::new(AuditAction::org_active, "Deactivated", "Reactivated");
pub const MAILBOX: Kind = Kind::new(AuditAction::mailbox_active, "Deactivated", "Reactivated");
pub const WEBHOOK: Kind = Kind::new(AuditAction::webhook_active, "Paused", "Enabled");
pub const USER: Kind = Kind::new(AuditAction::user_active, "Deactivated", "Reactivated");

/// A record as a toggle found it, before switching.
pub struct Found<T> {
    record: T,
    active: bool,
    what: String,
    before: Value,
}

impl<T> Found<T> {
    /// `what` follows the verb in the audit summary: "mailbox Support (help@example.com)".
    pub fn new(record: T, active: bool, what: String) -> Found<T> {
        Found {
            record,
            active,
            what,
            before: json!({ "active": active }),
        }
    }

    /// What the audit row keeps of the record before, when more than whether it was active.
    pub fn before(mut self, before: Value) -> Found<T> {
        self.before = before;
        self
    }
}

/// Switches record `id` of `kind` on (`active`) or off, as one change by an administrator:
/// `load` finds it (or answers that it does not exist) and `write` switches it, with whatever
/// else that kind needs. Returns whether it changed; a record already as asked is left alone,
/// without an audit row.
pub async fn toggle<T>(
    state: &AppState,
    actor: &Actor,
    kind: &Kind,
    id: i64,
    active: bool,
    load: impl AsyncFnOnce(&mut Conn) -> AppResult<Found<T>>,
    write: impl AsyncFnOnce(&mut AdminChange, &T) -> AppResult<()>,
) -> AppResult<bool> {
    let mut c = AdminChange::begin(state, actor).await?;
    let was = load(&mut c.tx).await?;
    if was.active == active {
        return Ok(false);
    }
    write(&mut c, &was.record).await?;
    let verb = if active { kind.on } else { kind.off };
    c.commit(
        Audit::new((kind.action)(active), id, format!("{verb} {}", was.what))
            .before(&was.before)
            .after(&json!({ "active": active })),
    )
    .await?;
    Ok(true)
}
