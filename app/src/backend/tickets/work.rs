//! Working a ticket: claim, assign, hand off, escalate, reply, triage, wait, resolve, close, reopen.
//! Each is one [`TicketChange`]: checked, applied and recorded in a single transaction.

use super::change::{Changed, TicketChange};
use crate::backend::policy::Actor;
use crate::backend::repo::{categories, kb, shifts, tickets, users};
use crate::backend::state::AppState;
use crate::model::ticket::{validate_optional_text, validate_text};
use crate::model::{
    AppError, AppResult, EventData, EventKind, PendingReason, Priority, Status, TicketNumber,
};

fn refuse(message: impl Into<String>) -> AppError {
    AppError::Forbidden(message.into())
}

/// Moves the status through the status machine, or refuses with the machine's reason (409).
pub(super) fn move_status(c: &mut TicketChange, to: Status) -> AppResult<Status> {
    let from = c.ticket.status;
    from.check_transition(to).map_err(AppError::Conflict)?;
    c.ticket.status = to;
    if to != Status::Pending {
        c.ticket.pending_reason = None;
    }
    Ok(from)
}

fn status_data(from: Status, to: Status) -> EventData {
    EventData {
        from_status: Some(from.to_string()),
        to_status: Some(to.to_string()),
        ..Default::default()
    }
}

/// Records on the timeline that the status moved from `from` to where it is now.
pub(super) fn status_changed(c: &mut TicketChange, from: Status) {
    let data = status_data(from, c.ticket.status);
    c.event(EventKind::StatusChanged, true, None, data);
}

/// Back to open work from waiting: the SLA clock runs again.
fn back_to_open(c: &mut TicketChange) -> AppResult<()> {
    let from = move_status(c, Status::Open)?;
    c.sla_moved();
    status_changed(c, from);
    Ok(())
}

/// Gives the ticket to `user_id`, who then takes part in it; a new ticket becomes open work.
async fn give_to(c: &mut TicketChange, user_id: i64) -> AppResult<()> {
    if c.ticket.status == Status::New {
        move_status(c, Status::Open)?;
    }
    c.ticket.assignee_id = Some(user_id);
    let id = c.ticket.id;
    tickets::add_participant(&mut c.tx, id, user_id).await?;
    Ok(())
}

/// Leaves the ticket unassigned in its tier's queue; open work there is new again.
fn back_to_queue(c: &mut TicketChange) -> AppResult<()> {
    if c.ticket.status == Status::Open {
        move_status(c, Status::New)?;
    }
    c.ticket.assignee_id = None;
    Ok(())
}

/// The ticket's status as a sentence says it ("open", "pending").
fn status_word(c: &TicketChange) -> String {
    c.ticket.status.label().to_lowercase()
}

/// Someone who already owns the ticket, said by name.
async fn owner_message(c: &mut TicketChange) -> AppResult<String> {
    let number = c.number();
    Ok(match c.ticket.assignee_id {
        Some(id) => {
            let name = users::name(&mut c.tx, id)
                .await?
                .unwrap_or_else(|| "someone else".into());
            if id == c.actor.id {
                format!("You already have {number}.")
            } else {
                format!("{number} is already being worked by {name}.")
            }
        }
        None => format!("{number} cannot be claimed while it is {}.", status_word(c)),
    })
}

pub async fn claim(
    state: &AppState,
    actor: &Actor,
    number: i64,
    version: i64,
) -> AppResult<Changed> {
    actor.require_staff()?;
    let mut c = TicketChange::begin(state, actor, number, version).await?;
    if !c.actions.claim {
        if c.ticket.assignee_id.is_none() && c.actor.working_tier() < c.ticket.tier {
            return Err(refuse(format!(
                "{} is tier {} work.",
                c.number(),
                c.ticket.tier
            )));
        }
        let message = owner_message(&mut c).await?;
        return Err(AppError::Conflict(message));
    }
    give_to(&mut c, actor.id).await?;
    c.event(EventKind::Claimed, true, None, EventData::default());
    c.commit().await
}

/// A colleague who may take this ticket, or a plain refusal.
async fn colleague(c: &mut TicketChange, user_id: i64) -> AppResult<String> {
    let eligible = users::eligible_assignees(&mut c.tx, c.ticket.org_id, c.ticket.tier).await?;
    eligible.into_iter().find(|u| u.id == user_id).map(|u| u.name).ok_or_else(|| {
        AppError::invalid(format!(
            "That person cannot take {}: they must be staff serving this client at tier {} or above.",
            c.number(),
            c.ticket.tier
        ))
    })
}

