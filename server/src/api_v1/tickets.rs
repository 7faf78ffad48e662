//! `/api/v1/tickets`: list, read, raise and work tickets. Each handler hands off to the same
//! backend function the pages' server functions call, as the token's user.

use super::auth::Caller;
use super::error::{ApiError, ApiJson, ApiJsonOrEmpty, ApiQuery, ApiResult, ErrorBody};
use super::schema::{
    sla_of, Assign, Changed, NewTicket, Reopen, Resolve, SetPending, SetPriority, SetTier, Sla,
    Text, Ticket, TicketPage, TicketSummary, Versioned,
};
use app::backend::{api_tokens, tickets, AppState};
use app::model::queue::QueueFilter;
use app::model::{AppError, Channel};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::time::Duration;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(read))
        .routes(routes!(sla))
        .routes(routes!(reply))
        .routes(routes!(note))
        .routes(routes!(claim))
        .routes(routes!(assign))
        .routes(routes!(priority))
        .routes(routes!(tier))
        .routes(routes!(pending))
        .routes(routes!(resume))
        .routes(routes!(resolve))
        .routes(routes!(close))
        .routes(routes!(reopen))
}

/// A ticket number in a path: `1234` or `HD-1234`.
fn number(raw: &str) -> ApiResult<i64> {
    let digits = raw.strip_prefix("HD-").unwrap_or(raw);
    let number = digits.parse::<i64>().map_err(|_| {
        ApiError::from(AppError::BadRequest(format!(
            "\"{raw}\" is not a ticket number."
        )))
    })?;
    Ok(tickets::number_of(number)?)
}

/// The version a change is made against: the body's `version`, else `If-Match`.
fn version(headers: &HeaderMap, body: Option<i64>) -> ApiResult<i64> {
    if let Some(v) = body {
        return Ok(v);
    }
    let header = headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'));
    match header.map(str::parse::<i64>) {
        Some(Ok(v)) => Ok(v),
        Some(Err(_)) => Err(ApiError::on_field(
            AppError::BadRequest("If-Match must be the ticket's version, like \"3\".".into()),
            "If-Match",
        )),
        None => Err(ApiError::on_field(
            AppError::invalid(
                "Say which version of the ticket you change: \"version\" or If-Match.",
            ),
            "version",
        )),
    }
}

fn parsed<T: std::str::FromStr<Err = String>>(value: &str, field: &str) -> ApiResult<T> {
    value
        .parse()
        .map_err(|e: String| ApiError::on_field(AppError::invalid(e), field))
}

/// The queue's filters, search and paging.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `active` (all open work, the default), `new`, `open`, `pending`, `resolved`, `closed`.
    status: Option<String>,
    /// An organization's code.
    client: Option<String>,
    /// `p1`, `p2`, `p3`, `ops`.
    priority: Option<String>,
    team: Option<String>,
    tier: Option<String>,
    /// `any`, `me`, `unassigned`.
    assignee: Option<String>,
    /// `budget` or `approval`.
    flag: Option<String>,
    /// Full-text search.
    q: Option<String>,
    /// 1 to 100 (default 25).
    limit: Option<usize>,
    /// The `next` of the previous page.
    cursor: Option<String>,
}

/// Tickets the caller may see, in queue order (open work first, earliest due on top).
#[utoipa::path(get, path = "/tickets", tag = "tickets", params(ListParams),
    responses((status = 200, body = TicketPage), (status = "4XX", body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<TicketPage>> {
    let pairs = [
        ("status", &p.status),
        ("client", &p.client),
        ("priority", &p.priority),
        ("team", &p.team),
        ("tier", &p.tier),
        ("assignee", &p.assignee),
        ("flag", &p.flag),
        ("q", &p.q),
        ("after", &p.cursor),
    ];
    let filter = QueueFilter::from_query(
        pairs
            .iter()
            .filter_map(|(k, v)| v.as_deref().map(|v| (*k, v))),
    )
    .map_err(|e| ApiError::from(AppError::BadRequest(e)))?;
    let limit = p.limit.unwrap_or(25);
    let (rows, next) = tickets::list_page(&state, &caller.actor, &filter, limit)
        .await
        .map_err(|e| match e {
            AppError::Invalid(_) if !(1..=tickets::MAX_LIST_PAGE).contains(&limit) => {
                ApiError::on_field(e, "limit")
            }
            e => e.into(),
        })?;
    Ok(Json(TicketPage {
        tickets: rows.into_iter().map(TicketSummary::from).collect(),
        next: next.map(|c| c.to_string()),
    }))
}

/// A ticket with its timeline (what the caller may see of it). Its `ETag` is its version.
#[utoipa::path(get, path = "/tickets/{number}", tag = "tickets",
    params(("number" = String, Path, description = "1234 or HD-1234")),
    responses((status = 200, body = Ticket), (status = "4XX", body = ErrorBody)))]
