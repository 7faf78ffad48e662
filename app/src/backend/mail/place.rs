//! Writing what a received message became, each in one transaction with its `inbound_mail` row:
//! a new ticket (with a new client account for a stranger of a known domain), a step on the
//! ticket it answers, or a note only staff see of a machine's answer.

use super::decide::{Decision, FLOOD_LIMIT, FLOOD_WINDOW_SECS};
use super::files::{attach, attach_new, store_files, StoredFile};
use super::held::audit_decision;
use super::ingest::{Outcome, Received};
use super::parse::Incoming;
use crate::backend::db::{is_unique_violation, WriteTx};
use crate::backend::notify::outbox;
use crate::backend::notify::template::MailBody;
use crate::backend::policy::Actor;
use crate::backend::repo::mail::{self as repo, MailboxRoute};
use crate::backend::repo::{held_mail, orgs, tickets as ticket_rows, users};
use crate::backend::state::AppState;
use crate::backend::tickets::{self, Opening, TicketChange};
use crate::model::live::LiveKind;
use crate::model::mail::{self, Automatic};
use crate::model::{
    AppError, AppResult, Channel, EventData, EventKind, Priority, Role, Status, TicketNumber,
};

pub(super) async fn apply(
    state: &AppState,
    received: &Received,
    m: &Incoming,
    decision: Decision,
) -> AppResult<Outcome> {
    let files = store_files(state, m).await?;
    match decision {
        Decision::Hold { .. } => Err(AppError::Internal),
        Decision::Open {
            requester,
            org_id,
            follow_up,
        } => open(state, received, m, requester, org_id, follow_up, &files).await,
        Decision::Continue { number, actor } => {
            let mut c = TicketChange::begin_addition(state, &actor, number).await?;
            let Some(mail_id) = record(&mut c.tx, received, m).await? else {
                return Ok(Outcome::Duplicate);
            };
            if c.ticket.status == Status::Resolved && !actor.is_staff() {
                tickets::reopen_step(&mut c, Some("Replied by e-mail.".into()))?;
            }
            let split = mail::split_quoted(&m.text);
            let body = text_or(&split.reply, "(The message had no text.)");
            let data = EventData {
                mail_id: Some(mail_id),
                channel: Some(Channel::Email.to_string()),
                // staff answer notifications that may carry internal notes; what they quote
                // never goes on a step the client sees (their original stays with the desk)
                quoted: split
                    .quoted
                    .filter(|_| !actor.is_staff())
                    .map(|q| mail::fit_text(&q)),
                automatic: m.automatic.map(|_| true),
                ..Default::default()
            };
            tickets::add_reply(&mut c, body, true, data).await?;
            attach(&mut c, &files, actor.id).await?;
            repo::set_ticket(&mut c.tx, mail_id, c.ticket.id).await?;
            let outcome = Outcome::Continued(c.number());
            audit_decision(&mut c.tx, received, &outcome).await?;
            c.commit().await?;
            Ok(outcome)
        }
        Decision::MachineNote { number } => machine_note(state, received, m, number).await,
    }
}

/// Writes the `inbound_mail` row in the change's transaction (a retried message's held row is
/// placed instead); None if the message is already there (a copy that raced this one) or no
/// longer held.
async fn record(tx: &mut WriteTx, received: &Received, m: &Incoming) -> AppResult<Option<i64>> {
    let row = received.row(Some(m), "placed", None);
    if let Some(redo) = &received.redo {
        let id = redo.stored.id;
        return Ok(held_mail::place(tx, id, &row, redo.decision.by)
            .await?
            .then_some(id));
    }
    match repo::insert(tx, &row).await {
        Ok(id) => Ok(Some(id)),
        Err(err) if is_unique_violation(&err) => Ok(None),
        Err(err) => Err(err.into()),
    }
}

fn text_or(text: &str, fallback: &str) -> String {
    let text = mail::fit_text(text.trim());
    if text.is_empty() {
        fallback.to_string()
    } else {
        text
    }
}

