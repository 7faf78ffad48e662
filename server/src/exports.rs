//! CSV downloads of every report, one per section of the reports page: `GET /reports/summary.csv`
//! (the period's figures), `volume.csv` (raised per day), `backlog.csv` (open at each day's end),
//! `heatmap.csv` (weekday by hour), `priority.csv`, `channel.csv` and `category.csv` (the
//! breakdowns), `recurring.csv` (alike tickets grouped) and `scorecards.csv` (the week's cards).
//! Each goes through the same backend function, and so the same authorization, as the page.

use crate::session::{actor_of, SignedIn};
use app::backend::{reports, AppState};
use app::model::reports::{csv_line, format_day, Count, DeskReport, ReportParams, WEEKDAYS};
use app::model::time::{format_duration, format_utc};
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
            (
                "first response median (business hours)",
                duration(r.first_response_business.median),
            ),
            (
                "first response p90 (business hours)",
                duration(r.first_response_business.p90),
            ),
            (
                "resolution median (business hours)",
                duration(r.resolution_business.median),
            ),
            (
                "resolution p90 (business hours)",
                duration(r.resolution_business.p90),
            ),
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

/// A CSV of one count per label (day, kind), with the share of `total` when there is one.
fn counts_csv(name: &str, header: [&str; 2], rows: &[Count], total: Option<usize>) -> Response {
    let mut body = match total {
        Some(_) => csv_line(&[header[0], header[1], "share %"]),
        None => csv_line(&header),
    };
    for row in rows {
        let mut fields = vec![row.label.clone(), row.count.to_string()];
        if let Some(total) = total {
            fields.push(format!(
                "{:.1}",
                row.count as f64 * 100.0 / total.max(1) as f64
            ));
        }
        body.push_str(&csv_line(&fields));
    }
    csv(&format!("frontline-{name}.csv"), body)
}

pub async fn volume(
    State(state): State<AppState>,
    Query(params): Query<ReportParams>,
    user: SignedIn,
) -> Response {
    or_error(
        desk(&state, user, &params)
            .await
            .map(|r| counts_csv("volume", ["date", "raised"], &r.per_day, None)),
    )
}

pub async fn backlog(
    State(state): State<AppState>,
    Query(params): Query<ReportParams>,
    user: SignedIn,
) -> Response {
    or_error(
        desk(&state, user, &params)
            .await
            .map(|r| counts_csv("backlog", ["date", "open at end of day"], &r.backlog, None)),
    )
}

async fn breakdown(
    state: &AppState,
    user: SignedIn,
    params: &ReportParams,
    name: &str,
    rows: fn(&DeskReport) -> &[Count],
) -> Response {
    or_error(
        desk(state, user, params)
            .await
            .map(|r| counts_csv(name, [name, "raised"], rows(&r), Some(r.raised))),
    )
}

pub async fn by_priority(
    State(state): State<AppState>,
    Query(params): Query<ReportParams>,
    user: SignedIn,
) -> Response {
    breakdown(&state, user, &params, "priority", |r| &r.by_priority).await
}

pub async fn by_channel(
    State(state): State<AppState>,
    Query(params): Query<ReportParams>,
    user: SignedIn,
) -> Response {
    breakdown(&state, user, &params, "channel", |r| &r.by_channel).await
}

pub async fn by_category(
    State(state): State<AppState>,
    Query(params): Query<ReportParams>,
    user: SignedIn,
) -> Response {
    breakdown(&state, user, &params, "category", |r| &r.by_category).await
}

/// One row per weekday (Monday first), one column per hour (UTC), as the page shows it.
pub async fn heat_map(
    State(state): State<AppState>,
    Query(params): Query<ReportParams>,
    user: SignedIn,
) -> Response {
    or_error(desk(&state, user, &params).await.map(|r| {
        let header: Vec<String> = std::iter::once("weekday (UTC)".to_string())
            .chain((0..24).map(|h| format!("{h:02}:00")))
            .collect();
        let mut body = csv_line(&header);
        for (day, row) in WEEKDAYS.iter().zip(r.heat_map.iter()) {
            let fields: Vec<String> = std::iter::once(day.to_string())
                .chain(row.iter().map(|n| n.to_string()))
                .collect();
            body.push_str(&csv_line(&fields));
        }
        csv("frontline-heatmap.csv", body)
    }))
}

/// One row per ticket of each recurring group, the group's term first.
pub async fn recurring(State(state): State<AppState>, user: SignedIn) -> Response {
    let result = match actor_of(user) {
        Ok(actor) => reports::recurring_problems(&state, &actor).await,
        Err(err) => Err(err),
    };
    or_error(result.map(|groups| {
        let mut body = csv_line(&[
            "group", "category", "clients", "ticket", "subject", "client", "raised",
        ]);
        for g in &groups {
            let clients = g.clients.join(" ");
            for t in &g.tickets {
                body.push_str(&csv_line(&[
                    g.term.clone(),
                    g.category.clone().unwrap_or_default(),
                    clients.clone(),
                    t.number.to_string(),
                    t.subject.clone(),
                    t.org_code.clone(),
                    format_utc(t.created_at),
                ]));
            }
        }
        csv("frontline-recurring.csv", body)
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
