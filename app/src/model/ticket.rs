//! Tickets: numbers, priorities, urgency, channels and the status machine.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Implements `as_str`, `Display` and `FromStr` for a fieldless enum from one table of names, so
/// the database, the URL and the UI all spell a value the same way.
macro_rules! named_enum {
    ($ty:ident, $what:literal, { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $name),+ }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $ty {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($name => Ok($ty::$variant),)+
                    other => Err(format!(
                        concat!("Unknown ", $what, " \"{}\". Use one of: {}."),
                        other,
                        [$($name),+].join(", ")
                    )),
                }
            }
        }
    };
}
pub(crate) use named_enum;

/// The human ticket number, shown as HD-1042. Numbers come from a counter and never repeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TicketNumber(pub i64);

impl TicketNumber {
    pub const PREFIX: &'static str = "HD-";
}

impl fmt::Display for TicketNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", Self::PREFIX, self.0)
    }
}

impl FromStr for TicketNumber {
    type Err = String;

    /// Accepts "HD-1042", "hd-1042" or "1042".
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let digits = if t.len() >= 3 && t[..3].eq_ignore_ascii_case(Self::PREFIX) {
            &t[3..]
        } else {
            t
        };
        match digits.parse::<i64>() {
            Ok(n) if n > 0 && !digits.starts_with('+') => Ok(TicketNumber(n)),
            _ => Err(format!(
                "\"{s}\" is not a ticket number (expected something like HD-1042)."
            )),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    P1,
    P2,
    P3,
    /// Planned operational work: no emergency, longest targets.
    Ops,
}
named_enum!(Priority, "priority", { P1 => "p1", P2 => "p2", P3 => "p3", Ops => "ops" });

impl Priority {
    pub fn label(self) -> &'static str {
        match self {
            Priority::P1 => "P1",
            Priority::P2 => "P2",
            Priority::P3 => "P3",
            Priority::Ops => "Ops",
        }
    }

    /// The priority a new ticket gets from what the requester said. Only staff set P1.
    pub fn default_for(urgency: Urgency) -> Priority {
        match urgency {
            Urgency::Urgent => Priority::P2,
            Urgency::NotUrgent => Priority::P3,
        }
    }

    /// Sort key: most urgent first.
    pub fn rank(self) -> i64 {
        match self {
            Priority::P1 => 1,
            Priority::P2 => 2,
            Priority::P3 => 3,
            Priority::Ops => 4,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Urgent,
    NotUrgent,
}
named_enum!(Urgency, "urgency", { Urgent => "urgent", NotUrgent => "not_urgent" });

impl Urgency {
    pub fn label(self) -> &'static str {
        match self {
            Urgency::Urgent => "Urgent",
            Urgency::NotUrgent => "Not urgent",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Web,
    Phone,
    Email,
    Api,
}
named_enum!(Channel, "channel", { Web => "web", Phone => "phone", Email => "email", Api => "api" });

impl Channel {
    pub fn label(self) -> &'static str {
        match self {
            Channel::Web => "Web",
            Channel::Phone => "Phone",
            Channel::Email => "E-mail",
            Channel::Api => "API",
        }
    }
}

/// Why a ticket waits. Waiting on the customer, budget or approval stops the resolution clock;
/// waiting on a third party does not (the desk still owns the outcome).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PendingReason {
    Customer,
    Budget,
    Approval,
    ThirdParty,
}
named_enum!(PendingReason, "pending reason", {
    Customer => "customer", Budget => "budget", Approval => "approval", ThirdParty => "third_party"
});

impl PendingReason {
    /// Waiting for the client organization to decide (its client admin approves or declines).
    pub fn needs_decision(self) -> bool {
        matches!(self, PendingReason::Budget | PendingReason::Approval)
    }

    pub fn label(self) -> &'static str {
        match self {
            PendingReason::Customer => "Waiting on customer",
            PendingReason::Budget => "Requires budget",
            PendingReason::Approval => "Requires approval",
            PendingReason::ThirdParty => "Waiting on third party",
        }
    }

