//! Tells a team's lead when the forecast predicts one of the team's open tickets will breach
//! within [`ALERT_WITHIN`] with the staffing as it stands: an e-mail with the suggested action, and
//! a staff-only step on the ticket's timeline that pushes the dashboard live. Once per ticket and
//! target: the step is the mark, written in the alert's transaction, so a restart neither loses
//! nor repeats one. Runs on the leading instance every [`EVERY`].

use super::forecast::inputs;
use super::live::LiveEvent;
use super::notify::outbox;
use super::notify::template::MailBody;
use super::repo::forecast as repo;
use super::repo::tickets::{self, EventRecord};
use super::state::AppState;
use crate::model::forecast::strip::compute;
use crate::model::forecast::{PredictedBreach, TeamStrip};
use crate::model::live::LiveKind;
use crate::model::time::{format_hm_utc, MINUTE};
use crate::model::{AppResult, EventData, EventKind, TicketNumber};
use std::time::Duration;

/// How far ahead a predicted breach reaches the lead: time enough to move someone.
pub const ALERT_WITHIN: i64 = 90 * MINUTE;
/// How often the forecast is worked out for the alerts.
const EVERY: Duration = Duration::from_secs(5 * 60);

/// Works out the forecast at the clock's now and alerts each new prediction. Returns how many.
pub async fn raise_due(state: &AppState) -> AppResult<usize> {
    let now = state.now();
    let inputs = inputs(state, now).await?;
    let strip = compute(&inputs, None);
    let mut raised = 0;
    for team in &strip.teams {
        // a breach already past is the SLA engine's to report
        let soon = |b: &&PredictedBreach| b.at > now && b.at <= now + ALERT_WITHIN;
        for breach in team.breaches.iter().filter(soon) {
            let target = match inputs.open.iter().find(|t| t.id == breach.ticket_id) {
                Some(t) if t.finish_by => "resolution",
                _ => "response",
            };
            raised += alert(state, team, breach, target, now).await?;
        }
    }
    Ok(raised)
}

async fn alert(
    state: &AppState,
    team: &TeamStrip,
    breach: &PredictedBreach,
    target: &str,
    now: i64,
) -> AppResult<usize> {
    let data = EventData {
        target: Some(target.into()),
        ..Default::default()
    }
    .to_json();
    let mut tx = crate::backend::db::begin_write(&state.pool).await?;
    tickets::lock_by_id(&mut tx, breach.ticket_id).await?;
    let Some(t) = tickets::find_by_id(&mut tx, breach.ticket_id).await? else {
        return Ok(0);
    };
    let kind = EventKind::BreachPredicted.as_str();
    if repo::already_alerted(&mut tx, t.id, kind, data.as_deref()).await? {
        return Ok(0);
    }
    let number = TicketNumber(t.number);
    let suggestion = team
        .suggestion()
        .map(|s| format!(" Suggested: {s}."))
        .unwrap_or_default();
    let words = format!(
        "With the staffing as it stands, the forecast says the {target} target will be breached at \
         {} UTC.{suggestion}",
        format_hm_utc(breach.at)
    );
    tickets::insert_event(
        &mut tx,
        &EventRecord {
            ticket_id: t.id,
            at: now,
            actor_id: None,
            kind,
            public: false,
            body: Some(words.clone()),
            data,
        },
    )
    .await?;
    let base_url = &state.settings.notify.base_url;
    let mail = MailBody::new()
        .text(format!(
            "{number} ({}, {}) \"{}\", team {}: {words}",
            breach.client, breach.priority, t.subject, team.team
        ))
        .link("Open the ticket", format!("{base_url}/tickets/{number}"))
        .link("Open the dashboard", format!("{base_url}/dashboard"));
    let subject = format!(
        "[{number}] predicted to breach at {} UTC: {}",
        format_hm_utc(breach.at),
        t.subject
    );
    let lead: Vec<i64> = repo::team_lead(&mut tx, team.team_id)
        .await?
        .into_iter()
        .collect();
    outbox::enqueue_mail(&mut tx, Some(t.id), &lead, kind, &subject, &mail, true, now).await?;
    let event = LiveEvent {
        kind: LiveKind::Noted,
        number: t.number,
        version: t.version,
        org_id: t.org_id,
        requester_id: t.requester_id,
        assignee_id: t.assignee_id,
        participants: tickets::participants(&mut tx, t.id).await?,
        staff_only: true,
    };
    crate::backend::live::tell_other_instances(&mut tx, &state.live, &event).await?;
    tx.commit().await?;
    state.live.publish(event);
    state.notify_wake.notify_one();
    Ok(1)
}

/// Runs the alerts until the task is dropped.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            state.leader.until_leading().await;
            if let Err(err) = raise_due(&state).await {
                tracing::error!(error = %err, "the forecast could not alert predicted breaches");
            }
            tokio::time::sleep(EVERY).await;
        }
    })
}
