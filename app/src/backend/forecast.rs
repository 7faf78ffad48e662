//! The staffing forecast's inputs, gathered for [`crate::model::forecast::strip::compute`]:
//! arrival history per client and priority (the last [`PROFILE_WEEKS`] weeks by hour), response
//! targets from each client's SLA policy (business time turned into wall clock from now), handle
//! times from recent resolutions, staff per team and step (on shift now, for the rest of a
//! standard shift, and on call), and open work with its next target. Leads see their own team,
//! managers every team; nobody else sees it.

use super::policy::Actor;
use super::repo::forecast as repo;
use super::repo::Conn;
use super::sla::policy_for;
use super::state::AppState;
use crate::model::forecast::arrivals::{PROFILE_WEEKS, WEEK_HOURS};
use crate::model::forecast::handle::{handle_times, HandleTimes, Resolved};
use crate::model::forecast::strip::{
    compute, ClientArrivals, ClientInput, OpenTicket, StripInputs, TeamInput, PRIORITIES,
};
use crate::model::forecast::{Strip, WhatIf, STEP, STEPS};
use crate::model::sla::SlaPolicy;
use crate::model::time::{DAY, HOUR};
use crate::model::{AppError, AppResult, Page, Priority, Role};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

/// How long someone who started a shift is assumed to stay.
pub const SHIFT_LENGTH: i64 = 8 * HOUR;
/// Resolutions read for handle times, and how far back from the hour's start.
const HANDLE_SAMPLE: i64 = 2000;
const HANDLE_DAYS: i64 = 28;

/// The teams a person may see the forecast of (None: all), or why not: it names clients' tickets,
/// so it is the dashboard's people's (leads their own team, managers every team).
fn teams_for(actor: &Actor) -> AppResult<Option<i64>> {
    actor.require_page(Page::Dashboard)?;
    match actor.role {
        Role::Lead => actor
            .team_id
            .map(Some)
            .ok_or_else(|| AppError::Forbidden("You lead no team.".into())),
        _ => Ok(None),
    }
}

/// Each client's expected arrivals ([`ClientArrivals`]), fitted on the tickets raised per
/// (org, priority, hour) over the forecast's weeks of history up to the last complete hour: the
/// one read that grows with the desk (at 1M tickets, half a million rows to count) and the
/// profile fits, the strip's dearest part. A complete hour cannot change (tickets are raised at
/// now), so both are done once per hour and instance, and every strip of that hour reuses them.
#[derive(Clone, Default)]
pub struct ArrivalForecasts(Arc<Mutex<Option<(i64, Forecasts)>>>);

/// The clients' forecasts by org id, shared by the strips of an hour (a client without a ticket
/// in the weeks read expects none).
type Forecasts = Arc<HashMap<i64, ClientArrivals>>;

impl ArrivalForecasts {
    async fn of_hour(&self, conn: &mut Conn, hour_now: i64) -> AppResult<Forecasts> {
        let kept = self.0.lock().ok().and_then(|kept| kept.clone());
        if let Some((_, forecasts)) = kept.filter(|(hour, _)| *hour == hour_now) {
            return Ok(forecasts);
        }
        let first_hour = hour_now - (PROFILE_WEEKS * WEEK_HOURS) as i64;
        let len = (hour_now - first_hour) as usize;
        let mut series: HashMap<i64, [Vec<f64>; 4]> = HashMap::new();
        for (org, priority, hour, n) in
            repo::arrivals(conn, first_hour * HOUR, hour_now * HOUR).await?
        {
            let Ok(p) = priority.parse::<Priority>() else {
                continue;
            };
            let pi = PRIORITIES.iter().position(|q| *q == p).unwrap_or(2);
            let s = series
                .entry(org)
                .or_insert_with(|| std::array::from_fn(|_| vec![0.0; len]));
            if let Some(slot) = s[pi].get_mut((hour - first_hour) as usize) {
                *slot += n as f64;
            }
        }
        let forecasts: Forecasts = Arc::new(
            series
                .iter()
                .map(|(org, history)| (*org, ClientArrivals::forecast(history)))
                .collect(),
        );
        if let Ok(mut kept) = self.0.lock() {
            *kept = Some((hour_now, forecasts.clone()));
        }
        Ok(forecasts)
    }
}

/// Handle times from the latest [`HANDLE_SAMPLE`] resolutions of the [`HANDLE_DAYS`] before the
/// current hour began, in each client's calendar: 2,000 scattered rows to read and business
/// time to count for each, for a median that an hour's resolutions barely move. Worked out once
/// per hour and instance (the clock's hour, as [`ArrivalForecasts`]); a changed SLA calendar
/// reaches them at the next hour.
#[derive(Clone, Default)]
pub struct HandleHistory(Arc<Mutex<Option<(i64, HandleTimes)>>>);