    pub fn pauses_sla(self) -> bool {
        !matches!(self, PendingReason::ThirdParty)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Raised, nobody owns it yet.
    New,
    /// Claimed or assigned: somebody is working it.
    Open,
    /// Waiting, always with a reason.
    Pending,
    Resolved,
    Closed,
}
named_enum!(Status, "status", {
    New => "new", Open => "open", Pending => "pending", Resolved => "resolved", Closed => "closed"
});

/// How long after resolution the requester may still reopen a ticket.
pub const REOPEN_WINDOW_SECS: i64 = 7 * 24 * 3600;

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::New => "New",
            Status::Open => "Open",
            Status::Pending => "Pending",
            Status::Resolved => "Resolved",
            Status::Closed => "Closed",
        }
    }

    /// What a client reads: plain words about where their request stands.
    pub fn client_label(self) -> &'static str {
        match self {
            Status::New => "Received",
            Status::Open => "Being worked on",
            Status::Pending => "Waiting",
            Status::Resolved => "Resolved",
            Status::Closed => "Closed",
        }
    }

    /// Work still to do (the desk owes an answer).
    pub fn is_active(self) -> bool {
        matches!(self, Status::New | Status::Open | Status::Pending)
    }

    /// Being worked, not waiting on anyone: the states in which a ticket is claimed and moves
    /// between tiers.
    pub fn is_workable(self) -> bool {
        matches!(self, Status::New | Status::Open)
    }

    /// Sort key of the queue: new and open work first, then pending, then the finished.
    pub fn queue_rank(self) -> i64 {
        match self {
            Status::New | Status::Open => 0,
            Status::Pending => 1,
            Status::Resolved => 2,
            Status::Closed => 3,
        }
    }

    /// The status machine. `Ok` when `self -> to` is a move the desk allows.
    pub fn check_transition(self, to: Status) -> Result<(), String> {
        use Status::*;
        let allowed = matches!(
            (self, to),
            (New, Open)           // claimed or assigned
                | (New, Resolved) // first-contact resolution
                | (Open, New)     // unassigned, back to the pool
                | (Open, Pending)
                | (Open, Resolved)
                | (Pending, Open)
                | (Pending, Resolved)
                | (Resolved, Open) // reopened
                | (Resolved, Closed)
        );
        if allowed {
            Ok(())
        } else if self == to {
            Err(format!(
                "The ticket is already {}.",
                self.label().to_lowercase()
            ))
        } else {
            Err(format!(
                "A {} ticket cannot be moved to {}.",
                self.label().to_lowercase(),
                to.label().to_lowercase()
            ))
        }
    }

    /// Whether a requester may still reopen a ticket resolved at `resolved_at`.
    pub fn requester_may_reopen(self, resolved_at: Option<i64>, now: i64) -> Result<(), String> {
        match (self, resolved_at) {
            (Status::Resolved, Some(at)) if now - at <= REOPEN_WINDOW_SECS => Ok(()),
            (Status::Resolved, _) => Err(
                "This ticket was resolved more than 7 days ago; please raise a new request.".into(),
            ),
            (other, _) => Err(format!(
                "Only a resolved ticket can be reopened; this one is {}.",
                other.label().to_lowercase()
            )),
        }
    }
}

/// The longest problem text or reply accepted (64 KB).
pub const MAX_TEXT_BYTES: usize = 64 * 1024;
pub const MAX_SUBJECT_CHARS: usize = 200;

/// The subject a ticket gets from its problem: the first non-empty line, shortened.
pub fn subject_from_problem(problem: &str) -> String {
    let line = problem
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    if line.chars().count() <= 80 {
        line.to_string()
    } else {
        let cut: String = line.chars().take(79).collect();
        format!("{}…", cut.trim_end())
    }
}

/// Validates free text (problem, reply, note): required, at most 64 KB.
pub fn validate_text(what: &str, text: &str) -> Result<String, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(format!("The {what} is empty. Please write something."));
    }
    if trimmed.len() > MAX_TEXT_BYTES {
        return Err(format!(
            "The {what} is longer than 64 KB. Please shorten it or attach a file."
        ));
    }
    Ok(trimmed.to_string())
}

/// Like [`validate_text`] for a text one may leave out: blank is none.
pub fn validate_optional_text(what: &str, text: Option<&str>) -> Result<Option<String>, String> {
    text.filter(|t| !t.trim().is_empty())
        .map(|t| validate_text(what, t))
        .transpose()
}

