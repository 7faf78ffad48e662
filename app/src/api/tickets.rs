//! Tickets: raise, view and work them. Every function authorizes in the backend through the
//! policy; `version` is the version of the ticket the person saw (a stale one gets a 409).

use super::wire::FormArgs;
use crate::model::portal::Decision;
use crate::model::queue::RequesterChoice;
use crate::model::ticket::NewTicket;
use crate::model::ticket_detail::TicketView;
use crate::model::{AppError, PendingReason, Priority, TicketNumber};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend::{request, tickets};

/// Runs a change to ticket `number` as the signed-in person.
#[cfg(feature = "ssr")]
async fn change<F, Fut>(number: i64, work: F) -> Result<(), AppError>
where
    F: FnOnce(crate::backend::AppState, crate::backend::policy::Actor, i64) -> Fut,
    Fut: std::future::Future<Output = Result<tickets::Changed, AppError>>,
{
    let actor = request::actor()?;
    let state = request::state()?;
    let number = tickets::number_of(number)?;
    work(state, actor, number).await.map(|_| ())
}

#[server(prefix = "/api", endpoint = "ticket", protocol = FormArgs)]
pub async fn get_ticket(number: i64) -> Result<TicketView, AppError> {
    let actor = request::actor()?;
    tickets::ticket_view(&request::state()?, &actor, tickets::number_of(number)?).await
}

#[server(prefix = "/api", endpoint = "raise_ticket", protocol = FormArgs)]
pub async fn raise_ticket(ticket: NewTicket) -> Result<TicketNumber, AppError> {
    let actor = request::actor()?;
    Ok(tickets::raise(&request::state()?, &actor, &ticket)
        .await?
        .number)
}

/// Clients whose name or e-mail contains `q`, among those the signed-in staff member serves.
#[server(prefix = "/api", endpoint = "find_requesters", protocol = FormArgs)]
pub async fn find_requesters(q: String) -> Result<Vec<RequesterChoice>, AppError> {
    let actor = request::actor()?;
    tickets::find_requesters(&request::state()?, &actor, &q).await
}

#[server(prefix = "/api", endpoint = "claim_ticket", protocol = FormArgs)]
pub async fn claim_ticket(number: i64, version: i64) -> Result<(), AppError> {
    change(number, |s, a, n| async move {
        tickets::claim(&s, &a, n, version).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "assign_ticket", protocol = FormArgs)]
pub async fn assign_ticket(number: i64, version: i64, assignee_id: i64) -> Result<(), AppError> {
    change(number, |s, a, n| async move {
        tickets::assign(&s, &a, n, version, assignee_id).await
    })
    .await
}

/// Hands a ticket to a colleague, or (no colleague) back to the queue for the next shift.
#[server(prefix = "/api", endpoint = "hand_over_ticket", protocol = FormArgs)]
pub async fn hand_over_ticket(
    number: i64,
    version: i64,
    to_user_id: Option<i64>,
    note: String,
) -> Result<(), AppError> {
    change(number, |s, a, n| async move {
        tickets::hand_over(&s, &a, n, version, to_user_id, &note).await
    })
    .await
}

/// Moves a ticket to another tier: up (escalate) or down (return), with a reason.
#[server(prefix = "/api", endpoint = "change_ticket_tier", protocol = FormArgs)]
pub async fn change_ticket_tier(
    number: i64,
    version: i64,
    tier: u8,
    reason: String,
) -> Result<(), AppError> {
    change(number, |s, a, n| async move {
        tickets::change_tier(&s, &a, n, version, tier, &reason).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "reply_ticket", protocol = FormArgs)]
pub async fn reply_ticket(number: i64, version: i64, body: String) -> Result<(), AppError> {
    change(number, |s, a, n| async move {
        tickets::reply(&s, &a, n, version, &body, true).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "add_ticket_note", protocol = FormArgs)]
pub async fn add_ticket_note(number: i64, version: i64, body: String) -> Result<(), AppError> {
    change(number, |s, a, n| async move {
        tickets::reply(&s, &a, n, version, &body, false).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "set_ticket_priority", protocol = FormArgs)]
pub async fn set_ticket_priority(
    number: i64,
    version: i64,
    priority: Priority,
) -> Result<(), AppError> {
    change(number, |s, a, n| async move {
        tickets::set_priority(&s, &a, n, version, priority).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "set_ticket_category", protocol = FormArgs)]
pub async fn set_ticket_category(
    number: i64,
    version: i64,
    category_id: i64,
) -> Result<(), AppError> {
    change(number, |s, a, n| async move {
        tickets::set_category(&s, &a, n, version, category_id).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "set_ticket_flags", protocol = FormArgs)]
pub async fn set_ticket_flags(
    number: i64,
    version: i64,
    budget: bool,
    approval: bool,
) -> Result<(), AppError> {
    change(number, |s, a, n| async move {
        tickets::set_flags(&s, &a, n, version, budget, approval).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "set_ticket_pending", protocol = FormArgs)]
pub async fn set_ticket_pending(
    number: i64,
    version: i64,
    reason: PendingReason,
    note: Option<String>,
) -> Result<(), AppError> {
    change(number, |s, a, n| async move {
        tickets::set_pending(&s, &a, n, version, reason, note.as_deref()).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "resume_ticket", protocol = FormArgs)]
pub async fn resume_ticket(number: i64, version: i64) -> Result<(), AppError> {
    change(number, |s, a, n| async move {
        tickets::resume(&s, &a, n, version).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "resolve_ticket", protocol = FormArgs)]
pub async fn resolve_ticket(number: i64, version: i64, resolution: String) -> Result<(), AppError> {
    change(number, |s, a, n| async move {
        tickets::resolve(&s, &a, n, version, &resolution).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "close_ticket", protocol = FormArgs)]
pub async fn close_ticket(number: i64, version: i64) -> Result<(), AppError> {
    change(number, |s, a, n| async move {
        tickets::close(&s, &a, n, version).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "reopen_ticket", protocol = FormArgs)]
pub async fn reopen_ticket(
    number: i64,
    version: i64,
    reason: Option<String>,
) -> Result<(), AppError> {
    change(number, |s, a, n| async move {
        tickets::reopen(&s, &a, n, version, reason.as_deref()).await
    })
    .await
}

/// A client admin approves or declines a request pending on budget or approval.
#[server(prefix = "/api", endpoint = "decide_approval", protocol = FormArgs)]
pub async fn decide_approval(
    number: i64,
    version: i64,
    decision: Decision,
    comment: Option<String>,
) -> Result<(), AppError> {
    change(number, |s, a, n| async move {
        tickets::decide_approval(&s, &a, n, version, decision, comment.as_deref()).await
    })
    .await
}

/// The requester rates the help on a resolved ticket (1 to 5 stars), once.
#[server(prefix = "/api", endpoint = "rate_ticket", protocol = FormArgs)]
pub async fn rate_ticket(
    number: i64,
    version: i64,
    stars: i64,
    comment: Option<String>,
) -> Result<(), AppError> {
    change(number, |s, a, n| async move {
        tickets::rate(&s, &a, n, version, stars, comment.as_deref()).await
    })
    .await
}
