//! Puts the forecast together per team: arrivals split over the teams serving each client, the
//! staff on shift per step (after a what-if), analysts needed, and the queue's projected path
//! with its breaches. Pure: the backend gathers the inputs from rollups and indexed reads.

use super::arrivals::forecast;
use super::backtest::spike_at;
use super::handle::HandleTimes;
use super::needed::{analysts_needed, Demand};
use super::projection::{project, Job, Staffing};
use super::{HourCell, PredictedBreach, Strip, TeamStrip, WhatIf, HORIZON_HOURS, STEP, STEPS};
use crate::model::time::HOUR;
use crate::model::Priority;
use std::collections::{BTreeMap, HashMap};

pub const PRIORITIES: [Priority; 4] = [Priority::P1, Priority::P2, Priority::P3, Priority::Ops];
/// Predicted breaches listed per team.
const LISTED: usize = 20;

/// One client: its expected arrivals, the teams serving it, and its response targets.
#[derive(Debug, Clone, Default)]
pub struct ClientInput {
    pub org_id: i64,
    pub code: String,
    pub teams: Vec<i64>,
    pub arrivals: ClientArrivals,
    /// Response target per priority, seconds (wall clock).
    pub response_secs: [i64; 4],
}

/// A client's expected arrivals per priority ([`PRIORITIES`] order): tickets per hour from the
/// start of now's hour, for the strip's hours and the one it ends in; and whether its spike
/// detector fires (which raised them). Depends on complete hours only, so it holds for an hour.
#[derive(Debug, Clone, Default)]
pub struct ClientArrivals {
    pub hourly: [Vec<f64>; 4],
    pub spike: bool,
}

