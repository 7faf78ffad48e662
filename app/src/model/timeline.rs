//! The steps a ticket's timeline records. Each step is immutable once written.

use super::ticket::named_enum;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Created,
    PublicReply,
    InternalNote,
    Claimed,
    Assigned,
    HandedOff,
    Escalated,
    Deescalated,
    PriorityChanged,
    CategoryChanged,
    StatusChanged,
    Resolved,
    Reopened,
    Closed,
    SlaWarning,
    SlaBreach,
    /// The staffing forecast predicts a breach soon (the lead was told).
    BreachPredicted,
    ApprovalRequested,
    ApprovalGranted,
    ApprovalDenied,
    NotificationSent,
    PageSent,
    PageAcknowledged,
    ArticleLinked,
    Rated,
    FileAttached,
    ProblemLinked,
    /// A monitoring alert fired again while its ticket was open.
    AlertFired,
    /// A monitoring alert cleared while its ticket stayed with people.
    AlertCleared,
}
named_enum!(EventKind, "event kind", {
    Created => "created",
    PublicReply => "public_reply",
    InternalNote => "internal_note",
    Claimed => "claimed",
    Assigned => "assigned",
    HandedOff => "handed_off",
    Escalated => "escalated",
    Deescalated => "deescalated",
    PriorityChanged => "priority_changed",
    CategoryChanged => "category_changed",
    StatusChanged => "status_changed",
    Resolved => "resolved",
    Reopened => "reopened",
    Closed => "closed",
    SlaWarning => "sla_warning",
    SlaBreach => "sla_breach",
    BreachPredicted => "breach_predicted",
    ApprovalRequested => "approval_requested",
    ApprovalGranted => "approval_granted",
    ApprovalDenied => "approval_denied",
    NotificationSent => "notification_sent",
    PageSent => "page_sent",
    PageAcknowledged => "page_acknowledged",
    ArticleLinked => "article_linked",
    Rated => "rated",
    FileAttached => "file_attached",
    ProblemLinked => "problem_linked",
    AlertFired => "alert_fired",
    AlertCleared => "alert_cleared",
});

impl EventKind {
    /// Steps that never reach the requester, whatever their visibility flag says.
    pub fn is_internal_only(self) -> bool {
        matches!(
            self,
            EventKind::InternalNote
                | EventKind::HandedOff
                | EventKind::Escalated
                | EventKind::Deescalated
                | EventKind::SlaWarning
                | EventKind::SlaBreach
                | EventKind::BreachPredicted
                | EventKind::PageSent
                | EventKind::PageAcknowledged
                | EventKind::NotificationSent
                | EventKind::ProblemLinked
                | EventKind::AlertFired
                | EventKind::AlertCleared
        )
    }
}

/// The details of a step, stored as JSON beside it. Every field is optional: each kind uses a few.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventData {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_tier: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_tier: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_priority: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_priority: Option<String>,
    /// The person a ticket went to (assigned, handed off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_contact: Option<bool>,
    /// Which SLA target a warning or breach is about ("response" or "resolution").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flags: Option<String>,
    /// A requester's rating of the help, 1 to 5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stars: Option<u8>,
    /// The title of a knowledge article linked from the ticket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<String>,
    /// The problem record a ticket was linked to ("PR-7 “VPN drops”").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// The name of an attached file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The received message (`inbound_mail`) a mail-born step was made from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail_id: Option<i64>,
    /// The history a mail reply quoted below it, cut off the reply and shown on request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quoted: Option<String>,
    /// The step came from machine-sent mail: nobody answers it automatically (RFC 3834).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automatic: Option<bool>,
    /// The monitoring alert behind the step ("PRTG srv-01/disk-c").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert: Option<String>,
    /// How many times the alert has fired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
}

impl EventData {
    pub fn to_json(&self) -> Option<String> {
        (*self != EventData::default()).then(|| serde_json::to_string(self).unwrap_or_default())
    }

    pub fn from_json(json: Option<&str>) -> EventData {
        json.and_then(|j| serde_json::from_str(j).ok())
            .unwrap_or_default()
    }
}

