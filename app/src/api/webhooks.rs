//! Outgoing webhooks: subscriptions, their delivery log, "send test event" and "redeliver".
//! Administrators only (the backend checks).

use super::wire::{FormArgs, JsonArgs};
use crate::model::admin::{DeliveryPage, WebhookCreated, WebhookDraft, WebhookRow};
use crate::model::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend::{admin, request};

#[server(prefix = "/api", endpoint = "admin/webhooks", protocol = FormArgs)]
pub async fn list_webhooks() -> Result<Vec<WebhookRow>, AppError> {
    let actor = request::actor()?;
    admin::list_webhooks(&request::state()?, &actor).await
}

/// Creates a subscription (no `id`) or changes one; a new one's signing secret is in the answer,
/// the only time it is shown.
#[server(prefix = "/api", endpoint = "admin/save_webhook", protocol = JsonArgs)]
pub async fn save_webhook(
    id: Option<i64>,
    draft: WebhookDraft,
) -> Result<WebhookCreated, AppError> {
    let actor = request::actor()?;
    admin::save_webhook(&request::state()?, &actor, id, &draft).await
}

#[server(prefix = "/api", endpoint = "admin/set_webhook_active", protocol = FormArgs)]
pub async fn set_webhook_active(id: i64, active: bool) -> Result<(), AppError> {
    let actor = request::actor()?;
    admin::set_webhook_active(&request::state()?, &actor, id, active).await
}

#[server(prefix = "/api", endpoint = "admin/delete_webhook", protocol = FormArgs)]
pub async fn delete_webhook(id: i64) -> Result<(), AppError> {
    let actor = request::actor()?;
    admin::delete_webhook(&request::state()?, &actor, id).await
}

/// Sends the subscription a test event; returns the event's id.
#[server(prefix = "/api", endpoint = "admin/test_webhook", protocol = FormArgs)]
pub async fn send_test_event(id: i64) -> Result<String, AppError> {
    let actor = request::actor()?;
    admin::send_test_event(&request::state()?, &actor, id).await
}

/// A page of the subscription's deliveries, newest first; `before` from the previous page.
#[server(prefix = "/api", endpoint = "admin/webhook_deliveries", protocol = FormArgs)]
pub async fn webhook_deliveries(id: i64, before: Option<i64>) -> Result<DeliveryPage, AppError> {
    let actor = request::actor()?;
    admin::deliveries(&request::state()?, &actor, id, before).await
}

#[server(prefix = "/api", endpoint = "admin/redeliver_webhook", protocol = FormArgs)]
pub async fn redeliver_webhook(id: i64, delivery_id: i64) -> Result<(), AppError> {
    let actor = request::actor()?;
    admin::redeliver(&request::state()?, &actor, id, delivery_id).await
}
