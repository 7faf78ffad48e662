//! Webhook subscriptions: which URLs hear of which events, their delivery log, "send test
//! event" and "redeliver". The signing secret is made here, shown once in the answer to the
//! creation, and sealed with `FRONTLINE_SECRET_KEY`; the audit log records neither it nor its
//! sealed form. A URL the SSRF guard refuses is refused when saved (and again at each delivery).

use super::change::{AdminChange, Audit};
use super::toggle::{self, toggle, Found};
use super::{invalid, unique_or};
use crate::backend::db::Conn;
use crate::backend::policy::Actor;
use crate::backend::repo::{self, webhooks as rows};
use crate::backend::secrets::seal;
use crate::backend::state::AppState;
use crate::backend::webhooks::{guard, payload, signing, RETRY_SECS};
use crate::model::admin::{
    AuditAction, DeliveryPage, WebhookCreated, WebhookDraft, WebhookRow, DELIVERY_PAGE, TEST_EVENT,
};
use crate::model::{AppError, AppResult};
use serde_json::json;

pub async fn list_webhooks(state: &AppState, actor: &Actor) -> AppResult<Vec<WebhookRow>> {
    actor.require_admin()?;
    Ok(rows::rows(&mut state.pool.acquire().await?).await?)
}

async fn existing(conn: &mut Conn, id: i64) -> AppResult<WebhookRow> {
    rows::load(conn, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("There is no webhook {id}.")))
}

/// Checks what the model cannot: the organization and team exist.
async fn check(conn: &mut Conn, draft: &WebhookDraft) -> AppResult<()> {
    if let Some(org) = draft.org_id {
        if repo::count_existing(conn, "organizations", &[org]).await? != 1 {
            return Err(invalid("The chosen organization does not exist.".into()));
        }
    }
    if let Some(team) = draft.team_id {
        if repo::count_existing(conn, "teams", &[team]).await? != 1 {
            return Err(invalid("The chosen team does not exist.".into()));
        }
    }
    Ok(())
}

/// Creates a subscription (no `id`) or changes one. A new standard subscription's signing
/// secret is in the answer, the only time it is shown.
pub async fn save_webhook(
    state: &AppState,
    actor: &Actor,
    id: Option<i64>,
    draft: &WebhookDraft,
) -> AppResult<WebhookCreated> {
    actor.require_admin()?;
    let v = draft.validate().map_err(invalid)?;
    // resolved before the transaction, which must not wait on DNS
    guard::vet(&v.url, &state.settings.webhooks.allow_hosts)
        .await
        .map_err(|why| invalid(format!("The desk will not send to this URL: {why}.")))?;
    let mut c = AdminChange::begin(state, actor).await?;
    let before = match id {
        Some(id) => Some(existing(&mut c.tx, id).await?),
        None => None,
    };
    if before.as_ref().is_some_and(|b| b.draft.kind != draft.kind) {
        return Err(invalid(
            "A webhook keeps the kind it was made with; make a new one for another kind.".into(),
        ));
    }
    check(&mut c.tx, draft).await?;
    let taken = || format!("Another webhook is already called {}.", v.name);
    let (id, secret) = match id {
        Some(id) => {
            rows::update(&mut c.tx, id, &v, draft)
                .await
                .map_err(|e| unique_or(e, taken))?;
            (id, None)
        }
        None => {
            let secret = match (draft.kind.signed(), &state.settings.secret_key) {
                (false, _) => None,
                (true, Some(key)) => Some(signing::new_secret()).map(|s| (seal(key, &s), s)),
                (true, None) => return Err(invalid(
                    "The server has no FRONTLINE_SECRET_KEY, so it cannot keep a signing secret safely; set it and restart.".into(),
                )),
            };
            let sealed = secret.as_ref().map(|(sealed, _)| sealed.as_str());
            let id = rows::insert(&mut c.tx, &v, draft, sealed, actor.id, c.now)
                .await
                .map_err(|e| unique_or(e, taken))?;
            (id, secret.map(|(_, plain)| plain))
        }
    };
    let after = existing(&mut c.tx, id).await?;
    let what = format!("webhook {} ({})", v.name, v.url);
    let audit = Audit::saved(
        (AuditAction::WebhookCreate, AuditAction::WebhookUpdate),
        id,
        &what,
        before.as_ref().map(|b| &b.draft),
    )
    .after(&after.draft);
    c.commit(audit).await?;
    Ok(WebhookCreated { id, secret })
}

