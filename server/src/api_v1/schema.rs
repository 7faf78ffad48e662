//! The JSON shapes of `/api/v1`: stable, documented snake_case names, written out here rather
//! than taken from the app's model, so the pages' types can change without changing the API.
//! Times are Unix seconds.

use app::model::queue::QueueRow;
use app::model::sla::SlaState;
use app::model::ticket_detail::TicketView;
use app::model::TimelineEntry;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct Named {
    pub id: i64,
    pub name: String,
}

impl From<app::model::UserRef> for Named {
    fn from(u: app::model::UserRef) -> Self {
        Named {
            id: u.id,
            name: u.name,
        }
    }
}

/// A ticket as lists show it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketSummary {
    #[schema(example = 1234)]
    pub number: i64,
    #[schema(example = "HD-1234")]
    pub reference: String,
    /// Send it back with a change (or as `If-Match`): a stale one gets 409.
    pub version: i64,
    #[schema(example = "NWL")]
    pub organization_code: String,
    pub organization_name: String,
    pub subject: String,
    pub requester: String,
    /// `new`, `open`, `pending`, `resolved`, `closed`.
    pub status: String,
    pub pending_reason: Option<String>,
    /// `p1`, `p2`, `p3`, `ops`.
    pub priority: String,
    pub tier: u8,
    pub team: Option<String>,
    pub assignee: Option<Named>,
    pub requires_budget: bool,
    pub requires_approval: bool,
    pub created_at: i64,
    pub updated_at: i64,
    /// The next SLA target still to meet.
    pub next_due_at: i64,
}

impl From<QueueRow> for TicketSummary {
    fn from(r: QueueRow) -> Self {
        TicketSummary {
            number: r.number.0,
            reference: r.number.to_string(),
            version: r.version,
            organization_code: r.org_code,
            organization_name: r.org_name,
            subject: r.subject,
            requester: r.requester,
            status: r.status.to_string(),
            pending_reason: r.pending_reason.map(|p| p.to_string()),
            priority: r.priority.to_string(),
            tier: r.tier,
            team: r.team,
            assignee: r.assignee.map(Named::from),
            requires_budget: r.requires_budget,
            requires_approval: r.requires_approval,
            created_at: r.created_at,
            updated_at: r.updated_at,
            next_due_at: r.next_due_at,
        }
    }
}

/// One page of tickets; `next` fetches the following page (absent on the last one).
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketPage {
    pub tickets: Vec<TicketSummary>,
    /// Opaque: pass it back as `cursor`.
    pub next: Option<String>,
}

/// How a ticket stands against its SLA.
#[derive(Debug, Serialize, ToSchema)]
pub struct Sla {
    /// `on_track`, `warning`, `breached`, `paused` (waiting on the client) or `done`.
    pub state: String,
    /// When the next target is due (running clocks only).
    pub due_at: Option<i64>,
    /// Why the clock is paused.
    pub paused_for: Option<String>,
    pub response_due_at: i64,
    pub resolution_due_at: i64,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
}

/// One step of a ticket's timeline, as far as the caller may see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineStep {
    pub id: i64,
    pub at: i64,
    /// Who acted; absent for the system.
    pub actor: Option<String>,
    /// `created`, `public_reply`, `internal_note`, `claimed`, `resolved`, ...
    pub kind: String,
    /// Seen by the requester too.
    pub public: bool,
    pub summary: String,
    /// A reply's, note's or resolution's text, rendered from Markdown and sanitized.
    pub body_html: Option<String>,
}

impl From<TimelineEntry> for TimelineStep {
    fn from(e: TimelineEntry) -> Self {
        TimelineStep {
            id: e.id,
            at: e.at,
            actor: e.actor,
            kind: e.kind.to_string(),
            public: e.public,
            summary: e.summary,
            body_html: e.body_html,
        }
    }
}

