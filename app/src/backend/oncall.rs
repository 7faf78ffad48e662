//! On-call paging: a P1 raised or escalated outside its client's business hours pages the
//! person on call for the ticket's team (mail, plus a webhook when one is configured). A page
//! not acknowledged in time pages the team lead. Every page and acknowledgement is on the
//! ticket's timeline.

use super::auth::{new_token, token_hash};
use super::notify::outbox;
use super::notify::template::MailBody;
use super::policy::Actor;
use super::repo::notifications::{self as outbox_repo, NewNotification};
use super::repo::oncall::{self as repo, NewPage};
use super::repo::tickets::{self, EventRecord, TicketRecord};
use super::sla;
use super::state::AppState;
use crate::backend::db::Conn;
use crate::model::sla::Calendar;
use crate::model::{AppError, AppResult, EventData, EventKind, Priority, TicketNumber};

/// Whether a ticket must page someone now: a P1 outside its client's business hours.
pub async fn needs_page(conn: &mut Conn, t: &TicketRecord, now: i64) -> AppResult<bool> {
    if t.priority != Priority::P1 || !t.status.is_active() {
        return Ok(false);
    }
    let policy = sla::policy_for(conn, t.org_id).await?;
    Ok(!Calendar::Business(policy.business).is_working(now))
}

/// Pages whoever is on call for the ticket's team (or its lead when nobody is), inside the
/// caller's transaction. Returns the name of the person paged.
pub async fn page(
    conn: &mut Conn,
    state: &AppState,
    t: &TicketRecord,
    now: i64,
    escalating_from: Option<&str>,
) -> AppResult<Option<String>> {
    let Some(team) = t.team_id else {
        return Ok(None);
    };
    let lead = repo::team_lead(conn, team).await?;
    let on_call = if escalating_from.is_some() {
        None
    } else {
        repo::on_call(conn, team, now).await?
    };
    let Some(person) = on_call.or(lead) else {
        return Ok(None);
    };
    // the lead is the last step: nobody to escalate a lead's page to
    let escalate_at = (Some(person) != lead).then_some(now + state.settings.notify.page_ack_secs);
    let token = new_token();
    repo::add_page(
        conn,
        &NewPage {
            ticket_id: t.id,
            user_id: person,
            ack_token_hash: &token_hash(&token),
            created_at: now,
            escalate_at,
        },
    )
    .await?;
    let name = super::repo::users::name(&mut *conn, person)
        .await?
        .unwrap_or_default();
    let number = TicketNumber(t.number);
    let base = &state.settings.notify.base_url;
    let ack_url = format!("{base}/pages/{token}");
    let ticket_url = format!("{base}/tickets/{number}");
    let subject = format!("[{number}] P1 page: {}", t.subject);
    let mut mail = MailBody::new();
    if let Some(first) = escalating_from {
        mail = mail.text(format!("{first} did not acknowledge the page in time."));
    }
    let mail = mail
        .text(format!("A P1 needs you: {number} \"{}\".", t.subject))
        .link("Acknowledge", ack_url.as_str())
        .link("Open the ticket", ticket_url.as_str());
    let body = mail.plain();
    outbox::enqueue_mail(
        conn,
        Some(t.id),
        &[person],
        "page_sent",
        &subject,
        &mail,
        true,
        now,
    )
    .await?;
    if state.settings.notify.webhook_url.is_some() {
        let payload = serde_json::json!({
            "title": subject,
            "message": format!("{number} \"{}\" is a P1 outside business hours.", t.subject),
            "priority": "P1",
            "ticket": number.to_string(),
            "url": ticket_url,
            "ack_url": ack_url,
            "on_call": name,
            "dedup_key": format!("frontline-{number}"),
        })
        .to_string();
        outbox_repo::insert(
            conn,
            &NewNotification {
                ticket_id: Some(t.id),
                recipient_id: person,
                channel: "webhook",
                kind: "page_sent",
                subject: &subject,
                body: &body,
                html: None,
                payload: Some(&payload),
                essential: true,
                muted: false,
                created_at: now,
            },
        )
        .await?;
    }
    tickets::insert_event(
        conn,
        &EventRecord {
            ticket_id: t.id,
            at: now,
            actor_id: None,
            kind: EventKind::PageSent.as_str(),
            public: false,
            body: escalating_from.map(|first| format!("{first} did not acknowledge in time.")),
            data: EventData {
                to_user: Some(name.clone()),
                ..Default::default()
            }
            .to_json(),
        },
    )
    .await?;
    Ok(Some(name))
}