async fn read(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(raw): Path<String>,
) -> ApiResult<Response> {
    let view = tickets::ticket_view(&state, &caller.actor, number(&raw)?).await?;
    let etag = HeaderValue::from_str(&format!("\"{}\"", view.ticket.version))
        .map_err(|_| AppError::Internal)?;
    Ok(([(header::ETAG, etag)], Json(Ticket::from(view))).into_response())
}

/// A ticket's SLA clocks.
#[utoipa::path(get, path = "/tickets/{number}/sla", tag = "tickets",
    params(("number" = String, Path, description = "1234 or HD-1234")),
    responses((status = 200, body = Sla), (status = "4XX", body = ErrorBody)))]
async fn sla(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(raw): Path<String>,
) -> ApiResult<Json<Sla>> {
    let view = tickets::ticket_view(&state, &caller.actor, number(&raw)?).await?;
    Ok(Json(sla_of(&view)))
}

/// How long a retry waits for the first request with its key to be answered.
const IN_FLIGHT_WAIT: Duration = Duration::from_secs(10);

/// Raises a ticket. With `Idempotency-Key`, a retry of the same request gets the first answer
/// (for 24 hours) and never a second ticket; the same key with another body gets 422.
#[utoipa::path(post, path = "/tickets", tag = "tickets", request_body = NewTicket,
    params(("Idempotency-Key" = Option<String>, Header, description = "Up to 200 characters")),
    responses((status = 201, body = Changed), (status = "4XX", body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<NewTicket>,
) -> ApiResult<Response> {
    let Some(key) = headers.get("idempotency-key") else {
        return raise(&state, &caller, &input).await.map(created);
    };
    let key = key
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 200)
        .ok_or_else(|| {
            ApiError::on_field(
                AppError::BadRequest("Idempotency-Key must be 1 to 200 visible characters.".into()),
                "Idempotency-Key",
            )
        })?;
    let hash = hex::encode(Sha256::digest(
        serde_json::to_vec(&input).map_err(|_| AppError::Internal)?,
    ));
    let waited = tokio::time::Instant::now();
    loop {
        match api_tokens::claim_key(&state, caller.token_id, key, &hash).await? {
            api_tokens::KeyClaim::Claimed => break,
            api_tokens::KeyClaim::Answered { status, body } => {
                let status = StatusCode::from_u16(status).map_err(|_| AppError::Internal)?;
                let json = [(header::CONTENT_TYPE, "application/json")];
                return Ok((status, json, body).into_response());
            }
            api_tokens::KeyClaim::OtherRequest => {
                return Err(ApiError::on_field(
                    AppError::invalid("This Idempotency-Key was used for a different request."),
                    "Idempotency-Key",
                ))
            }
            api_tokens::KeyClaim::InFlight if waited.elapsed() < IN_FLIGHT_WAIT => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            api_tokens::KeyClaim::InFlight => {
                return Err(AppError::Conflict(
                    "The first request with this Idempotency-Key is still being answered.".into(),
                )
                .into())
            }
        }
    }
    match raise(&state, &caller, &input).await {
        Ok(changed) => {
            let body = serde_json::to_string(&changed).map_err(|_| AppError::Internal)?;
            api_tokens::keep_answer(&state, caller.token_id, key, 201, &body).await?;
            Ok(created(changed))
        }
        Err(err) => {
            api_tokens::release_key(&state, caller.token_id, key).await?;
            Err(err)
        }
    }
}

fn created(changed: Changed) -> Response {
    (StatusCode::CREATED, Json(changed)).into_response()
}

async fn raise(state: &AppState, caller: &Caller, input: &NewTicket) -> ApiResult<Changed> {
    let staff = caller.actor.is_staff();
    let ticket = app::model::ticket::NewTicket {
        requester_id: input.requester_id,
        urgency: Some(parsed(&input.urgency, "urgency")?),
        problem: input.problem.clone(),
        subject: input.subject.clone(),
        // clients raise through the web channel only; staff through the API
        channel: staff.then_some(Channel::Api),
        priority: input
            .priority
            .as_deref()
            .map(|p| parsed(p, "priority"))
            .transpose()?,
        category_id: input.category_id,
        resolution: None,
        requires_budget: input.requires_budget,
        requires_approval: input.requires_approval,
    };
    Ok(tickets::raise(state, &caller.actor, &ticket).await?.into())
}

/// One change endpoint: the path's ticket, the body's or `If-Match`'s version.
macro_rules! change {
    ($raw:ident, $headers:ident, $version:expr, |$n:ident, $v:ident| $work:expr) => {{
        let $n = number(&$raw)?;
        let $v = version(&$headers, $version)?;
        Ok(Json(Changed::from($work.await?)))
    }};
}

/// Replies to the requester (public).
#[utoipa::path(post, path = "/tickets/{number}/replies", tag = "tickets", request_body = Text,
    params(("number" = String, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, body = Changed), (status = "4XX", body = ErrorBody)))]
async fn reply(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<Text>,
) -> ApiResult<Json<Changed>> {
    change!(raw, headers, b.version, |n, v| {
        tickets::reply(&state, &caller.actor, n, v, &b.body, true)
    })
}

