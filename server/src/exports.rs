//! CSV downloads of the reports: `GET /reports/summary.csv`, `/reports/volume.csv` (the period
//! report's figures and its tickets per day) and `/reports/scorecards.csv` (the week's cards).
//! Each goes through the same backend function, and so the same authorization, as the page.

use crate::session::{actor_of, SignedIn};
use app::backend::{reports, AppState};
use app::model::reports::{csv_line, format_day, DeskReport, ReportParams};
use app::model::time::format_duration;
use app::model::AppError;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

fn csv(name: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

fn or_error(result: Result<Response, AppError>) -> Response {
    result.unwrap_or_else(|err| crate::security::error_response(&err))
}

async fn desk(
    state: &AppState,
    user: SignedIn,
    params: &ReportParams,
) -> Result<DeskReport, AppError> {
    reports::desk(state, &actor_of(user)?, params).await
}

fn duration(secs: Option<i64>) -> String {
    secs.map(format_duration).unwrap_or_default()
}

fn percent(value: Option<f64>) -> String {
    value.map(|v| format!("{v:.1}")).unwrap_or_default()
}

pub async fn summary(
    State(state): State<AppState>,
    Query(params): Query<ReportParams>,
    user: SignedIn,
) -> Response {
    or_error(desk(&state, user, &params).await.map(|r| {
        let rows: Vec<(&str, String)> = vec![
            ("from", format_day(r.query.from_day)),
            ("to", format_day(r.query.to_day)),
            (
                "client",
                r.query.client.clone().unwrap_or_else(|| "all".into()),
            ),
            ("raised", r.raised.to_string()),
            ("resolved", r.resolved.to_string()),
            ("first response median", duration(r.first_response.median)),
            ("first response p90", duration(r.first_response.p90)),
            ("resolution median", duration(r.resolution.median)),
            ("resolution p90", duration(r.resolution.p90)),
            ("first response on target %", percent(r.response_attainment)),
            ("resolution on target %", percent(r.resolution_attainment)),
            ("first contact resolution %", percent(r.first_contact_rate)),
            ("reopened %", percent(r.reopen_rate)),
            ("CSAT (1-5)", percent(r.csat)),
            ("ratings", r.ratings.to_string()),
        ];
        let mut body = csv_line(&["figure", "value"]);
        for (figure, value) in rows {
            body.push_str(&csv_line(&[figure, value.as_str()]));
        }
        csv("frontline-summary.csv", body)
    }))
}

pub async fn volume(
    State(state): State<AppState>,
    Query(params): Query<ReportParams>,
    user: SignedIn,
) -> Response {
    or_error(desk(&state, user, &params).await.map(|r| {
        let mut body = csv_line(&["date", "raised"]);
        for day in &r.per_day {
            body.push_str(&csv_line(&[day.label.as_str(), &day.count.to_string()]));
        }
        csv("frontline-volume.csv", body)
    }))
}

#[derive(Debug, Deserialize)]
pub struct WeekParams {
    #[serde(default)]
    week: Option<String>,
}

pub async fn scorecards(
    State(state): State<AppState>,
    Query(params): Query<WeekParams>,
    user: SignedIn,
) -> Response {
    let result = match actor_of(user) {
        Ok(actor) => reports::scorecards(&state, &actor, params.week.as_deref(), None).await,
        Err(err) => Err(err),
    };
    or_error(result.map(|page| {
        let mut body = csv_line(&[
            "week",
            "analyst",
            "team",
            "handled",
            "resolved",
            "first contact",
            "median response",
            "median resolution",
            "SLA on target %",
            "reopened %",
            "CSAT",
            "articles",
            "hours on shift",
        ]);
        let week = format_day(page.week_day);
        for c in &page.cards {
            body.push_str(&csv_line(&[
                week.clone(),
                c.name.clone(),
                c.team.clone().unwrap_or_default(),
                c.handled.to_string(),
                c.resolved.to_string(),
                c.first_contact.to_string(),
                duration(c.median_response),
                duration(c.median_resolution),
                percent(c.sla_attainment),
                percent(c.reopen_rate),
                percent(c.csat),
                c.articles.to_string(),
                format!("{:.1}", c.shift_secs as f64 / 3600.0),
            ]));
        }
        csv("frontline-scorecards.csv", body)
    }))
}
