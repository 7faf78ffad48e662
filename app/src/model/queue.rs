//! The queue: its filters (which live in the URL), its keyset cursor and the page it returns.

use super::ticket::{named_enum, PendingReason, Priority, Status, TicketNumber};
use super::user::UserRef;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Rows per queue page.
pub const PAGE_SIZE: usize = 50;
/// Counts stop here: beyond it the UI shows "1,000+" (nobody triages by the exact size of a
/// pile that big), and a count never reads more rows than this.
pub const COUNT_CAP: i64 = 1_000;
pub const MAX_SEARCH_CHARS: usize = 200;

/// Which tickets by status. `Active` (new, open and pending) is the working view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusView {
    #[default]
    Active,
    New,
    Open,
    Pending,
    Resolved,
    Closed,
}
named_enum!(StatusView, "status", {
    Active => "active", New => "new", Open => "open", Pending => "pending",
    Resolved => "resolved", Closed => "closed"
});

impl StatusView {
    pub fn label(self) -> &'static str {
        match self {
            StatusView::Active => "All open work",
            StatusView::New => "New",
            StatusView::Open => "Open",
            StatusView::Pending => "Pending",
            StatusView::Resolved => "Resolved",
            StatusView::Closed => "Closed",
        }
    }

    /// Work still to do is ordered by what is due first; finished work by what changed last.
    pub fn orders_by_due(self) -> bool {
        matches!(
            self,
            StatusView::Active | StatusView::New | StatusView::Open | StatusView::Pending
        )
    }

    pub fn statuses(self) -> &'static [Status] {
        match self {
            StatusView::Active => &[Status::New, Status::Open, Status::Pending],
            StatusView::New => &[Status::New],
            StatusView::Open => &[Status::Open],
            StatusView::Pending => &[Status::Pending],
            StatusView::Resolved => &[Status::Resolved],
            StatusView::Closed => &[Status::Closed],
        }
    }
}

/// Whose tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum AssigneeFilter {
    #[default]
    Anyone,
    Me,
    Unassigned,
    User(i64),
}

impl fmt::Display for AssigneeFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AssigneeFilter::Anyone => f.write_str("anyone"),
            AssigneeFilter::Me => f.write_str("me"),
            AssigneeFilter::Unassigned => f.write_str("unassigned"),
            AssigneeFilter::User(id) => write!(f, "{id}"),
        }
    }
}

impl FromStr for AssigneeFilter {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "anyone" | "" => Ok(AssigneeFilter::Anyone),
            "me" => Ok(AssigneeFilter::Me),
            "unassigned" => Ok(AssigneeFilter::Unassigned),
            other => match other.parse::<i64>() {
                Ok(id) if id > 0 => Ok(AssigneeFilter::User(id)),
                _ => Err(format!(
                    "Unknown assignee \"{other}\". Use me, unassigned, anyone or a person's id."
                )),
            },
        }
    }
}

/// Tickets waiting on money or sign-off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagFilter {
    Budget,
    Approval,
}
named_enum!(FlagFilter, "flag", { Budget => "budget", Approval => "approval" });

/// Where a page of the queue starts: just after this ticket in the queue's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// Status rank for due-ordered views; unused (0) for finished views.
    pub rank: i64,
    /// `next_due_at` for due-ordered views, `updated_at` for finished ones.
    pub key: i64,
    pub id: i64,
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.rank, self.key, self.id)
    }
}

impl FromStr for Cursor {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad =
            || "That page link is not valid any more. Start again from the first page.".to_string();
        let mut parts = s.split('.');
        let mut next = || {
            parts
                .next()
                .and_then(|p| p.parse::<i64>().ok())
                .ok_or_else(bad)
        };
        let cursor = Cursor {
            rank: next()?,
            key: next()?,
            id: next()?,
        };
        if parts.next().is_some() || cursor.id <= 0 || !(0..=3).contains(&cursor.rank) {
            return Err(bad());
        }
        Ok(cursor)
    }
}

/// Every filter of the queue. Parsed from and written to the URL, so views are shareable and the
/// back button works.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct QueueFilter {
    pub view: StatusView,
    /// Organization short code.
    pub client: Option<String>,
    pub priority: Option<Priority>,
    pub team: Option<i64>,
    pub tier: Option<u8>,
    pub assignee: AssigneeFilter,
    pub flag: Option<FlagFilter>,
    pub q: Option<String>,
    pub after: Option<Cursor>,
}

