//! `/api/v1/alerts` (monitoring tools report alerts; one ticket per alert) and an organization's
//! maintenance windows (alerts inside one open no ticket and page nobody).

use super::auth::Caller;
use super::error::{ApiError, ApiJson, ApiResult, ErrorBody};
use app::backend::{tickets, AppState};
use app::model::alert::{AlertReport, MaintenanceWindow as Window, Outcome};
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
        .routes(routes!(report))
        .routes(routes!(windows, plan))
        .routes(routes!(end))
}

/// One report of a monitoring alert.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Alert {
    /// The monitoring tool.
    #[schema(example = "PRTG")]
    pub source: String,
    /// What the alert is about, the same in each of its reports.
    #[schema(example = "srv-01/disk-c")]
    pub key: String,
    /// The organization's code.
    #[schema(example = "NWL")]
    pub organization: String,
    /// `critical` (a P1: pages the person on call), `major` (P2), `minor` or `warning` (P3),
    /// `info` (operational).
    #[schema(example = "critical")]
    pub severity: String,
    #[schema(example = "Disk C: below 5% free")]
    pub title: String,
    pub details: Option<String>,
    /// `firing` or `resolved`.
    #[schema(example = "firing")]
    pub status: String,
    pub device: Option<String>,
    /// The e-mail address of the client user the ticket is for; the organization's first
    /// client administrator when left out.
    pub requester: Option<String>,
}

/// What the desk did with a report.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertResult {
    /// `opened` (a new ticket), `repeated` (a step on its open ticket), `resolved` (it cleared
    /// and nobody had touched the ticket), `cleared` (it cleared; people keep the ticket),
    /// `reopened` (back soon after clearing), `suppressed` (inside a maintenance window: no
    /// ticket, no page), `recorded` (nothing open to change).
    #[schema(example = "opened")]
    pub outcome: String,
    /// The alert's ticket, if it has one.
    pub ticket: Option<AlertTicket>,
    /// Times it fired since its ticket was opened.
    pub fired_count: i64,
    /// Reports that fell in maintenance windows.
    pub suppressed_count: i64,
    /// It comes back so often that its ticket stays open for a person.
    pub flapping: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AlertTicket {
    pub number: i64,
    #[schema(example = "HD-1234")]
    pub reference: String,
    pub version: i64,
}

/// Reports an alert. One ticket per (organization, source, key): a repeated `firing` adds a
/// step to the open ticket, `resolved` resolves it if no person has touched it, an alert that
/// keeps coming back within the flapping window keeps its ticket open. Inside a maintenance
/// window nothing is opened. Answers 201 when a ticket was opened.
#[utoipa::path(post, path = "/alerts", tag = "alerts", request_body = Alert,
    responses((status = 201, body = AlertResult), (status = 200, body = AlertResult),
        (status = "4XX", body = ErrorBody)))]
async fn report(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(a): ApiJson<Alert>,
) -> ApiResult<(StatusCode, Json<AlertResult>)> {
    let report = AlertReport {
        source: a.source,
        key: a.key,
        organization: a.organization,
        severity: a.severity,
        title: a.title,
        details: a.details,
        status: a.status,
        device: a.device,
        requester: a.requester,
    };
    let valid = report
        .validate()
        .map_err(|r| ApiError::on_field(AppError::Invalid(r.message), r.field))?;
    let answer = tickets::report_alert(&state, &caller.actor, &valid).await?;
    let status = if answer.outcome == Outcome::Opened {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(AlertResult {
            outcome: answer.outcome.to_string(),
            ticket: answer.ticket.map(|t| AlertTicket {
                number: t.number.0,
                reference: t.number.to_string(),
                version: t.version,
            }),
            fired_count: answer.fired_count,
            suppressed_count: answer.suppressed_count,
            flapping: answer.flapping,
        }),
    ))
}

/// A period in which the organization's alerts open no ticket and page nobody.
#[derive(Debug, Serialize, ToSchema)]
pub struct MaintenanceWindow {
    pub id: i64,
    #[schema(example = "NWL")]
    pub organization: String,
    pub starts_at: i64,
    pub ends_at: i64,
    #[schema(example = "Patch night")]
    pub reason: String,
}

impl From<Window> for MaintenanceWindow {
    fn from(w: Window) -> Self {
        MaintenanceWindow {
            id: w.id,
            organization: w.org_code,
            starts_at: w.starts_at,
            ends_at: w.ends_at,
            reason: w.reason,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWindow {
    pub starts_at: i64,
    /// At most 7 days after `starts_at`, and not already past.
    pub ends_at: i64,
    #[schema(example = "Patch night")]
    pub reason: String,
}

/// The organization's maintenance windows still to come or running, soonest first (the staff
/// who serve it and administrators).
#[utoipa::path(get, path = "/organizations/{code}/maintenance-windows", tag = "alerts",
    params(("code" = String, Path)),
    responses((status = 200, body = Vec<MaintenanceWindow>), (status = "4XX", body = ErrorBody)))]
async fn windows(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(code): Path<String>,
) -> ApiResult<Json<Vec<MaintenanceWindow>>> {
    let windows = tickets::maintenance_windows(&state, &caller.actor, &code).await?;
    Ok(Json(windows.into_iter().map(Into::into).collect()))
}

/// Plans a maintenance window (team leads, managers and administrators).
#[utoipa::path(post, path = "/organizations/{code}/maintenance-windows", tag = "alerts",
    params(("code" = String, Path)), request_body = NewWindow,
    responses((status = 201, body = MaintenanceWindow), (status = "4XX", body = ErrorBody)))]
async fn plan(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(code): Path<String>,
    ApiJson(w): ApiJson<NewWindow>,
) -> ApiResult<(StatusCode, Json<MaintenanceWindow>)> {
    let window = tickets::plan_maintenance(
        &state,
        &caller.actor,
        &code,
        w.starts_at,
        w.ends_at,
        &w.reason,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(window.into())))
}

/// Ends a running window now, or cancels one still to come.
#[utoipa::path(delete, path = "/organizations/{code}/maintenance-windows/{id}", tag = "alerts",
    params(("code" = String, Path), ("id" = i64, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
async fn end(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((code, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let id = id
        .parse::<i64>()
        .map_err(|_| ApiError::from(AppError::not_found("That maintenance window")))?;
    tickets::end_maintenance(&state, &caller.actor, &code, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