/// One step of a timeline as a page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub id: i64,
    pub at: i64,
    /// Who acted; `None` for the system.
    pub actor: Option<String>,
    pub kind: EventKind,
    pub public: bool,
    /// What happened, in words ("escalated to tier 2").
    pub summary: String,
    /// The text of a reply, note or resolution, rendered from Markdown and sanitized.
    pub body_html: Option<String>,
    /// The received message the step was made from (staff only): "by e-mail", and its original
    /// at `/mail/{id}`.
    pub mail_id: Option<i64>,
    /// The history a mail reply quoted below it, shown on request.
    pub quoted: Option<String>,
}

fn label_of<T: FromStr + Copy>(raw: &Option<String>, label: impl Fn(T) -> &'static str) -> String {
    raw.as_deref()
        .and_then(|s| s.parse::<T>().ok())
        .map(label)
        .unwrap_or("unknown")
        .to_string()
}

/// What a step did, in words, for the timeline.
pub fn describe(kind: EventKind, data: &EventData) -> String {
    use super::ticket::{PendingReason, Priority, Status};
    let status = |s: &Option<String>| label_of::<Status>(s, |s| s.label()).to_lowercase();
    let alert = data.alert.as_deref();
    match kind {
        EventKind::Created => match (alert, data.channel.as_deref()) {
            (Some(alert), _) => format!("opened the ticket for monitoring alert {alert}"),
            (None, Some("phone")) => "logged a phone call".into(),
            (None, Some("email")) => "raised the request by e-mail".into(),
            (None, Some("api")) => "raised the request through the API".into(),
            _ => "raised the request".into(),
        },
        EventKind::PublicReply => "replied".into(),
        EventKind::InternalNote => "added an internal note".into(),
        EventKind::Claimed => "took the ticket".into(),
        EventKind::Assigned => format!(
            "assigned the ticket to {}",
            data.to_user.as_deref().unwrap_or("someone")
        ),
        EventKind::HandedOff => format!(
            "handed the ticket off to {}",
            data.to_user.as_deref().unwrap_or("a colleague")
        ),
        EventKind::Escalated => format!("escalated to tier {}", data.to_tier.unwrap_or(2)),
        EventKind::Deescalated => {
            format!("returned the ticket to tier {}", data.to_tier.unwrap_or(1))
        }
        EventKind::PriorityChanged => format!(
            "changed the priority from {} to {}",
            label_of::<Priority>(&data.from_priority, |p| p.label()),
            label_of::<Priority>(&data.to_priority, |p| p.label())
        ),
        EventKind::CategoryChanged => {
            format!(
                "set the category to {}",
                data.category.as_deref().unwrap_or("none")
            )
        }
        EventKind::StatusChanged => {
            let to = status(&data.to_status);
            match data
                .reason
                .as_deref()
                .and_then(|r| r.parse::<PendingReason>().ok())
            {
                Some(reason) if data.to_status.as_deref() == Some("pending") => {
                    format!(
                        "set the ticket to pending: {}",
                        reason.label().to_lowercase()
                    )
                }
                _ => format!(
                    "changed the status from {} to {to}",
                    status(&data.from_status)
                ),
            }
        }
        EventKind::Resolved if data.first_contact == Some(true) => {
            "resolved the ticket on first contact".into()
        }
        EventKind::Resolved => match alert {
            Some(alert) => format!("resolved the ticket: monitoring alert {alert} cleared"),
            None => "resolved the ticket".into(),
        },
        EventKind::Reopened => match alert {
            Some(alert) => format!("reopened the ticket: monitoring alert {alert} fired again"),
            None => "reopened the ticket".into(),
        },
        EventKind::Closed => "closed the ticket".into(),
        EventKind::SlaWarning => {
            format!("{} target at risk", data.target.as_deref().unwrap_or("SLA"))
        }
        EventKind::SlaBreach => format!(
            "{} target breached",
            data.target.as_deref().unwrap_or("SLA")
        ),
        EventKind::BreachPredicted => format!(
            "{} target predicted to breach (the team lead was told)",
            data.target.as_deref().unwrap_or("SLA")
        ),
        EventKind::ApprovalRequested => "asked for approval".into(),
        EventKind::ApprovalGranted => match data.reason.as_deref() {
            Some("budget") => "approved the budget".into(),
            _ => "approved the request".into(),
        },
        EventKind::ApprovalDenied => match data.reason.as_deref() {
            Some("budget") => "declined the budget".into(),
            _ => "declined the request".into(),
        },
        EventKind::NotificationSent => "notification sent".into(),
        EventKind::PageSent => match data.to_user.as_deref() {
            Some(who) => format!("paged {who}"),
            None => "paged the person on call".into(),
        },
        EventKind::PageAcknowledged => "acknowledged the page".into(),
        EventKind::ArticleLinked => match data.article.as_deref() {
            Some(title) => format!("linked the article “{title}”"),
            None => "linked a knowledge article".into(),
        },
        EventKind::ProblemLinked => match data.problem.as_deref() {
            Some(problem) => format!("linked the ticket to problem {problem}"),
            None => "linked the ticket to a problem record".into(),
        },
        EventKind::FileAttached => match data.file.as_deref() {
            Some(name) => format!("attached {name}"),
            None => "attached a file".into(),
        },
        EventKind::AlertFired => format!(
            "monitoring alert {} fired again ({} times in all)",
            alert.unwrap_or("?"),
            data.count.unwrap_or(2)
        ),
        EventKind::AlertCleared if data.reason.as_deref() == Some("flapping") => format!(
            "monitoring alert {} cleared; it is flapping, so the ticket stays open",
            alert.unwrap_or("?")
        ),
        EventKind::AlertCleared => format!(
            "monitoring alert {} cleared; the ticket stays with the people working it",
            alert.unwrap_or("?")
        ),
        EventKind::Rated => match data.stars {
            Some(stars) => format!(
                "rated the help {stars} of 5 ({})",
                super::portal::Rating::label(stars).to_lowercase()
            ),
            None => "rated the help".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_data_is_stored_compactly_and_read_leniently() {
        assert_eq!(EventData::default().to_json(), None);
        let data = EventData {
            to_tier: Some(2),
            reason: Some("firewall".into()),
            ..Default::default()
        };
        let json = data.to_json().unwrap();
        assert_eq!(json, r#"{"reason":"firewall","to_tier":2}"#);
        assert_eq!(EventData::from_json(Some(&json)), data);
        assert_eq!(EventData::from_json(Some("not json")), EventData::default());
        assert_eq!(EventData::from_json(None), EventData::default());
    }

    #[test]
    fn steps_are_described_in_words() {
        let d = |kind, data: EventData| describe(kind, &data);
        assert_eq!(
            d(
                EventKind::Escalated,
                EventData {
                    to_tier: Some(3),
                    ..Default::default()
                }
            ),
            "escalated to tier 3"
        );
        assert_eq!(
            d(
                EventKind::StatusChanged,
                EventData {
                    from_status: Some("open".into()),
                    to_status: Some("pending".into()),
                    reason: Some("budget".into()),
                    ..Default::default()
                }
            ),
            "set the ticket to pending: requires budget"
        );
        assert_eq!(
            d(
                EventKind::StatusChanged,
                EventData {
                    from_status: Some("pending".into()),
                    to_status: Some("open".into()),
                    ..Default::default()
                }
            ),
            "changed the status from pending to open"
        );
        assert_eq!(
            d(
                EventKind::PriorityChanged,
                EventData {
                    from_priority: Some("p3".into()),
                    to_priority: Some("p1".into()),
                    ..Default::default()
                }
            ),
            "changed the priority from P3 to P1"
        );
        assert_eq!(
            d(
                EventKind::Created,
                EventData {
                    channel: Some("phone".into()),
                    ..Default::default()
                }
            ),
            "logged a phone call"
        );
        assert_eq!(
            d(
                EventKind::Resolved,
                EventData {
                    first_contact: Some(true),
                    ..Default::default()
                }
            ),
            "resolved the ticket on first contact"
        );
        for kind in EventKind::ALL {
            assert!(!describe(*kind, &EventData::default()).is_empty());
        }
    }

    #[test]
    fn internal_steps_are_known() {
        assert!(EventKind::InternalNote.is_internal_only());
        assert!(EventKind::Escalated.is_internal_only());
        assert!(!EventKind::PublicReply.is_internal_only());
        assert!(!EventKind::Resolved.is_internal_only());
    }

    #[test]
    fn event_kinds_round_trip_through_their_names() {
        for kind in EventKind::ALL {
            assert_eq!(kind.as_str().parse::<EventKind>(), Ok(*kind));
        }
    }
}
