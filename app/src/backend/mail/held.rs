//! A held message placed after all: run through the placing rules again ("Retry"), or opened as
//! a ticket for the organization a person chose ("Create ticket for…"). The raw message is read
//! back from where ingest stored it, and its held `inbound_mail` row becomes the placed one in
//! the same transaction as the ticket change, so a message is never placed twice.

use super::decide::{decide, Decision};
use super::ingest::{Arrival, Outcome, Received};
use super::parse::{parse, Incoming};
use super::place;
use crate::backend::attachments::stored_path;
use crate::backend::policy::Actor;
use crate::backend::repo::held_mail::{self as repo, Stored};
use crate::backend::repo::{mail as mail_rows, orgs, users};
use crate::backend::state::AppState;
use crate::model::{AppError, AppResult};

/// The held message `id`, or why it cannot be decided on.
pub async fn held(state: &AppState, id: i64) -> AppResult<Stored> {
    let mut conn = state.pool.acquire().await?;
    let stored = repo::find(&mut conn, id)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such message.".into()))?;
    if stored.status != "held" {
        return Err(decided_already());
    }
    Ok(stored)
}

fn decided_already() -> AppError {
    AppError::Conflict("Someone already decided on this message; reload the list.".into())
}

/// The stored original of a received message.
pub async fn raw(state: &AppState, sha256: &str) -> AppResult<Vec<u8>> {
    tokio::fs::read(stored_path(state, sha256))
        .await
        .map_err(|err| {
            tracing::error!(error = %err, sha256, "a received message's original is missing");
            AppError::Internal
        })
}

async fn read(state: &AppState, stored: &Stored) -> AppResult<Result<Incoming, String>> {
    let raw = raw(state, &stored.sha256).await?;
    Ok(tokio::task::spawn_blocking(move || parse(&raw))
        .await
        .unwrap_or_else(|_| Err("the message could not be read (the MIME parser failed)".into())))
}

fn received(state: &AppState, stored: &Stored, by: i64) -> Received {
    Received {
        arrival: Arrival {
            mailbox_id: stored.mailbox_id,
            imap: stored.imap_uidvalidity.zip(stored.imap_uid),
        },
        sha: stored.sha256.clone(),
        size: stored.size_bytes,
        message_id: stored.message_id.clone(),
        now: state.now(),
        retry: Some((stored.id, by)),
    }
}

/// Keeps the message held, for the reason found now.
async fn hold_again(state: &AppState, id: i64, kind: &str, reason: &str) -> AppResult<Outcome> {
    let mut conn = state.pool.acquire().await?;
    if !repo::hold_again(&mut conn, id, kind, reason).await? {
        return Err(decided_already());
    }
    Ok(Outcome::Held(reason.to_string()))
}

/// What placing made of it; a refusal of the message's own (not of the database or the disk)
/// keeps it held with that reason, as ingest does.
async fn placed(state: &AppState, id: i64, outcome: AppResult<Outcome>) -> AppResult<Outcome> {
    match outcome {
        Ok(Outcome::Duplicate) => Err(decided_already()),
        Err(err @ (AppError::Internal | AppError::Network)) => Err(err),
        Err(err) => {
            let reason = format!("it could not be placed: {err}");
            hold_again(state, id, "failed", &reason).await
        }
        ok => ok,
    }
}

/// Runs held message `id` through the placing rules again, as `by` asked: a sender or a domain
/// made known since, a rate that dropped, a parser that improved.
pub async fn retry(state: &AppState, id: i64, by: i64) -> AppResult<Outcome> {
    let stored = held(state, id).await?;
    let received = received(state, &stored, by);
    let message = match read(state, &stored).await? {
        Ok(message) => message,
        Err(reason) => return hold_again(state, id, "unparseable", &reason).await,
    };
    let outcome = match decide(state, received.arrival, &message).await? {
        Decision::Hold { kind, reason } => return hold_again(state, id, kind, &reason).await,
        decision => place::apply(state, &received, &message, decision).await,
    };
    placed(state, id, outcome).await
}

/// Opens held message `id` as a new ticket of organization `org_id`, as `by` decided. An unknown
/// sender becomes a client of that organization, as ingest makes one for a known domain; a
/// known one must be a client of it.
pub async fn open_for(state: &AppState, id: i64, org_id: i64, by: i64) -> AppResult<Outcome> {
    let stored = held(state, id).await?;
    let message = read(state, &stored).await?.map_err(|reason| {
        AppError::Invalid(format!(
            "No ticket can be made from this message: {reason}. Download it or discard it."
        ))
    })?;
    let from = message.from_address.clone().ok_or_else(|| {
        AppError::Invalid(
            "The message has no sender address, so nobody could be its requester.".into(),
        )
    })?;
    let mut conn = state.pool.acquire().await?;
    match orgs::active(&mut conn, org_id).await? {
        Some(true) => {}
        Some(false) => {
            return Err(AppError::Invalid(
                "That organization is deactivated; choose another.".into(),
            ))
        }
        None => return Err(AppError::Invalid("Choose an organization.".into())),
    }
    let requester = match mail_rows::sender(&mut conn, &from).await? {
        None => None,
        Some(sender) if !sender.active || !sender.org_active => {
            return Err(AppError::Invalid(format!(
                "The account of {from} is deactivated; reactivate it first."
            )))
        }
        Some(sender) => {
            let me = users::me(&mut conn, sender.id)
                .await?
                .ok_or(AppError::Internal)?;
            let actor = Actor::from(&me);
            if !actor.role.is_client() {
                return Err(AppError::Invalid(format!(
                    "{from} is help desk staff, not a client; raise the ticket in Frontline."
                )));
            }
            if actor.org_id != Some(org_id) {
                return Err(AppError::Invalid(format!(
                    "{from} is a client of {}; choose that organization.",
                    me.org_name.as_deref().unwrap_or("another organization")
                )));
            }
            Some(actor)
        }
    };
    drop(conn);
    let decision = Decision::Open {
        requester,
        org_id,
        follow_up: None,
    };
    let received = received(state, &stored, by);
    let outcome = place::apply(state, &received, &message, decision).await;
    placed(state, id, outcome).await
}
