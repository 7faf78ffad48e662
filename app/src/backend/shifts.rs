//! Shifts: start one, hand every open ticket over, end it. The lead gets a summary of what was
//! handed over; start and end are recorded for the reports.

use super::notify::outbox;
use super::policy::Actor;
use super::repo::{oncall as roster, shifts as repo};
use super::state::AppState;
use crate::model::shift::{HandoffNote, ShiftSummary, ShiftView};
use crate::model::time::format_utc;
use crate::model::{AppError, AppResult, Page, TicketNumber, UserRef};

fn note_of(h: repo::HandoffRow) -> HandoffNote {
    HandoffNote {
        number: h.number,
        subject: h.subject,
        from: h.from_user,
        to: h.to_user,
        note: h.note,
        at: h.created_at,
    }
}

pub async fn shift_view(state: &AppState, actor: &Actor) -> AppResult<ShiftView> {
    actor.require_page(Page::Shift)?;
    let open = super::tickets::held_by(state, actor).await?;
    let scope = actor.ticket_scope(&state.pool).await?;
    let mut conn = state.pool.acquire().await?;
    let started_at = repo::current(&mut conn, actor.id).await?.map(|(_, at)| at);
    let handed_to_me = repo::waiting_for(&mut conn, actor.id, &scope)
        .await?
        .into_iter()
        .map(note_of)
        .collect();
    let colleagues = match actor.team_id {
        Some(team) => roster::team_members(&mut conn, team)
            .await?
            .into_iter()
            .filter(|(id, _)| *id != actor.id)
            .map(|(id, name)| UserRef { id, name })
            .collect(),
        None => Vec::new(),
    };
    Ok(ShiftView {
        now: state.now(),
        started_at,
        open,
        handed_to_me,
        colleagues,
    })
}

pub async fn start_shift(state: &AppState, actor: &Actor) -> AppResult<()> {
    actor.require_page(Page::Shift)?;
    let mut tx = crate::backend::db::begin_write(&state.pool).await?;
    if let Some((_, since)) = repo::current(&mut tx, actor.id).await? {
        return Err(AppError::Conflict(format!(
            "Your shift is already running (since {}).",
            format_utc(since)
        )));
    }
    repo::start(&mut tx, actor.id, state.now()).await?;
    tx.commit().await?;
    Ok(())
}

/// Ends the shift, but only once no open ticket is left with the analyst.
pub async fn end_shift(state: &AppState, actor: &Actor) -> AppResult<ShiftSummary> {
    actor.require_page(Page::Shift)?;
    let now = state.now();
    let mut tx = crate::backend::db::begin_write(&state.pool).await?;
    let (shift_id, started_at) = repo::current(&mut tx, actor.id)
        .await?
        .ok_or_else(|| AppError::Conflict("You have not started a shift.".into()))?;
    let open = repo::open_ticket_numbers(&mut tx, actor.id).await?;
    if !open.is_empty() {
        let list: Vec<String> = open
            .iter()
            .take(10)
            .map(|n| TicketNumber(*n).to_string())
            .collect();
        return Err(AppError::Conflict(format!(
            "You still hold {} open ticket{} ({}{}). Resolve, escalate or hand each one over before ending your shift.",
            open.len(),
            if open.len() == 1 { "" } else { "s" },
            list.join(", "),
            if open.len() > 10 { ", …" } else { "" }
        )));
    }
    repo::end(&mut tx, shift_id, now).await?;
    let handed_over: Vec<HandoffNote> = repo::of_shift(&mut tx, shift_id)
        .await?
        .into_iter()
        .map(note_of)
        .collect();
    if let Some(team) = actor.team_id {
        if let Some(lead) = roster::team_lead(&mut tx, team)
            .await?
            .filter(|l| *l != actor.id)
        {
            let mut body = format!(
                "{} ended a shift ({} to {}) and handed over {} ticket{}.\n",
                actor.name,
                format_utc(started_at),
                format_utc(now),
                handed_over.len(),
                if handed_over.len() == 1 { "" } else { "s" }
            );
            for h in &handed_over {
                body.push_str(&format!(
                    "\n{} \"{}\" to {}: {}",
                    TicketNumber(h.number),
                    h.subject,
                    h.to.as_deref().unwrap_or("the next shift"),
                    h.note
                ));
            }
            let subject = format!(
                "Shift hand-over from {}: {} ticket(s)",
                actor.name,
                handed_over.len()
            );
            outbox::enqueue(
                &mut tx,
                None,
                &[lead],
                "shift_summary",
                &subject,
                &body,
                true,
                now,
            )
            .await?;
        }
    }
    tx.commit().await?;
    state.notify_wake.notify_one();
    Ok(ShiftSummary {
        started_at,
        ended_at: now,
        handed_over,
    })
}