/// A ticket with its timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ticket {
    pub number: i64,
    pub reference: String,
    pub version: i64,
    pub organization_code: String,
    pub organization_name: String,
    pub requester: Named,
    /// `web`, `phone`, `email`, `api`.
    pub channel: String,
    pub subject: String,
    pub problem: String,
    /// `urgent` or `not_urgent`.
    pub urgency: String,
    pub priority: String,
    pub status: String,
    pub pending_reason: Option<String>,
    pub category: Option<Named>,
    pub tier: u8,
    pub team: Option<String>,
    pub assignee: Option<Named>,
    pub requires_budget: bool,
    pub requires_approval: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub closed_at: Option<i64>,
    pub sla: Sla,
    /// Oldest first.
    pub timeline: Vec<TimelineStep>,
}

pub fn sla_of(view: &TicketView) -> Sla {
    let t = &view.ticket;
    let (state, due_at, paused_for) = match t.sla {
        SlaState::OnTrack { due_at } => ("on_track", Some(due_at), None),
        SlaState::Warning { due_at } => ("warning", Some(due_at), None),
        SlaState::Breached { due_at } => ("breached", Some(due_at), None),
        SlaState::Paused { reason } => ("paused", None, Some(reason.to_string())),
        SlaState::Done => ("done", None, None),
    };
    Sla {
        state: state.to_string(),
        due_at,
        paused_for,
        response_due_at: t.response_due_at,
        resolution_due_at: t.resolution_due_at,
        first_response_at: t.first_response_at,
        resolved_at: t.resolved_at,
    }
}

impl From<TicketView> for Ticket {
    fn from(view: TicketView) -> Self {
        let sla = sla_of(&view);
        let t = view.ticket;
        Ticket {
            number: t.number.0,
            reference: t.number.to_string(),
            version: t.version,
            organization_code: t.org_code,
            organization_name: t.org_name,
            requester: Named {
                id: t.requester.id,
                name: t.requester.name,
            },
            channel: t.channel.to_string(),
            subject: t.subject,
            problem: t.problem,
            urgency: t.urgency.to_string(),
            priority: t.priority.to_string(),
            status: t.status.to_string(),
            pending_reason: t.pending_reason.map(|p| p.to_string()),
            category: t.category.map(|c| Named {
                id: c.id,
                name: c.name,
            }),
            tier: t.tier,
            team: t.team,
            assignee: t.assignee.map(Named::from),
            requires_budget: t.requires_budget,
            requires_approval: t.requires_approval,
            created_at: t.created_at,
            updated_at: t.updated_at,
            closed_at: t.closed_at,
            sla,
            timeline: view.timeline.into_iter().map(TimelineStep::from).collect(),
        }
    }
}

/// A new ticket. Staff raise it for a client (`requester_id`) and may set the priority; a
/// client raises it for themself.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTicket {
    /// Staff only: the client the ticket is for.
    pub requester_id: Option<i64>,
    /// `urgent` or `not_urgent`.
    #[schema(example = "urgent")]
    pub urgency: String,
    pub problem: String,
    /// The first line of the problem when absent.
    pub subject: Option<String>,
    /// Staff only: `p1`, `p2`, `p3`, `ops`; else from the urgency.
    pub priority: Option<String>,
    pub category_id: Option<i64>,
    #[serde(default)]
    pub requires_budget: bool,
    #[serde(default)]
    pub requires_approval: bool,
}

/// What a change made: the ticket's number and its new version.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Changed {
    pub number: i64,
    pub reference: String,
    pub version: i64,
}

impl From<app::backend::tickets::Changed> for Changed {
    fn from(c: app::backend::tickets::Changed) -> Self {
        Changed {
            number: c.number.0,
            reference: c.number.to_string(),
            version: c.version,
        }
    }
}

/// A change that needs only the version (or `If-Match`).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Versioned {
    pub version: Option<i64>,
}

/// A reply to the requester or an internal note.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub version: Option<i64>,
    /// Markdown.
    pub body: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assign {
    pub version: Option<i64>,
    pub assignee_id: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPriority {
    pub version: Option<i64>,
    /// `p1`, `p2`, `p3`, `ops`.
    pub priority: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetTier {
    pub version: Option<i64>,
    /// 1 to 3: above the current one escalates, below returns.
    pub tier: u8,
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPending {
    pub version: Option<i64>,
    /// `customer`, `third_party`, `budget` or `approval`.
    pub reason: String,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Resolve {
    pub version: Option<i64>,
    pub resolution: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reopen {
    pub version: Option<i64>,
    pub reason: Option<String>,
}
