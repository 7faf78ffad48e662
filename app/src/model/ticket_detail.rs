//! A ticket as its page shows it: the record, the timeline the viewer may see, and what the viewer
//! may do with it (decided on the server, so buttons match what the server allows).

use super::sla::SlaState;
use super::ticket::{Channel, PendingReason, Priority, Status, TicketNumber, Urgency};
use super::timeline::TimelineEntry;
use super::user::UserRef;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketDetail {
    pub id: i64,
    pub number: TicketNumber,
    pub version: i64,
    pub org_code: String,
    pub org_name: String,
    pub requester: Requester,
    pub created_by: UserRef,
    pub channel: Channel,
    pub subject: String,
    pub problem: String,
    pub urgency: Urgency,
    pub priority: Priority,
    pub category: Option<Category>,
    pub status: Status,
    pub pending_reason: Option<PendingReason>,
    pub requires_budget: bool,
    pub requires_approval: bool,
    pub tier: u8,
    pub team: Option<String>,
    pub assignee: Option<UserRef>,
    pub first_contact_resolution: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub sla: SlaState,
    pub response_due_at: i64,
    pub resolution_due_at: i64,
    /// The next target still to meet, and when it turns to a warning (for the countdown).
    pub next_due_at: i64,
    pub next_warn_at: i64,
}

/// The person who asked, with the context captured when the ticket was raised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requester {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub department: Option<String>,
    pub location: Option<String>,
    pub job_title: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub id: i64,
    pub name: String,
}

/// What the viewer may do now. Each flag mirrors a check the server makes again on submit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketActions {
    pub claim: bool,
    pub assign: bool,
    pub hand_off: bool,
    pub escalate_to: Vec<u8>,
    pub deescalate_to: Vec<u8>,
    pub reply_public: bool,
    pub note_internal: bool,
    pub set_priority: bool,
    pub set_category: bool,
    pub set_flags: bool,
    pub set_pending: bool,
    pub resume: bool,
    pub resolve: bool,
    pub close: bool,
    pub reopen: bool,
    /// A client admin approves or declines a request pending on budget or approval.
    pub decide_approval: bool,
    /// The requester rates the help, once, after resolution.
    pub rate: bool,
}

/// Everything the ticket page needs in one answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketView {
    pub ticket: TicketDetail,
    pub timeline: Vec<TimelineEntry>,
    pub actions: TicketActions,
    /// Staff the viewer may assign or hand the ticket to.
    pub colleagues: Vec<UserRef>,
    pub categories: Vec<Category>,
    /// An on-call page for this ticket is waiting for an answer (staff see "Acknowledge").
    pub page_waiting: bool,
    /// Files attached to the ticket, oldest first.
    pub attachments: Vec<crate::model::attachment::AttachmentView>,
    /// The requester's rating, once given.
    pub rating: Option<crate::model::portal::Rating>,
    pub now: i64,
}
