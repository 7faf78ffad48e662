//! The audit log: every administrative change, newest first.

use crate::backend::policy::Actor;
use crate::backend::repo;
use crate::backend::state::AppState;
use crate::model::admin::{AuditEntry, AuditPage};
use crate::model::AppResult;

const AUDIT_PAGE: i64 = 50;

pub async fn audit_page(
    state: &AppState,
    actor: &Actor,
    before: Option<i64>,
) -> AppResult<AuditPage> {
    actor.require_admin()?;
    let entries =
        repo::audit::page(&mut state.pool.acquire().await?, before, AUDIT_PAGE + 1).await?;
    let more = entries.len() as i64 > AUDIT_PAGE;
    let entries: Vec<AuditEntry> = entries.into_iter().take(AUDIT_PAGE as usize).collect();
    Ok(AuditPage {
        older: if more {
            entries.last().map(|e| e.id)
        } else {
            None
        },
        entries,
        now: state.now(),
    })
}