impl ClientArrivals {
    /// Forecasts from a client's history per priority (tickets per hour, oldest first, ending
    /// with the last complete hour).
    pub fn forecast(history: &[Vec<f64>; 4]) -> ClientArrivals {
        let len = history.iter().map(Vec::len).max().unwrap_or(0);
        let total: Vec<f64> = (0..len)
            .map(|h| history.iter().filter_map(|s| s.get(h)).sum())
            .collect();
        let spike = spike_at(&total, len);
        ClientArrivals {
            hourly: history
                .each_ref()
                .map(|h| forecast(h, HORIZON_HOURS + 1, spike).hourly),
            spike,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct TeamInput {
    pub id: i64,
    pub name: String,
    /// Analysts on shift or scheduled, per step from the strip's start.
    pub staff: Vec<u32>,
}

/// An open ticket and its next target.
#[derive(Debug, Clone)]
pub struct OpenTicket {
    pub id: i64,
    pub number: i64,
    pub org_id: i64,
    pub team_id: Option<i64>,
    pub priority: Priority,
    pub due: i64,
    /// The next target is resolution (met by finishing).
    pub finish_by: bool,
}

#[derive(Debug, Clone, Default)]
pub struct StripInputs {
    pub now: i64,
    pub clients: Vec<ClientInput>,
    pub teams: Vec<TeamInput>,
    pub open: Vec<OpenTicket>,
    pub handle: HandleTimes,
}

/// Applies a what-if to the staff per step.
pub fn apply(teams: &mut [TeamInput], start: i64, what_if: &WhatIf) {
    let step_of = |at: i64| ((at - start).max(0) / STEP) as usize;
    let mut change = |team: i64, from: usize, to: usize, up: bool| {
        if let Some(t) = teams.iter_mut().find(|t| t.id == team) {
            t.staff.resize(STEPS, t.staff.last().copied().unwrap_or(0));
            for s in t.staff.iter_mut().take(to.min(STEPS)).skip(from) {
                *s = if up { *s + 1 } else { s.saturating_sub(1) };
            }
        }
    };
    match *what_if {
        WhatIf::Move {
            from_team,
            to_team,
            at,
        } => {
            change(from_team, step_of(at), STEPS, false);
            change(to_team, step_of(at), STEPS, true);
        }
        WhatIf::Add { team, from, until } => {
            // a step counts when the analyst is there for any of it
            let end = ((until - start).max(0) + STEP - 1) / STEP;
            change(team, step_of(from), end as usize, true);
        }
    }
}

/// The strip of every team in `inputs`.
pub fn compute(inputs: &StripInputs, what_if: Option<&WhatIf>) -> Strip {
    let now = inputs.now;
    let start = now - now.rem_euclid(STEP);
    let mut teams = inputs.teams.clone();
    if let Some(w) = what_if {
        apply(&mut teams, start, w);
    }
    // expected arrivals per team, client, priority and step
    let mut demand: BTreeMap<i64, Vec<(usize, usize, f64)>> = BTreeMap::new();
    let mut spiking: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    let steps_per_hour = (HOUR / STEP) as usize;
    for (ci, client) in inputs.clients.iter().enumerate() {
        if client.teams.is_empty() {
            continue;
        }
        let share = 1.0 / client.teams.len() as f64;
        for (pi, hourly) in client.arrivals.hourly.iter().enumerate() {
            for step in 0..STEPS {
                let at = start + step as i64 * STEP;
                let hour = ((at - (now - now.rem_euclid(HOUR))) / HOUR) as usize;
                let rate = hourly.get(hour).copied().unwrap_or(0.0);
                let per_step = rate / steps_per_hour as f64 * share;
                for team in &client.teams {
                    demand
                        .entry(*team)
                        .or_default()
                        .push((ci, pi * STEPS + step, per_step));
                }
            }
        }
        if client.arrivals.spike {
            for team in &client.teams {
                spiking.entry(*team).or_default().push(client.code.clone());
            }
        }
    }
    // each client's code and first team, and each open ticket's team (its own, else its client's
    // first), looked up once rather than per team and ticket
    let mut clients: HashMap<i64, (&str, Option<i64>)> = HashMap::new();
    for c in &inputs.clients {
        clients
            .entry(c.org_id)
            .or_insert((c.code.as_str(), c.teams.first().copied()));
    }
    let lookup = Lookup {
        clients: &clients,
        org_of: inputs.open.iter().rev().map(|t| (t.id, t.org_id)).collect(),
    };
    let mut open_of: HashMap<i64, Vec<&OpenTicket>> = HashMap::new();
    for t in &inputs.open {
        let team = t
            .team_id
            .or_else(|| clients.get(&t.org_id).and_then(|c| c.1));
        if let Some(team) = team {
            open_of.entry(team).or_default().push(t);
        }
    }
    let strips = teams
        .iter()
        .map(|team| {
            let staff: Vec<u32> = (0..STEPS)
                .map(|s| {
                    team.staff
                        .get(s)
                        .or(team.staff.last())
                        .copied()
                        .unwrap_or(0)
                })
                .collect();
            let mine = demand.get(&team.id).map(Vec::as_slice).unwrap_or(&[]);
            let open = open_of.get(&team.id).map(Vec::as_slice).unwrap_or(&[]);
            let spiking = spiking.remove(&team.id);
            team_strip(inputs, &lookup, team, start, staff, mine, open, spiking)
        })
        .collect();
    Strip {
        now,
        start,
        teams: strips,
    }
}

/// What every team's strip looks up: each client's code and first team by org, and each open
/// ticket's org by id.
struct Lookup<'a> {
    clients: &'a HashMap<i64, (&'a str, Option<i64>)>,
    org_of: HashMap<i64, i64>,
}

#[allow(clippy::too_many_arguments)]
fn team_strip(
    inputs: &StripInputs,
    lookup: &Lookup,
    team: &TeamInput,
    start: i64,
    staff: Vec<u32>,
    demand: &[(usize, usize, f64)],
    open: &[&OpenTicket],
    spiking: Option<Vec<String>>,
) -> TeamStrip {
    let handle = |p: Priority| inputs.handle.of(team.id, p);
    let mut needed = vec![0u32; STEPS];
    let mut arrivals = vec![0.0f64; STEPS];
    let mut by_step: Vec<Vec<Demand>> = vec![Vec::new(); STEPS];
    for &(ci, slot, n) in demand {
        let (pi, step) = (slot / STEPS, slot % STEPS);
        let client = &inputs.clients[ci];
        arrivals[step] += n;
        by_step[step].push(Demand {
            priority: PRIORITIES[pi],
            per_hour: n * (HOUR / STEP) as f64,
            handle_secs: handle(PRIORITIES[pi]) as f64,
            target_secs: client.response_secs[pi] as f64,
        });
    }
    for (s, d) in by_step.iter().enumerate() {
        needed[s] = analysts_needed(d);
    }
    // the queue: this team's open tickets, then forecast arrivals, each emitted when the
    // running expectation of its client and priority reaches the next half ticket
    let mut jobs: Vec<Job> = Vec::new();
    let mut labels: Vec<(usize, Priority, i64)> = Vec::new();
    for t in open {
        jobs.push(Job {
            id: t.id,
            arrives: inputs.now,
            due: t.due,
            work: handle(t.priority),
            finish_by: t.finish_by,
        });
        labels.push((usize::MAX, t.priority, t.number));
    }
    let mut running: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    let mut next_id = -1;
    let mut sorted = demand.to_vec();
    sorted.sort_by_key(|&(ci, slot, _)| (slot % STEPS, ci, slot / STEPS));
    for (ci, slot, n) in sorted {
        let (pi, step) = (slot / STEPS, slot % STEPS);
        let sum = running.entry((ci, pi)).or_default();
        let before = (*sum + 0.5).floor();
        *sum += n;
        let arrives = (start + step as i64 * STEP + STEP / 2).max(inputs.now);
        for _ in 0..((*sum + 0.5).floor() - before) as i64 {
            jobs.push(Job {
                id: next_id,
                arrives,
                due: arrives + inputs.clients[ci].response_secs[pi],
                work: handle(PRIORITIES[pi]),
                finish_by: false,
            });
            labels.push((ci, PRIORITIES[pi], 0));
            next_id -= 1;
        }
    }
    let until = start + STEPS as i64 * STEP;
    let staffing = Staffing {
        start,
        step: STEP,
        counts: staff.clone(),
    };
    let outcomes = project(&jobs, &staffing, inputs.now, until);
    let code_of = |org: i64| {
        lookup
            .clients
            .get(&org)
            .map(|c| c.0.to_string())
            .unwrap_or_default()
    };
    let mut breaches = Vec::new();
    let mut arrivals_breaching: BTreeMap<String, u32> = BTreeMap::new();
    for (o, (ci, priority, number)) in outcomes.iter().zip(&labels) {
        if !o.breached || o.due < inputs.now {
            continue;
        }
        if o.id >= 0 {
            let org = lookup.org_of.get(&o.id).copied();
            breaches.push(PredictedBreach {
                ticket_id: o.id,
                number: *number,
                client: org.map(code_of).unwrap_or_default(),
                priority: priority.label().to_string(),
                at: o.due,
            });
        } else {
            *arrivals_breaching
                .entry(inputs.clients[*ci].code.clone())
                .or_default() += 1;
        }
    }
    breaches.sort_by_key(|b| (b.at, b.number));
    breaches.truncate(LISTED);
    let hours = (0..HORIZON_HOURS)
        .map(|h| {
            let steps = h * STEPS / HORIZON_HOURS..(h + 1) * STEPS / HORIZON_HOURS;
            HourCell {
                start: start + (h as i64) * HOUR,
                arrivals_tenths: (arrivals[steps.clone()].iter().sum::<f64>() * 10.0).round()
                    as i64,
                staff: staff[steps.clone()].iter().copied().min().unwrap_or(0),
                needed: needed[steps].iter().copied().max().unwrap_or(0),
            }
        })
        .collect();
    let first_breach = breaches
        .first()
        .map(|b| b.at)
        .into_iter()
        .chain(
            outcomes
                .iter()
                .filter(|o| o.breached && o.id < 0)
                .map(|o| o.due),
        )
        .min();
    let short = (0..STEPS).find(|&s| staff[s] < needed[s]);
    let more_from = match (short, first_breach) {
        (Some(s), _) => Some(start + s as i64 * STEP),
        (None, Some(at)) => Some((at - HOUR).max(start) / STEP * STEP),
        (None, None) => None,
    };
    TeamStrip {
        team_id: team.id,
        team: team.name.clone(),
        hours,
        staff,
        needed,
        breaches,
        arrivals_breaching: arrivals_breaching.into_iter().collect(),
        spiking: spiking.unwrap_or_default(),
        more_from,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::{DAY, MINUTE};

    /// Monday 2026-11-30 10:07 UTC.
    const NOW: i64 = 1_795_996_800 + 10 * HOUR + 7 * MINUTE;

    fn desk(staff: u32, per_hour: f64) -> StripInputs {
        let weeks = 4 * 168;
        let mut history: [Vec<f64>; 4] = Default::default();
        history[1] = vec![per_hour; weeks];
        history[0] = vec![0.0; weeks];
        history[2] = vec![0.0; weeks];
        history[3] = vec![0.0; weeks];
        StripInputs {
            now: NOW,
            clients: vec![ClientInput {
                org_id: 7,
                code: "NWL".into(),
                teams: vec![1],
                arrivals: ClientArrivals::forecast(&history),
                response_secs: [15 * MINUTE, HOUR, 4 * HOUR, DAY],
            }],
            teams: vec![TeamInput {
                id: 1,
                name: "Atlas".into(),
                staff: vec![staff; STEPS],
            }],
            open: vec![],
            handle: HandleTimes::default(),
        }
    }

    #[test]
    fn a_staffed_team_keeps_up_and_an_empty_one_breaches() {
        // 4 P2 an hour at 45 minutes: 3 Erlangs
        let staffed = compute(&desk(6, 4.0), None);
        let t = &staffed.teams[0];
        assert_eq!(staffed.start, NOW - 7 * MINUTE);
        assert_eq!(t.hours.len(), HORIZON_HOURS);
        assert_eq!(t.hours[0].arrivals_tenths, 40);
        assert!(t.needed.iter().all(|n| *n == 4), "{:?}", t.needed);
        assert!(t.arrivals_breaching.is_empty() && t.more_from.is_none());
        let empty = compute(&desk(0, 4.0), None);
        let t = &empty.teams[0];
        assert!(t.arrivals_breaching[0].1 > 20, "{:?}", t.arrivals_breaching);
        assert_eq!(t.more_from, Some(staffed.start));
        assert_eq!(
            t.suggestion().as_deref(),
            Some("one more analyst on Atlas from 10:00 UTC")
        );
    }

    #[test]
    fn open_tickets_breach_with_their_numbers_and_a_what_if_saves_them() {
        let mut inputs = desk(1, 0.0);
        inputs.open = (0..3)
            .map(|i| OpenTicket {
                id: 100 + i,
                number: 5000 + i,
                org_id: 7,
                team_id: Some(1),
                priority: Priority::P2,
                due: NOW + 40 * MINUTE,
                finish_by: false,
            })
            .collect();
        // one analyst, 45 minutes each: the second and third are picked up late; two analysts
        // leave only the third late
        let strip = compute(&inputs, None);
        let b = &strip.teams[0].breaches;
        assert_eq!(b.len(), 2, "{b:?}");
        assert_eq!(
            (b[0].client.as_str(), b[0].priority.as_str()),
            ("NWL", "P2")
        );
        assert_eq!(b[0].at, NOW + 40 * MINUTE);
        let add = WhatIf::Add {
            team: 1,
            from: NOW,
            until: NOW + 2 * HOUR,
        };
        assert_eq!(compute(&inputs, Some(&add)).teams[0].breaches.len(), 1);
        inputs.teams.push(TeamInput {
            id: 2,
            name: "Borealis".into(),
            staff: vec![3; STEPS],
        });
        let moved = WhatIf::Move {
            from_team: 2,
            to_team: 1,
            at: NOW - 7 * MINUTE,
        };
        let strip = compute(&inputs, Some(&moved));
        assert_eq!(strip.teams[0].breaches.len(), 1);
        assert_eq!((strip.teams[0].staff[0], strip.teams[1].staff[0]), (2, 2));
    }
}