/// Acknowledges a ticket's open pages as `by` (recorded on the timeline once).
async fn acknowledge_pages(conn: &mut Conn, ticket_id: i64, by: i64, now: i64) -> AppResult<bool> {
    if repo::acknowledge(conn, ticket_id, by, now).await? == 0 {
        return Ok(false);
    }
    tickets::insert_event(
        conn,
        &EventRecord {
            ticket_id,
            at: now,
            actor_id: Some(by),
            kind: EventKind::PageAcknowledged.as_str(),
            public: false,
            body: None,
            data: None,
        },
    )
    .await?;
    Ok(true)
}

/// Acknowledges through the link in a page (the token is the credential). Answers the ticket.
pub async fn acknowledge_by_token(state: &AppState, token: &str) -> AppResult<TicketNumber> {
    let invalid = || AppError::NotFound("That acknowledgement link is not valid.".into());
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(invalid());
    }
    let mut tx = crate::backend::db::begin_write(&state.pool).await?;
    let page = repo::page_by_token(&mut tx, &token_hash(token))
        .await?
        .ok_or_else(invalid)?;
    let ticket = tickets::find_by_id(&mut tx, page.ticket_id)
        .await?
        .ok_or_else(invalid)?;
    if page.acked_at.is_none() {
        acknowledge_pages(&mut tx, page.ticket_id, page.user_id, state.now()).await?;
    }
    tx.commit().await?;
    Ok(TicketNumber(ticket.number))
}

/// Acknowledges from the app, as a member of staff who may see the ticket.
pub async fn acknowledge(state: &AppState, actor: &Actor, number: i64) -> AppResult<()> {
    actor.require_staff()?;
    let scope = actor.ticket_scope(&state.pool).await?;
    let mut tx = crate::backend::db::begin_write(&state.pool).await?;
    let t = super::tickets::visible(&mut tx, &scope, actor, number).await?;
    if !acknowledge_pages(&mut tx, t.id, actor.id, state.now()).await? {
        return Err(AppError::Conflict(format!(
            "{} has no page waiting for an answer.",
            TicketNumber(t.number)
        )));
    }
    tx.commit().await?;
    Ok(())
}

/// Pages the lead for every page nobody acknowledged in time. Returns how many were escalated.
pub async fn escalate_due(state: &AppState) -> AppResult<usize> {
    let now = state.now();
    let due = {
        let mut conn = state.pool.acquire().await?;
        repo::due_escalations(&mut conn, now).await?
    };
    let mut escalated = 0;
    for p in due {
        let mut tx = crate::backend::db::begin_write(&state.pool).await?;
        let Some(t) = tickets::find_by_id(&mut tx, p.ticket_id).await? else {
            continue;
        };
        let first = super::repo::users::name(&mut tx, p.user_id)
            .await?
            .unwrap_or_else(|| "The person on call".into());
        // mark first (guarded), so a second worker never escalates the same page again
        if !repo::mark_escalated(&mut tx, p.id, p.id).await? {
            continue;
        }
        if page(&mut tx, state, &t, now, Some(&first)).await?.is_some() {
            escalated += 1;
        }
        tx.commit().await?;
    }
    if escalated > 0 {
        state.notify_wake.notify_one();
    }
    Ok(escalated)
}

/// Whether a ticket has pages waiting for an answer.
pub async fn has_open_pages(conn: &mut Conn, ticket_id: i64) -> AppResult<bool> {
    Ok(!repo::open_pages(conn, ticket_id).await?.is_empty())
}

// ---------------------------------------------------------------------------------------------
// The roster

