//! Reports: the desk report over a period and the weekly scorecards, each within what the viewer
//! may see (analysts their own card and their clients, leads their team, managers everyone).

use crate::backend::db::Conn;
use crate::backend::db::{begin_long_write, Pool};
use crate::backend::policy::Actor;
use crate::backend::repo::reports as repo;
use crate::backend::sla::policy_for;
use crate::backend::state::AppState;
use crate::backend::tickets::visible_clients;
use crate::model::reports::{
    desk_report, monday_of, parse_day, recurring, scorecard_of, team_median, AnalystWeek,
    DeskReport, ProblemGroup, ReportParams, ScorecardPage, TeamMedians, RECURRING_MIN,
    RECURRING_WINDOW_DAYS,
};
use crate::model::rollup::{analyst_day, roll_up, AnalystDay, ReportDay};
use crate::model::sla::Calendar;
use crate::model::time::DAY;
use crate::model::{AppError, AppResult, Page, Role};
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::time::Duration;

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

/// Stale days recomputed per transaction: short enough that ticket changes waiting on the
/// write lock are held up only briefly.
const REFRESH_BATCH: usize = 32;

/// The calendar business hours are counted in for one client.
async fn calendar_of(conn: &mut Conn, org_id: i64) -> AppResult<Calendar> {
    let business = policy_for(conn, org_id).await?.business;
    Ok(if business.hours.is_continuous() {
        Calendar::AroundTheClock
    } else {
        Calendar::Business(business)
    })
}

/// Recomputes the report days (of `orgs` up to `last_day` when given; all of them otherwise, and
/// every analyst's scorecard days too) that were stale when it started, from their tickets, a
/// batch per transaction. Days that turn stale meanwhile wait for the next refresh, so a busy
/// desk cannot keep it going. Returns how many days were recomputed.
pub async fn refresh_rollups(pool: &Pool, within: Option<(&[i64], i64)>) -> AppResult<usize> {
    refresh(pool, within, Duration::ZERO).await
}

/// Pause between batches of a background refresh: writers waiting on the lock poll for it with
/// back-off, and a refresh that took it again at once could keep them out past their timeout.
const BACKGROUND_PAUSE: Duration = Duration::from_millis(100);

/// [`refresh_rollups`] of every stale day, pausing between batches so that the people working
/// meanwhile are not kept waiting (after an upgrade it recomputes every day of the desk).
pub async fn refresh_rollups_in_background(pool: &Pool) -> AppResult<usize> {
    refresh(pool, None, BACKGROUND_PAUSE).await
}

async fn refresh(pool: &Pool, within: Option<(&[i64], i64)>, pause: Duration) -> AppResult<usize> {
    let analyst_days = match within {
        Some(_) => 0,
        None => refresh_analysts(pool, None, pause).await?,
    };
    Ok(analyst_days + refresh_desk(pool, within, pause).await?)
}

/// Recomputes the analyst days (of `analysts` up to `last_day` when given; all otherwise) that
/// were stale when it started, a batch per transaction, as [`refresh_desk`] does the desk's.
async fn refresh_analysts(
    pool: &Pool,
    within: Option<(&[i64], i64)>,
    pause: Duration,
) -> AppResult<usize> {
    let stale = {
        let mut conn = pool.acquire().await?;
        repo::stale_analyst_days(&mut conn, within).await?
    };
    for batch in stale.chunks(REFRESH_BATCH) {
        let mut tx = begin_long_write(pool).await?;
        for &(analyst, day) in batch {
            let tickets = repo::analyst_tickets_on(&mut tx, analyst, day).await?;
            repo::save_analyst_day(&mut tx, analyst, day, &analyst_day(&tickets, day)).await?;
        }
        tx.commit().await?;
        if !pause.is_zero() {
            tokio::time::sleep(pause).await;
        }
    }
    Ok(stale.len())
}

