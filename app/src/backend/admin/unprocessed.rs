//! The Unprocessed list: received mail nobody could place, for the people who assign work and
//! configure the desk (administrators, leads, managers). Each decision (retry, open a ticket for
//! an organization, discard) is audited; the original message can be downloaded.

use super::change::{AdminChange, Audit};
use super::mail_domains::{free_domain, remember_domain as remember};
use crate::backend::mail::held::{self, Decision};
use crate::backend::policy::Actor;
use crate::backend::repo;
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

/// Runs a held message through the placing rules again.
pub async fn retry_mail(state: &AppState, actor: &Actor, id: i64) -> AppResult<MailDecided> {
    actor.require_page(Page::Mail)?;
    let decision = Decision {
        by: actor.id,
        action: AuditAction::MailRetry,
        done: "Retried",
    };
    Ok(held::retry(state, id, decision).await?.decided())
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
    let decision = Decision {
        by: actor.id,
        action: AuditAction::MailCreateTicket,
        done: "Opened a ticket from",
    };
    let mut result = held::open_for(state, id, org_id, decision).await?.decided();
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
    let summary = format!("Discarded {}", held::named(&stored));
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
    // taken before the connection: it may take one of its own
    let scope = actor.ticket_scope(&state.pool).await?;
    let mut conn = state.pool.acquire().await?;
    let stored = repo::held_mail::find(&mut conn, id)
        .await?
        .ok_or_else(not_found)?;
    let allowed = if actor.role.may_open(Page::Mail) {
        true
    } else if let (true, Some(ticket_id)) = (actor.is_staff(), stored.ticket_id) {
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