/// Pauses a subscription (nothing is written for it meanwhile) or enables it again.
pub async fn set_webhook_active(
    state: &AppState,
    actor: &Actor,
    id: i64,
    active: bool,
) -> AppResult<()> {
    let load = async |conn: &mut Conn| {
        let was = existing(conn, id).await?;
        Ok(
            Found::new((), was.active, format!("webhook {}", was.draft.name))
                .before(json!({ "active": was.active, "disabled_reason": was.disabled_reason })),
        )
    };
    // switching on or off by hand clears the reason the desk paused it for
    let write = async |c: &mut AdminChange, _: &()| {
        Ok(rows::set_active(&mut c.tx, id, active, None).await?)
    };
    if toggle(state, actor, &toggle::WEBHOOK, id, active, load, write).await? {
        state.webhook_wake.notify_one();
    }
    Ok(())
}

/// Deletes a subscription and its delivery log; what was not delivered is never sent.
pub async fn delete_webhook(state: &AppState, actor: &Actor, id: i64) -> AppResult<()> {
    let mut c = AdminChange::begin(state, actor).await?;
    let was = existing(&mut c.tx, id).await?;
    rows::delete(&mut c.tx, id).await?;
    let summary = format!("Deleted webhook {} ({})", was.draft.name, was.draft.url);
    c.commit(Audit::new(AuditAction::WebhookDelete, id, summary).before(&was.draft))
        .await
}

/// Writes a test event for the subscription (sent even while it is paused); returns its id.
pub async fn send_test_event(state: &AppState, actor: &Actor, id: i64) -> AppResult<String> {
    let mut c = AdminChange::begin(state, actor).await?;
    let was = existing(&mut c.tx, id).await?;
    let event_id = payload::event_id();
    let body = payload::event(
        &event_id,
        TEST_EVENT,
        c.now,
        None,
        json!({ "message": format!("A test event for the webhook \"{}\" from Frontline.", was.draft.name) }),
    );
    rows::insert_delivery(
        &mut c.tx,
        &rows::NewDelivery {
            subscription_id: id,
            event_id: &event_id,
            event_type: TEST_EVENT,
            ticket_id: None,
            payload: &body,
            now: c.now,
            retry_until: c.now + RETRY_SECS,
        },
    )
    .await?;
    let summary = format!("Sent a test event to webhook {}", was.draft.name);
    c.commit(
        Audit::new(AuditAction::WebhookTest, id, summary).after(&json!({ "event_id": event_id })),
    )
    .await?;
    state.webhook_wake.notify_one();
    Ok(event_id)
}

/// Sends a delivery again, under its own event id, with another day of retries.
pub async fn redeliver(
    state: &AppState,
    actor: &Actor,
    id: i64,
    delivery_id: i64,
) -> AppResult<()> {
    let mut c = AdminChange::begin(state, actor).await?;
    let was = existing(&mut c.tx, id).await?;
    if !rows::redeliver(&mut c.tx, id, delivery_id, c.now, c.now + RETRY_SECS).await? {
        return Err(AppError::NotFound(format!(
            "The webhook {} has no delivery {delivery_id}.",
            was.draft.name
        )));
    }
    let summary = format!(
        "Redelivered delivery {delivery_id} of webhook {}",
        was.draft.name
    );
    c.commit(
        Audit::new(AuditAction::WebhookRedeliver, id, summary)
            .after(&json!({ "delivery": delivery_id })),
    )
    .await?;
    state.webhook_wake.notify_one();
    Ok(())
}

/// A page of a subscription's delivery log, newest first.
pub async fn deliveries(
    state: &AppState,
    actor: &Actor,
    id: i64,
    before: Option<i64>,
) -> AppResult<DeliveryPage> {
    actor.require_admin()?;
    let mut conn = state.pool.acquire().await?;
    let subscription = existing(&mut conn, id).await?.draft.name;
    let deliveries = rows::deliveries(&mut conn, id, before, DELIVERY_PAGE).await?;
    let older = (deliveries.len() as i64 == DELIVERY_PAGE)
        .then(|| deliveries.last().map(|d| d.id))
        .flatten();
    Ok(DeliveryPage {
        subscription,
        deliveries,
        older,
        now: state.now(),
    })
}
