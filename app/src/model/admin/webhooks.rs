//! Outgoing webhooks as the administrator edits them: a URL subscribed to some of the desk's
//! events, optionally only for one organization, team or the more urgent priorities, and the log
//! of what was delivered to it. The signing secret is shown once, when the subscription is made.

use super::fields::required_text;
use crate::model::Priority;
use serde::{Deserialize, Serialize};

pub const MAX_WEBHOOK_NAME: usize = 60;
pub const MAX_WEBHOOK_URL: usize = 2000;
/// Deliveries shown per page of a subscription's log.
pub const DELIVERY_PAGE: i64 = 50;

/// How a subscription is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum WebhookKind {
    /// Signed JSON events (the Standard Webhooks scheme).
    #[default]
    Standard,
    /// A Slack incoming webhook: `{"text": ...}`, unsigned.
    Slack,
    /// A Microsoft Teams incoming webhook: `{"text": ...}`, unsigned.
    Teams,
}

impl WebhookKind {
    pub const ALL: [WebhookKind; 3] = [
        WebhookKind::Standard,
        WebhookKind::Slack,
        WebhookKind::Teams,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WebhookKind::Standard => "standard",
            WebhookKind::Slack => "slack",
            WebhookKind::Teams => "teams",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            WebhookKind::Standard => "Signed JSON (Standard Webhooks)",
            WebhookKind::Slack => "Slack channel",
            WebhookKind::Teams => "Microsoft Teams channel",
        }
    }

    pub fn parse(text: &str) -> Option<WebhookKind> {
        WebhookKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// Chat services do not verify signatures: only standard subscriptions have a secret.
    pub fn signed(self) -> bool {
        self == WebhookKind::Standard
    }
}

/// The events a subscription may hear, as their `type` in the payload.
pub const WEBHOOK_EVENTS: [(&str, &str); 7] = [
    ("ticket.created", "Ticket created"),
    ("ticket.replied", "Public reply"),
    ("ticket.status_changed", "Status changed"),
    ("ticket.assigned", "Assigned or claimed"),
    ("ticket.resolved", "Resolved"),
    ("sla.warning", "SLA warning"),
    ("sla.breached", "SLA breached"),
];

/// The type of the event "send test event" delivers.
pub const TEST_EVENT: &str = "webhook.test";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct WebhookDraft {
    pub name: String,
    pub url: String,
    pub kind: WebhookKind,
    /// Event types from [`WEBHOOK_EVENTS`].
    pub events: Vec<String>,
    pub org_id: Option<i64>,
    pub team_id: Option<i64>,
    /// Only tickets of this priority or a more urgent one.
    pub min_priority: Option<Priority>,
}

/// A [`WebhookDraft`] that passed validation, normalised for storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidWebhook {
    pub name: String,
    pub url: String,
    /// Comma-separated, in the order of [`WEBHOOK_EVENTS`].
    pub events: String,
}

impl WebhookDraft {
    pub fn validate(&self) -> Result<ValidWebhook, String> {
        let name = required_text(&self.name, "webhook's name", 2, MAX_WEBHOOK_NAME)?;
        let url = self.url.trim();
        let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
        let host = url.split_once("://").map(|(_, rest)| rest).unwrap_or("");
        let host = host.split(['/', '?', '#']).next().unwrap_or("");
        if !scheme_ok
            || host.is_empty()
            || url.len() > MAX_WEBHOOK_URL
            || url.chars().any(|c| c.is_whitespace() || c.is_control())
            || host.contains('@')
        {
            return Err(
                "Enter the receiver's address as an http(s) URL, like https://hooks.example.com/frontline."
                    .into(),
            );
        }
        let chosen: Vec<&str> = WEBHOOK_EVENTS
            .iter()
            .map(|(t, _)| *t)
            .filter(|t| self.events.iter().any(|e| e == t))
            .collect();
        if chosen.is_empty() {
            return Err("Choose at least one event to send.".into());
        }
        if let Some(unknown) = self
            .events
            .iter()
            .find(|e| !WEBHOOK_EVENTS.iter().any(|(t, _)| t == e))
        {
            return Err(format!("There is no event \"{unknown}\"."));
        }
        Ok(ValidWebhook {
            name,
            url: url.to_string(),
            events: chosen.join(","),
        })
    }
}

/// One subscription in the list (and opened for editing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookRow {
    pub id: i64,
    pub draft: WebhookDraft,
    pub active: bool,
    /// Why the desk turned it off by itself.
    pub disabled_reason: Option<String>,
    /// The organization and team filters, as names.
    pub org: Option<String>,
    pub team: Option<String>,
    /// Deliveries waiting or retrying, and given up.
    pub waiting: i64,
    pub dead: i64,
    /// The last delivery's outcome: when, and whether it got through.
    pub last_at: Option<i64>,
    pub last_ok: Option<bool>,
}

/// What creating a subscription answers: its id and, once, its signing secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookCreated {
    pub id: i64,
    /// `whsec_...`; None for chat kinds. Never shown again.
    pub secret: Option<String>,
}

/// One delivery in a subscription's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRow {
    pub id: i64,
    pub event_id: String,
    pub event_type: String,
    /// The ticket's number, when the event is about one.
    pub ticket: Option<i64>,
    /// "pending", "failed" (retrying), "delivered" or "dead".
    pub status: String,
    pub attempts: i64,
    pub status_code: Option<i64>,
    pub response_ms: Option<i64>,
    pub error: Option<String>,
    pub created_at: i64,
    pub next_attempt_at: i64,
    pub delivered_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryPage {
    pub subscription: String,
    pub deliveries: Vec<DeliveryRow>,
    /// Pass as `before` for the next (older) page.
    pub older: Option<i64>,
    pub now: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> WebhookDraft {
        WebhookDraft {
            name: " PSA ".into(),
            url: " https://psa.example.com/hooks/frontline ".into(),
            events: vec!["sla.breached".into(), "ticket.created".into()],
            ..Default::default()
        }
    }

    #[test]
    fn a_good_subscription_is_normalised() {
        let v = draft().validate().unwrap();
        assert_eq!(v.name, "PSA");
        assert_eq!(v.url, "https://psa.example.com/hooks/frontline");
        assert_eq!(
            v.events, "ticket.created,sla.breached",
            "in the list's order"
        );
    }

    #[test]
    fn bad_subscriptions_are_refused_with_a_reason() {
        type Change = Box<dyn Fn(&mut WebhookDraft)>;
        let cases: Vec<(Change, &str)> = vec![
            (Box::new(|d| d.name = " ".into()), "name"),
            (Box::new(|d| d.url = "ftp://x.example".into()), "URL"),
            (Box::new(|d| d.url = "https://".into()), "URL"),
            (Box::new(|d| d.url = "https://a b.example".into()), "URL"),
            (
                Box::new(|d| d.url = "https://user@x.example/".into()),
                "URL",
            ),
            (Box::new(|d| d.events = vec![]), "at least one"),
            (
                Box::new(|d| d.events.push("ticket.deleted".into())),
                "no event",
            ),
        ];
        for (change, expected) in cases {
            let mut d = draft();
            change(&mut d);
            let err = d.validate().unwrap_err();
            assert!(err.contains(expected), "{err:?} lacks {expected:?}");
        }
    }

    #[test]
    fn kinds_keep_their_stored_names() {
        for k in WebhookKind::ALL {
            assert_eq!(WebhookKind::parse(k.as_str()), Some(k));
        }
        assert!(WebhookKind::Standard.signed());
        assert!(!WebhookKind::Slack.signed());
    }
}
