//! Assembles the ops dashboard from the aggregates in `repo::dashboard`.

use super::policy::Actor;
use super::repo::{dashboard as q, orgs};
use super::state::AppState;
use crate::model::dashboard::{
    attainment, is_overloaded, is_spike, median, sort_clients, AnalystLoad, ClientHealth,
    Dashboard, HealthSort, TeamLoad, Volume, Workload,
};
use crate::model::time::{DAY, HOUR};
use crate::model::{AppError, AppResult, Page};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Weeks of history that make "normal" arrivals for this hour of the week.
const NORMAL_WEEKS: i64 = 8;

pub async fn dashboard(state: &AppState, actor: &Actor) -> AppResult<Dashboard> {
    actor.require_page(Page::Dashboard)?;
    let now = state.now();
    let mut conn = state.pool.acquire().await?;
    let orgs = orgs::list(&mut conn).await?;
    let code_of: HashMap<i64, String> = orgs
        .iter()
        .map(|(id, code, _)| (*id, code.clone()))
        .collect();

    let groups = q::open_groups(&mut conn, now).await?;
    let next_dues: HashMap<i64, (i64, i64)> = q::next_dues(&mut conn, now)
        .await?
        .into_iter()
        .map(|(org, due, warn)| (org, (due, warn)))
        .collect();
    let last_hour: HashMap<i64, i64> = q::arrivals(&mut conn, now - HOUR, now)
        .await?
        .into_iter()
        .collect();
    let mut history: HashMap<i64, i64> = HashMap::new();
    for week in 1..=NORMAL_WEEKS {
        let end = now - week * 7 * DAY;
        for (org, n) in q::arrivals(&mut conn, end - HOUR, end).await? {
            *history.entry(org).or_default() += n;
        }
    }
    let day: HashMap<i64, (i64, i64)> = q::resolutions(&mut conn, now - DAY)
        .await?
        .into_iter()
        .map(|(o, r, m)| (o, (r, m)))
        .collect();
    let week: HashMap<i64, (i64, i64)> = q::resolutions(&mut conn, now - 7 * DAY)
        .await?
        .into_iter()
        .map(|(o, r, m)| (o, (r, m)))
        .collect();

    let mut clients: Vec<ClientHealth> = orgs
        .iter()
        .map(|(id, code, name)| {
            let mine = groups.iter().filter(|g| g.org_id == *id);
            let (mut open, mut unassigned, mut at_risk, mut breached, mut oldest) =
                (0, 0, 0, 0, None::<i64>);
            for g in mine {
                open += g.open;
                at_risk += g.at_risk;
                breached += g.breached;
                if g.assignee_id.is_none() {
                    unassigned += g.open;
                }
                oldest = Some(oldest.map_or(g.oldest, |o| o.min(g.oldest)));
            }
            let arrivals = last_hour.get(id).copied().unwrap_or(0);
            let normal_tenths = history.get(id).copied().unwrap_or(0) * 10 / NORMAL_WEEKS;
            let rate =
                |m: &HashMap<i64, (i64, i64)>| m.get(id).and_then(|(r, met)| attainment(*r, *met));
            ClientHealth {
                org_code: code.clone(),
                org_name: name.clone(),
                open,
                unassigned,
                at_risk,
                breached,
                oldest_open_at: oldest,
                next_due: next_dues.get(id).copied(),
                arrivals_last_hour: arrivals,
                normal_tenths,
                spike: is_spike(arrivals, normal_tenths),
                attainment_24h: rate(&day),
                attainment_7d: rate(&week),
            }
        })
        .collect();
    sort_clients(&mut clients, HealthSort::Worst);

    // workload: per analyst, open tickets per client
    let mut by_assignee: HashMap<i64, BTreeMap<String, i64>> = HashMap::new();
    let mut tiers = [0i64; 3];
    let mut tiers_unassigned = [0i64; 3];
    let mut columns = BTreeSet::new();
    for g in &groups {
        let slot = (g.tier.clamp(1, 3) - 1) as usize;
        tiers[slot] += g.open;
        match g.assignee_id {
            Some(a) => {
                let code = code_of.get(&g.org_id).cloned().unwrap_or_default();
                columns.insert(code.clone());
                *by_assignee.entry(a).or_default().entry(code).or_default() += g.open;
            }
            None => tiers_unassigned[slot] += g.open,
        }
    }
    let mut teams: Vec<TeamLoad> = Vec::new();
    for (id, name, tier, team) in q::staff_by_team(&mut conn).await? {
        let by_client: Vec<(String, i64)> = by_assignee
            .remove(&id)
            .map(|m| m.into_iter().collect())
            .unwrap_or_default();
        let total = by_client.iter().map(|(_, n)| n).sum();
        let load = AnalystLoad {
            id,
            name,
            tier: tier.map(|t| t as u8),
            by_client,
            total,
            overloaded: false,
        };
        match teams.last_mut() {
            Some(t) if t.team == team => t.analysts.push(load),
            _ => teams.push(TeamLoad {
                team,
                analysts: vec![load],
                median: 0,
            }),
        }
    }
    // overload is judged against peers on the same tier across the desk, since tier 1 carries
    // most tickets by design
    let mut by_tier: HashMap<Option<u8>, Vec<i64>> = HashMap::new();
    for a in teams.iter().flat_map(|t| t.analysts.iter()) {
        by_tier.entry(a.tier).or_default().push(a.total);
    }
    let tier_median: HashMap<Option<u8>, i64> = by_tier
        .into_iter()
        .map(|(t, mut v)| (t, median(&mut v)))
        .collect();
    for team in &mut teams {
        let mut totals: Vec<i64> = team.analysts.iter().map(|a| a.total).collect();
        team.median = median(&mut totals);
        for a in &mut team.analysts {
            a.overloaded = a.tier.is_some()
                && is_overloaded(a.total, tier_median.get(&a.tier).copied().unwrap_or(0));
        }
    }

    let volume = volume_of(&mut conn, now, None, "All clients".into()).await?;
    Ok(Dashboard {
        now,
        clients,
        workload: Workload {
            clients: columns.into_iter().collect(),
            teams,
            tiers,
            tiers_unassigned,
        },
        volume,
    })
}

async fn volume_of(
    conn: &mut crate::backend::db::Conn,
    now: i64,
    org: Option<i64>,
    label: String,
) -> AppResult<Volume> {
    let hourly_from = now - now.rem_euclid(HOUR) - 23 * HOUR;
    let daily_from = now - now.rem_euclid(DAY) - 6 * DAY;
    Ok(Volume {
        label,
        hourly: q::volume(conn, hourly_from, HOUR, 24, org).await?,
        daily: q::volume(conn, daily_from, DAY, 7, org).await?,
        hourly_from,
        daily_from,
    })
}

/// Arrivals for one client (by code) or all.
pub async fn volume(state: &AppState, actor: &Actor, client: Option<&str>) -> AppResult<Volume> {
    actor.require_page(Page::Dashboard)?;
    let mut conn = state.pool.acquire().await?;
    let (org, label) = match client {
        None | Some("") => (None, "All clients".to_string()),
        Some(code) => {
            let id = orgs::find_id_by_code(&mut conn, code)
                .await?
                .ok_or_else(|| AppError::invalid(format!("No client has the code {code}.")))?;
            let name = orgs::code_and_name(&mut conn, id)
                .await?
                .map(|(_, n)| n)
                .unwrap_or_default();
            (Some(id), name)
        }
    };
    volume_of(&mut conn, state.now(), org, label).await
}