pub async fn assign(
    state: &AppState,
    actor: &Actor,
    number: i64,
    version: i64,
    assignee_id: i64,
) -> AppResult<Changed> {
    actor.require_staff()?;
    let mut c = TicketChange::begin(state, actor, number, version).await?;
    if !c.actions.assign {
        return Err(refuse("Only team leads and managers assign tickets."));
    }
    let name = colleague(&mut c, assignee_id).await?;
    if c.ticket.assignee_id == Some(assignee_id) {
        return Err(AppError::Conflict(format!(
            "{} is already with {name}.",
            c.number()
        )));
    }
    give_to(&mut c, assignee_id).await?;
    let data = EventData {
        to_user: Some(name),
        ..Default::default()
    };
    c.event(EventKind::Assigned, true, None, data);
    c.commit().await
}

/// Hands a ticket over: to a named colleague, or (`to_user_id` None) back to the queue for the
/// next shift. The note is required; the incoming analyst sees it highlighted until they act,
/// and it goes into the lead's summary of the shift.
pub async fn hand_over(
    state: &AppState,
    actor: &Actor,
    number: i64,
    version: i64,
    to_user_id: Option<i64>,
    note: &str,
) -> AppResult<Changed> {
    actor.require_staff()?;
    let note = validate_text("hand-over note", note).map_err(AppError::Invalid)?;
    let mut c = TicketChange::begin(state, actor, number, version).await?;
    if !c.actions.hand_off {
        return Err(refuse(
            "Only the analyst working a ticket (or a lead) can hand it off.",
        ));
    }
    let to_name = match to_user_id {
        Some(id) if id == actor.id => {
            return Err(AppError::invalid(
                "Hand the ticket to a colleague, not to yourself.",
            ))
        }
        Some(id) => Some(colleague(&mut c, id).await?),
        None => None,
    };
    match to_user_id {
        Some(id) => give_to(&mut c, id).await?,
        None => back_to_queue(&mut c)?,
    }
    let shift = shifts::current(&mut c.tx, actor.id)
        .await?
        .map(|(id, _)| id);
    let (ticket_id, now) = (c.ticket.id, c.now);
    shifts::add_handoff(
        &mut c.tx, ticket_id, actor.id, to_user_id, &note, shift, now,
    )
    .await?;
    let data = EventData {
        to_user: to_name,
        ..Default::default()
    };
    c.event(EventKind::HandedOff, false, Some(note), data);
    c.commit().await
}

/// Moves the ticket to another tier's queue (up with `escalate`, down with `deescalate`):
/// unassigned there, and still visible to whoever moved it.
pub async fn change_tier(
    state: &AppState,
    actor: &Actor,
    number: i64,
    version: i64,
    to_tier: u8,
    reason: &str,
) -> AppResult<Changed> {
    actor.require_staff()?;
    let reason = validate_text("reason", reason).map_err(AppError::Invalid)?;
    let mut c = TicketChange::begin(state, actor, number, version).await?;
    let from = c.ticket.tier as u8;
    let up = to_tier > from;
    let allowed = if up {
        &c.actions.escalate_to
    } else {
        &c.actions.deescalate_to
    };
    if !allowed.contains(&to_tier) {
        return Err(if !(1..=3).contains(&to_tier) {
            AppError::invalid("Tiers are 1, 2 and 3.")
        } else if to_tier == from {
            AppError::Conflict(format!("{} is already at tier {from}.", c.number()))
        } else {
            AppError::Conflict(format!(
                "{} cannot move to tier {to_tier} now (it is {}, tier {from}).",
                c.number(),
                status_word(&c)
            ))
        });
    }
    c.ticket.tier = i64::from(to_tier);
    back_to_queue(&mut c)?;
    let (id, me) = (c.ticket.id, actor.id);
    tickets::add_participant(&mut c.tx, id, me).await?;
    if up {
        c.check_page();
    }
    let kind = if up {
        EventKind::Escalated
    } else {
        EventKind::Deescalated
    };
    let data = EventData {
        from_tier: Some(from),
        to_tier: Some(to_tier),
        ..Default::default()
    };
    c.event(kind, false, Some(reason), data);
    c.commit().await
}

/// A public reply or an internal note. The first public reply by staff meets the first-response
/// target; a client's reply brings a ticket waiting on them back to work.
pub async fn reply(
    state: &AppState,
    actor: &Actor,
    number: i64,
    version: i64,
    body: &str,
    public: bool,
) -> AppResult<Changed> {
    let body =
        validate_text(if public { "reply" } else { "note" }, body).map_err(AppError::Invalid)?;
    let mut c = TicketChange::begin(state, actor, number, version).await?;
    add_reply(&mut c, body, public, EventData::default()).await?;
    c.commit().await
}

