//! Monitoring alerts: what a monitoring or RMM tool reports to `/api/v1/alerts`, and the pure
//! rules that keep one ticket per alert however often it fires, clears and flaps.

use super::ticket::{named_enum, Priority, Urgency, MAX_SUBJECT_CHARS};
use super::time::MINUTE;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How bad the monitoring tool says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Critical,
    Major,
    Minor,
    Warning,
    Info,
}
named_enum!(Severity, "severity", {
    Critical => "critical",
    Major => "major",
    Minor => "minor",
    Warning => "warning",
    Info => "info",
});

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Critical => "Critical",
            Severity::Major => "Major",
            Severity::Minor => "Minor",
            Severity::Warning => "Warning",
            Severity::Info => "Info",
        }
    }

    /// Critical is a P1 (and so pages the person on call); informational alerts are planned work.
    pub fn priority(self) -> Priority {
        match self {
            Severity::Critical => Priority::P1,
            Severity::Major => Priority::P2,
            Severity::Minor | Severity::Warning => Priority::P3,
            Severity::Info => Priority::Ops,
        }
    }

    pub fn urgency(self) -> Urgency {
        match self {
            Severity::Critical | Severity::Major => Urgency::Urgent,
            _ => Urgency::NotUrgent,
        }
    }
}

/// Whether the condition holds now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertStatus {
    Firing,
    Resolved,
}
named_enum!(AlertStatus, "alert status", { Firing => "firing", Resolved => "resolved" });

/// One report from a monitoring tool, as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertReport {
    /// The tool ("PRTG", "ninjaone").
    pub source: String,
    /// What the alert is about, stable across its reports ("srv-01/disk-c").
    pub key: String,
    /// The organization's code.
    pub organization: String,
    pub severity: String,
    pub title: String,
    pub details: Option<String>,
    pub status: String,
    pub device: Option<String>,
    /// The client user the ticket is for; the organization's first client administrator when
    /// left out.
    pub requester: Option<String>,
}

/// An [`AlertReport`] that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidAlert {
    pub source: String,
    pub key: String,
    pub organization: String,
    pub severity: Severity,
    pub title: String,
    pub details: Option<String>,
    pub status: AlertStatus,
    pub device: Option<String>,
    pub requester: Option<String>,
}

/// A refused report: which field and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub field: &'static str,
    pub message: String,
}

const MAX_DETAILS_BYTES: usize = 16 * 1024;

