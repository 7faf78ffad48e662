//! Where a received message goes: onto the ticket it answers (only if its sender may see that
//! ticket), into a new ticket, or into the Unprocessed list; and writing it there.

use super::ingest::{Outcome, Received};
use super::parse::Incoming;
use crate::backend::attachments::store_bytes;
use crate::backend::db::{is_unique_violation, WriteTx};
use crate::backend::notify::mailer::notification_of_message_id;
use crate::backend::notify::outbox;
use crate::backend::notify::template::MailBody;
use crate::backend::policy::Actor;
use crate::backend::repo::attachments::{self as files, NewAttachment};
use crate::backend::repo::mail::{self as repo, MailboxRoute};
use crate::backend::repo::{orgs, tickets as ticket_rows, users};
use crate::backend::state::AppState;
use crate::backend::tickets::{self, Opening, TicketChange};
use crate::model::attachment::{check_size, clean_file_name};
use crate::model::live::LiveKind;
use crate::model::mail::{self, Automatic};
use crate::model::{
    AppError, AppResult, Channel, EventData, EventKind, Priority, Role, Status, TicketNumber,
};

/// More new tickets than this from one address in [`FLOOD_WINDOW_SECS`] are held.
pub const FLOOD_LIMIT: i64 = 20;
pub const FLOOD_WINDOW_SECS: i64 = 10 * 60;
/// Files taken from one message; the rest stay in the original.
pub const MAX_FILES: usize = 100;

pub(super) enum Decision {
    Hold {
        kind: &'static str,
        reason: String,
    },
    /// A step on ticket `number` by its sender.
    Continue {
        number: i64,
        actor: Actor,
    },
    /// A machine's answer (out-of-office, bounce) on ticket `number`: a step only staff see.
    MachineNote {
        number: i64,
    },
    /// A new ticket for the sender (created as a client of `org_id` if unknown).
    Open {
        requester: Option<Actor>,
        org_id: i64,
        follow_up: Option<i64>,
    },
}

fn hold(kind: &'static str, reason: impl Into<String>) -> AppResult<Decision> {
    Ok(Decision::Hold {
        kind,
        reason: reason.into(),
    })
}

