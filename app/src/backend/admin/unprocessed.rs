//! The Unprocessed list: received mail nobody could place, for the people who assign work and
//! configure the desk (administrators, leads, managers). Each decision (retry, open a ticket for
//! an organization, discard) is audited; the original message can be downloaded.

use super::change::{AdminChange, Audit};
use super::mail_domains::{free_domain, remember_domain as remember};
use crate::backend::mail::{held, Outcome};
use crate::backend::policy::Actor;
use crate::backend::repo::{self, held_mail::Stored};
use crate::backend::state::AppState;
use crate::backend::tickets;
use crate::model::admin::{AuditAction, HeldPage, HoldKind, MailDecided, HELD_PAGE, MAX_HELD_PAGE};
use crate::model::mail::domain_of;
use crate::model::{AppError, AppResult, Page};
use serde_json::json;

pub async fn held_page(
    state: &AppState,
    actor: &Actor,
    kind: Option<String>,
    page: i64,
) -> AppResult<HeldPage> {
    actor.require_page(Page::Mail)?;
    let kind =
        match kind.as_deref().filter(|k| !k.is_empty()) {
            Some(raw) => Some(HoldKind::parse(raw).ok_or_else(|| {
                AppError::Invalid(format!("\"{raw}\" is not a kind of held mail."))
            })?),
            None => None,
        };
    if !(0..=MAX_HELD_PAGE).contains(&page) {
        return Err(AppError::Invalid(format!(
            "There is no page {page} of held mail."
        )));
    }
    let mut conn = state.pool.acquire().await?;
    Ok(HeldPage {
        rows: repo::held_mail::held(&mut conn, kind, page * HELD_PAGE, HELD_PAGE).await?,
        counts: repo::held_mail::held_counts(&mut conn).await?,
        total: repo::held_mail::held_total(&mut conn, kind).await?,
        page,
        now: state.now(),
        orgs: repo::orgs::choices(&mut conn).await?,
    })
}

/// "the message from ana@contoso.com “Printer”", for summaries.
fn named(stored: &Stored) -> String {
    let from = stored
        .from_address
        .as_deref()
        .unwrap_or("an unknown sender");
    match stored.subject.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(subject) => format!("the message from {from} “{subject}”"),
        None => format!("the message from {from}"),
    }
}

fn decided(outcome: &Outcome) -> MailDecided {
    let (message, held) = match outcome {
        Outcome::Opened(number) => (format!("Opened {number}."), false),
        Outcome::Continued(number) => (format!("Added to {number}."), false),
        Outcome::Held(reason) => (format!("Still held: {reason}."), true),
        Outcome::Duplicate => ("Already placed.".to_string(), false),
    };
    MailDecided { message, held }
}

/// The audit row of a decision that placing made (or not): written after the ticket change,
/// which commits on its own.
async fn record(
    state: &AppState,
    actor: &Actor,
    action: AuditAction,
    stored: &Stored,
    what: &str,
    result: &MailDecided,
) -> AppResult<()> {
    let c = AdminChange::begin_by(state, actor.id).await?;
    let summary = format!("{what} {}: {}", named(stored), result.message);
    c.commit(
        Audit::new(action, stored.id, summary)
            .before(&json!({ "status": "held", "kind": stored.hold_kind, "reason": stored.reason }))
            .after(&json!({ "result": result.message })),
    )
    .await
}

/// Runs a held message through the placing rules again.
pub async fn retry_mail(state: &AppState, actor: &Actor, id: i64) -> AppResult<MailDecided> {
    actor.require_page(Page::Mail)?;
    let stored = held::held(state, id).await?;
    let result = decided(&held::retry(state, id, actor.id).await?);
    record(
        state,
        actor,
        AuditAction::MailRetry,
        &stored,
        "Retried",
        &result,
    )
    .await?;
    Ok(result)
}

/// Opens a held message as a ticket of `org_id`; `remember_domain` also gives the sender's mail
/// domain to that organization, so its next mail is placed without anyone.
pub async fn open_from_mail(
    state: &AppState,
    actor: &Actor,
    id: i64,
    org_id: i64,
    remember_domain: bool,
) -> AppResult<MailDecided> {
    actor.require_page(Page::Mail)?;
    let stored = held::held(state, id).await?;
    let domain = match (
        remember_domain,
        stored.from_address.as_deref().and_then(domain_of),
    ) {
        (false, _) => None,
        (true, None) => {
            return Err(AppError::Invalid(
                "The message has no sender address, so there is no domain to remember.".into(),
            ))
        }
        // refused before the ticket is opened: nothing half done
        (true, Some(domain)) => {
            let mut conn = state.pool.acquire().await?;
            Some(free_domain(&mut conn, org_id, &domain).await?)
        }
    };
    let mut result = decided(&held::open_for(state, id, org_id, actor.id).await?);
    record(
        state,
        actor,
        AuditAction::MailCreateTicket,
        &stored,
        "Opened a ticket from",
        &result,
    )
    .await?;
    if let (Some(domain), false) = (domain, result.held) {
        match remember(state, actor.id, org_id, &domain).await {
            Ok(domain) => result.message.push_str(&format!(
                " Mail from {domain} now goes to that organization."
            )),
            Err(err) => result
                .message
                .push_str(&format!(" The domain was not remembered: {err}")),
        }
    }
    Ok(result)
}

/// Throws a held message away; its original stays stored.
pub async fn discard_mail(state: &AppState, actor: &Actor, id: i64) -> AppResult<()> {
    actor.require_page(Page::Mail)?;
    let mut c = AdminChange::begin_by(state, actor.id).await?;
    let stored = repo::held_mail::find(&mut c.tx, id)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such message.".into()))?;
    if !repo::held_mail::discard(&mut c.tx, id, actor.id, c.now).await? {
        return Err(AppError::Conflict(
            "Someone already decided on this message; reload the list.".into(),
        ));
    }
    let summary = format!("Discarded {}", named(&stored));
    c.commit(
        Audit::new(AuditAction::MailDiscard, id, summary)
            .before(&json!({ "status": "held", "kind": stored.hold_kind, "reason": stored.reason }))
            .after(&json!({ "status": "discarded" })),
    )
    .await
}

/// The original of received message `id` ("message-12.eml" and its bytes): for those who see
/// the Unprocessed list, and for staff who may see the ticket it became; 404 for everyone else.
pub async fn original(state: &AppState, actor: &Actor, id: i64) -> AppResult<(String, Vec<u8>)> {
    let not_found = || AppError::NotFound("There is no such message.".into());
    let mut conn = state.pool.acquire().await?;
    let stored = repo::held_mail::find(&mut conn, id)
        .await?
        .ok_or_else(not_found)?;
    let allowed = if actor.role.may_open(Page::Mail) {
        true
    } else if let (true, Some(ticket_id)) = (actor.is_staff(), stored.ticket_id) {
        let scope = actor.ticket_scope(&state.pool).await?;
        match repo::tickets::find_by_id(&mut conn, ticket_id).await? {
            Some(t) => tickets::visible(&mut conn, &scope, actor, t.number)
                .await
                .is_ok(),
            None => false,
        }
    } else {
        false
    };
    if !allowed {
        return Err(not_found());
    }
    drop(conn);
    let bytes = held::raw(state, &stored.sha256).await?;
    Ok((format!("message-{id}.eml"), bytes))
}