/// What a person fills in to raise a ticket. Clients give urgency and problem; staff also name
/// the requester and how the request reached them, and may resolve a call on the spot.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NewTicket {
    /// Staff only: who the ticket is for. Clients always raise for themselves.
    #[serde(default)]
    pub requester_id: Option<i64>,
    pub urgency: Option<Urgency>,
    pub problem: String,
    /// Editable; the first line of the problem when left empty.
    #[serde(default)]
    pub subject: Option<String>,
    /// Staff only (phone, e-mail, web); clients raise through the web.
    #[serde(default)]
    pub channel: Option<Channel>,
    /// Staff only; otherwise the default from urgency.
    #[serde(default)]
    pub priority: Option<Priority>,
    #[serde(default)]
    pub category_id: Option<i64>,
    /// Staff only: resolve on the spot with this note (a first-contact resolution).
    #[serde(default)]
    pub resolution: Option<String>,
    /// The requester says up front that the work will need budget; staff may clear it later.
    #[serde(default)]
    pub requires_budget: bool,
    /// The requester says up front that someone must approve the work.
    #[serde(default)]
    pub requires_approval: bool,
}

/// A [`NewTicket`] that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRaise {
    pub urgency: Urgency,
    pub problem: String,
    pub subject: String,
    pub resolution: Option<String>,
}

