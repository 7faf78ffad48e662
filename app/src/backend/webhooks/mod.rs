//! Outgoing webhooks: what each change tells the subscribed URLs, written as deliveries in the
//! change's own transaction (as mail is, so an event is never lost nor sent for a change that
//! rolled back), then sent by the worker: signed (signing.rs), only to public addresses
//! (guard.rs), over HTTP (deliver.rs), retried for a day (worker.rs). Payloads in payload.rs.

pub mod deliver;
pub mod guard;
pub mod payload;
pub mod signing;
pub mod worker;

use crate::backend::db::Conn;
use crate::backend::repo::tickets::{EventRecord, TicketRecord};
use crate::backend::repo::webhooks::{self as repo, Listener, NewDelivery};
use crate::model::sla::SlaAlert;
use crate::model::{AppResult, EventData, EventKind, Priority};
use serde_json::{json, Value};

/// How long a delivery is retried before it is given up.
pub const RETRY_SECS: i64 = 24 * 3600;

/// Webhook settings from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSettings {
    /// Hosts that may be private or local (`FRONTLINE_WEBHOOK_ALLOW_HOSTS`, comma-separated).
    pub allow_hosts: Vec<String>,
    /// The wait before the first retry, doubled for each one after
    /// (`FRONTLINE_WEBHOOK_RETRY_SECS`, 30 by default).
    pub first_retry_secs: i64,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings {
            allow_hosts: Vec::new(),
            first_retry_secs: 30,
        }
    }
}

impl WebhookSettings {
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<WebhookSettings, String> {
        let defaults = WebhookSettings::default();
        let allow_hosts = var("FRONTLINE_WEBHOOK_ALLOW_HOSTS")
            .map(|list| {
                list.split(',')
                    .map(|h| h.trim().trim_start_matches('[').trim_end_matches(']'))
                    .filter(|h| !h.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let first_retry_secs = match var("FRONTLINE_WEBHOOK_RETRY_SECS") {
            Some(s) => s
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|s| (1..=3600).contains(s))
                .ok_or_else(|| {
                    format!("FRONTLINE_WEBHOOK_RETRY_SECS must be 1 to 3600 seconds, not \"{s}\"")
                })?,
            None => defaults.first_retry_secs,
        };
        Ok(WebhookSettings {
            allow_hosts,
            first_retry_secs,
        })
    }
}

/// The event type a timeline step is, with what it adds to the ticket; None for steps no
/// subscriber hears of (internal notes among them).
fn step_event(kind: EventKind, e: &EventRecord, actor_name: &str) -> Option<(&'static str, Value)> {
    let data = EventData::from_json(e.data.as_deref());
    Some(match kind {
        EventKind::Created => ("ticket.created", json!({})),
        EventKind::PublicReply if e.public => (
            "ticket.replied",
            json!({ "reply": { "author": actor_name, "text": e.body } }),
        ),
        EventKind::StatusChanged | EventKind::Reopened | EventKind::Closed => (
            "ticket.status_changed",
            json!({ "change": { "from": data.from_status, "to": data.to_status } }),
        ),
        EventKind::Claimed | EventKind::Assigned => ("ticket.assigned", json!({})),
        EventKind::Resolved => ("ticket.resolved", json!({})),
        _ => return None,
    })
}

/// Whether subscription `l` hears of event `kind` on ticket `t`.
fn hears(l: &Listener, kind: &str, t: &TicketRecord) -> bool {
    let priority_ok = match l.min_priority.as_deref().map(str::parse::<Priority>) {
        Some(Ok(min)) => t.priority.rank() <= min.rank(),
        _ => true,
    };
    l.events.split(',').any(|e| e == kind)
        && l.org_id.is_none_or(|org| org == t.org_id)
        && l.team_id.is_none_or(|team| Some(team) == t.team_id)
        && priority_ok
}

/// Writes a delivery of each event for each subscription that hears of it. Returns how many.
async fn enqueue(
    conn: &mut Conn,
    t: &TicketRecord,
    events: &[(&'static str, Value)],
    base_url: &str,
    now: i64,
) -> AppResult<usize> {
    if events.is_empty() {
        return Ok(0);
    }
    let listeners = repo::listeners(conn).await?;
    if listeners.is_empty() {
        return Ok(0);
    }
    let Some(names) = repo::ticket_names(conn, t.id).await? else {
        return Ok(0);
    };
    let ticket = payload::ticket(t, &names, base_url);
    let mut written = 0;
    for (kind, data) in events {
        let hearing: Vec<&Listener> = listeners.iter().filter(|l| hears(l, kind, t)).collect();
        if hearing.is_empty() {
            continue;
        }
        let id = payload::event_id();
        let body = payload::event(&id, kind, now, Some(ticket.clone()), data.clone());
        for l in hearing {
            repo::insert_delivery(
                conn,
                &NewDelivery {
                    subscription_id: l.id,
                    event_id: &id,
                    event_type: kind,
                    ticket_id: Some(t.id),
                    payload: &body,
                    now,
                    retry_until: now + RETRY_SECS,
                },
            )
            .await?;
            written += 1;
        }
    }
    Ok(written)
}

/// The deliveries of a ticket change's steps, in the change's transaction (`t` as it is after).
pub async fn enqueue_steps(
    conn: &mut Conn,
    t: &TicketRecord,
    actor_name: &str,
    steps: &[EventRecord],
    base_url: &str,
    now: i64,
) -> AppResult<usize> {
    let events: Vec<(&'static str, Value)> = steps
        .iter()
        .filter_map(|e| step_event(e.kind.parse().ok()?, e, actor_name))
        .collect();
    enqueue(conn, t, &events, base_url, now).await
}

/// The delivery of an SLA warning or breach, in the SLA engine's transaction.
pub async fn enqueue_sla(
    conn: &mut Conn,
    t: &TicketRecord,
    alert: SlaAlert,
    due_at: i64,
    base_url: &str,
    now: i64,
) -> AppResult<usize> {
    let kind = if alert.is_breach() {
        "sla.breached"
    } else {
        "sla.warning"
    };
    let data = json!({ "sla": { "target": alert.target(), "due_at": payload::timestamp(due_at) } });
    enqueue(conn, t, &[(kind, data)], base_url, now).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_read_from_the_environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            WebhookSettings::from_env(env(&[])).unwrap(),
            WebhookSettings::default()
        );
        let s = WebhookSettings::from_env(env(&[
            (
                "FRONTLINE_WEBHOOK_ALLOW_HOSTS",
                " hooks.lan, 127.0.0.1 ,[::1],",
            ),
            ("FRONTLINE_WEBHOOK_RETRY_SECS", "2"),
        ]))
        .unwrap();
        assert_eq!(s.allow_hosts, ["hooks.lan", "127.0.0.1", "::1"]);
        assert_eq!(s.first_retry_secs, 2);
        let err = WebhookSettings::from_env(env(&[("FRONTLINE_WEBHOOK_RETRY_SECS", "0")]));
        assert!(err.unwrap_err().contains("1 to 3600"));
    }
}