fn line(field: &'static str, value: &str, max: usize) -> Result<String, Refusal> {
    let value = value.trim();
    let refuse = |message: String| Refusal { field, message };
    if value.is_empty() {
        return Err(refuse(format!("Give the alert's {field}.")));
    }
    if value.chars().count() > max {
        return Err(refuse(format!(
            "The alert's {field} is longer than {max} characters."
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(refuse(format!(
            "The alert's {field} contains control characters."
        )));
    }
    Ok(value.to_string())
}

impl AlertReport {
    pub fn validate(&self) -> Result<ValidAlert, Refusal> {
        let parsed = |field: &'static str, value: &str| Refusal {
            field,
            message: value.to_string(),
        };
        let details = match self.details.as_deref().map(str::trim) {
            Some(d) if d.len() > MAX_DETAILS_BYTES => {
                return Err(parsed(
                    "details",
                    "The alert's details are longer than 16 KB.",
                ))
            }
            Some(d) if !d.is_empty() => Some(d.to_string()),
            _ => None,
        };
        let optional = |field, value: &Option<String>, max| {
            value
                .as_deref()
                .filter(|v| !v.trim().is_empty())
                .map(|v| line(field, v, max))
                .transpose()
        };
        Ok(ValidAlert {
            source: line("source", &self.source, 64)?,
            key: line("key", &self.key, 200)?,
            organization: line("organization", &self.organization, 64)?,
            severity: self
                .severity
                .trim()
                .to_lowercase()
                .parse()
                .map_err(|e: String| parsed("severity", &e))?,
            title: line("title", &self.title, MAX_SUBJECT_CHARS)?,
            details,
            status: self
                .status
                .trim()
                .to_lowercase()
                .parse()
                .map_err(|e: String| parsed("status", &e))?,
            device: optional("device", &self.device, 200)?,
            requester: optional("requester", &self.requester, 254)?,
        })
    }
}

impl ValidAlert {
    /// How the alert reads in a timeline and a list: "PRTG srv-01/disk-c".
    pub fn name(&self) -> String {
        format!("{} {}", self.source, self.key)
    }

    /// The problem text of the ticket the alert opens.
    pub fn problem(&self) -> String {
        let mut text = format!(
            "Monitoring alert from {}: {}\n\nSeverity: {}\nKey: {}\n",
            self.source, self.title, self.severity, self.key
        );
        if let Some(device) = &self.device {
            text.push_str(&format!("Device: {device}\n"));
        }
        if let Some(details) = &self.details {
            text.push('\n');
            text.push_str(details);
        }
        text
    }
}

/// When an alert counts as flapping: it came back more than `max_reopens` times within
/// `window_secs` of its first return. A flapping alert's ticket stays open for a person instead
/// of being resolved and reopened by every change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flapping {
    pub window_secs: i64,
    pub max_reopens: u32,
}

impl Default for Flapping {
    fn default() -> Self {
        Flapping {
            window_secs: 60 * MINUTE,
            max_reopens: 3,
        }
    }
}

/// Where the alert's ticket stands when a report arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// No ticket, or one closed for good: the next firing opens a new one.
    NoTicket,
    /// Being worked or waiting: new, open or pending.
    Active {
        /// Nobody but monitoring has acted on it: no person took, answered or changed it.
        untouched: bool,
    },
    /// Resolved and not yet closed.
    Resolved {
        /// Resolved by the alert clearing (not by a person) at this instant.
        by_alert_at: Option<i64>,
    },
}

/// The alert's own memory of its returns (kept on its row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Returns {
    /// Times the ticket was reopened by the alert firing again, since `since`.
    pub count: u32,
    pub since: Option<i64>,
}

impl Returns {
    pub fn flapping(self, rule: Flapping, now: i64) -> bool {
        self.count >= rule.max_reopens
            && self
                .since
                .is_some_and(|since| now - since <= rule.window_secs)
    }

    /// After one more return at `now`.
    pub fn after_return(self, rule: Flapping, now: i64) -> Returns {
        match self.since {
            Some(since) if now - since <= rule.window_secs => Returns {
                count: self.count + 1,
                since: Some(since),
            },
            _ => Returns {
                count: 1,
                since: Some(now),
            },
        }
    }
}

/// What the desk does with one report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A new ticket for the alert.
    Opened,
    /// The alert fired again: a step on its open ticket.
    Repeated,
    /// The alert cleared and nobody had touched the ticket: resolved.
    Resolved,
    /// The alert cleared; the ticket stays with the people working it (or it is flapping).
    Cleared,
    /// The alert came back soon after clearing: its resolved ticket reopened.
    Reopened,
    /// Inside a maintenance window: recorded, no ticket, no page.
    Suppressed,
    /// Nothing to do: it cleared with no ticket open.
    Recorded,
}

named_enum!(Outcome, "alert outcome", {
    Opened => "opened",
    Repeated => "repeated",
    Resolved => "resolved",
    Cleared => "cleared",
    Reopened => "reopened",
    Suppressed => "suppressed",
    Recorded => "recorded",
});