impl NewTicket {
    pub fn validate(&self) -> Result<ValidRaise, String> {
        let urgency = self.urgency.ok_or("Say whether the problem is urgent.")?;
        let problem = validate_text("problem description", &self.problem)?;
        let subject = match self
            .subject
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(s) => s.to_string(),
            None => subject_from_problem(&problem),
        };
        if subject.chars().count() > MAX_SUBJECT_CHARS {
            return Err(format!(
                "Keep the subject under {MAX_SUBJECT_CHARS} characters."
            ));
        }
        if subject.chars().any(char::is_control) {
            return Err("The subject contains characters that cannot be shown.".into());
        }
        let resolution = self
            .resolution
            .as_deref()
            .filter(|r| !r.trim().is_empty())
            .map(|r| validate_text("resolution note", r))
            .transpose()?;
        Ok(ValidRaise {
            urgency,
            problem,
            subject,
            resolution,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raising_needs_urgency_and_a_problem_and_derives_the_subject() {
        let mut r = NewTicket {
            urgency: Some(Urgency::Urgent),
            problem: " VPN down\nsince 9am ".into(),
            ..Default::default()
        };
        let v = r.validate().unwrap();
        assert_eq!(v.subject, "VPN down");
        assert_eq!(v.problem, "VPN down\nsince 9am");
        r.subject = Some("  Remote access broken ".into());
        assert_eq!(r.validate().unwrap().subject, "Remote access broken");
        r.subject = Some("x".repeat(201));
        assert!(r.validate().unwrap_err().contains("subject"));
        r.subject = None;
        r.urgency = None;
        assert!(r.validate().unwrap_err().contains("urgent"));
        r.urgency = Some(Urgency::NotUrgent);
        r.problem = "   ".into();
        assert!(r.validate().unwrap_err().contains("empty"));
        r.problem = "a".repeat(MAX_TEXT_BYTES + 1);
        assert!(r.validate().unwrap_err().contains("64 KB"));
    }

    #[test]
    fn ticket_numbers_format_and_parse() {
        assert_eq!(TicketNumber(1042).to_string(), "HD-1042");
        assert_eq!("HD-1042".parse(), Ok(TicketNumber(1042)));
        assert_eq!("hd-7".parse(), Ok(TicketNumber(7)));
        assert_eq!(" 1042 ".parse(), Ok(TicketNumber(1042)));
        for bad in [
            "",
            "HD-",
            "HD-0",
            "HD--3",
            "HD-+3",
            "HD-12x",
            "ticket",
            "99999999999999999999",
        ] {
            assert!(bad.parse::<TicketNumber>().is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn urgency_sets_the_default_priority_and_never_p1() {
        assert_eq!(Priority::default_for(Urgency::Urgent), Priority::P2);
        assert_eq!(Priority::default_for(Urgency::NotUrgent), Priority::P3);
    }

    #[test]
    fn enums_round_trip_through_their_names() {
        for p in Priority::ALL {
            assert_eq!(p.as_str().parse::<Priority>(), Ok(*p));
        }
        for s in Status::ALL {
            assert_eq!(s.as_str().parse::<Status>(), Ok(*s));
        }
        for c in Channel::ALL {
            assert_eq!(c.as_str().parse::<Channel>(), Ok(*c));
        }
        for r in PendingReason::ALL {
            assert_eq!(r.as_str().parse::<PendingReason>(), Ok(*r));
        }
        for u in Urgency::ALL {
            assert_eq!(u.as_str().parse::<Urgency>(), Ok(*u));
        }
        assert!("p0"
            .parse::<Priority>()
            .unwrap_err()
            .contains("p1, p2, p3, ops"));
    }

    /// Every pair of statuses, against the table of allowed moves.
    #[test]
    fn status_machine_allows_exactly_the_documented_moves() {
        use Status::*;
        let allowed = [
            (New, Open),
            (New, Resolved),
            (Open, New),
            (Open, Pending),
            (Open, Resolved),
            (Pending, Open),
            (Pending, Resolved),
            (Resolved, Open),
            (Resolved, Closed),
        ];
        for &from in Status::ALL {
            for &to in Status::ALL {
                let result = from.check_transition(to);
                assert_eq!(
                    result.is_ok(),
                    allowed.contains(&(from, to)),
                    "{from} -> {to}: {result:?}"
                );
            }
        }
    }

    #[test]
    fn refused_moves_say_why_in_plain_words() {
        assert_eq!(
            Status::Closed.check_transition(Status::Open).unwrap_err(),
            "A closed ticket cannot be moved to open."
        );
        assert_eq!(
            Status::Open.check_transition(Status::Open).unwrap_err(),
            "The ticket is already open."
        );
    }

    #[test]
    fn closed_is_terminal_and_new_cannot_be_closed_directly() {
        for &to in Status::ALL {
            assert!(Status::Closed.check_transition(to).is_err());
        }
        assert!(Status::New.check_transition(Status::Closed).is_err());
    }

    #[test]
    fn requester_may_reopen_within_seven_days_only() {
        let resolved = 1_000_000;
        assert!(Status::Resolved
            .requester_may_reopen(Some(resolved), resolved + 3600)
            .is_ok());
        assert!(Status::Resolved
            .requester_may_reopen(Some(resolved), resolved + REOPEN_WINDOW_SECS)
            .is_ok());
        assert!(Status::Resolved
            .requester_may_reopen(Some(resolved), resolved + REOPEN_WINDOW_SECS + 1)
            .is_err());
        assert!(Status::Closed
            .requester_may_reopen(Some(resolved), resolved + 1)
            .is_err());
        assert!(Status::Resolved
            .requester_may_reopen(None, resolved)
            .is_err());
    }

    #[test]
    fn queue_rank_puts_open_work_first() {
        assert!(Status::New.queue_rank() < Status::Pending.queue_rank());
        assert_eq!(Status::New.queue_rank(), Status::Open.queue_rank());
        assert!(Status::Pending.queue_rank() < Status::Resolved.queue_rank());
        assert!(Status::Resolved.queue_rank() < Status::Closed.queue_rank());
    }

    #[test]
    fn only_third_party_waits_keep_the_clock_running() {
        assert!(PendingReason::Customer.pauses_sla());
        assert!(PendingReason::Budget.pauses_sla());
        assert!(PendingReason::Approval.pauses_sla());
        assert!(!PendingReason::ThirdParty.pauses_sla());
    }

    #[test]
    fn subject_is_the_first_non_empty_line_shortened() {
        assert_eq!(
            subject_from_problem("\n  Printer jams \nevery morning"),
            "Printer jams"
        );
        let long = "x".repeat(200);
        let subject = subject_from_problem(&long);
        assert_eq!(subject.chars().count(), 80);
        assert!(subject.ends_with('…'));
        assert_eq!(subject_from_problem(""), "");
    }

    #[test]
    fn text_must_be_present_and_at_most_64_kb() {
        assert!(validate_text("problem", "  \n ")
            .unwrap_err()
            .contains("empty"));
        assert_eq!(validate_text("problem", " VPN down ").unwrap(), "VPN down");
        assert!(validate_text("problem", &"a".repeat(MAX_TEXT_BYTES + 1))
            .unwrap_err()
            .contains("64 KB"));
        assert!(validate_text("problem", &"a".repeat(MAX_TEXT_BYTES)).is_ok());
    }
}
