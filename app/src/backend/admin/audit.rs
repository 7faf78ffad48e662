//! The audit log: every administrative change, newest first.

use super::*;

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