/// Adds an internal note (staff only; never shown to the requester).
#[utoipa::path(post, path = "/tickets/{number}/notes", tag = "tickets", request_body = Text,
    params(("number" = String, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, body = Changed), (status = "4XX", body = ErrorBody)))]
async fn note(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<Text>,
) -> ApiResult<Json<Changed>> {
    change!(raw, headers, b.version, |n, v| {
        tickets::reply(&state, &caller.actor, n, v, &b.body, false)
    })
}

/// Claims an unassigned ticket for the caller.
#[utoipa::path(post, path = "/tickets/{number}/claim", tag = "tickets", request_body = Versioned,
    params(("number" = String, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, body = Changed), (status = "4XX", body = ErrorBody)))]
async fn claim(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    ApiJsonOrEmpty(b): ApiJsonOrEmpty<Versioned>,
) -> ApiResult<Json<Changed>> {
    change!(raw, headers, b.version, |n, v| {
        tickets::claim(&state, &caller.actor, n, v)
    })
}

/// Assigns the ticket (leads and managers).
#[utoipa::path(post, path = "/tickets/{number}/assign", tag = "tickets", request_body = Assign,
    params(("number" = String, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, body = Changed), (status = "4XX", body = ErrorBody)))]
async fn assign(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<Assign>,
) -> ApiResult<Json<Changed>> {
    change!(raw, headers, b.version, |n, v| {
        tickets::assign(&state, &caller.actor, n, v, b.assignee_id)
    })
}

/// Changes the priority.
#[utoipa::path(post, path = "/tickets/{number}/priority", tag = "tickets",
    request_body = SetPriority,
    params(("number" = String, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, body = Changed), (status = "4XX", body = ErrorBody)))]
async fn priority(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<SetPriority>,
) -> ApiResult<Json<Changed>> {
    let priority = parsed(&b.priority, "priority")?;
    change!(raw, headers, b.version, |n, v| {
        tickets::set_priority(&state, &caller.actor, n, v, priority)
    })
}

/// Moves the ticket to another tier (escalates or returns it), with a reason.
#[utoipa::path(post, path = "/tickets/{number}/tier", tag = "tickets", request_body = SetTier,
    params(("number" = String, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, body = Changed), (status = "4XX", body = ErrorBody)))]
async fn tier(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<SetTier>,
) -> ApiResult<Json<Changed>> {
    change!(raw, headers, b.version, |n, v| {
        tickets::change_tier(&state, &caller.actor, n, v, b.tier, &b.reason)
    })
}

/// Sets the ticket pending (waiting on the client, a third party, budget or approval).
#[utoipa::path(post, path = "/tickets/{number}/pending", tag = "tickets",
    request_body = SetPending,
    params(("number" = String, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, body = Changed), (status = "4XX", body = ErrorBody)))]
async fn pending(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<SetPending>,
) -> ApiResult<Json<Changed>> {
    let reason = parsed(&b.reason, "reason")?;
    change!(raw, headers, b.version, |n, v| {
        tickets::set_pending(&state, &caller.actor, n, v, reason, b.note.as_deref())
    })
}

/// Takes a pending ticket back to open work.
#[utoipa::path(post, path = "/tickets/{number}/resume", tag = "tickets",
    request_body = Versioned,
    params(("number" = String, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, body = Changed), (status = "4XX", body = ErrorBody)))]
async fn resume(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    ApiJsonOrEmpty(b): ApiJsonOrEmpty<Versioned>,
) -> ApiResult<Json<Changed>> {
    change!(raw, headers, b.version, |n, v| {
        tickets::resume(&state, &caller.actor, n, v)
    })
}

/// Resolves the ticket with a resolution note (staff).
#[utoipa::path(post, path = "/tickets/{number}/resolve", tag = "tickets",
    request_body = Resolve,
    params(("number" = String, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, body = Changed), (status = "4XX", body = ErrorBody)))]
async fn resolve(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<Resolve>,
) -> ApiResult<Json<Changed>> {
    change!(raw, headers, b.version, |n, v| {
        tickets::resolve(&state, &caller.actor, n, v, &b.resolution)
    })
}

/// Closes a resolved ticket.
#[utoipa::path(post, path = "/tickets/{number}/close", tag = "tickets",
    request_body = Versioned,
    params(("number" = String, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, body = Changed), (status = "4XX", body = ErrorBody)))]
async fn close(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    ApiJsonOrEmpty(b): ApiJsonOrEmpty<Versioned>,
) -> ApiResult<Json<Changed>> {
    change!(raw, headers, b.version, |n, v| {
        tickets::close(&state, &caller.actor, n, v)
    })
}

/// Reopens a resolved ticket.
#[utoipa::path(post, path = "/tickets/{number}/reopen", tag = "tickets",
    request_body = Reopen,
    params(("number" = String, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, body = Changed), (status = "4XX", body = ErrorBody)))]
async fn reopen(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<Reopen>,
) -> ApiResult<Json<Changed>> {
    change!(raw, headers, b.version, |n, v| {
        tickets::reopen(&state, &caller.actor, n, v, b.reason.as_deref())
    })
}