async fn refresh_desk(
    pool: &Pool,
    within: Option<(&[i64], i64)>,
    pause: Duration,
) -> AppResult<usize> {
    let stale = {
        let mut conn = pool.acquire().await?;
        repo::stale_days(&mut conn, within).await?
    };
    let mut calendars: HashMap<i64, Calendar> = HashMap::new();
    for batch in stale.chunks(REFRESH_BATCH) {
        let mut tx = begin_long_write(pool).await?;
        let mut closed: HashMap<(i64, i64), u32> = HashMap::new();
        let mut days: Vec<i64> = batch.iter().map(|(_, day)| *day).collect();
        days.dedup();
        for day in days {
            for (org, n) in repo::closed_on(&mut tx, day).await? {
                closed.insert((org, day), u32::try_from(n).unwrap_or(0));
            }
        }
        for &(org, day) in batch {
            let tickets = repo::raised_on(&mut tx, org, day).await?;
            let calendar = match calendars.entry(org) {
                Entry::Occupied(known) => known.into_mut(),
                Entry::Vacant(slot) => slot.insert(calendar_of(&mut tx, org).await?),
            };
            let last = tickets
                .iter()
                .flat_map(|t| [t.first_response_at, t.resolved_at])
                .flatten()
                .max()
                .unwrap_or(day * DAY);
            let timeline = calendar.timeline(day * DAY, last + 1);
            let working = |a: i64, b: i64| timeline.elapsed(a, b);
            let report_day = ReportDay {
                day,
                closed: closed.get(&(org, day)).copied().unwrap_or(0),
                rollup: roll_up(&tickets, working),
            };
            repo::save_day(&mut tx, org, &report_day).await?;
        }
        tx.commit().await?;
        if !pause.is_zero() {
            tokio::time::sleep(pause).await;
        }
    }
    Ok(stale.len())
}

/// Weeks of history beside each scorecard.
const TREND_WEEKS: i64 = 4;

/// The desk report over a period for the clients the viewer serves (all for managers), or one of
/// them: reports cover whole clients. Read from the daily rollups, after recomputing the stale
/// days it covers, so every change made before it is counted.
pub async fn desk(state: &AppState, actor: &Actor, params: &ReportParams) -> AppResult<DeskReport> {
    actor.require_page(Page::Reports)?;
    let query = params.resolve(state.now()).map_err(AppError::BadRequest)?;
    query.validate().map_err(AppError::Invalid)?;
    let scope = actor.ticket_scope(&state.pool).await?;
    let clients = {
        let mut conn = state.pool.acquire().await?;
        visible_clients(&mut conn, &scope).await?
    };
    let orgs: Vec<i64> = match &query.client {
        Some(code) => vec![clients
            .iter()
            .find(|(_, c, _)| c.eq_ignore_ascii_case(code))
            .map(|(id, ..)| *id)
            .ok_or_else(|| {
                AppError::invalid(format!("No client you serve has the code {code}."))
            })?],
        None => clients.iter().map(|(id, ..)| *id).collect(),
    };
    refresh_rollups(&state.pool, Some((&orgs, query.to_day))).await?;
    let mut conn = state.pool.acquire().await?;
    let days = repo::days_between(&mut conn, &orgs, query.from_day, query.to_day).await?;
    let open_before = repo::open_before(&mut conn, &orgs, query.from_day).await?;
    let categories: HashMap<i64, String> =
        repo::category_names(&mut conn).await?.into_iter().collect();
    let mut report = desk_report(query, &days, open_before, |id| categories.get(&id).cloned());
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
    let history_day = week_day - TREND_WEEKS * 7;
    let last_day = week_day + 6;
    drop(conn);
    refresh_analysts(&state.pool, Some((&ids, last_day)), Duration::ZERO).await?;
    let mut conn = state.pool.acquire().await?;
    let days = repo::analyst_days_between(&mut conn, &ids, history_day, last_day).await?;
    let articles = repo::articles_by_person(&mut conn, start, end).await?;
    let shifts = repo::shifts_between(&mut conn, &ids, start, end).await?;
    let now = state.now();

    let cards: Vec<_> = people
        .iter()
        .map(|a| {
            let of_analyst = || days.iter().filter(|(who, ..)| *who == a.id);
            let rollup = AnalystDay::sum(
                of_analyst()
                    .filter(|(_, day, _)| *day >= week_day)
                    .map(|(.., rollup)| rollup),
            );
            let week = AnalystWeek {
                // the rollup stands for the week's tickets
                tickets: Vec::new(),
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
                    of_analyst()
                        .filter(|(_, day, _)| (*day - history_day).div_euclid(7) == w)
                        .map(|(.., rollup)| rollup.resolved as usize)
                        .sum()
                })
                .collect();
            scorecard_of(
                a.id,
                a.name.clone(),
                a.team.clone(),
                &rollup,
                &week,
                start,
                trend,
            )
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
