//! The staffing forecast measured on history (backtests), deterministic and pure: a desk generated
//! here with a known hour-of-week pattern, a level that drifts from day to day and outage spikes.
//! For every hour of its last 30 days the forecast of the next 8 hours is compared with what
//! arrived, beside the two naive forecasts; and the strip's "will breach within 2 h" is compared
//! with what a simulation of the same desk, worked with random handle times, actually breached.

#![cfg(feature = "ssr")]

mod support;

use app::backend::{forecast as forecast_backend, forecast_alert, shifts};
use app::model::forecast::arrivals::WEEK_HOURS;
use app::model::forecast::backtest::{backtest, Backtest};
use app::model::forecast::handle::HandleTimes;
use app::model::forecast::needed::{analysts_needed, Demand};
use app::model::forecast::projection::{project, Job, Staffing};
use app::model::forecast::strip::{
    compute, ClientArrivals, ClientInput, OpenTicket, StripInputs, TeamInput,
};
use app::model::forecast::{WhatIf, HORIZON_HOURS};
use app::model::forecast::{STEP, STEPS};
use app::model::time::{DAY, HOUR, MINUTE};
use app::model::AppError;
use app::model::Priority;
use std::collections::HashSet;
use support::*;

/// Monday 2026-09-07 00:00 UTC: the generated history's first hour.
const EPOCH: i64 = 1_788_739_200;
const WEEKS: usize = 14;
const BACKTEST_DAYS: usize = 30;

/// splitmix64: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        let (u, v) = (self.unit().max(1e-12), self.unit());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }

    fn poisson(&mut self, mean: f64) -> f64 {
        if mean > 30.0 {
            return (mean + mean.sqrt() * self.normal()).round().max(0.0);
        }
        let (limit, mut k, mut p) = ((-mean).exp(), 0.0, 1.0);
        loop {
            p *= self.unit();
            if p <= limit {
                return k;
            }
            k += 1.0;
        }
    }

    fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit()).ln()
    }
}

/// The known pattern: tickets per hour at a client of size 1, by local hour of the week:
/// weekday peaks at 9:00 and 14:00, quiet nights and weekends.
fn profile(local_hour_of_week: usize) -> f64 {
    let (day, hour) = (local_hour_of_week / 24, local_hour_of_week % 24);
    let weekday = match hour {
        0..=6 => 0.1,
        7 => 0.6,
        8 => 1.5,
        9 => 2.2,
        10..=11 => 1.8,
        12 => 1.0,
        13 => 1.6,
        14 => 2.0,
        15..=16 => 1.5,
        17 => 0.8,
        18..=20 => 0.4,
        _ => 0.2,
    };
    if day < 5 {
        weekday
    } else {
        weekday * 0.15
    }
}

struct Client {
    size: f64,
    /// Hours east of UTC.
    offset: usize,
}

const CLIENTS: [Client; 6] = [
    Client {
        size: 6.0,
        offset: 0,
    },
    Client {
        size: 3.0,
        offset: 1,
    },
    Client {
        size: 2.0,
        offset: 0,
    },
    Client {
        size: 1.0,
        offset: 2,
    },
    Client {
        size: 0.6,
        offset: 23,
    },
    Client {
        size: 4.0,
        offset: 1,
    },
];

/// Arrivals per client and UTC hour: the pattern times a level that drifts from day to day (a
/// busy week, a quiet one), times the occasional outage (a few hours at three times the rate).
fn generated_desk(seed: u64) -> Vec<Vec<f64>> {
    let mut rng = Rng(seed);
    let hours = WEEKS * WEEK_HOURS;
    CLIENTS
        .iter()
        .map(|c| {
            let mut log_level = 0.0f64;
            let mut outage_left = 0usize;
            (0..hours)
                .map(|h| {
                    if h % 24 == 0 {
                        log_level = 0.7 * log_level + 0.2 * rng.normal();
                    }
                    if outage_left == 0 && rng.unit() < 1.0 / (10.0 * 24.0) {
                        outage_left = 3 + (rng.next() % 4) as usize;
                    }
                    let outage = if outage_left > 0 {
                        outage_left -= 1;
                        3.0
                    } else {
                        1.0
                    };
                    let local = (h + c.offset) % WEEK_HOURS;
                    rng.poisson(c.size * profile(local) * log_level.exp() * outage)
                })
                .collect()
        })
        .collect()
}

fn summary(name: &str, b: &Backtest) -> String {
    let pct = |m: Option<f64>| m.map_or("-".into(), |v| format!("{v:.0}%"));
    format!(
        "{name}: MAE forecast {:.3} / same hour last week {:.3} / 4-week mean {:.3}; \
         MAPE {} / {} / {} ({} hours)",
        b.forecast.mae,
        b.last_week.mae,
        b.four_weeks.mae,
        pct(b.forecast.mape),
        pct(b.last_week.mape),
        pct(b.four_weeks.mape),
        b.compared
    )
}