pub(super) async fn decide(
    state: &AppState,
    arrival: super::Arrival,
    m: &Incoming,
) -> AppResult<Decision> {
    let Some(from) = m.from_address.as_deref() else {
        return hold("unparseable", "it has no sender address");
    };
    let mut conn = state.pool.acquire().await?;
    if repo::own_addresses(&mut conn)
        .await?
        .iter()
        .any(|own| own.eq_ignore_ascii_case(from))
    {
        return hold(
            "auto_reply",
            "it was sent from one of the desk's own mailboxes (a mail loop)",
        );
    }
    let sender = match repo::sender(&mut conn, from).await? {
        Some(s) if s.active && s.org_active => {
            users::me(&mut conn, s.id).await?.map(|me| Actor::from(&me))
        }
        Some(_) => {
            return hold(
                "not_allowed",
                format!("the account of {from} is deactivated"),
            )
        }
        None => None,
    };
    // threading: the messages it answers, then the subject's tag; never the subject's words
    let mut by_reference = repo::tickets_of_received(&mut conn, &m.answers).await?;
    let notification_ids: Vec<i64> = m
        .answers
        .iter()
        .filter_map(|id| notification_of_message_id(id))
        .collect();
    by_reference.extend(repo::tickets_of_notifications(&mut conn, &notification_ids).await?);
    drop(conn);
    let tagged = mail::subject_tag(&m.subject);
    let mut thread = None;
    if let Some(actor) = &sender {
        for number in by_reference.iter().copied().chain(tagged) {
            if let Some(t) = visible(state, actor, number).await? {
                thread = Some((number, t));
                break;
            }
        }
    }
    if let Some(kind) = m.automatic.filter(|a| !a.opens_tickets()) {
        // a machine's answer to our own mail names the ticket by reference: trusted enough for
        // a note only staff see
        let number = thread
            .as_ref()
            .map(|(n, _)| *n)
            .or(by_reference.first().copied());
        return match number {
            Some(number) => Ok(Decision::MachineNote { number }),
            None => hold("auto_reply", format!("it is {}", kind.describe())),
        };
    }
    let mut follow_up = None;
    if let (Some(actor), Some((number, t))) = (&sender, thread) {
        let actions = actor.ticket_actions(&tickets::facts(&t), state.now());
        if actions.reply_public || actions.reopen && t.status == Status::Resolved {
            return Ok(Decision::Continue {
                number,
                actor: actor.clone(),
            });
        }
        if actor.is_staff() {
            return hold(
                "not_allowed",
                format!("{} may not reply to {}", actor.name, TicketNumber(number)),
            );
        }
        // closed for good: the answer starts a new request that says what it follows
        follow_up = Some(number);
    }
    // a new ticket
    let mut conn = state.pool.acquire().await?;
    let since = state.now() - FLOOD_WINDOW_SECS;
    if repo::received_from_since(&mut conn, from, since).await? >= FLOOD_LIMIT {
        return hold(
            "rate_limited",
            format!("more than {FLOOD_LIMIT} messages from {from} in 10 minutes"),
        );
    }
    if let Some(actor) = sender {
        return match (actor.role.is_client(), actor.org_id) {
            (true, Some(org_id)) => Ok(Decision::Open {
                requester: Some(actor),
                org_id,
                follow_up,
            }),
            _ => hold(
                "not_allowed",
                format!(
                    "{} is help desk staff and the message answers no ticket they can see; raise the ticket in Frontline",
                    actor.name
                ),
            ),
        };
    }
    let mailbox = match arrival.mailbox_id {
        Some(id) => repo::route(&mut conn, id).await?,
        None => None,
    };
    let org = match mailbox.as_ref().and_then(|b| b.org_id) {
        Some(org_id) => Some((org_id, true)),
        None => match mail::domain_of(from) {
            Some(domain) => repo::org_of_domain(&mut conn, &domain).await?,
            None => None,
        },
    };
    match org {
        Some((org_id, true)) => Ok(Decision::Open {
            requester: None,
            org_id,
            follow_up,
        }),
        Some((_, false)) => hold(
            "not_allowed",
            format!("the client {from} belongs to is deactivated"),
        ),
        None => hold(
            "unknown_sender",
            format!(
                "nobody at {} is known to the desk: choose the client it is for",
                mail::domain_of(from).unwrap_or_else(|| from.to_string())
            ),
        ),
    }
}

/// The ticket `number` if `actor` may see it.
async fn visible(
    state: &AppState,
    actor: &Actor,
    number: i64,
) -> AppResult<Option<ticket_rows::TicketRecord>> {
    let scope = actor.ticket_scope(&state.pool).await?;
    let mut conn = state.pool.acquire().await?;
    match tickets::visible(&mut conn, &scope, actor, number).await {
        Ok(t) => Ok(Some(t)),
        Err(AppError::NotFound(_)) => Ok(None),
        Err(err) => Err(err),
    }
}

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
                quoted: split.quoted.map(|q| mail::fit_text(&q)),
                automatic: m.automatic.map(|_| true),
                ..Default::default()
            };
            tickets::add_reply(&mut c, body, true, data).await?;
            attach(&mut c, &files, actor.id).await?;
            repo::set_ticket(&mut c.tx, mail_id, c.ticket.id).await?;
            let number = c.number();
            c.commit().await?;
            Ok(Outcome::Continued(number))
        }
        Decision::MachineNote { number } => machine_note(state, received, m, number).await,
    }
}

