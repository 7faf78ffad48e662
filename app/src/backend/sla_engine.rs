//! The SLA engine: raises each warning and breach once, at its instant. It sleeps until the next
//! alert any ticket has pending (not a scan every minute), and wakes early when a change may
//! have brought one forward. Every alert is a timeline event, a live event and a notification
//! for the team lead and the ops managers (and a webhook delivery for subscribers), written in one transaction with the alert's mark, so
//! a restart neither loses nor repeats one.

use super::live::LiveEvent;
use super::notify::outbox;
use super::notify::template::MailBody;
use super::repo::notifications;
use super::repo::tickets::{self, EventRecord};
use super::sla::{alert_clock, apply_alert_clock};
use super::state::AppState;
use crate::model::live::LiveKind;
use crate::model::sla::SlaAlert;
use crate::model::{AppResult, EventData, EventKind, Priority, TicketNumber};
use std::time::Duration;

/// Tickets handled per pass (the engine loops until nothing is due).
const BATCH: i64 = 200;
/// Even with nothing due, look again this often (a safety net, not the schedule).
const MAX_SLEEP_SECS: i64 = 300;

/// Raises every alert due at the clock's now. Returns how many were raised.
pub async fn raise_due(state: &AppState) -> AppResult<usize> {
    let now = state.now();
    let mut raised = 0;
    loop {
        let ids = {
            let mut conn = state.pool.acquire().await?;
            tickets::due_for_alerts(&mut conn, now, BATCH).await?
        };
        if ids.is_empty() {
            return Ok(raised);
        }
        for id in ids {
            raised += raise_for_ticket(state, id, now).await?;
        }
    }
}

async fn raise_for_ticket(state: &AppState, id: i64, now: i64) -> AppResult<usize> {
    let mut tx = crate::backend::db::begin_write(&state.pool).await?;
    // another instance's engine may be at the same ticket: the second reads the first's alerts
    tickets::lock_by_id(&mut tx, id).await?;
    let Some(mut t) = tickets::find_by_id(&mut tx, id).await? else {
        return Ok(0);
    };
    let mut clock = alert_clock(&t);
    let due = clock.take_due(now);
    apply_alert_clock(&mut t, &clock);
    tickets::save_alerts(&mut tx, id, &t.sla).await?;
    // a breach counts against the day the ticket was raised
    super::repo::reports::mark_ticket_days(&mut tx, id).await?;
    if due.is_empty() {
        tx.commit().await?;
        return Ok(0);
    }
    let watchers = notifications::sla_watchers(&mut tx, t.team_id).await?;
    let number = TicketNumber(t.number);
    for alert in &due {
        let at = match alert {
            SlaAlert::ResponseWarning => t.sla.response_warn_at,
            SlaAlert::ResponseBreach => t.sla.response_due_at,
            SlaAlert::ResolutionWarning => t.sla.resolution_warn_at,
            SlaAlert::ResolutionBreach => t.sla.resolution_due_at,
        };
        let kind = if alert.is_breach() {
            EventKind::SlaBreach
        } else {
            EventKind::SlaWarning
        };
        tickets::insert_event(
            &mut tx,
            &EventRecord {
                ticket_id: id,
                // the instant the target fell due, even if the engine was down then
                at: at.min(now),
                actor_id: None,
                kind: kind.as_str(),
                public: false,
                body: None,
                data: EventData {
                    target: Some(alert.target().into()),
                    ..Default::default()
                }
                .to_json(),
            },
        )
        .await?;
        let (subject, body) = alert_message(
            number,
            &t.subject,
            t.priority,
            *alert,
            &state.settings.notify.base_url,
        );
        // breaches always reach the lead and managers; warnings may be muted
        outbox::enqueue_mail(
            &mut tx,
            Some(id),
            &watchers,
            kind.as_str(),
            &subject,
            &body,
            alert.is_breach(),
            now,
        )
        .await?;
        let base_url = &state.settings.notify.base_url;
        super::webhooks::enqueue_sla(&mut tx, &t, *alert, at, base_url, now).await?;
    }
    let event = LiveEvent {
        kind: LiveKind::SlaAlert,
        number: t.number,
        version: t.version,
        org_id: t.org_id,
        requester_id: t.requester_id,
        assignee_id: t.assignee_id,
        participants: tickets::participants(&mut tx, id).await?,
        staff_only: true,
    };
    crate::backend::live::tell_other_instances(&mut tx, &state.live, &event).await?;
    tx.commit().await?;
    state.live.publish(event);
    state.notify_wake.notify_one();
    state.webhook_wake.notify_one();
    Ok(due.len())
}

fn alert_message(
    number: TicketNumber,
    subject: &str,
    priority: Priority,
    alert: SlaAlert,
    base_url: &str,
) -> (String, MailBody) {
    let what = match alert {
        SlaAlert::ResponseWarning => "first response is at risk",
        SlaAlert::ResponseBreach => "first response target was breached",
        SlaAlert::ResolutionWarning => "resolution is at risk",
        SlaAlert::ResolutionBreach => "resolution target was breached",
    };
    (
        format!("[{number}] {} {what}: {subject}", priority.label()),
        MailBody::new()
            .text(format!(
                "{number} ({}) \"{subject}\": the {what}.",
                priority.label()
            ))
            .link("Open the ticket", format!("{base_url}/tickets/{number}")),
    )
}

/// Seconds until the next alert any ticket has pending (at most MAX_SLEEP_SECS).
pub async fn secs_until_next(state: &AppState) -> AppResult<i64> {
    let mut conn = state.pool.acquire().await?;
    let next = tickets::next_alert_at(&mut conn).await?;
    let now = state.now();
    Ok(next
        .map(|at| (at - now).clamp(0, MAX_SLEEP_SECS))
        .unwrap_or(MAX_SLEEP_SECS))
}

/// Runs the engine until the task is dropped.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            state.leader.until_leading().await;
            match raise_due(&state).await {
                Ok(_) => state.vitals.sla_swept(state.now()),
                Err(err) => tracing::error!(error = %err, "the SLA engine could not raise alerts"),
            }
            let wait = secs_until_next(&state).await.unwrap_or(30);
            // sub-second precision is not needed: alerts are due on whole seconds
            let sleep = tokio::time::sleep(Duration::from_secs(wait.max(1) as u64));
            tokio::select! {
                _ = sleep => {}
                _ = state.sla_wake.notified() => {}
            }
        }
    })
}
