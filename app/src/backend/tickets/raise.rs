//! Raising a ticket: three fields from the person, everything else captured automatically.

use super::change::{commit_and_announce, live_event, tell_people, Changed};
use crate::backend::db::WriteTx;
use crate::backend::policy::Actor;
use crate::backend::repo::tickets::{self, EventRecord, SlaColumns, TicketRecord};
use crate::backend::repo::{categories, desk, orgs, users};
use crate::backend::sla;
use crate::backend::state::AppState;
use crate::model::live::LiveKind;
use crate::model::ticket::NewTicket;
use crate::model::{
    AppError, AppResult, Channel, EventData, EventKind, Priority, Status, TicketNumber, Urgency,
};

pub async fn raise(state: &AppState, actor: &Actor, input: &NewTicket) -> AppResult<Changed> {
    let valid = input.validate().map_err(AppError::Invalid)?;
    let staff = actor.is_staff();
    if !staff && !actor.role.is_client() {
        return Err(AppError::Forbidden(
            "Your role does not raise tickets.".into(),
        ));
    }
    if !staff
        && (input.requester_id.is_some_and(|id| id != actor.id)
            || input.priority.is_some()
            || valid.resolution.is_some()
            || input.channel.is_some_and(|c| c != Channel::Web))
    {
        return Err(AppError::Forbidden(
            "Clients raise requests for themselves; the desk sets priority and channel.".into(),
        ));
    }
    let scope = actor.ticket_scope(&state.pool).await?;
    let mut tx = crate::backend::db::begin_write(&state.pool).await?;

    let requester_id = if staff {
        input
            .requester_id
            .ok_or_else(|| AppError::invalid("Choose who the ticket is for."))?
    } else {
        actor.id
    };
    let requester = users::profile(&mut tx, requester_id)
        .await?
        .filter(|p| p.active && p.role.is_client())
        .ok_or_else(|| AppError::invalid("That requester was not found."))?;
    let org_id = requester.org_id.ok_or(AppError::Internal)?;
    if scope.orgs().is_some_and(|orgs| !orgs.contains(&org_id)) {
        return Err(AppError::invalid("That requester was not found."));
    }
    if let Some(category_id) = input.category_id {
        categories::name(&mut tx, category_id)
            .await?
            .ok_or_else(|| AppError::invalid("That category does not exist."))?;
    }
    let team_id = match actor.team_id {
        Some(team) if staff && scope.orgs().is_none_or(|orgs| orgs.contains(&org_id)) => Some(team),
        _ => orgs::default_team(&mut tx, org_id).await?,
    };
    let channel = if staff {
        input.channel.unwrap_or(Channel::Phone)
    } else {
        Channel::Web
    };
    let priority = input
        .priority
        .unwrap_or_else(|| Priority::default_for(valid.urgency));
    let opening = Opening {
        requester,
        requester_id,
        org_id,
        channel,
        subject: valid.subject,
        problem: valid.problem,
        urgency: valid.urgency,
        priority,
        category_id: input.category_id,
        team_id,
        taken_by_actor: staff,
        resolution: valid.resolution,
        created: EventData::default(),
        requires_budget: input.requires_budget,
        requires_approval: input.requires_approval,
    };
    let t = open_ticket(&mut tx, state, actor, opening).await?;
    commit_opened(tx, state, &t).await
}

/// Commits the transaction that opened `t` and tells live pages of it.
pub async fn commit_opened(
    mut tx: WriteTx,
    state: &AppState,
    t: &TicketRecord,
) -> AppResult<Changed> {
    let event = live_event(&mut tx, LiveKind::Created, t).await?;
    commit_and_announce(tx, state, event).await?;
    Ok(Changed {
        ticket_id: t.id,
        number: TicketNumber(t.number),
        org_id: t.org_id,
        version: t.version,
    })
}

/// A ticket about to be opened, decided by whoever takes it in (a person raising it, the mail
/// channel).
pub struct Opening {
    pub requester: users::Profile,
    pub requester_id: i64,
    pub org_id: i64,
    pub channel: Channel,
    pub subject: String,
    pub problem: String,
    pub urgency: Urgency,
    pub priority: Priority,
    pub category_id: Option<i64>,
    pub team_id: Option<i64>,
    /// Staff logging a call own it at once.
    pub taken_by_actor: bool,
    /// Resolved on the spot with this note (a first-contact resolution).
    pub resolution: Option<String>,
    /// What the `created` step records beyond the channel (the mail it came from).
    pub created: EventData,
    /// What the requester said up front the work needs (seed idea 001); staff may change it
    /// later.
    pub requires_budget: bool,
    pub requires_approval: bool,
}

/// Writes a new ticket and its first steps in `tx`, with its notifications and page; the
/// caller commits and announces it.
pub async fn open_ticket(
    tx: &mut WriteTx,
    state: &AppState,
    actor: &Actor,
    o: Opening,
) -> AppResult<TicketRecord> {
    let now = state.now();
    let number = desk::next_counter(tx, "ticket_number").await?;
    let mut t = TicketRecord {
        id: 0,
        number,
        org_id: o.org_id,
        requester_id: o.requester_id,
        created_by: actor.id,
        channel: o.channel,
        subject: o.subject,
        problem: o.problem,
        urgency: o.urgency,
        priority: o.priority,
        category_id: o.category_id,
        status: Status::New,
        pending_reason: None,
        requires_budget: o.requires_budget,
        requires_approval: o.requires_approval,
        tier: 1,
        team_id: o.team_id,
        assignee_id: None,
        ctx_department: o.requester.department,
        ctx_location: o.requester.location,
        ctx_job_title: o.requester.job_title,
        first_contact_resolution: false,
        created_at: now,
        updated_at: now,
        first_response_at: None,
        resolved_at: None,
        closed_at: None,
        sla: SlaColumns::default(),
        version: 1,
        public_version: 1,
    };
    if o.taken_by_actor {
        t.assignee_id = Some(actor.id);
        t.status = Status::Open;
    }
    if o.resolution.is_some() {
        t.status = Status::Resolved;
        t.first_contact_resolution = true;
        t.first_response_at = Some(now);
        t.resolved_at = Some(now);
    }
    let policy = sla::policy_for(tx, o.org_id).await?;
    sla::recompute(&policy, &mut t, now);
    let id = tickets::insert(tx, &t).await?;
    crate::backend::repo::reports::mark_ticket_days(tx, id).await?;

    let event = |kind: EventKind, body: Option<String>, data: EventData| EventRecord {
        ticket_id: id,
        at: now,
        actor_id: Some(actor.id),
        kind: kind.as_str(),
        public: true,
        body,
        data: data.to_json(),
    };
    let mut events = vec![event(
        EventKind::Created,
        None,
        EventData {
            channel: Some(o.channel.to_string()),
            ..o.created
        },
    )];
    if o.taken_by_actor {
        events.push(event(EventKind::Claimed, None, EventData::default()));
        tickets::add_participant(tx, id, actor.id).await?;
    }
    if let Some(resolution) = o.resolution {
        events.push(event(
            EventKind::Resolved,
            Some(resolution),
            EventData {
                first_contact: Some(true),
                ..Default::default()
            },
        ));
    }
    for e in &events {
        tickets::insert_event(tx, e).await?;
    }
    t.id = id;
    tell_people(tx, state, &t, actor, &events, now).await?;
    if crate::backend::oncall::needs_page(tx, &t, now).await? {
        crate::backend::oncall::page(tx, state, &t, now, None).await?;
    }
    Ok(t)
}
