//! One path for every received message. The raw message is stored first (content-addressed,
//! beside the attachments), so nothing is ever lost; then it is read, and what it becomes (a
//! new ticket, a step on one, or a message held for an administrator) is written in one
//! transaction together with its `inbound_mail` row. Receiving the same message again (same
//! Message-ID, or the same IMAP position) changes nothing, so a crash between the commit and
//! the mailbox's `\Seen` flag never duplicates.

use super::decide::{self, Decision};
use super::parse::{parse, Incoming};
use super::place;
use crate::backend::attachments::store_bytes;
use crate::backend::repo::mail::{self as repo, NewInbound};
use crate::backend::state::AppState;
use crate::model::{AppError, AppResult, TicketNumber};

/// The largest message taken in; a mail server is told to bounce larger ones.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

/// Where a message came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Arrival {
    pub mailbox_id: Option<i64>,
    /// The IMAP folder's UIDVALIDITY and the message's UID.
    pub imap: Option<(i64, i64)>,
}

/// What a received message became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Opened(TicketNumber),
    Continued(TicketNumber),
    /// Held in the Unprocessed list, for this reason.
    Held(String),
    /// Received before; nothing changed.
    Duplicate,
}

/// Takes in one raw RFC 5322 message. An error means it was not stored and should be offered
/// again later (the database or the disk failed), except `PayloadTooLarge`, which is final.
pub async fn ingest(state: &AppState, arrival: Arrival, raw: &[u8]) -> AppResult<Outcome> {
    if raw.len() > MAX_MESSAGE_BYTES {
        return Err(AppError::PayloadTooLarge(format!(
            "The message is larger than {} MB.",
            MAX_MESSAGE_BYTES / (1024 * 1024)
        )));
    }
    let sha = store_bytes(state, raw).await?;
    let owned = raw.to_vec();
    // the parser works through the whole message at once: off the async threads, and a panic
    // in it is a message that could not be read, not a crash
    let parsed = match tokio::task::spawn_blocking(move || parse(&owned)).await {
        Ok(parsed) => parsed,
        Err(_) => Err("the message could not be read (the MIME parser failed)".to_string()),
    };
    let message_id = parsed
        .as_ref()
        .ok()
        .and_then(|m| m.message_id.clone())
        .unwrap_or_else(|| format!("sha256-{sha}@frontline.invalid"));
    let received = Received {
        arrival,
        sha,
        size: raw.len() as i64,
        message_id,
        now: state.now(),
        redo: None,
    };
    {
        let mut conn = state.pool.acquire().await?;
        if repo::already_received(
            &mut conn,
            &received.message_id,
            arrival.mailbox_id,
            arrival.imap,
        )
        .await?
        .is_some()
        {
            return Ok(Outcome::Duplicate);
        }
    }
    let message = match parsed {
        Ok(message) => message,
        Err(reason) => return hold(state, &received, None, "unparseable", &reason).await,
    };
    let outcome = match decide::decide(state, arrival, &message).await? {
        Decision::Hold { kind, reason } => {
            hold(state, &received, Some(&message), kind, &reason).await
        }
        decision => place::apply(state, &received, &message, decision).await,
    };
    match outcome {
        // a message we cannot place for a reason of its own is held, never lost or retried
        // forever; failures of the database or the disk are retried
        Err(err @ (AppError::Internal | AppError::Network)) => Err(err),
        Err(err) => {
            let reason = format!("it could not be placed: {err}");
            hold(state, &received, Some(&message), "failed", &reason).await
        }
        ok => ok,
    }
}

/// The facts of one received message that every outcome records.
pub(super) struct Received {
    pub arrival: Arrival,
    pub sha: String,
    pub size: i64,
    pub message_id: String,
    pub now: i64,
    /// Placing a held message again: its `inbound_mail` row (updated in place instead of a new
    /// one written) and the decision carried out.
    pub redo: Option<super::held::Redo>,
}

impl Received {
    /// Its `inbound_mail` row.
    pub fn row<'a>(
        &'a self,
        message: Option<&'a Incoming>,
        status: &'a str,
        hold: Option<(&'a str, &'a str)>,
    ) -> NewInbound<'a> {
        NewInbound {
            mailbox_id: self.arrival.mailbox_id,
            message_id: &self.message_id,
            sha256: &self.sha,
            size_bytes: self.size,
            imap: self.arrival.imap,
            received_at: self.now,
            from_address: message.and_then(|m| m.from_address.as_deref()),
            from_name: message.and_then(|m| m.from_name.as_deref()),
            subject: message.map(|m| m.subject.as_str()),
            status,
            hold_kind: hold.map(|(kind, _)| kind),
            reason: hold.map(|(_, reason)| reason),
            automatic: message.is_some_and(|m| m.automatic.is_some()),
        }
    }
}

/// Keeps the message in the Unprocessed list with the reason.
async fn hold(
    state: &AppState,
    received: &Received,
    message: Option<&Incoming>,
    kind: &str,
    reason: &str,
) -> AppResult<Outcome> {
    let mut tx = crate::backend::db::begin_write(&state.pool).await?;
    if repo::already_received(
        &mut tx,
        &received.message_id,
        received.arrival.mailbox_id,
        received.arrival.imap,
    )
    .await?
    .is_some()
    {
        return Ok(Outcome::Duplicate);
    }
    if kind == "rate_limited" {
        if let Some(sender) = message.and_then(|m| m.from_address.as_deref()) {
            place::tell_admins_of_flood(&mut tx, state, sender, received.now).await?;
        }
    }
    let row = received.row(message, "held", Some((kind, reason)));
    if let Err(err) = repo::insert(&mut tx, &row).await {
        return if crate::backend::db::is_unique_violation(&err) {
            Ok(Outcome::Duplicate)
        } else {
            Err(err.into())
        };
    }
    tx.commit().await?;
    tracing::info!(message_id = %received.message_id, kind, reason, "holding received mail");
    Ok(Outcome::Held(reason.to_string()))
}

/// Where the IMAP watchers hand each message: the ingest path, with the message's mailbox and
/// IMAP position.
pub struct IngestSink(pub AppState);

impl super::imap::Sink for IngestSink {
    fn deliver(
        &self,
        mailbox_id: i64,
        key: super::imap::ImapKey,
        raw: Vec<u8>,
    ) -> impl std::future::Future<Output = Result<(), String>> + Send {
        let state = self.0.clone();
        async move {
            let arrival = Arrival {
                mailbox_id: Some(mailbox_id),
                imap: Some((key.uidvalidity, key.uid)),
            };
            match ingest(&state, arrival, &raw).await {
                Ok(_) => Ok(()),
                // refused for good: the message stays in the mailbox, read, and its mailbox
                // goes on (messages are taken in order, so a refusal must not block the rest)
                Err(AppError::PayloadTooLarge(reason)) => {
                    tracing::warn!(mailbox_id, uid = key.uid, %reason, "left a message in its mailbox");
                    Ok(())
                }
                Err(err) => Err(err.to_string()),
            }
        }
    }
}
