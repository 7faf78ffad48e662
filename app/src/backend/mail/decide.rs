//! Where a received message goes: onto the ticket it answers (only if its sender may see that
//! ticket), into a new ticket, or into the Unprocessed list with the reason.

use super::parse::Incoming;
use crate::backend::notify::mailer::notification_of_message_id;
use crate::backend::policy::Actor;
use crate::backend::repo::mail as repo;
use crate::backend::repo::{tickets as ticket_rows, users};
use crate::backend::state::AppState;
use crate::backend::tickets;
use crate::model::mail;
use crate::model::{AppError, AppResult, Status, TicketNumber};

/// More new tickets than this from one address in [`FLOOD_WINDOW_SECS`] are held.
pub const FLOOD_LIMIT: i64 = 20;
pub const FLOOD_WINDOW_SECS: i64 = 10 * 60;

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
