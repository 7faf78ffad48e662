//! Attached files: stored on disk outside the web root under their SHA-256, recorded on the
//! ticket's timeline, and handed out only to people who may see the ticket.

use crate::backend::policy::Actor;
use crate::backend::repo::attachments::{self as repo, NewAttachment};
use crate::backend::state::AppState;
use crate::backend::tickets::{self, TicketChange};
use crate::model::attachment::{check_quota, check_size, clean_file_name};
use crate::model::{AppError, AppResult, EventData, EventKind, TicketNumber};
use sha2::{Digest, Sha256};
use std::path::PathBuf;

pub(crate) fn stored_path(state: &AppState, sha: &str) -> PathBuf {
    state.settings.attachment_dir.join(&sha[..2]).join(sha)
}

fn io_error(err: std::io::Error) -> AppError {
    tracing::error!(error = %err, "attachment storage failed");
    AppError::Internal
}

/// Writes the bytes under their hash, once: a temporary file renamed into place, so a reader
/// never sees half a file.
pub(crate) async fn store_bytes(state: &AppState, bytes: &[u8]) -> AppResult<String> {
    let sha = hex::encode(Sha256::digest(bytes));
    let path = stored_path(state, &sha);
    if tokio::fs::try_exists(&path).await.map_err(io_error)? {
        return Ok(sha);
    }
    let dir = path.parent().map(PathBuf::from).unwrap_or_default();
    tokio::fs::create_dir_all(&dir).await.map_err(io_error)?;
    let temp = dir.join(format!("{sha}.{}.part", std::process::id()));
    tokio::fs::write(&temp, bytes).await.map_err(io_error)?;
    tokio::fs::rename(&temp, &path).await.map_err(io_error)?;
    Ok(sha)
}

/// Refuses an upload of `size` bytes that would take `actor` past the daily quota.
async fn within_quota(
    conn: &mut crate::backend::db::Conn,
    state: &AppState,
    actor: &Actor,
    size: u64,
) -> AppResult<()> {
    let since = state.now() - crate::model::time::DAY;
    let sent = repo::uploaded_since(conn, actor.id, since).await?;
    check_quota(size, sent.max(0) as u64, state.settings.upload_quota_bytes)
        .map_err(AppError::TooManyRequests)
}

fn still_open(may_reply: bool, number: i64) -> AppResult<()> {
    if may_reply {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "{} is closed; files can no longer be attached.",
            TicketNumber(number)
        )))
    }
}

/// Attaches a file to ticket `number`; anyone who may reply to the ticket may attach to it, and
/// staff may keep a file to the desk (`internal`). Returns the attachment's id.
pub async fn attach(
    state: &AppState,
    actor: &Actor,
    number: i64,
    raw_name: &str,
    bytes: &[u8],
    internal: bool,
) -> AppResult<i64> {
    let file_name = clean_file_name(raw_name).map_err(AppError::Invalid)?;
    check_size(bytes.len() as u64, state.settings.max_attachment_bytes).map_err(|message| {
        if bytes.is_empty() {
            AppError::Invalid(message)
        } else {
            AppError::PayloadTooLarge(message)
        }
    })?;
    if internal && !actor.is_staff() {
        return Err(AppError::Forbidden(
            "Only help desk staff can attach files for the desk only.".into(),
        ));
    }
    // Before the bytes are written: nobody fills the disk with files for tickets they cannot
    // see or past their quota. The file is written before the change begins, so the database's
    // writers never wait on the disk; the change checks the quota again under its lock.
    {
        let scope = actor.ticket_scope(&state.pool).await?;
        let mut conn = state.pool.acquire().await?;
        let t = tickets::visible(&mut conn, &scope, actor, number).await?;
        let actions = actor.ticket_actions(&tickets::facts(&t), state.now());
        still_open(actions.reply_public, number)?;
        within_quota(&mut conn, state, actor, bytes.len() as u64).await?;
    }
    let sha = store_bytes(state, bytes).await?;
    let mut c = TicketChange::begin_addition(state, actor, number).await?;
    still_open(c.actions.reply_public, number)?;
    within_quota(&mut c.tx, state, actor, bytes.len() as u64).await?;
    let record = NewAttachment {
        ticket_id: c.ticket.id,
        file_name: &file_name,
        size_bytes: bytes.len() as i64,
        sha256: &sha,
        uploaded_by: actor.id,
        uploaded_at: c.now,
        internal,
    };
    let id = repo::insert(&mut c.tx, &record).await?;
    let data = EventData {
        file: Some(file_name),
        ..Default::default()
    };
    c.event(EventKind::FileAttached, !internal, None, data);
    c.commit().await?;
    Ok(id)
}

/// The name and bytes of attachment `id`, if the actor may see its ticket (404 otherwise).
pub async fn download(state: &AppState, actor: &Actor, id: i64) -> AppResult<(String, Vec<u8>)> {
    let not_found = || AppError::NotFound("There is no such file.".into());
    let scope = actor.ticket_scope(&state.pool).await?;
    let mut conn = state.pool.acquire().await?;
    let stored = repo::find(&mut conn, id).await?.ok_or_else(not_found)?;
    if stored.internal && !actor.is_staff() {
        return Err(not_found());
    }
    let ticket = crate::backend::repo::tickets::find_by_id(&mut conn, stored.ticket_id)
        .await?
        .ok_or_else(not_found)?;
    tickets::visible(&mut conn, &scope, actor, ticket.number)
        .await
        .map_err(|_| not_found())?;
    drop(conn);
    let bytes = tokio::fs::read(stored_path(state, &stored.sha256))
        .await
        .map_err(io_error)?;
    Ok((stored.file_name, bytes))
}
