//! Problem records: a lead or manager turns a group of alike tickets into one problem; every
//! linked ticket's timeline says so. Only tickets of clients the person may see can be linked.

use crate::backend::policy::Actor;
use crate::backend::repo::problems as repo;
use crate::backend::repo::tickets::{find_by_id, insert_event, EventRecord};
use crate::backend::state::AppState;
use crate::backend::tickets::live_event;
use crate::backend::tickets::visible_clients;
use crate::model::live::LiveKind;
use crate::model::problems::{linkable, NewProblem, ProblemList, ProblemNumber};
use crate::model::{AppError, AppResult, EventData, EventKind, Page};

/// Problem records listed on the reports page.
const SHOWN: i64 = 50;

/// Records a problem linking `new.tickets`: all of it, or nothing (an unknown ticket, or one of a
/// client the person may not see, is "not found" and nothing is written).
pub async fn record(state: &AppState, actor: &Actor, new: &NewProblem) -> AppResult<ProblemNumber> {
    actor.require_page(Page::Reports)?;
    if !actor.role.records_problems() {
        return Err(AppError::Forbidden(
            "Only team leads and managers record problems.".into(),
        ));
    }
    let new = new.validate().map_err(AppError::Invalid)?;
    let scope = actor.ticket_scope(&state.pool).await?;
    let mut tx = crate::backend::db::begin_write(&state.pool).await?;
    let visible: Vec<i64> = visible_clients(&mut tx, &scope)
        .await?
        .into_iter()
        .map(|(id, ..)| id)
        .collect();
    let numbers: Vec<i64> = new.tickets.iter().map(|t| t.0).collect();
    let found = repo::tickets_by_number(&mut tx, &numbers).await?;
    let ticket_ids = linkable(&new.tickets, &found, &visible)
        .map_err(|number| AppError::NotFound(format!("Ticket {number} was not found.")))?;
    let now = state.now();
    let problem = ProblemNumber(repo::insert(&mut tx, &new.title, &new.note, actor.id, now).await?);
    let data = EventData {
        problem: Some(new.timeline_label(problem)),
        ..Default::default()
    }
    .to_json();
    let mut events = Vec::with_capacity(ticket_ids.len());
    for ticket_id in ticket_ids {
        repo::link(&mut tx, problem.0, ticket_id).await?;
        insert_event(
            &mut tx,
            &EventRecord {
                ticket_id,
                at: now,
                actor_id: Some(actor.id),
                kind: EventKind::ProblemLinked.as_str(),
                public: false,
                body: None,
                data: data.clone(),
            },
        )
        .await?;
        if let Some(t) = find_by_id(&mut tx, ticket_id).await? {
            let mut event = live_event(&mut tx, LiveKind::Noted, &t).await?;
            event.staff_only = true;
            events.push(event);
        }
    }
    for event in &events {
        crate::backend::live::tell_other_instances(&mut tx, &state.live, event).await?;
    }
    tx.commit().await?;
    // open pages of the linked tickets show the new step
    for event in events {
        state.live.publish(event);
    }
    Ok(problem)
}

/// The newest problem records with the tickets the viewer may see.
pub async fn list(state: &AppState, actor: &Actor) -> AppResult<ProblemList> {
    actor.require_page(Page::Reports)?;
    let scope = actor.ticket_scope(&state.pool).await?;
    let mut conn = state.pool.acquire().await?;
    Ok(ProblemList {
        may_record: actor.role.records_problems(),
        problems: repo::recent(&mut conn, &scope, SHOWN).await?,
    })
}
