//! Raising a ticket: three fields from the person, everything else captured automatically.

use super::change::{commit_and_announce, live_event, tell_people, Changed};
use crate::backend::policy::Actor;
use crate::backend::repo::tickets::{self, EventRecord, SlaColumns, TicketRecord};
use crate::backend::repo::{categories, desk, orgs, users};
use crate::backend::sla;
use crate::backend::state::AppState;
use crate::model::live::LiveKind;
use crate::model::ticket::NewTicket;
use crate::model::{
    AppError, AppResult, Channel, EventData, EventKind, Priority, Status, TicketNumber,
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
    let now = state.now();
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
    let number = desk::next_counter(&mut tx, "ticket_number").await?;

    let mut t = TicketRecord {
        id: 0,
        number,
        org_id,
        requester_id,
        created_by: actor.id,
        channel,
        subject: valid.subject,
        problem: valid.problem,
        urgency: valid.urgency,
        priority,
        category_id: input.category_id,
        status: Status::New,
        pending_reason: None,
        requires_budget: false,
        requires_approval: false,
        tier: 1,
        team_id,
        assignee_id: None,
        ctx_department: requester.department,
        ctx_location: requester.location,
        ctx_job_title: requester.job_title,
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
    // staff who log a call own it; resolving it on the spot makes it a first-contact resolution
    if staff {
        t.assignee_id = Some(actor.id);
        t.status = Status::Open;
    }
    if valid.resolution.is_some() {
        t.status = Status::Resolved;
        t.first_contact_resolution = true;
        t.first_response_at = Some(now);
        t.resolved_at = Some(now);
    }
    let policy = sla::policy_for(&mut tx, org_id).await?;
    sla::recompute(&policy, &mut t, now);
    let id = tickets::insert(&mut tx, &t).await?;
    crate::backend::repo::reports::mark_ticket_days(&mut tx, id).await?;

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
            channel: Some(channel.to_string()),
            ..Default::default()
        },
    )];
    if staff {
        events.push(event(EventKind::Claimed, None, EventData::default()));
        tickets::add_participant(&mut tx, id, actor.id).await?;
    }
    if let Some(resolution) = valid.resolution {
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
        tickets::insert_event(&mut tx, e).await?;
    }
    t.id = id;
    tell_people(&mut tx, state, &t, actor, &events, now).await?;
    if crate::backend::oncall::needs_page(&mut tx, &t, now).await? {
        crate::backend::oncall::page(&mut tx, state, &t, now, None).await?;
    }
    let event = live_event(&mut tx, LiveKind::Created, &t).await?;
    commit_and_announce(tx, state, event).await?;
    Ok(Changed {
        ticket_id: id,
        number: TicketNumber(number),
        org_id,
        version: 1,
    })
}
