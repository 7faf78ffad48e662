//! A held message placed after all: run through the placing rules again ("Retry"), or opened as
//! a ticket for the organization a person chose ("Create ticket for…"). The raw message is read
//! back from where ingest stored it, and its held `inbound_mail` row becomes the placed one in
//! the same transaction as the ticket change, so a message is never placed twice; the audit row
//! of the person's decision, with what came of it, commits in that transaction too.

use super::decide::{decide, Decision as Placing};
use super::ingest::{Arrival, Outcome, Received};
use super::parse::{parse, Incoming};
use super::place;
use crate::backend::attachments::stored_path;
use crate::backend::db::{begin_write, WriteTx};
use crate::backend::policy::Actor;
use crate::backend::repo::held_mail::{self as repo, Stored};
use crate::backend::repo::{audit, mail as mail_rows, orgs, users};
use crate::backend::state::AppState;
use crate::model::admin::{AuditAction, MailDecided};
use crate::model::{AppError, AppResult};
use serde_json::json;

/// A person's decision on a held message: who, and how it is audited ("Retried …").
pub struct Decision {
    pub by: i64,
    pub action: AuditAction,
    pub done: &'static str,
}

/// Placing a held message again: its stored row and the decision carried out.
pub(super) struct Redo {
    pub stored: Stored,
    pub decision: Decision,
}

/// "the message from ana@contoso.com “Printer”", for summaries.
pub fn named(stored: &Stored) -> String {
    let from = stored
        .from_address
        .as_deref()
        .unwrap_or("an unknown sender");
    match stored.subject.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(subject) => format!("the message from {from} “{subject}”"),
        None => format!("the message from {from}"),
    }
}

impl Outcome {
    /// What came of a decision, in words for the person who made it.
    pub fn decided(&self) -> MailDecided {
        let (message, held) = match self {
            Outcome::Opened(number) => (format!("Opened {number}."), false),
            Outcome::Continued(number) => (format!("Added to {number}."), false),
            Outcome::Held(reason) => (format!("Still held: {reason}."), true),
            Outcome::Duplicate => ("Already placed.".to_string(), false),
        };
        MailDecided { message, held }
    }
}

/// Appends, in `tx`, the audit row of the decision `received` carries out (none for mail that
/// just arrived), saying what came of it.
pub(super) async fn audit_decision(
    tx: &mut WriteTx,
    received: &Received,
    outcome: &Outcome,
) -> AppResult<()> {
    let Some(Redo { stored, decision }) = &received.redo else {
        return Ok(());
    };
    let result = outcome.decided().message;
    let summary = format!("{} {}: {result}", decision.done, named(stored));
    let before = json!({ "status": "held", "kind": stored.hold_kind, "reason": stored.reason });
    let after = json!({ "result": result });
    audit::append(
        tx,
        &audit::NewEntry {
            at: received.now,
            actor_id: decision.by,
            action: decision.action,
            entity_id: Some(stored.id),
            summary: &summary,
            before: Some(&before.to_string()),
            after: Some(&after.to_string()),
        },
    )
    .await?;
    Ok(())
}

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

fn received(state: &AppState, stored: Stored, decision: Decision) -> Received {
    Received {
        arrival: Arrival {
            mailbox_id: stored.mailbox_id,
            imap: stored.imap_uidvalidity.zip(stored.imap_uid),
        },
        sha: stored.sha256.clone(),
        size: stored.size_bytes,
        message_id: stored.message_id.clone(),
        now: state.now(),
        redo: Some(Redo { stored, decision }),
    }
}

/// Keeps the message held, for the reason found now.
async fn hold_again(
    state: &AppState,
    received: &Received,
    kind: &str,
    reason: &str,
) -> AppResult<Outcome> {
    let Some(redo) = &received.redo else {
        return Err(AppError::Internal);
    };
    let mut tx = begin_write(&state.pool).await?;
    if !repo::hold_again(&mut tx, redo.stored.id, kind, reason).await? {
        return Err(decided_already());
    }
    let outcome = Outcome::Held(reason.to_string());
    audit_decision(&mut tx, received, &outcome).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// What placing made of it; a refusal of the message's own (not of the database or the disk)
/// keeps it held with that reason, as ingest does.
async fn placed(
    state: &AppState,
    received: &Received,
    outcome: AppResult<Outcome>,
) -> AppResult<Outcome> {
    match outcome {
        Ok(Outcome::Duplicate) => Err(decided_already()),
        Err(err @ (AppError::Internal | AppError::Network)) => Err(err),
        Err(err) => {
            let reason = format!("it could not be placed: {err}");
            hold_again(state, received, "failed", &reason).await
        }
        ok => ok,
    }
}

/// Runs held message `id` through the placing rules again, as `decision` says who asked: a
/// sender or a domain made known since, a rate that dropped, a parser that improved.
pub async fn retry(state: &AppState, id: i64, decision: Decision) -> AppResult<Outcome> {
    let stored = held(state, id).await?;
    let parsed = read(state, &stored).await?;
    let received = received(state, stored, decision);
    let message = match parsed {
        Ok(message) => message,
        Err(reason) => return hold_again(state, &received, "unparseable", &reason).await,
    };
    let outcome = match decide(state, received.arrival, &message).await? {
        Placing::Hold { kind, reason } => return hold_again(state, &received, kind, &reason).await,
        placing => place::apply(state, &received, &message, placing).await,
    };
    placed(state, &received, outcome).await
}

/// Opens held message `id` as a new ticket of organization `org_id`, as `decision` says who
/// decided. An unknown sender becomes a client of that organization, as ingest makes one for a
/// known domain; a known one must be a client of it.
pub async fn open_for(
    state: &AppState,
    id: i64,
    org_id: i64,
    decision: Decision,
) -> AppResult<Outcome> {
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
    let placing = Placing::Open {
        requester,
        org_id,
        follow_up: None,
    };
    let received = received(state, stored, decision);
    let outcome = place::apply(state, &received, &message, placing).await;
    placed(state, &received, outcome).await
}