/// Backtests each client's series (`hours` long) from every hour of its last 30 days, 8 hours
/// ahead, printing each; answers each client's result and the desk's MAE summed over them: the
/// forecast's, last week's copy's and the 4-week mean's.
fn backtest_desk<'a>(
    name: &str,
    clients: impl Iterator<Item = (String, &'a [f64])>,
    hours: usize,
) -> (Vec<Backtest>, [f64; 3]) {
    let from = hours - BACKTEST_DAYS * 24 - 8;
    let mut totals = [0.0f64; 3];
    let mut each = Vec::new();
    for (client, series) in clients {
        let b = backtest(series, from, hours - 8, 8);
        println!("{}", summary(&client, &b));
        totals[0] += b.forecast.mae;
        totals[1] += b.last_week.mae;
        totals[2] += b.four_weeks.mae;
        each.push(b);
    }
    println!(
        "{name}: MAE forecast {:.3}, last week {:.3}, 4-week mean {:.3}",
        totals[0], totals[1], totals[2]
    );
    (each, totals)
}

#[test]
fn the_forecast_beats_both_naive_forecasts_on_a_desk_with_known_seasonality() {
    let desk = generated_desk(0x0000_F02E_CA57);
    let clients = desk
        .iter()
        .enumerate()
        .map(|(i, series)| (format!("client {i}"), series.as_slice()));
    let (each, totals) = backtest_desk("desk", clients, WEEKS * WEEK_HOURS);
    for b in &each {
        assert_eq!(b.compared, BACKTEST_DAYS * 24 * 8);
    }
    // clearly better over the desk: at least a tenth less error than either (measured: about
    // 29% less than last week's copy, 13% less than the 4-week mean)
    assert!(totals[0] < 0.9 * totals[1], "{totals:?}");
    assert!(totals[0] < 0.9 * totals[2], "{totals:?}");
}

/// The demo desk as `seed-demo` writes it (its default size, 90 days of history): per client,
/// from every hour of the last 30 days, the next 8 hours against what arrived.
#[tokio::test]
async fn the_forecast_beats_both_naive_forecasts_on_the_seeded_desk() {
    let d = desk(app::backend::seed::DEFAULT_TICKETS).await;
    let hour_now = d.state.now().div_euclid(HOUR);
    let first = hour_now - 90 * 24;
    let hours = (hour_now - first) as usize;
    let rows = {
        let mut conn = d.state.pool.acquire().await.expect("connection");
        app::backend::repo::forecast::arrivals(&mut conn, first * HOUR, hour_now * HOUR)
            .await
            .expect("arrivals")
    };
    let mut series: std::collections::BTreeMap<i64, Vec<f64>> = Default::default();
    for (org, _priority, hour, n) in rows {
        series.entry(org).or_insert_with(|| vec![0.0; hours])[(hour - first) as usize] += n as f64;
    }
    assert!(series.len() >= 10, "{} clients", series.len());
    let clients = series
        .iter()
        .map(|(org, s)| (format!("org {org}"), s.as_slice()));
    let (_, totals) = backtest_desk("seeded desk", clients, hours);
    // clearly better than both: at least a twentieth less error than either. The seed repeats one
    // weekly rhythm without drift, so the floor is Poisson noise: even the seed's true rates
    // would score about 8.0, 0.91 of the 4-week mean's (measured: 8.36 against 9.95 and 8.82)
    assert!(totals[0] < 0.95 * totals[1], "{totals:?}");
    assert!(totals[0] < 0.95 * totals[2], "{totals:?}");
}

/// P2 response target and handle time on the generated desk (the handle time is the default
/// for P2, which the strip uses when nothing has been resolved).
const TARGET: i64 = HOUR;
const HANDLE: i64 = 45 * MINUTE;

