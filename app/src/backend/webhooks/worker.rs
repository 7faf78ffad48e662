//! The webhook worker: takes due deliveries, sends each under a lease, and records the outcome.
//! A delivery is marked delivered only after the receiver answered 2xx; a crash in between
//! leaves it leased and it is sent again, under the same event id, when the lease runs out (or
//! at once when the next instance takes the lead): at least once, never lost. Failures back off
//! exponentially for a day, then the delivery is dead. A subscription whose deliveries all
//! failed for that day is turned off, and the administrators are told.

use super::deliver::{self, Outcome};
use super::{guard, payload, signing};
use crate::backend::db::Conn;
use crate::backend::notify::outbox;
use crate::backend::repo::webhooks::{self as repo, Attempt, Outgoing};
use crate::backend::secrets;
use crate::backend::state::AppState;
use crate::model::admin::{WebhookKind, TEST_EVENT};
use crate::model::AppResult;
use std::time::Duration;

const BATCH: i64 = 50;
const CONCURRENCY: usize = 8;
/// How long a sender holds a delivery: well past the 10 s timeout.
pub const LEASE_SECS: i64 = 60;
/// Retries wait at most this long.
const MAX_BACKOFF_SECS: i64 = 2 * 3600;

/// Seconds before the retry after `failures` failures: `first`, doubled each time, at most 2 h.
pub fn backoff_secs(first: i64, failures: i64) -> i64 {
    (first << (failures.clamp(1, 20) - 1)).min(MAX_BACKOFF_SECS)
}

