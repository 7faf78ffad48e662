//! Reports: the desk report over a period and the weekly scorecards, each within what the viewer
//! may see (analysts their own card and their clients, leads their team, managers everyone).

use crate::backend::policy::Actor;
use crate::backend::repo::reports as repo;
use crate::backend::sla::policy_for;
use crate::backend::state::AppState;
use crate::backend::tickets::visible_clients;
use crate::model::reports::TicketFacts;
use crate::model::reports::{
    desk_report, monday_of, parse_day, recurring, scorecard, team_median, AnalystWeek, DeskReport,
    ProblemGroup, ReportParams, ScorecardPage, TeamMedians, RECURRING_MIN, RECURRING_WINDOW_DAYS,
};
use crate::model::sla::{Calendar, WorkingTimeline};
use crate::model::time::DAY;
use crate::model::{AppError, AppResult, Page, Role};
use sqlx::SqliteConnection;
use std::collections::HashMap;

/// Most recent tickets looked at for recurring problems.
const RECURRING_SAMPLE: i64 = 5000;

/// Groups of alike tickets raised in the last two weeks, within what the viewer may see.
pub async fn recurring_problems(state: &AppState, actor: &Actor) -> AppResult<Vec<ProblemGroup>> {
    actor.require_page(Page::Reports)?;
    let scope = actor.ticket_scope(&state.pool).await?;
    let since = state.now() - RECURRING_WINDOW_DAYS * DAY;
    let mut conn = state.pool.acquire().await?;
    let recent = repo::recent_subjects(&mut conn, &scope, since, RECURRING_SAMPLE).await?;
    Ok(recurring(&recent, RECURRING_MIN))
}

/// Each client's business calendar from `start` to the last response or resolution of `tickets`,
/// laid out once so that counting every ticket's business time stays cheap.
async fn business_timelines(
    conn: &mut SqliteConnection,
    tickets: &[TicketFacts],
    start: i64,
) -> AppResult<HashMap<i64, WorkingTimeline>> {
    let last = tickets
        .iter()
        .flat_map(|t| [t.first_response_at, t.resolved_at])
        .flatten()
        .max()
        .unwrap_or(start);
    let mut orgs: Vec<i64> = tickets.iter().map(|t| t.org_id).collect();
    orgs.sort_unstable();
    orgs.dedup();
    let mut timelines = HashMap::new();
    for org in orgs {
        let business = policy_for(&mut *conn, org).await?.business;
        let calendar = if business.hours.is_continuous() {
            Calendar::AroundTheClock
        } else {
            Calendar::Business(business)
        };
        timelines.insert(org, calendar.timeline(start, last + 1));
    }
    Ok(timelines)
}

/// Weeks of history beside each scorecard.
const TREND_WEEKS: i64 = 4;

pub async fn desk(state: &AppState, actor: &Actor, params: &ReportParams) -> AppResult<DeskReport> {
    actor.require_page(Page::Reports)?;
    let query = params.resolve(state.now()).map_err(AppError::BadRequest)?;
    query.validate().map_err(AppError::Invalid)?;
    let scope = actor.ticket_scope(&state.pool).await?;
    let mut conn = state.pool.acquire().await?;
    let clients = visible_clients(&mut conn, &scope).await?;
    let org_id = match &query.client {
        Some(code) => Some(
            clients
                .iter()
                .find(|(_, c, _)| c.eq_ignore_ascii_case(code))
                .map(|(id, ..)| *id)
                .ok_or_else(|| {
                    AppError::invalid(format!("No client you serve has the code {code}."))
                })?,
        ),
        None => None,
    };
    let (start, end) = (query.start(), query.end());
    let tickets = repo::raised_between(&mut conn, &scope, org_id, start, end).await?;
    let spans = repo::open_spans(&mut conn, &scope, org_id, start, end).await?;
    let timelines = business_timelines(&mut conn, &tickets, start).await?;
    let working = |t: &TicketFacts, a: i64, b: i64| {
        timelines
            .get(&t.org_id)
            .map_or(b - a, |timeline| timeline.elapsed(a, b))
    };
    let mut report = desk_report(query, &tickets, &spans, working);
    report.clients = clients
        .into_iter()
        .map(|(_, code, name)| (code, name))
        .collect();
    Ok(report)
}