#[test]
fn breach_predictions_within_two_hours_are_measured() {
    let desk = generated_desk(0x0B2E_AC11);
    let hours = WEEKS * WEEK_HOURS;
    let start_hour = hours - BACKTEST_DAYS * 24 - 8;
    let mut rng = Rng(7);
    // the truth: every ticket arrives at a random instant of its hour and takes a random time
    let mut jobs: Vec<Job> = Vec::new();
    let mut client_of: Vec<usize> = Vec::new();
    for (ci, series) in desk.iter().enumerate() {
        for (h, n) in series.iter().enumerate().skip(start_hour - 24) {
            for _ in 0..*n as usize {
                let arrives = EPOCH + h as i64 * HOUR + (rng.unit() * HOUR as f64) as i64;
                jobs.push(Job {
                    id: jobs.len() as i64,
                    arrives,
                    due: arrives + TARGET,
                    work: rng.exponential(HANDLE as f64) as i64,
                    finish_by: false,
                });
                client_of.push(ci);
            }
        }
    }
    // staffed by Erlang C for the pattern's expected arrivals (not the drift or the outages)
    let span = (start_hour - 24) as i64..hours as i64;
    let counts: Vec<u32> = span
        .clone()
        .flat_map(|h| {
            let demand: Vec<Demand> = CLIENTS
                .iter()
                .map(|c| Demand {
                    priority: Priority::P2,
                    per_hour: c.size * profile((h as usize + c.offset) % WEEK_HOURS),
                    handle_secs: HANDLE as f64,
                    target_secs: TARGET as f64,
                })
                .collect();
            let n = analysts_needed(&demand).max(1);
            [n; 4]
        })
        .collect();
    let staff = Staffing {
        start: EPOCH + span.start * HOUR,
        step: STEP,
        counts,
    };
    let truth = project(&jobs, &staff, staff.start, EPOCH + span.end * HOUR);

    let (mut hit, mut predicted, mut actual) = (0usize, 0usize, 0usize);
    for origin in start_hour..hours - 8 {
        let now = EPOCH + origin as i64 * HOUR;
        let clients = desk
            .iter()
            .enumerate()
            .map(|(ci, series)| {
                let mut history: [Vec<f64>; 4] = Default::default();
                history[1] = series[..origin].to_vec();
                for p in [0, 2, 3] {
                    history[p] = vec![0.0; origin];
                }
                ClientInput {
                    org_id: ci as i64,
                    code: format!("C{ci}"),
                    teams: vec![1],
                    arrivals: ClientArrivals::forecast(&history),
                    response_secs: [15 * MINUTE, TARGET, 4 * HOUR, DAY],
                }
            })
            .collect();
        // waiting now: arrived, not yet picked up
        let open: Vec<OpenTicket> = jobs
            .iter()
            .zip(&truth)
            .filter(|(j, o)| j.arrives < now && o.started.is_none_or(|s| s >= now))
            .map(|(j, _)| OpenTicket {
                id: j.id,
                number: j.id,
                org_id: client_of[j.id as usize] as i64,
                team_id: Some(1),
                priority: Priority::P2,
                due: j.due,
                finish_by: false,
            })
            .collect();
        let first = ((now - staff.start) / STEP) as usize;
        let inputs = StripInputs {
            now,
            clients,
            teams: vec![TeamInput {
                id: 1,
                name: "Generated".into(),
                staff: staff.counts[first..first + STEPS].to_vec(),
            }],
            open: open.clone(),
            handle: HandleTimes::default(),
        };
        let strip = compute(&inputs, None);
        let soon: HashSet<i64> = strip.teams[0]
            .breaches
            .iter()
            .filter(|b| b.at < now + 2 * HOUR)
            .map(|b| b.ticket_id)
            .collect();
        let breached: HashSet<i64> = open
            .iter()
            .filter(|t| (now..now + 2 * HOUR).contains(&t.due) && truth[t.id as usize].breached)
            .map(|t| t.id)
            .collect();
        hit += soon.intersection(&breached).count();
        predicted += soon.len();
        actual += breached.len();
    }
    let precision = hit as f64 / predicted.max(1) as f64;
    let recall = hit as f64 / actual.max(1) as f64;
    println!(
        "will breach within 2 h: precision {:.0}% ({hit} of {predicted} predicted), \
         recall {:.0}% ({hit} of {actual} that did)",
        precision * 100.0,
        recall * 100.0
    );
    assert!(
        actual > 0,
        "the generated desk breached nothing: no measure"
    );
    assert!(predicted > 0);
}

