//! The delivery worker: takes due messages from the outbox, sends each under a lease, and
//! records the outcome. A message is marked sent only after the relay accepted it; a crash in
//! between leaves it leased, and it is retried with the same Message-ID when the lease runs out.
//! Failures back off exponentially; after `max_attempts` a message is given up as failed. Each
//! outcome is also a step on the ticket's timeline. Whether the recipient may still be told is
//! decided at delivery: a message to someone who may no longer see its ticket is skipped, with
//! the reason, and never retried; so is mail to one of the desk's own mailboxes (it would come
//! back in as a new message).

use super::mailer::Deliverer;
use crate::backend::policy::{self, Actor};
use crate::backend::repo::notifications as repo;
use crate::backend::repo::tickets::{self, EventRecord};
use crate::backend::state::AppState;
use crate::model::{AppResult, EventData, EventKind};
use std::sync::Arc;
use std::time::Duration;

const BATCH: i64 = 50;
const CONCURRENCY: usize = 8;
/// How long a sender holds a message before others may retry it.
pub const LEASE_SECS: i64 = 120;

/// Seconds before attempt `n + 1` after `n` failures: 30 s, 1 min, 2 min ... at most 32 min.
pub fn backoff_secs(failures: i64) -> i64 {
    30i64 << (failures.clamp(1, 7) - 1)
}

/// Delivers everything due now. Returns how many messages were sent.
pub async fn deliver_due(state: &AppState, deliverer: &Deliverer) -> AppResult<usize> {
    let now = state.now();
    let ids = {
        let mut conn = state.pool.acquire().await?;
        repo::due(&mut conn, now, BATCH).await?
    };
    // each message on its own, a few at a time: a relay or receiver that hangs holds up only its
    // own message (until the timeout), never the others
    use futures::StreamExt;
    let results: Vec<AppResult<bool>> = futures::stream::iter(ids)
        .map(|id| deliver_one(state, deliverer, id, now))
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let mut sent = 0;
    for result in results {
        if result? {
            sent += 1;
        }
    }
    Ok(sent)
}

async fn deliver_one(
    state: &AppState,
    deliverer: &Deliverer,
    id: i64,
    now: i64,
) -> AppResult<bool> {
    let mut tx = crate::backend::db::begin_write(&state.pool).await?;
    if !repo::claim(&mut tx, id, now, now + LEASE_SECS).await? {
        return Ok(false); // another worker has it
    }
    let Some(message) = repo::outgoing(&mut tx, id).await? else {
        return Ok(false);
    };
    let standing = repo::standing(&mut tx, id).await?;
    let thread = repo::thread(&mut tx, &message).await?;
    tx.commit().await?;
    let refusal = match &standing {
        // mail to one of our own mailboxes would come back in as a new message: a loop
        Some(_) if message.to_own_mailbox && message.channel == "email" => {
            Some("the address is one of the desk's own mailboxes")
        }
        Some(s) => {
            policy::why_not_tell(
                &state.pool,
                &Actor::from(&s.me),
                s.active,
                s.org_active,
                s.ticket,
            )
            .await?
        }
        None => Some("the recipient no longer exists"),
    };
    if let Some(reason) = refusal {
        let mut tx = crate::backend::db::begin_write(&state.pool).await?;
        repo::mark_skipped(&mut tx, id, reason).await?;
        tracing::info!(notification = id, reason, "not sending a notification");
        let summary = format!(
            "{} to {} was not sent: {reason}.",
            channel_word(&message.channel),
            message.to_name
        );
        record_outcome(state, &mut tx, &message, summary).await?;
        tx.commit().await?;
        return Ok(false);
    }
    let result = deliverer.send(&message, &thread).await;
    if result.is_err() {
        state.vitals.delivery_failed(&message.channel);
    }
    let mut tx = crate::backend::db::begin_write(&state.pool).await?;
    let max = state.settings.notify.max_attempts;
    let outcome = match &result {
        Ok(()) => {
            repo::mark_sent(&mut tx, id, state.now()).await?;
            Some(format!(
                "{} sent to {}: {}",
                channel_word(&message.channel),
                message.to_name,
                message.subject
            ))
        }
        Err(error) if message.attempts >= max => {
            repo::mark_failed(&mut tx, id, error, None).await?;
            tracing::warn!(notification = id, %error, "giving up on a notification");
            Some(format!(
                "{} to {} could not be delivered after {} attempts: {error}",
                channel_word(&message.channel),
                message.to_name,
                message.attempts
            ))
        }
        Err(error) => {
            repo::mark_failed(
                &mut tx,
                id,
                error,
                Some(now + backoff_secs(message.attempts)),
            )
            .await?;
            tracing::info!(notification = id, %error, attempt = message.attempts, "notification will be retried");
            None
        }
    };
    if let Some(summary) = outcome {
        record_outcome(state, &mut tx, &message, summary).await?;
    }
    tx.commit().await?;
    Ok(result.is_ok())
}

/// Puts a delivery's outcome on its ticket's timeline (staff only).
async fn record_outcome(
    state: &AppState,
    conn: &mut crate::backend::db::Conn,
    message: &repo::Outgoing,
    summary: String,
) -> AppResult<()> {
    let Some(ticket_id) = message.ticket_id else {
        return Ok(());
    };
    tickets::insert_event(
        conn,
        &EventRecord {
            ticket_id,
            at: state.now(),
            actor_id: None,
            kind: EventKind::NotificationSent.as_str(),
            public: false,
            body: Some(summary),
            data: EventData {
                channel: Some(message.channel.clone()),
                ..Default::default()
            }
            .to_json(),
        },
    )
    .await?;
    Ok(())
}

fn channel_word(channel: &str) -> &'static str {
    if channel == "webhook" {
        "Page"
    } else {
        "E-mail"
    }
}

/// Runs the worker until dropped: delivers what is due, then sleeps briefly (or until woken).
pub fn spawn(state: AppState, deliverer: Arc<Deliverer>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            state.leader.until_leading().await;
            // pages nobody answered go to the lead before this pass delivers
            if let Err(err) = crate::backend::oncall::escalate_due(&state).await {
                tracing::error!(error = %err, "could not escalate unanswered pages");
            }
            if let Err(err) = deliver_due(&state, &deliverer).await {
                tracing::error!(error = %err, "the notification worker failed a pass");
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                _ = state.notify_wake.notified() => {}
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::backoff_secs;

    #[test]
    fn retries_back_off_up_to_an_hour() {
        assert_eq!(backoff_secs(1), 30);
        assert_eq!(backoff_secs(2), 60);
        assert_eq!(backoff_secs(3), 120);
        assert_eq!(backoff_secs(7), 1920);
        assert_eq!(backoff_secs(50), 1920);
        assert_eq!(backoff_secs(0), 30);
    }
}