/// Writes the `inbound_mail` row in the change's transaction; None if the message is already
/// there (a copy that raced this one).
async fn record(tx: &mut WriteTx, received: &Received, m: &Incoming) -> AppResult<Option<i64>> {
    let row = received.row(Some(m), "placed", None);
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
    let urgency = mail::urgency_of(&m.subject, &m.text, mail::URGENT_WORDS);
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
    };
    let t = tickets::open_ticket(&mut tx, state, &actor, opening).await?;
    repo::set_ticket(&mut tx, mail_id, t.id).await?;
    if let Some(mailbox) = &mailbox {
        repo::set_ticket_mailbox(&mut tx, t.id, mailbox.id).await?;
    }
    attach_new(&mut tx, &t, files, actor.id, received.now).await?;
    let event = tickets::live_event(&mut tx, LiveKind::Created, &t).await?;
    tickets::commit_and_announce(tx, state, event).await?;
    Ok(Outcome::Opened(TicketNumber(t.number)))
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
    let mut event = tickets::live_event(&mut tx, LiveKind::Changed, &t).await?;
    event.staff_only = true;
    tickets::commit_and_announce(tx, state, event).await?;
    Ok(Outcome::Continued(TicketNumber(number)))
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A file of the message, stored on disk (before the transaction), or why it was not taken.
pub(super) enum StoredFile {
    Kept {
        name: String,
        size: i64,
        sha: String,
    },
    Left {
        name: String,
        why: String,
    },
}

async fn store_files(state: &AppState, m: &Incoming) -> AppResult<Vec<StoredFile>> {
    let mut stored = Vec::new();
    for (i, file) in m.files.iter().enumerate() {
        let name = clean_file_name(&file.name).unwrap_or_else(|_| format!("attachment-{}", i + 1));
        if i >= MAX_FILES {
            stored.push(StoredFile::Left {
                name,
                why: format!("more than {MAX_FILES} files"),
            });
            continue;
        }
        if let Err(why) = check_size(file.bytes.len() as u64, state.settings.max_attachment_bytes) {
            stored.push(StoredFile::Left { name, why });
            continue;
        }
        let sha = store_bytes(state, &file.bytes).await?;
        stored.push(StoredFile::Kept {
            name,
            size: file.bytes.len() as i64,
            sha,
        });
    }
    Ok(stored)
}

/// Records the message's files on the ticket a change works on.
async fn attach(c: &mut TicketChange, files: &[StoredFile], by: i64) -> AppResult<()> {
    let (ticket_id, now) = (c.ticket.id, c.now);
    for (kind, public, body, data) in file_steps(&mut c.tx, ticket_id, files, by, now).await? {
        c.event(kind, public, body, data);
    }
    Ok(())
}

/// Records the message's files on a ticket being opened, with their steps.
async fn attach_new(
    tx: &mut WriteTx,
    t: &ticket_rows::TicketRecord,
    files: &[StoredFile],
    by: i64,
    now: i64,
) -> AppResult<()> {
    for (kind, public, body, data) in file_steps(tx, t.id, files, by, now).await? {
        let record = ticket_rows::EventRecord {
            ticket_id: t.id,
            at: now,
            actor_id: Some(by),
            kind: kind.as_str(),
            public,
            body,
            data: data.to_json(),
        };
        ticket_rows::insert_event(tx, &record).await?;
    }
    Ok(())
}

type Step = (EventKind, bool, Option<String>, EventData);

async fn file_steps(
    tx: &mut WriteTx,
    ticket_id: i64,
    files: &[StoredFile],
    by: i64,
    now: i64,
) -> AppResult<Vec<Step>> {
    let mut steps = Vec::new();
    let mut left = Vec::new();
    for file in files {
        match file {
            StoredFile::Kept { name, size, sha } => {
                let record = NewAttachment {
                    ticket_id,
                    file_name: name,
                    size_bytes: *size,
                    sha256: sha,
                    uploaded_by: by,
                    uploaded_at: now,
                    internal: false,
                };
                files::insert(tx, &record).await?;
                let data = EventData {
                    file: Some(name.clone()),
                    ..Default::default()
                };
                steps.push((EventKind::FileAttached, true, None, data));
            }
            StoredFile::Left { name, why } => left.push(format!("{name} ({why})")),
        }
    }
    if !left.is_empty() {
        let body = format!(
            "{} file(s) of the message were not attached and are kept in the original message: {}",
            left.len(),
            left.join(", ")
        );
        steps.push((
            EventKind::InternalNote,
            false,
            Some(body),
            EventData::default(),
        ));
    }
    Ok(steps)
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
