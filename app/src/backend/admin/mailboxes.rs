//! Mailboxes: where the desk reads mail, and where a stranger's new ticket goes. The IMAP
//! password or token is sealed with `FRONTLINE_SECRET_KEY` as it arrives and never leaves the
//! server again, not even into the audit log (which records only that it changed). The IMAP
//! supervisor reads the list again every minute, so a change needs no restart.

use super::change::{AdminChange, Audit};
use super::toggle::{self, toggle, Found};
use super::{invalid, unique_or};
use crate::backend::db::Conn;
use crate::backend::policy::Actor;
use crate::backend::repo::{self, mailbox_admin as rows};
use crate::backend::secrets::seal;
use crate::backend::state::AppState;
use crate::model::admin::{AuditAction, MailboxDraft, MailboxEdit, MailboxRow, ValidMailbox};
use crate::model::{AppError, AppResult};
use serde_json::json;

pub async fn list_mailboxes(state: &AppState, actor: &Actor) -> AppResult<Vec<MailboxRow>> {
    actor.require_admin()?;
    Ok(rows::rows(&mut state.pool.acquire().await?, state.now()).await?)
}

pub async fn mailbox(state: &AppState, actor: &Actor, id: i64) -> AppResult<MailboxEdit> {
    actor.require_admin()?;
    existing(&mut state.pool.acquire().await?, id).await
}

async fn existing(conn: &mut Conn, id: i64) -> AppResult<MailboxEdit> {
    rows::load(conn, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("There is no mailbox {id}.")))
}

/// Checks what the model cannot: name and address free, the organization and team exist.
async fn check(
    conn: &mut Conn,
    state: &AppState,
    draft: &MailboxDraft,
    except: Option<i64>,
) -> AppResult<ValidMailbox> {
    let v = draft.validate().map_err(invalid)?;
    if let Some(other) = rows::taken(conn, &v.name, &v.address, except).await? {
        return Err(AppError::Conflict(format!(
            "The mailbox {other} already has this name or address."
        )));
    }
    if let Some(org) = draft.org_id {
        if repo::count_existing(conn, "organizations", &[org]).await? != 1 {
            return Err(invalid("The chosen organization does not exist.".into()));
        }
    }
    if let Some(team) = draft.team_id {
        if repo::count_existing(conn, "teams", &[team]).await? != 1 {
            return Err(invalid("The chosen team does not exist.".into()));
        }
    }
    if v.secret.is_some() && state.settings.secret_key.is_none() {
        return Err(invalid(
            "The server has no FRONTLINE_SECRET_KEY, so it cannot keep a password or token safely; set it and restart, then enter the secret again.".into(),
        ));
    }
    Ok(v)
}

/// Seals and stores a new secret, if one was typed.
async fn keep_secret(
    conn: &mut Conn,
    state: &AppState,
    id: i64,
    v: &ValidMailbox,
) -> AppResult<()> {
    if let (Some(secret), Some(key)) = (&v.secret, &state.settings.secret_key) {
        rows::set_secret(conn, id, &seal(key, secret)).await?;
    }
    Ok(())
}

/// Creates a mailbox (no `id`) or changes one; returns its id.
pub async fn save_mailbox(
    state: &AppState,
    actor: &Actor,
    id: Option<i64>,
    draft: &MailboxDraft,
) -> AppResult<i64> {
    let mut c = AdminChange::begin(state, actor).await?;
    let before = match id {
        Some(id) => Some(existing(&mut c.tx, id).await?),
        None => None,
    };
    let v = check(&mut c.tx, state, draft, id).await?;
    let settings = rows::Settings {
        v: &v,
        org_id: draft.org_id,
        team_id: draft.team_id,
        priority: draft.priority,
    };
    let taken = || {
        format!(
            "Another mailbox already has the name {} or the address {}.",
            v.name, v.address
        )
    };
    let id = match id {
        Some(id) => {
            rows::update(&mut c.tx, id, &settings)
                .await
                .map_err(|e| unique_or(e, taken))?;
            id
        }
        None => rows::insert(&mut c.tx, &settings, c.now)
            .await
            .map_err(|e| unique_or(e, taken))?,
    };
    keep_secret(&mut c.tx, state, id, &v).await?;
    let after = existing(&mut c.tx, id).await?;
    let what = format!("mailbox {} ({})", v.name, v.address);
    let audit = Audit::saved(
        (AuditAction::MailboxCreate, AuditAction::MailboxUpdate),
        id,
        &what,
        before.as_ref(),
    )
    // whether the secret changed, never the secret
    .after(&json!({ "mailbox": after, "secret_changed": v.secret.is_some() }));
    c.commit(audit).await?;
    Ok(id)
}

/// Deactivates (or reactivates) a mailbox: its watcher stops within a minute, and piped mail
/// naming it is refused; its tickets keep it as their Reply-To.
pub async fn set_mailbox_active(
    state: &AppState,
    actor: &Actor,
    id: i64,
    active: bool,
) -> AppResult<()> {
    let load = async |conn: &mut Conn| {
        let was = existing(conn, id).await?;
        let what = format!("mailbox {} ({})", was.draft.name, was.draft.address);
        Ok(Found::new((), was.active, what))
    };
    let write =
        async |c: &mut AdminChange, _: &()| Ok(rows::set_active(&mut c.tx, id, active).await?);
    toggle(state, actor, &toggle::MAILBOX, id, active, load, write).await?;
    Ok(())
}