use crate::model::shift::{validate_oncall_shift, RosterShift, RosterView, TeamRoster};
use crate::model::time::{parse_datetime_utc, DAY};
use crate::model::{Page, Role, UserRef};

/// Leads edit their own team's roster; managers every team's.
fn may_edit(actor: &Actor, team_id: i64) -> bool {
    actor.role == Role::Manager || (actor.role == Role::Lead && actor.team_id == Some(team_id))
}

/// Seven days of every team's roster, from the UTC midnight of `from` (default: today).
pub async fn roster(state: &AppState, actor: &Actor, from: Option<i64>) -> AppResult<RosterView> {
    actor.require_page(Page::OnCall)?;
    let now = state.now();
    let from = from.unwrap_or(now);
    let from = from - from.rem_euclid(DAY);
    let mut conn = state.pool.acquire().await?;
    let shifts = repo::shifts(&mut conn, from, from + 7 * DAY, None).await?;
    let mut teams = Vec::new();
    for (id, name) in super::repo::teams::list(&mut conn).await? {
        let members = repo::team_members(&mut conn, id)
            .await?
            .into_iter()
            .map(|(id, name)| UserRef { id, name })
            .collect();
        let on_call_now = match repo::on_call(&mut conn, id, now).await? {
            Some(user) => super::repo::users::name(&mut conn, user).await?,
            None => None,
        };
        teams.push(TeamRoster {
            id,
            name,
            editable: may_edit(actor, id),
            members,
            shifts: shifts
                .iter()
                .filter(|s| s.team_id == id)
                .map(|s| RosterShift {
                    id: s.id,
                    user: UserRef {
                        id: s.user_id,
                        name: s.user.clone(),
                    },
                    starts_at: s.starts_at,
                    ends_at: s.ends_at,
                })
                .collect(),
            on_call_now,
        });
    }
    Ok(RosterView { now, from, teams })
}

/// Adds an on-call shift (times in UTC as a datetime field sends them), repeated weekly
/// `repeat_weeks` more times for a rotation.
pub async fn add_oncall_shift(
    state: &AppState,
    actor: &Actor,
    team_id: i64,
    user_id: i64,
    starts: &str,
    ends: &str,
    repeat_weeks: u8,
) -> AppResult<usize> {
    actor.require_page(Page::OnCall)?;
    if !may_edit(actor, team_id) {
        return Err(AppError::Forbidden(
            "Only the team's lead or a manager can change its on-call roster.".into(),
        ));
    }
    let starts_at = parse_datetime_utc(starts).map_err(AppError::Invalid)?;
    let ends_at = parse_datetime_utc(ends).map_err(AppError::Invalid)?;
    validate_oncall_shift(starts_at, ends_at, repeat_weeks).map_err(AppError::Invalid)?;
    let mut tx = crate::backend::db::begin_write(&state.pool).await?;
    let members = repo::team_members(&mut tx, team_id).await?;
    if !members.iter().any(|(id, _)| *id == user_id) {
        return Err(AppError::invalid(
            "That person is not a member of this team.",
        ));
    }
    for week in 0..=i64::from(repeat_weeks) {
        let shift = week * 7 * DAY;
        repo::add_shift(
            &mut tx,
            team_id,
            user_id,
            starts_at + shift,
            ends_at + shift,
            actor.id,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(usize::from(repeat_weeks) + 1)
}

pub async fn remove_oncall_shift(state: &AppState, actor: &Actor, shift_id: i64) -> AppResult<()> {
    actor.require_page(Page::OnCall)?;
    let mut tx = crate::backend::db::begin_write(&state.pool).await?;
    let team = repo::shift_team(&mut tx, shift_id)
        .await?
        .ok_or_else(|| AppError::NotFound("That on-call shift was not found.".into()))?;
    if !may_edit(actor, team) {
        return Err(AppError::Forbidden(
            "Only the team's lead or a manager can change its on-call roster.".into(),
        ));
    }
    repo::remove_shift(&mut tx, shift_id).await?;
    tx.commit().await?;
    Ok(())
}