/// Adds a public reply or an internal note by the change's actor (see [`reply`]); `data` says
/// more of where it came from (the mail it was).
pub(crate) async fn add_reply(
    c: &mut TicketChange,
    body: String,
    public: bool,
    data: EventData,
) -> AppResult<()> {
    let actor = c.actor.clone();
    let allowed = if public {
        c.actions.reply_public
    } else {
        c.actions.note_internal
    };
    if !allowed {
        return Err(if c.ticket.status == Status::Closed {
            AppError::Conflict(format!(
                "{} is closed; raise a new request instead.",
                c.number()
            ))
        } else {
            refuse("Only help desk staff can add internal notes.")
        });
    }
    if public && actor.is_staff() && c.ticket.first_response_at.is_none() {
        c.ticket.first_response_at = Some(c.now);
        c.sla_moved();
    }
    let kind = if public {
        EventKind::PublicReply
    } else {
        EventKind::InternalNote
    };
    let linked = if actor.is_staff() {
        crate::model::kb::linked_article_ids(&body)
    } else {
        Vec::new()
    };
    c.event(kind, public, Some(body), data);
    for article in linked {
        let (ticket_id, now) = (c.ticket.id, c.now);
        if let Some(found) = kb::find(&mut c.tx, article).await? {
            kb::link_ticket(&mut c.tx, ticket_id, article, actor.id, now).await?;
            let data = EventData {
                article: Some(found.title),
                ..Default::default()
            };
            c.event(EventKind::ArticleLinked, false, None, data);
        }
    }
    if public && !actor.is_staff() && c.ticket.pending_reason == Some(PendingReason::Customer) {
        back_to_open(c)?;
    }
    Ok(())
}

pub async fn set_priority(
    state: &AppState,
    actor: &Actor,
    number: i64,
    version: i64,
    priority: Priority,
) -> AppResult<Changed> {
    actor.require_staff()?;
    let mut c = TicketChange::begin(state, actor, number, version).await?;
    if !c.actions.set_priority {
        return Err(refuse(
            "Only help desk staff set priorities, and only on open work.",
        ));
    }
    if c.ticket.priority == priority {
        return Err(AppError::Conflict(format!(
            "{} is already {}.",
            c.number(),
            priority.label()
        )));
    }
    move_priority(&mut c, priority);
    c.commit().await
}

/// Gives the change's ticket `priority`: its SLA clocks move, a P1 may page.
pub(super) fn move_priority(c: &mut TicketChange, priority: Priority) {
    let from = c.ticket.priority;
    c.ticket.priority = priority;
    c.sla_moved();
    if priority == Priority::P1 {
        c.check_page();
    }
    let data = EventData {
        from_priority: Some(from.to_string()),
        to_priority: Some(priority.to_string()),
        ..Default::default()
    };
    c.event(EventKind::PriorityChanged, true, None, data);
}

pub async fn set_category(
    state: &AppState,
    actor: &Actor,
    number: i64,
    version: i64,
    category_id: i64,
) -> AppResult<Changed> {
    actor.require_staff()?;
    let mut c = TicketChange::begin(state, actor, number, version).await?;
    if !c.actions.set_category {
        return Err(refuse("Only help desk staff set categories."));
    }
    let name = categories::name(&mut c.tx, category_id)
        .await?
        .ok_or_else(|| AppError::invalid("That category does not exist."))?;
    c.ticket.category_id = Some(category_id);
    let data = EventData {
        category: Some(name),
        ..Default::default()
    };
    c.event(EventKind::CategoryChanged, false, None, data);
    c.commit().await
}

pub async fn set_flags(
    state: &AppState,
    actor: &Actor,
    number: i64,
    version: i64,
    requires_budget: bool,
    requires_approval: bool,
) -> AppResult<Changed> {
    actor.require_staff()?;
    let mut c = TicketChange::begin(state, actor, number, version).await?;
    if !c.actions.set_flags {
        return Err(refuse(
            "Only help desk staff set these flags, and only on open work.",
        ));
    }
    c.ticket.requires_budget = requires_budget;
    c.ticket.requires_approval = requires_approval;
    let flags = match (requires_budget, requires_approval) {
        (true, true) => "requires budget, requires approval",
        (true, false) => "requires budget",
        (false, true) => "requires approval",
        (false, false) => "none",
    };
    let data = EventData {
        flags: Some(flags.into()),
        ..Default::default()
    };
    c.event(EventKind::StatusChanged, false, None, data);
    c.commit().await
}