impl QueueFilter {
    /// Reads the filters from URL query pairs. Unknown values are errors, said plainly; unknown
    /// keys are ignored (they may come from newer links).
    pub fn from_query<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, String> {
        let mut f = QueueFilter::default();
        for (key, value) in pairs {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match key {
                "status" => f.view = value.parse()?,
                "client" => f.client = Some(parse_org_code(value)?),
                "priority" => f.priority = Some(value.parse()?),
                "team" => {
                    f.team = Some(
                        value
                            .parse::<i64>()
                            .ok()
                            .filter(|t| *t > 0)
                            .ok_or_else(|| format!("Unknown team \"{value}\"."))?,
                    )
                }
                "tier" => {
                    f.tier = Some(
                        value
                            .parse::<u8>()
                            .ok()
                            .filter(|t| (1..=3).contains(t))
                            .ok_or_else(|| format!("Tier must be 1, 2 or 3, not \"{value}\"."))?,
                    )
                }
                "assignee" => f.assignee = value.parse()?,
                "flag" => f.flag = Some(value.parse()?),
                "q" => f.q = Some(parse_search(value)?),
                "after" => f.after = Some(value.parse()?),
                _ => {}
            }
        }
        Ok(f)
    }

    /// Checks a filter that arrived as data (server side) against the same rules as the URL.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(code) = &self.client {
            parse_org_code(code)?;
        }
        if let Some(tier) = self.tier {
            if !(1..=3).contains(&tier) {
                return Err(format!("Tier must be 1, 2 or 3, not {tier}."));
            }
        }
        if let Some(q) = &self.q {
            parse_search(q)?;
        }
        Ok(())
    }

    /// The URL query for this filter (without the leading `?`), omitting defaults.
    pub fn to_query(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if self.view != StatusView::Active {
            pairs.push(("status", self.view.to_string()));
        }
        if let Some(c) = &self.client {
            pairs.push(("client", c.clone()));
        }
        if let Some(p) = self.priority {
            pairs.push(("priority", p.to_string()));
        }
        if let Some(t) = self.team {
            pairs.push(("team", t.to_string()));
        }
        if let Some(t) = self.tier {
            pairs.push(("tier", t.to_string()));
        }
        if self.assignee != AssigneeFilter::Anyone {
            pairs.push(("assignee", self.assignee.to_string()));
        }
        if let Some(flag) = self.flag {
            pairs.push(("flag", flag.to_string()));
        }
        if let Some(q) = &self.q {
            pairs.push(("q", q.clone()));
        }
        if let Some(a) = self.after {
            pairs.push(("after", a.to_string()));
        }
        pairs
            .into_iter()
            .map(|(k, v)| format!("{k}={}", encode_query_value(&v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The same filter on its first page.
    pub fn first_page(&self) -> Self {
        QueueFilter {
            after: None,
            ..self.clone()
        }
    }
}

fn parse_org_code(value: &str) -> Result<String, String> {
    let code = value.trim().to_uppercase();
    if (2..=10).contains(&code.len()) && code.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(code)
    } else {
        Err(format!(
            "\"{value}\" is not a client code (2 to 10 letters or digits)."
        ))
    }
}

fn parse_search(value: &str) -> Result<String, String> {
    let q = value.trim();
    if q.chars().count() > MAX_SEARCH_CHARS {
        return Err(format!("Search for at most {MAX_SEARCH_CHARS} characters."));
    }
    Ok(q.to_string())
}

/// Percent-encodes a value for a URL query.
pub fn encode_query_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// One row of the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueRow {
    pub id: i64,
    pub number: TicketNumber,
    pub org_code: String,
    pub org_name: String,
    pub subject: String,
    pub requester: String,
    pub status: Status,
    pub pending_reason: Option<PendingReason>,
    pub priority: Priority,
    pub requires_budget: bool,
    pub requires_approval: bool,
    pub tier: u8,
    pub team: Option<String>,
    pub assignee: Option<UserRef>,
    pub created_at: i64,
    pub updated_at: i64,
    pub next_due_at: i64,
    pub next_warn_at: i64,
    pub version: i64,
    /// The note of a hand-over to the viewer (or to the next shift) not yet taken up; staff-only
    /// text, so always None for client viewers.
    pub handoff_note: Option<String>,
}

/// How many tickets each status view holds under the other filters (capped at [`COUNT_CAP`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueCounts {
    pub by_view: Vec<(StatusView, i64)>,
    pub mine: i64,
    pub unassigned: i64,
    /// Estimated from a sample of a common word's matches rather than counted.
    pub estimated: bool,
}

