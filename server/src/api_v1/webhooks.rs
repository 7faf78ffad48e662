//! `/api/v1/webhooks`: administrators subscribe URLs to the desk's events from scripts, as they
//! do under Administration -> Webhooks (the same backend functions, audited the same way).

use super::auth::Caller;
use super::error::{ApiError, ApiJson, ApiResult, ErrorBody};
use app::backend::{admin, AppState};
use app::model::admin::{WebhookDraft, WebhookKind, WebhookRow};
use app::model::AppError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, subscribe))
        .routes(routes!(unsubscribe))
}

/// A subscription as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct Webhook {
    pub id: i64,
    pub name: String,
    pub url: String,
    /// `standard` (signed JSON), `slack` or `teams`.
    pub kind: String,
    pub events: Vec<String>,
    pub organization: Option<String>,
    pub team: Option<String>,
    pub min_priority: Option<String>,
    pub active: bool,
    /// Why the desk turned it off by itself.
    pub disabled_reason: Option<String>,
}

impl From<WebhookRow> for Webhook {
    fn from(w: WebhookRow) -> Self {
        Webhook {
            id: w.id,
            name: w.draft.name,
            url: w.draft.url,
            kind: w.draft.kind.as_str().to_string(),
            events: w.draft.events,
            organization: w.org,
            team: w.team,
            min_priority: w.draft.min_priority.map(|p| p.to_string()),
            active: w.active,
            disabled_reason: w.disabled_reason,
        }
    }
}

/// A new subscription.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    #[schema(example = "PSA sync")]
    pub name: String,
    #[schema(example = "https://psa.example.com/hooks/frontline")]
    pub url: String,
    /// `standard` (default), `slack` or `teams`.
    pub kind: Option<String>,
    /// Any of `ticket.created`, `ticket.replied`, `ticket.status_changed`, `ticket.assigned`,
    /// `ticket.resolved`, `sla.warning`, `sla.breached`.
    #[schema(example = json!(["ticket.created", "sla.breached"]))]
    pub events: Vec<String>,
    /// Only this organization's tickets.
    pub organization_id: Option<i64>,
    /// Only this team's tickets.
    pub team_id: Option<i64>,
    /// Only tickets of this priority (`p1`, `p2`, `p3`, `ops`) or a more urgent one.
    pub min_priority: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Subscribed {
    pub id: i64,
    /// `whsec_...` for a standard subscription: verify each delivery's `webhook-signature`
    /// with it. Shown this once.
    pub secret: Option<String>,
}

/// The desk's webhook subscriptions (administrators).
#[utoipa::path(get, path = "/webhooks", tag = "webhooks",
    responses((status = 200, body = Vec<Webhook>), (status = "4XX", body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Json<Vec<Webhook>>> {
    let rows = admin::list_webhooks(&state, &caller.actor).await?;
    Ok(Json(rows.into_iter().map(Webhook::from).collect()))
}

/// Subscribes a URL to events (administrators). Targets on private networks are refused unless
/// the desk allows their host; deliveries are signed per Standard Webhooks.
#[utoipa::path(post, path = "/webhooks", tag = "webhooks", request_body = NewWebhook,
    responses((status = 201, body = Subscribed), (status = "4XX", body = ErrorBody)))]
async fn subscribe(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(w): ApiJson<NewWebhook>,
) -> ApiResult<(StatusCode, Json<Subscribed>)> {
    let kind = match w.kind.as_deref() {
        None => WebhookKind::Standard,
        Some(kind) => WebhookKind::parse(kind).ok_or_else(|| {
            ApiError::on_field(
                AppError::invalid(format!(
                    "Unknown kind \"{kind}\": standard, slack or teams."
                )),
                "kind",
            )
        })?,
    };
    let min_priority = w
        .min_priority
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(|e: String| ApiError::on_field(AppError::invalid(e), "min_priority"))?;
    let draft = WebhookDraft {
        name: w.name,
        url: w.url,
        kind,
        events: w.events,
        org_id: w.organization_id,
        team_id: w.team_id,
        min_priority,
    };
    let made = admin::save_webhook(&state, &caller.actor, None, &draft).await?;
    Ok((
        StatusCode::CREATED,
        Json(Subscribed {
            id: made.id,
            secret: made.secret,
        }),
    ))
}

/// Removes a subscription and its delivery log; what was not delivered is never sent
/// (administrators).
#[utoipa::path(delete, path = "/webhooks/{id}", tag = "webhooks", params(("id" = i64, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
async fn unsubscribe(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = id
        .parse::<i64>()
        .map_err(|_| ApiError::from(AppError::not_found("That webhook")))?;
    admin::delete_webhook(&state, &caller.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