impl HandleHistory {
    async fn at(
        &self,
        conn: &mut Conn,
        hour_now: i64,
        policies: &HashMap<i64, SlaPolicy>,
    ) -> AppResult<HandleTimes> {
        let kept = self.0.lock().ok().and_then(|kept| kept.clone());
        if let Some((_, handle)) = kept.filter(|(hour, _)| *hour == hour_now) {
            return Ok(handle);
        }
        let until = hour_now * HOUR;
        let resolved =
            repo::resolved(conn, until - HANDLE_DAYS * DAY, until, HANDLE_SAMPLE).await?;
        let samples: Vec<Resolved> = resolved
            .into_iter()
            .filter_map(
                |(org_id, team_id, priority, responded, created, resolved_at)| {
                    Some(Resolved {
                        org_id,
                        team_id,
                        priority: priority.parse().ok()?,
                        started_at: responded.unwrap_or(created),
                        resolved_at,
                    })
                },
            )
            .collect();
        let handle = handle_times(&samples, |r| match policies.get(&r.org_id) {
            Some(p) => p.working_secs(r.priority, r.started_at, r.resolved_at),
            None => r.resolved_at - r.started_at,
        });
        if let Ok(mut kept) = self.0.lock() {
            *kept = Some((hour_now, handle.clone()));
        }
        Ok(handle)
    }
}

/// Everything the strip is computed from, for the whole desk at `now`.
pub async fn inputs(state: &AppState, now: i64) -> AppResult<StripInputs> {
    let mut conn = state.pool.acquire().await?;
    let hour_now = now.div_euclid(HOUR);
    let mut teams_of: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (team, org) in repo::team_orgs(&mut conn).await? {
        teams_of.entry(org).or_default().push(team);
    }
    let forecasts = state.arrival_forecasts.of_hour(&mut conn, hour_now).await?;
    let mut clients = Vec::new();
    let mut policies = HashMap::new();
    let codes: HashMap<i64, String> = super::repo::orgs::list(&mut conn)
        .await?
        .into_iter()
        .map(|(id, code, _)| (id, code))
        .collect();
    for (org, teams) in teams_of {
        let policy = policy_for(&mut conn, org).await?;
        let response_secs = PRIORITIES.map(|p| {
            policy
                .calendar(p)
                .add(now, policy.target(p).response_mins * 60)
                - now
        });
        clients.push(ClientInput {
            org_id: org,
            code: codes.get(&org).cloned().unwrap_or_default(),
            teams,
            arrivals: forecasts.get(&org).cloned().unwrap_or_default(),
            response_secs,
        });
        policies.insert(org, policy);
    }

    let handle = state
        .handle_history
        .at(&mut conn, hour_now, &policies)
        .await?;
    let start = now - now.rem_euclid(STEP);
    let mut present: BTreeMap<i64, Vec<BTreeSet<i64>>> = BTreeMap::new();
    let mut teams = Vec::new();
    for (id, name) in repo::teams(&mut conn).await? {
        present.insert(id, vec![BTreeSet::new(); STEPS]);
        teams.push(TeamInput {
            id,
            name,
            staff: Vec::new(),
        });
    }
    let mut mark = |team: i64, person: i64, from: i64, until: i64| {
        if let Some(steps) = present.get_mut(&team) {
            for (i, step) in steps.iter_mut().enumerate() {
                let at = start + i as i64 * STEP;
                if at + STEP > from && at < until {
                    step.insert(person);
                }
            }
        }
    };
    for (team, person, since) in repo::on_shift(&mut conn, now).await? {
        mark(team, person, since, (since + SHIFT_LENGTH).max(now + STEP));
    }
    let until = start + STEPS as i64 * STEP;
    for (team, person, from, to) in repo::on_call(&mut conn, start, until).await? {
        mark(team, person, from, to);
    }
    for t in &mut teams {
        t.staff = present
            .get(&t.id)
            .map(|s| s.iter().map(|p| p.len() as u32).collect())
            .unwrap_or_default();
    }

    let open = repo::open(&mut conn)
        .await?
        .into_iter()
        .filter_map(|(id, number, org_id, team_id, priority, due, responded)| {
            Some(OpenTicket {
                id,
                number,
                org_id,
                team_id,
                priority: priority.parse().ok()?,
                due,
                finish_by: responded.is_some(),
            })
        })
        .collect();
    Ok(StripInputs {
        now,
        clients,
        teams,
        open,
        handle,
    })
}

/// The next hours of the teams the viewer may see, after a what-if when given (nothing saved).
pub async fn strip(state: &AppState, actor: &Actor, what_if: Option<WhatIf>) -> AppResult<Strip> {
    let only = teams_for(actor)?;
    let inputs = inputs(state, state.now()).await?;
    let mut strip = compute(&inputs, what_if.as_ref());
    if let Some(team) = only {
        strip.teams.retain(|t| t.team_id == team);
    }
    Ok(strip)
}