/// The scorecards of the week holding the day `week` ("2026-11-23"; this week when `None`) that the viewer may see:
/// their own (analysts, seniors), their team's (leads), everyone's (managers). `analyst` narrows
/// to one card; asking for a card outside what the viewer may see is refused.
pub async fn scorecards(
    state: &AppState,
    actor: &Actor,
    week: Option<&str>,
    analyst: Option<i64>,
) -> AppResult<ScorecardPage> {
    actor.require_page(Page::Reports)?;
    let today = state.now().div_euclid(DAY);
    let day = week
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(parse_day)
        .transpose()
        .map_err(AppError::BadRequest)?;
    let week_day = monday_of(day.unwrap_or(today));
    if week_day > today {
        return Err(AppError::invalid("That week has not started yet."));
    }
    let mut conn = state.pool.acquire().await?;
    // the team medians need the whole team, even when the viewer sees only their own card
    let people = match (actor.role, actor.team_id) {
        (Role::Manager, _) => repo::analysts(&mut conn, None).await?,
        (_, Some(team)) => repo::analysts(&mut conn, Some(team)).await?,
        (_, None) => Vec::new(),
    };
    let may_see = |id: i64| matches!(actor.role, Role::Manager | Role::Lead) || id == actor.id;
    if let Some(id) = analyst {
        if !people.iter().any(|a| a.id == id) || !may_see(id) {
            return Err(AppError::Forbidden(
                "That scorecard is not yours to see (or there is no such analyst).".into(),
            ));
        }
    }
    let shown = |id: i64| may_see(id) && analyst.is_none_or(|a| a == id);
    let start = week_day * DAY;
    let end = start + 7 * DAY;
    let ids: Vec<i64> = people.iter().map(|a| a.id).collect();
    let tickets = repo::owned_in_week(&mut conn, &ids, start, end).await?;
    let history_start = start - TREND_WEEKS * 7 * DAY;
    let history = repo::resolved_per_week(&mut conn, history_start, start).await?;
    let articles = repo::articles_by_person(&mut conn, start, end).await?;
    let shifts = repo::shifts_between(&mut conn, &ids, start, end).await?;
    let now = state.now();

    let cards: Vec<_> = people
        .iter()
        .map(|a| {
            let week = AnalystWeek {
                tickets: tickets
                    .iter()
                    .filter(|t| t.assignee_id == Some(a.id))
                    .cloned()
                    .collect(),
                articles: articles
                    .iter()
                    .find(|(who, _)| *who == a.id)
                    .map(|(_, n)| *n as usize)
                    .unwrap_or(0),
                shifts: shifts
                    .iter()
                    .filter(|(who, ..)| *who == a.id)
                    .map(|(_, from, to)| (*from, *to))
                    .collect(),
                now,
            };
            let trend = (0..TREND_WEEKS)
                .map(|w| {
                    history
                        .iter()
                        .find(|(who, week, _)| *who == a.id && *week == w)
                        .map(|(.., n)| *n as usize)
                        .unwrap_or(0)
                })
                .collect();
            scorecard(a.id, a.name.clone(), a.team.clone(), &week, start, trend)
        })
        .collect();

    let mut teams: Vec<String> = cards.iter().filter_map(|c| c.team.clone()).collect();
    teams.sort();
    teams.dedup();
    let team_medians = teams
        .into_iter()
        .map(|team| {
            let of_team = || cards.iter().filter(|c| c.team.as_deref() == Some(&team));
            TeamMedians {
                handled: team_median(of_team().map(|c| Some(c.handled as i64))),
                resolved: team_median(of_team().map(|c| Some(c.resolved as i64))),
                first_contact: team_median(of_team().map(|c| Some(c.first_contact as i64))),
                median_response: team_median(of_team().map(|c| c.median_response)),
                median_resolution: team_median(of_team().map(|c| c.median_resolution)),
                team,
            }
        })
        .collect();
    Ok(ScorecardPage {
        week_day,
        cards: cards.into_iter().filter(|c| shown(c.analyst_id)).collect(),
        team_medians,
    })
}