#[allow(clippy::too_many_arguments)]
async fn open(
    state: &AppState,
    received: &Received,
    m: &Incoming,
    requester: Option<Actor>,
    org_id: i64,
    follow_up: Option<i64>,
    files: &[StoredFile],
) -> AppResult<Outcome> {
    let mut tx = crate::backend::db::begin_write(&state.pool).await?;
    let Some(mail_id) = record(&mut tx, received, m).await? else {
        return Ok(Outcome::Duplicate);
    };
    let actor = match requester {
        Some(actor) => actor,
        None => new_client(&mut tx, m, org_id, received.now).await?,
    };
    let profile = users::profile(&mut tx, actor.id)
        .await?
        .ok_or(AppError::Internal)?;
    let mailbox: Option<MailboxRoute> = match received.arrival.mailbox_id {
        Some(id) => repo::route(&mut tx, id).await?,
        None => None,
    };
    let split = mail::split_quoted(&m.text);
    let mut problem = text_or(&split.reply, &m.subject);
    if let Some(number) = follow_up {
        problem = format!(
            "(A reply to {}, which is closed.)\n\n{problem}",
            TicketNumber(number)
        );
    }
    let subject = match mail::clean_subject(&m.subject) {
        s if s.is_empty() => crate::model::ticket::subject_from_problem(&problem),
        s => s,
    };
    let words: Vec<&str> = state
        .settings
        .mail_urgent_words
        .iter()
        .map(String::as_str)
        .collect();
    let urgency = mail::urgency_of(&m.subject, &m.text, &words);
    let priority = mailbox
        .as_ref()
        .and_then(|b| b.priority.as_deref())
        .and_then(|p| p.parse::<Priority>().ok())
        .unwrap_or_else(|| Priority::default_for(urgency));
    let team_id = match mailbox.as_ref().and_then(|b| b.team_id) {
        Some(team) => Some(team),
        None => orgs::default_team(&mut tx, org_id).await?,
    };
    let opening = Opening {
        requester: profile,
        requester_id: actor.id,
        org_id,
        channel: Channel::Email,
        subject,
        problem: text_or(&problem, "(The message had no text.)"),
        urgency,
        priority,
        category_id: None,
        team_id,
        taken_by_actor: false,
        resolution: None,
        created: EventData {
            mail_id: Some(mail_id),
            automatic: m.automatic.map(|_| true),
            ..Default::default()
        },
        requires_budget: false,
        requires_approval: false,
    };
    let t = tickets::open_ticket(&mut tx, state, &actor, opening).await?;
    repo::set_ticket(&mut tx, mail_id, t.id).await?;
    if let Some(mailbox) = &mailbox {
        repo::set_ticket_mailbox(&mut tx, t.id, mailbox.id).await?;
    }
    attach_new(&mut tx, &t, files, actor.id, received.now).await?;
    let outcome = Outcome::Opened(TicketNumber(t.number));
    audit_decision(&mut tx, received, &outcome).await?;
    tickets::commit_opened(tx, state, &t).await?;
    Ok(outcome)
}

/// A client account for an unknown sender of a known client's domain: no password until they
/// set one through a reset link.
async fn new_client(tx: &mut WriteTx, m: &Incoming, org_id: i64, now: i64) -> AppResult<Actor> {
    let email = m.from_address.as_deref().ok_or(AppError::Internal)?;
    let name = m
        .from_name
        .clone()
        .unwrap_or_else(|| email.split('@').next().unwrap_or(email).to_string());
    let name: String = name.chars().take(100).collect();
    let id = users::insert(
        tx,
        &users::NewUser {
            email,
            name: &name,
            role: Role::Client,
            org_id: Some(org_id),
            team_id: None,
            tier: None,
            department: None,
            location: None,
            job_title: None,
            phone: None,
            password_hash: crate::backend::password::NO_PASSWORD,
            created_at: now,
        },
    )
    .await?;
    Ok(Actor {
        id,
        name,
        role: Role::Client,
        org_id: Some(org_id),
        team_id: None,
        tier: None,
    })
}

/// A step only staff see, by nobody: what a machine answered to the ticket's mail.
async fn machine_note(
    state: &AppState,
    received: &Received,
    m: &Incoming,
    number: i64,
) -> AppResult<Outcome> {
    let mut tx = crate::backend::db::begin_write(&state.pool).await?;
    ticket_rows::lock_by_number(&mut tx, number).await?;
    let t = ticket_rows::find_by_number(&mut tx, number)
        .await?
        .ok_or(AppError::Internal)?;
    let Some(mail_id) = record(&mut tx, received, m).await? else {
        return Ok(Outcome::Duplicate);
    };
    let what = m.automatic.unwrap_or(Automatic::Reply).describe();
    let from = m.from_address.as_deref().unwrap_or("an unknown sender");
    let text: String = mail::split_quoted(&m.text)
        .reply
        .chars()
        .take(2000)
        .collect();
    let body = format!("{} from {from}:\n\n{}", capitalized(what), text.trim());
    ticket_rows::insert_event(
        &mut tx,
        &ticket_rows::EventRecord {
            ticket_id: t.id,
            at: received.now,
            actor_id: None,
            kind: EventKind::InternalNote.as_str(),
            public: false,
            body: Some(body),
            data: EventData {
                mail_id: Some(mail_id),
                automatic: Some(true),
                channel: Some(Channel::Email.to_string()),
                ..Default::default()
            }
            .to_json(),
        },
    )
    .await?;
    repo::set_ticket(&mut tx, mail_id, t.id).await?;
    let outcome = Outcome::Continued(TicketNumber(number));
    audit_decision(&mut tx, received, &outcome).await?;
    let mut event = tickets::live_event(&mut tx, LiveKind::Changed, &t).await?;
    event.staff_only = true;
    tickets::commit_and_announce(tx, state, event).await?;
    Ok(outcome)
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Tells the administrators, once per burst, that a sender's mail is being held.
pub(super) async fn tell_admins_of_flood(
    tx: &mut WriteTx,
    state: &AppState,
    sender: &str,
    now: i64,
) -> AppResult<()> {
    if repo::rate_held_since(tx, sender, now - FLOOD_WINDOW_SECS).await? {
        return Ok(());
    }
    let admins: Vec<i64> = users::with_roles(tx, &[Role::Admin])
        .await?
        .into_iter()
        .map(|(id, ..)| id)
        .collect();
    let subject = format!("Mail from {sender} is being held");
    let body = MailBody::from(
        format!(
            "{sender} sent more than {FLOOD_LIMIT} messages in 10 minutes. Further mail from this \
             address is held in Unprocessed mail until the rate drops: {}/admin/mail",
            state.settings.notify.base_url
        )
        .as_str(),
    );
    outbox::enqueue_mail(tx, None, &admins, "mail_held", &subject, &body, true, now).await?;
    Ok(())
}
