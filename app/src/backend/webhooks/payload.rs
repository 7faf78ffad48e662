//! What a webhook says: one stable JSON shape for every event,
//! `{id, type, timestamp, data: {ticket: {...}, ...}}`, carrying only what the ticket's client
//! may see too (no internal note, no private field), and the one-line chat message Slack and
//! Teams channels get instead.

use crate::backend::repo::tickets::TicketRecord;
use crate::backend::repo::webhooks::TicketNames;
use crate::model::admin::WebhookKind;
use crate::model::TicketNumber;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use serde_json::{json, Value};

/// A new event id: `evt_` and 16 random bytes in hex. Stored with the delivery, so every retry
/// and redelivery carries the same one.
pub fn event_id() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    format!("evt_{}", hex::encode(bytes))
}

/// An instant as RFC 3339 in UTC, to the second.
pub fn timestamp(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The ticket as every payload shows it.
pub fn ticket(t: &TicketRecord, names: &TicketNames, base_url: &str) -> Value {
    let number = TicketNumber(t.number);
    json!({
        "number": number.to_string(),
        "title": t.subject,
        "organization": names.organization,
        "team": names.team,
        "priority": t.priority.as_str(),
        "status": t.status.as_str(),
        "assignee": names.assignee,
        "url": format!("{base_url}/tickets/{number}"),
    })
}

/// The event as sent (and stored): `data` gets the ticket beside what the event adds.
pub fn event(id: &str, kind: &str, at: i64, ticket: Option<Value>, mut data: Value) -> String {
    if let (Some(ticket), Some(map)) = (ticket, data.as_object_mut()) {
        map.insert("ticket".into(), ticket);
    }
    json!({ "id": id, "type": kind, "timestamp": timestamp(at), "data": data }).to_string()
}

/// The body a subscription of `kind` is sent for the stored event `payload`.
pub fn body(kind: WebhookKind, payload: &str) -> String {
    match kind {
        WebhookKind::Standard => payload.to_string(),
        // both incoming-webhook formats take a plain `text` (Teams renders it as Markdown)
        WebhookKind::Slack | WebhookKind::Teams => {
            json!({ "text": chat_text(payload) }).to_string()
        }
    }
}

/// One line for a team channel: "HD-1042 (P1, Contoso) SLA breached: VPN down <url>".
pub fn chat_text(payload: &str) -> String {
    let event: Value = serde_json::from_str(payload).unwrap_or_default();
    let data = &event["data"];
    let what = match event["type"].as_str().unwrap_or_default() {
        "ticket.created" => "New ticket".to_string(),
        "ticket.replied" => "Public reply".to_string(),
        "ticket.status_changed" => format!(
            "Status now {}",
            data["change"]["to"].as_str().unwrap_or("changed")
        ),
        "ticket.assigned" => format!(
            "Assigned to {}",
            data["ticket"]["assignee"].as_str().unwrap_or("someone")
        ),
        "ticket.resolved" => "Resolved".to_string(),
        "sla.warning" => format!(
            "SLA {} target at risk",
            data["sla"]["target"].as_str().unwrap_or_default()
        ),
        "sla.breached" => format!(
            "SLA {} target breached",
            data["sla"]["target"].as_str().unwrap_or_default()
        ),
        _ => data["message"]
            .as_str()
            .unwrap_or("A message from Frontline")
            .to_string(),
    };
    let t = &data["ticket"];
    match t["number"].as_str() {
        Some(number) => format!(
            "{number} ({}, {}) {what}: {} {}",
            t["priority"].as_str().unwrap_or_default().to_uppercase(),
            t["organization"].as_str().unwrap_or_default(),
            t["title"].as_str().unwrap_or_default(),
            t["url"].as_str().unwrap_or_default()
        ),
        None => what,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_have_one_shape() {
        let ticket = json!({"number": "HD-7", "title": "VPN down", "organization": "Contoso",
                            "priority": "p1", "url": "https://desk/tickets/HD-7"});
        let payload = event(
            "evt_1",
            "sla.breached",
            1_700_000_000,
            Some(ticket),
            json!({"sla": {"target": "resolution"}}),
        );
        let v: Value = serde_json::from_str(&payload).unwrap();
        assert_eq!(v["id"], "evt_1");
        assert_eq!(v["type"], "sla.breached");
        assert_eq!(v["timestamp"], "2023-11-14T22:13:20Z");
        assert_eq!(v["data"]["ticket"]["number"], "HD-7");
        assert_eq!(
            chat_text(&payload),
            "HD-7 (P1, Contoso) SLA resolution target breached: VPN down https://desk/tickets/HD-7"
        );
        let slack: Value = serde_json::from_str(&body(WebhookKind::Slack, &payload)).unwrap();
        assert!(slack["text"].as_str().unwrap().starts_with("HD-7 (P1"));
        assert_eq!(body(WebhookKind::Standard, &payload), payload);
    }

    #[test]
    fn event_ids_are_new_each_time() {
        let (a, b) = (event_id(), event_id());
        assert_ne!(a, b);
        assert!(a.starts_with("evt_") && a.len() == 36);
    }
}