#[tokio::test]
async fn the_strip_is_the_leads_and_managers_and_follows_who_is_on_shift() {
    let d = desk(2000).await;
    let manager = d.actor(MANAGER).await;
    let lead = d.actor(LEAD).await;
    let all = forecast_backend::strip(&d.state, &manager, None)
        .await
        .expect("manager");
    assert!(all.teams.len() >= 2, "{:?}", all.teams.len());
    for t in &all.teams {
        assert_eq!(
            (t.hours.len(), t.staff.len(), t.needed.len()),
            (HORIZON_HOURS, STEPS, STEPS)
        );
    }
    // history of months of tickets: every team serving clients expects arrivals
    assert!(all
        .teams
        .iter()
        .any(|t| t.hours.iter().any(|h| h.arrivals_tenths > 0)));
    let mine = forecast_backend::strip(&d.state, &lead, None)
        .await
        .expect("lead");
    assert_eq!(mine.teams.len(), 1);
    assert_eq!(Some(mine.teams[0].team_id), lead.team_id);
    for who in [CLIENT, ANALYST, ADMIN] {
        let actor = d.actor(who).await;
        let refused = forecast_backend::strip(&d.state, &actor, None).await;
        assert!(
            matches!(refused, Err(AppError::Forbidden(_))),
            "{who}: {refused:?}"
        );
    }

    let before = mine.teams[0].staff[0];
    let ana = d.actor(ANALYST).await;
    shifts::start_shift(&d.state, &ana).await.expect("shift");
    let on = forecast_backend::strip(&d.state, &lead, None)
        .await
        .expect("lead");
    assert_eq!(on.teams[0].staff[0], before + 1);
    // the what-if adds one for two hours, and nothing is saved
    let now = d.state.now();
    let add = WhatIf::Add {
        team: on.teams[0].team_id,
        from: now,
        until: now + 2 * HOUR,
    };
    let tried = forecast_backend::strip(&d.state, &lead, Some(add))
        .await
        .expect("what-if");
    assert_eq!(tried.teams[0].staff[0], before + 2);
    assert_eq!(
        tried.teams[0].staff[STEPS - 1],
        on.teams[0].staff[STEPS - 1]
    );
    let again = forecast_backend::strip(&d.state, &lead, None)
        .await
        .expect("lead");
    assert_eq!(again.teams[0].staff, on.teams[0].staff);
}

/// Runs one statement on the desk's database.
async fn exec(d: &Desk, sql: &str) {
    app::pool_run!(d.state.pool, c => sqlx::query(sql).execute(c).await.map(|_| ()))
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

#[tokio::test]
async fn a_breach_predicted_soon_tells_the_lead_once_with_the_suggested_action() {
    let d = desk(2000).await;
    d.fall_behind(20).await;
    let lead = d.actor(LEAD).await;
    let team = lead.team_id.expect("the lead's team");
    // nobody on the team works the next hours, and three of its open tickets fall due in 30 min
    exec(
        &d,
        &format!("UPDATE shifts SET ended_at = {NOW} WHERE ended_at IS NULL"),
    )
    .await;
    exec(
        &d,
        &format!("DELETE FROM oncall_shifts WHERE team_id = {team}"),
    )
    .await;
    let soon = NOW + 30 * MINUTE;
    exec(
        &d,
        &format!(
            "UPDATE tickets SET next_due_at = {soon} WHERE id IN (SELECT id FROM tickets
             WHERE team_id = {team} AND status_rank = 0 AND sla_paused_at IS NULL
             ORDER BY id LIMIT 3)"
        ),
    )
    .await;
    let chosen = d
        .scalar(&format!(
            "SELECT COUNT(*) FROM tickets WHERE team_id = {team} AND next_due_at = {soon}"
        ))
        .await;
    assert_eq!(chosen, 3);

    let raised = forecast_alert::raise_due(&d.state).await.expect("alerts");
    assert!(raised >= 3, "{raised}");
    let steps = d
        .scalar(&format!(
            "SELECT COUNT(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
             WHERE e.kind = 'breach_predicted' AND NOT e.public AND t.next_due_at = {soon}"
        ))
        .await;
    assert_eq!(steps, 3, "one staff-only step on each of the three");
    // the lead hears of each, with the suggested action; the managers and the analysts do not
    let to_lead = d
        .scalar(&format!(
            "SELECT COUNT(*) FROM notifications n JOIN tickets t ON t.id = n.ticket_id
             WHERE n.kind = 'breach_predicted' AND n.recipient_id = {} AND t.next_due_at = {soon}
             AND n.subject LIKE '%predicted to breach at%'
             AND n.body LIKE '%Suggested: one more analyst on%'",
            lead.id
        ))
        .await;
    assert_eq!(to_lead, 3);
    let to_others = d
        .scalar(&format!(
            "SELECT COUNT(*) FROM notifications WHERE kind = 'breach_predicted'
             AND recipient_id <> {}",
            lead.id
        ))
        .await;
    assert_eq!(to_others, 0);

    // once per prediction: a second pass tells nobody again, nor does a later one about these
    assert_eq!(forecast_alert::raise_due(&d.state).await.expect("again"), 0);
    d.clock.advance(5 * MINUTE);
    forecast_alert::raise_due(&d.state).await.expect("later");
    let steps_after = d
        .scalar(&format!(
            "SELECT COUNT(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
             WHERE e.kind = 'breach_predicted' AND t.next_due_at = {soon}"
        ))
        .await;
    assert_eq!(steps_after, 3);
}