/// The rule: one ticket per alert. A firing alert opens a ticket unless one is active (then it
/// is a step) or one it resolved itself came back within the flapping window (then it reopens,
/// until it flaps: then the ticket stays open). Clearing resolves a ticket nobody touched.
/// Inside a maintenance window nothing new is opened or reopened.
pub fn decide(
    status: AlertStatus,
    standing: Standing,
    in_maintenance: bool,
    returns: Returns,
    rule: Flapping,
    now: i64,
) -> Outcome {
    match (status, standing) {
        (AlertStatus::Firing, Standing::Active { .. }) => Outcome::Repeated,
        (AlertStatus::Firing, _) if in_maintenance => Outcome::Suppressed,
        (
            AlertStatus::Firing,
            Standing::Resolved {
                by_alert_at: Some(at),
            },
        ) if now - at <= rule.window_secs => Outcome::Reopened,
        (AlertStatus::Firing, _) => Outcome::Opened,
        (AlertStatus::Resolved, Standing::Active { untouched: true })
            if !returns.flapping(rule, now) =>
        {
            Outcome::Resolved
        }
        (AlertStatus::Resolved, Standing::Active { .. }) => Outcome::Cleared,
        (AlertStatus::Resolved, _) => Outcome::Recorded,
    }
}

/// A period in which an organization's alerts open no ticket and page nobody (planned work).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaintenanceWindow {
    pub id: i64,
    pub org_code: String,
    pub org_name: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub reason: String,
}

/// An alert as the on-call page lists it: its latest report and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertSummary {
    pub org_name: String,
    pub source: String,
    pub key: String,
    pub severity: Severity,
    pub status: AlertStatus,
    pub title: String,
    pub last_at: i64,
    /// Reports that fired since its ticket was opened.
    pub fired_count: i64,
    /// Reports that fell in maintenance windows.
    pub suppressed_count: i64,
    pub ticket: Option<super::TicketNumber>,
}

/// The on-call page's monitoring: the latest alerts and the maintenance windows running or to
/// come in the viewer's scope, and the organizations they may plan a window for as (code, name)
/// (none: they may not plan).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Monitoring {
    pub now: i64,
    pub alerts: Vec<AlertSummary>,
    pub windows: Vec<MaintenanceWindow>,
    pub orgs: Vec<(String, String)>,
}

/// How many alerts the on-call page lists, latest first.
pub const RECENT_ALERTS: i64 = 50;

/// The longest maintenance window: a week (a longer silence is an outage of the monitoring).
pub const MAX_WINDOW_SECS: i64 = 7 * 24 * 60 * MINUTE;