pub async fn set_pending(
    state: &AppState,
    actor: &Actor,
    number: i64,
    version: i64,
    reason: PendingReason,
    note: Option<&str>,
) -> AppResult<Changed> {
    actor.require_staff()?;
    let note = validate_optional_text("note", note).map_err(AppError::Invalid)?;
    let mut c = TicketChange::begin(state, actor, number, version).await?;
    if !c.actions.set_pending {
        return Err(AppError::Conflict(format!(
            "{} must be claimed and open to be set to pending (it is {}).",
            c.number(),
            status_word(&c)
        )));
    }
    let from = move_status(&mut c, Status::Pending)?;
    c.ticket.pending_reason = Some(reason);
    match reason {
        PendingReason::Budget => c.ticket.requires_budget = true,
        PendingReason::Approval => c.ticket.requires_approval = true,
        _ => {}
    }
    c.sla_moved();
    let mut data = status_data(from, Status::Pending);
    data.reason = Some(reason.to_string());
    c.event(EventKind::StatusChanged, true, note, data);
    if matches!(reason, PendingReason::Budget | PendingReason::Approval) {
        // tells the organization's client admins that a decision waits for them
        let data = EventData {
            reason: Some(reason.to_string()),
            ..Default::default()
        };
        c.event(EventKind::ApprovalRequested, true, None, data);
    }
    c.commit().await
}

pub async fn resume(
    state: &AppState,
    actor: &Actor,
    number: i64,
    version: i64,
) -> AppResult<Changed> {
    actor.require_staff()?;
    let mut c = TicketChange::begin(state, actor, number, version).await?;
    if !c.actions.resume {
        return Err(AppError::Conflict(format!(
            "{} is not pending.",
            c.number()
        )));
    }
    back_to_open(&mut c)?;
    c.commit().await
}

pub async fn resolve(
    state: &AppState,
    actor: &Actor,
    number: i64,
    version: i64,
    resolution: &str,
) -> AppResult<Changed> {
    actor.require_staff()?;
    let resolution = validate_text("resolution note", resolution).map_err(AppError::Invalid)?;
    let mut c = TicketChange::begin(state, actor, number, version).await?;
    if !c.actions.resolve {
        return Err(if actor.is_staff() {
            AppError::Conflict(format!("{} is already {}.", c.number(), status_word(&c)))
        } else {
            refuse("Only help desk staff resolve tickets.")
        });
    }
    move_status(&mut c, Status::Resolved)?;
    if c.ticket.assignee_id.is_none() {
        c.ticket.assignee_id = Some(actor.id);
    }
    c.ticket.resolved_at = Some(c.now);
    c.ticket.first_response_at.get_or_insert(c.now);
    c.sla_moved();
    c.event(
        EventKind::Resolved,
        true,
        Some(resolution),
        EventData::default(),
    );
    c.commit().await
}

pub async fn close(
    state: &AppState,
    actor: &Actor,
    number: i64,
    version: i64,
) -> AppResult<Changed> {
    let mut c = TicketChange::begin(state, actor, number, version).await?;
    if !c.actions.close {
        return Err(AppError::Conflict(format!(
            "Only a resolved ticket can be closed; {} is {}.",
            c.number(),
            status_word(&c)
        )));
    }
    move_status(&mut c, Status::Closed)?;
    c.ticket.closed_at = Some(c.now);
    c.event(EventKind::Closed, true, None, EventData::default());
    c.commit().await
}

pub async fn reopen(
    state: &AppState,
    actor: &Actor,
    number: i64,
    version: i64,
    reason: Option<&str>,
) -> AppResult<Changed> {
    let reason = validate_optional_text("reason", reason).map_err(AppError::Invalid)?;
    let mut c = TicketChange::begin(state, actor, number, version).await?;
    reopen_step(&mut c, reason)?;
    c.commit().await
}

/// Reopens the change's resolved ticket (see [`reopen`]).
pub(crate) fn reopen_step(c: &mut TicketChange, reason: Option<String>) -> AppResult<()> {
    if !c.actions.reopen {
        let why = c
            .ticket
            .status
            .requester_may_reopen(c.ticket.resolved_at, c.now)
            .err();
        return Err(AppError::Conflict(why.unwrap_or_else(|| {
            format!("{} cannot be reopened by you.", c.number())
        })));
    }
    // resolving gives a ticket an owner; should it have none, staff who reopen it take it
    if c.ticket.assignee_id.is_none() && c.actor.is_staff() {
        c.ticket.assignee_id = Some(c.actor.id);
    }
    move_status(c, Status::Open)?;
    c.ticket.resolved_at = None;
    c.sla_moved();
    c.event(EventKind::Reopened, true, reason, EventData::default());
    Ok(())
}

/// The ticket number as the API names it, checked.
pub fn number_of(raw: i64) -> AppResult<i64> {
    if raw > 0 {
        Ok(raw)
    } else {
        Err(AppError::BadRequest(format!(
            "{} is not a ticket number.",
            TicketNumber(raw)
        )))
    }
}
