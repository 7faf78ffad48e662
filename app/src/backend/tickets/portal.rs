//! The client portal's side of the lifecycle: the requests a client follows, a client admin's
//! decision on a budget or approval request, and the requester's rating of the help.

use super::change::{Changed, TicketChange};
use super::work::{move_status, status_changed};
use crate::backend::policy::{Actor, TicketScope};
use crate::backend::repo::{orgs, tickets};
use crate::backend::state::AppState;
use crate::model::portal::{Decision, PortalFilter, PortalPage, Rating, Whose};
use crate::model::queue::{QueueFilter, StatusView, PAGE_SIZE};
use crate::model::ticket::validate_optional_text;
use crate::model::{AppError, AppResult, EventData, EventKind, Page, PendingReason, Role, Status};

/// Most requests a client admin has waiting at once that the portal lists.
const APPROVALS_SHOWN: usize = 100;

/// One page of the viewer's requests (or their organization's, for a client admin), and the
/// requests waiting for a client admin's decision.
pub async fn portal_page(
    state: &AppState,
    actor: &Actor,
    filter: &PortalFilter,
) -> AppResult<PortalPage> {
    actor.require_page(Page::Portal)?;
    let org_id = actor
        .org_id
        .ok_or_else(|| AppError::Forbidden("Your account belongs to no organization.".into()))?;
    let is_admin = actor.role == Role::ClientAdmin;
    let scope = match filter.whose {
        Whose::Organization if is_admin => TicketScope::Org(org_id),
        Whose::Organization => {
            return Err(AppError::Forbidden(
                "Only your organization's client administrator sees all of its requests.".into(),
            ))
        }
        Whose::Mine => TicketScope::Requester {
            user_id: actor.id,
            org_id,
        },
    };
    let mut conn = state.pool.acquire().await?;
    let list = QueueFilter {
        view: filter.view,
        after: filter.after,
        ..QueueFilter::default()
    };
    let (rows, next) =
        tickets::queue_page(&mut conn, &scope, &list, None, actor.id, PAGE_SIZE).await?;
    let (organization, approvals) = if is_admin {
        let name = orgs::code_and_name(&mut conn, org_id)
            .await?
            .map(|(_, name)| name);
        let pending = QueueFilter {
            view: StatusView::Pending,
            ..QueueFilter::default()
        };
        let (waiting, _) = tickets::queue_page(
            &mut conn,
            &TicketScope::Org(org_id),
            &pending,
            None,
            actor.id,
            APPROVALS_SHOWN,
        )
        .await?;
        let waiting = waiting
            .into_iter()
            .filter(|r| r.pending_reason.is_some_and(|p| p.needs_decision()))
            .collect();
        (name, waiting)
    } else {
        (None, Vec::new())
    };
    Ok(PortalPage {
        rows,
        next,
        organization,
        approvals,
        now: state.now(),
    })
}

/// A client admin approves or declines a request pending on budget or approval. Either way the
/// ticket goes back to open work with the decision on its timeline, and the assignee is told.
pub async fn decide_approval(
    state: &AppState,
    actor: &Actor,
    number: i64,
    version: i64,
    decision: Decision,
    comment: Option<&str>,
) -> AppResult<Changed> {
    let comment = validate_optional_text("comment", comment).map_err(AppError::Invalid)?;
    if decision == Decision::Decline && comment.is_none() {
        return Err(AppError::invalid(
            "Say why you decline, so the desk knows what to do next.",
        ));
    }
    let mut c = TicketChange::begin(state, actor, number, version).await?;
    if !c.actions.decide_approval {
        return Err(if actor.role != Role::ClientAdmin {
            AppError::Forbidden(
                "Only your organization's client administrator approves requests.".into(),
            )
        } else {
            AppError::Conflict(format!(
                "{} is not waiting for a budget or approval decision.",
                c.number()
            ))
        });
    }
    let reason = c.ticket.pending_reason;
    let from = move_status(&mut c, Status::Open)?;
    match reason {
        Some(PendingReason::Budget) => c.ticket.requires_budget = false,
        Some(PendingReason::Approval) => c.ticket.requires_approval = false,
        _ => {}
    }
    c.sla_moved();
    let kind = match decision {
        Decision::Approve => EventKind::ApprovalGranted,
        Decision::Decline => EventKind::ApprovalDenied,
    };
    let data = EventData {
        reason: reason.map(|r| r.to_string()),
        ..Default::default()
    };
    c.event(kind, true, comment, data);
    status_changed(&mut c, from);
    c.commit().await
}

/// The requester rates the help on a resolved or closed ticket, once.
pub async fn rate(
    state: &AppState,
    actor: &Actor,
    number: i64,
    version: i64,
    stars: i64,
    comment: Option<&str>,
) -> AppResult<Changed> {
    let rating = Rating::new(stars, comment).map_err(AppError::Invalid)?;
    let mut c = TicketChange::begin(state, actor, number, version).await?;
    if !c.actions.rate {
        return Err(if actor.id != c.ticket.requester_id {
            AppError::Forbidden("Only the person who raised the request rates the help.".into())
        } else {
            AppError::Conflict(format!("{} can be rated once it is resolved.", c.number()))
        });
    }
    let (ticket_id, now, by) = (c.ticket.id, c.now, actor.id);
    if !tickets::insert_rating(&mut c.tx, ticket_id, &rating, by, now).await? {
        return Err(AppError::Conflict(format!(
            "You have already rated {}.",
            c.number()
        )));
    }
    let data = EventData {
        stars: Some(rating.stars),
        ..Default::default()
    };
    c.event(EventKind::Rated, true, rating.comment, data);
    c.commit().await
}