/// Checks a window asked for at `now`: it ends after it starts, has not ended, lasts at most a
/// week and says why.
pub fn validate_window(
    starts_at: i64,
    ends_at: i64,
    reason: &str,
    now: i64,
) -> Result<String, Refusal> {
    let refuse = |field, message: &str| Refusal {
        field,
        message: message.to_string(),
    };
    if ends_at <= starts_at {
        return Err(refuse("ends_at", "The window must end after it starts."));
    }
    if ends_at <= now {
        return Err(refuse("ends_at", "The window has already ended."));
    }
    if ends_at - starts_at > MAX_WINDOW_SECS {
        return Err(refuse(
            "ends_at",
            "A maintenance window lasts at most 7 days.",
        ));
    }
    line("reason", reason, 200).map_err(|_| {
        refuse(
            "reason",
            "Say why (at most 200 characters on one line), e.g. \"Patch night\".",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> AlertReport {
        AlertReport {
            source: " PRTG ".into(),
            key: "srv-01/disk-c".into(),
            organization: "ACME".into(),
            severity: "Critical".into(),
            title: "Disk C: below 5% free".into(),
            details: Some("  ".into()),
            status: "firing".into(),
            device: Some("srv-01".into()),
            requester: None,
        }
    }

    #[test]
    fn a_report_is_trimmed_and_read_and_bad_fields_are_named() {
        let valid = report().validate().expect("valid");
        assert_eq!(valid.source, "PRTG");
        assert_eq!(valid.severity, Severity::Critical);
        assert_eq!(valid.severity.priority(), Priority::P1);
        assert_eq!(valid.details, None);
        assert!(valid.problem().contains("Device: srv-01"));
        for (field, change) in [
            (
                "source",
                (|r: &mut AlertReport| r.source = " ".into()) as fn(&mut AlertReport),
            ),
            ("key", |r| r.key = "a\u{7}".into()),
            ("severity", |r| r.severity = "apocalyptic".into()),
            ("status", |r| r.status = "maybe".into()),
            ("title", |r| r.title = "x".repeat(201)),
            ("details", |r| r.details = Some("x".repeat(17 * 1024))),
            ("device", |r| r.device = Some("d\n".repeat(2))),
        ] {
            let mut r = report();
            change(&mut r);
            assert_eq!(r.validate().map(|_| ()).unwrap_err().field, field);
        }
    }

    #[test]
    fn one_ticket_per_alert_however_often_it_fires() {
        let rule = Flapping::default();
        let none = Returns::default();
        let fire = |standing| decide(AlertStatus::Firing, standing, false, none, rule, 10_000);
        assert_eq!(fire(Standing::NoTicket), Outcome::Opened);
        assert_eq!(
            fire(Standing::Active { untouched: true }),
            Outcome::Repeated
        );
        assert_eq!(
            fire(Standing::Resolved {
                by_alert_at: Some(10_000 - 60)
            }),
            Outcome::Reopened,
            "back soon after clearing"
        );
        assert_eq!(
            fire(Standing::Resolved {
                by_alert_at: Some(10_000 - 2 * 3600)
            }),
            Outcome::Opened,
            "back long after: a new incident"
        );
        assert_eq!(
            fire(Standing::Resolved { by_alert_at: None }),
            Outcome::Opened,
            "a person resolved it: theirs stays resolved"
        );
    }

    #[test]
    fn clearing_resolves_only_what_nobody_touched_and_never_a_flapping_alert() {
        let rule = Flapping::default();
        let clear = |standing, returns| {
            decide(
                AlertStatus::Resolved,
                standing,
                false,
                returns,
                rule,
                10_000,
            )
        };
        let none = Returns::default();
        assert_eq!(
            clear(Standing::Active { untouched: true }, none),
            Outcome::Resolved
        );
        assert_eq!(
            clear(Standing::Active { untouched: false }, none),
            Outcome::Cleared
        );
        assert_eq!(clear(Standing::NoTicket, none), Outcome::Recorded);
        let mut returns = none;
        for at in [9_000, 9_300, 9_600] {
            returns = returns.after_return(rule, at);
        }
        assert!(returns.flapping(rule, 10_000));
        assert_eq!(
            clear(Standing::Active { untouched: true }, returns),
            Outcome::Cleared,
            "a flapping alert's ticket stays open"
        );
        assert!(!returns.flapping(rule, 9_000 + 3_601), "the window passed");
        assert_eq!(returns.after_return(rule, 20_000).count, 1, "a new window");
    }

    #[test]
    fn maintenance_opens_nothing_but_still_notes_an_active_ticket() {
        let rule = Flapping::default();
        let none = Returns::default();
        let fire = |standing| decide(AlertStatus::Firing, standing, true, none, rule, 10_000);
        assert_eq!(fire(Standing::NoTicket), Outcome::Suppressed);
        assert_eq!(
            fire(Standing::Resolved {
                by_alert_at: Some(9_990)
            }),
            Outcome::Suppressed
        );
        assert_eq!(
            fire(Standing::Active { untouched: true }),
            Outcome::Repeated
        );
    }

    #[test]
    fn a_window_ends_after_it_starts_within_a_week_and_says_why() {
        let now = 1_000_000;
        assert!(validate_window(now, now + 3600, "Patch night", now).is_ok());
        assert_eq!(
            validate_window(now, now, "x", now).unwrap_err().field,
            "ends_at"
        );
        assert_eq!(
            validate_window(now - 7200, now - 3600, "x", now)
                .unwrap_err()
                .field,
            "ends_at"
        );
        assert_eq!(
            validate_window(now, now + MAX_WINDOW_SECS + 1, "x", now)
                .unwrap_err()
                .field,
            "ends_at"
        );
        assert_eq!(
            validate_window(now, now + 60, " ", now).unwrap_err().field,
            "reason"
        );
    }
}