impl QueueCounts {
    /// How one of these counts reads: "1,000+", "999", or "~990" when estimated.
    pub fn format(&self, n: i64) -> String {
        if self.estimated && n < COUNT_CAP {
            format!("~{}", format_count(n))
        } else {
            format_count(n)
        }
    }
}

/// A filter choice the queue offers (client, team, assignee).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    pub next: Option<Cursor>,
    pub counts: QueueCounts,
    pub clients: Vec<Choice>,
    pub teams: Vec<Choice>,
    pub now: i64,
}

/// A client a staff member may raise a ticket for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequesterChoice {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub org_name: String,
}

/// "1,000+" for capped counts, "999" otherwise.
pub fn format_count(n: i64) -> String {
    let digits = n.min(COUNT_CAP).to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n >= COUNT_CAP {
        out.push('+');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_query_is_the_working_view() {
        let f = QueueFilter::from_query([]).unwrap();
        assert_eq!(f, QueueFilter::default());
        assert_eq!(f.view, StatusView::Active);
        assert_eq!(f.to_query(), "");
    }

    #[test]
    fn filters_round_trip_through_the_url() {
        let f = QueueFilter {
            view: StatusView::Pending,
            client: Some("NWL".into()),
            priority: Some(Priority::P1),
            team: Some(3),
            tier: Some(2),
            assignee: AssigneeFilter::Unassigned,
            flag: Some(FlagFilter::Budget),
            q: Some("vpn & \"wifi\"".into()),
            after: Some(Cursor {
                rank: 1,
                key: 1_700_000_000,
                id: 42,
            }),
        };
        let query = f.to_query();
        let pairs: Vec<(String, String)> = query
            .split('&')
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap();
                (k.to_string(), percent_decode(v))
            })
            .collect();
        let back =
            QueueFilter::from_query(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).unwrap();
        assert_eq!(back, f);
    }

    fn percent_decode(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn bad_values_are_refused_in_plain_words() {
        let err = |k, v| QueueFilter::from_query([(k, v)]).unwrap_err();
        assert!(err("status", "done").contains("Unknown status"));
        assert!(err("priority", "p9").contains("Unknown priority"));
        assert!(err("tier", "4").contains("Tier must be 1, 2 or 3"));
        assert!(err("tier", "x").contains("Tier must be"));
        assert!(err("assignee", "-3").contains("Unknown assignee"));
        assert!(err("team", "abc").contains("Unknown team"));
        assert!(err("client", "no spaces").contains("not a client code"));
        assert!(err("flag", "urgent").contains("Unknown flag"));
        assert!(err("after", "1.2").contains("not valid"));
        assert!(err("after", "9.1.1").contains("not valid"));
        assert!(err("q", &"x".repeat(201)).contains("at most 200"));
    }

    #[test]
    fn client_codes_are_upper_cased_and_unknown_keys_ignored() {
        let f = QueueFilter::from_query([("client", "nwl"), ("utm_source", "mail"), ("q", "  ")])
            .unwrap();
        assert_eq!(f.client.as_deref(), Some("NWL"));
        assert_eq!(f.q, None);
    }

    #[test]
    fn assignee_filters_parse() {
        assert_eq!("me".parse(), Ok(AssigneeFilter::Me));
        assert_eq!("unassigned".parse(), Ok(AssigneeFilter::Unassigned));
        assert_eq!("17".parse(), Ok(AssigneeFilter::User(17)));
        assert_eq!("".parse(), Ok(AssigneeFilter::Anyone));
    }

    #[test]
    fn cursors_round_trip() {
        let c = Cursor {
            rank: 2,
            key: -5,
            id: 9,
        };
        assert_eq!(c.to_string().parse(), Ok(c));
    }

    #[test]
    fn views_know_their_statuses_and_order() {
        assert_eq!(
            StatusView::Active.statuses(),
            &[Status::New, Status::Open, Status::Pending]
        );
        assert!(StatusView::Pending.orders_by_due());
        assert!(!StatusView::Closed.orders_by_due());
    }

    #[test]
    fn counts_read_at_a_glance() {
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(1234), "1,000+");
        assert_eq!(format_count(COUNT_CAP), "1,000+");
        assert_eq!(format_count(123_456), "1,000+");
        let estimated = QueueCounts {
            estimated: true,
            ..Default::default()
        };
        assert_eq!(estimated.format(990), "~990");
        assert_eq!(estimated.format(COUNT_CAP), "1,000+");
    }
}