/// Delivers everything due now. Returns how many deliveries got through.
pub async fn deliver_due(state: &AppState) -> AppResult<usize> {
    let now = state.now();
    let due = repo::due(&mut state.pool.acquire().await?, now, BATCH).await?;
    // each subscription's deliveries in the order of their events, one at a time; subscriptions
    // side by side. A receiver that does not answer (down, hanging) stops its own queue for this
    // pass, so that it holds up only itself, for one timeout; one that answers with an error
    // is tried with each delivery.
    let mut queues: Vec<(i64, Vec<i64>)> = Vec::new();
    for (id, subscription) in due {
        match queues.iter_mut().find(|(s, _)| *s == subscription) {
            Some((_, ids)) => ids.push(id),
            None => queues.push((subscription, vec![id])),
        }
    }
    use futures::StreamExt;
    let results: Vec<AppResult<usize>> = futures::stream::iter(queues)
        .map(|(_, ids)| async move {
            let mut delivered = 0;
            for id in ids {
                match deliver_one(state, id, now).await? {
                    Sent::Delivered => delivered += 1,
                    Sent::Refused => {}
                    Sent::Unanswered | Sent::NotOurs => break,
                }
            }
            Ok(delivered)
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let mut delivered = 0;
    for result in results {
        delivered += result?;
    }
    Ok(delivered)
}

/// What came of one delivery.
enum Sent {
    Delivered,
    /// The receiver answered, with an error.
    Refused,
    /// No answer: unreachable, hanging, or refused before sending.
    Unanswered,
    /// Another worker holds it, or it is gone.
    NotOurs,
}

async fn deliver_one(state: &AppState, id: i64, now: i64) -> AppResult<Sent> {
    let mut tx = crate::backend::db::begin_write(&state.pool).await?;
    if !repo::claim(&mut tx, id, now, now + LEASE_SECS).await? {
        return Ok(Sent::NotOurs);
    }
    let Some(d) = repo::outgoing(&mut tx, id).await? else {
        return Ok(Sent::NotOurs);
    };
    tx.commit().await?;
    let outcome = attempt(state, &d).await;
    if !outcome.delivered() {
        state.vitals.delivery_failed("webhook");
    }
    let mut tx = crate::backend::db::begin_write(&state.pool).await?;
    let recorded = Attempt {
        status_code: outcome.status_code.map(i64::from),
        response_ms: outcome.response_ms,
        error: outcome.error.as_deref(),
    };
    let at = state.now();
    if outcome.delivered() {
        repo::mark_delivered(&mut tx, id, &recorded, at).await?;
    } else {
        let retry_at = now + backoff_secs(state.settings.webhooks.first_retry_secs, d.attempts);
        let retry = (retry_at <= d.retry_until).then_some(retry_at);
        repo::mark_failed(&mut tx, id, &recorded, retry).await?;
        tracing::info!(delivery = id, subscription = d.subscription_id, error = ?outcome.error,
            attempt = d.attempts, given_up = retry.is_none(), "a webhook delivery failed");
        if retry.is_none() && d.event_type != TEST_EVENT {
            let error = outcome.error.as_deref().unwrap_or_default();
            disable_if_failing(&mut tx, state, &d, error, at).await?;
        }
    }
    tx.commit().await?;
    Ok(match (outcome.delivered(), outcome.status_code) {
        (true, _) => Sent::Delivered,
        (false, Some(_)) => Sent::Refused,
        (false, None) => Sent::Unanswered,
    })
}

/// One attempt: the body for the subscription's kind, signed when it is a standard one, to the
/// address the guard vetted.
async fn attempt(state: &AppState, d: &Outgoing) -> Outcome {
    let kind = WebhookKind::parse(&d.kind).unwrap_or_default();
    let body = payload::body(kind, &d.payload);
    let mut headers = Vec::new();
    if kind.signed() {
        let key = match (&state.settings.secret_key, &d.secret) {
            (Some(key), Some(sealed)) => secrets::open(key, sealed)
                .ok()
                .and_then(|secret| signing::key_of(&secret)),
            _ => None,
        };
        let Some(key) = key else {
            return Outcome::refused(
                "the signing secret cannot be opened (is FRONTLINE_SECRET_KEY set, and the same key?)"
                    .into(),
            );
        };
        let timestamp = state.now();
        headers.push(("webhook-id", d.event_id.clone()));
        headers.push(("webhook-timestamp", timestamp.to_string()));
        headers.push((
            "webhook-signature",
            signing::signature(&key, &d.event_id, timestamp, &body),
        ));
    }
    let target = match guard::vet(&d.url, &state.settings.webhooks.allow_hosts).await {
        Ok(target) => target,
        Err(why) => return Outcome::refused(why),
    };
    deliver::post(&target, &headers, body).await
}

/// A delivery just died: when nothing got through to its subscription since it was written (a
/// day of failures), the subscription is turned off and the administrators hear why.
async fn disable_if_failing(
    conn: &mut Conn,
    state: &AppState,
    d: &Outgoing,
    error: &str,
    now: i64,
) -> AppResult<()> {
    let last = repo::last_delivered(conn, d.subscription_id).await?;
    if last.is_some_and(|at| at >= d.created_at) {
        return Ok(());
    }
    let reason = format!("Every delivery failed for a day; the last error: {error}");
    repo::set_active(conn, d.subscription_id, false, Some(&reason)).await?;
    let admins = repo::administrators(conn).await?;
    let url = format!("{}/admin/webhooks", state.settings.notify.base_url);
    outbox::enqueue(
        conn,
        None,
        &admins,
        "webhook_disabled",
        &format!("Webhook \"{}\" was turned off", d.subscription),
        &format!(
            "Deliveries to the webhook \"{}\" ({}) have failed for a day, so the desk turned it \
             off. Check the receiver, then enable it again and redeliver what it missed: {url}",
            d.subscription, d.url
        ),
        true,
        now,
    )
    .await?;
    tracing::warn!(
        subscription = d.subscription_id,
        "a webhook subscription was turned off after a day of failures"
    );
    state.notify_wake.notify_one();
    Ok(())
}

/// Runs the worker until dropped: delivers what is due, then sleeps briefly (or until woken).
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        state.leader.until_leading().await;
        // the instance that led before may have died mid-send: what it held is sent again now
        // (receivers de-duplicate on the event id) rather than after its lease
        match state.pool.acquire().await {
            Ok(mut conn) => {
                if let Err(err) = repo::release_leases(&mut conn).await {
                    tracing::error!(error = %err, "could not release webhook leases");
                }
            }
            Err(err) => tracing::error!(error = %err, "could not release webhook leases"),
        }
        loop {
            state.leader.until_leading().await;
            if let Err(err) = deliver_due(&state).await {
                tracing::error!(error = %err, "the webhook worker failed a pass");
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = state.webhook_wake.notified() => {}
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::backoff_secs;

    #[test]
    fn retries_back_off_up_to_two_hours() {
        assert_eq!(backoff_secs(30, 1), 30);
        assert_eq!(backoff_secs(30, 2), 60);
        assert_eq!(backoff_secs(30, 8), 3840);
        assert_eq!(backoff_secs(30, 9), 7200);
        assert_eq!(backoff_secs(30, 500), 7200);
        assert_eq!(backoff_secs(1, 0), 1);
    }
}
