//! The ops dashboard: per-client queue health with ticking SLA countdowns, team workload per
//! client, and arrivals. Everything on it is live: a pushed event refetches it.

use crate::api::dashboard::{get_dashboard, get_volume};
use crate::model::dashboard::{
    sort_clients, ClientHealth, Dashboard, HealthSort, Volume, Workload,
};
use crate::model::time::{format_duration, DAY};
use crate::model::Status;
use crate::ui::components::{Countdown, ErrorNotice, Loading, PageHeader};
use crate::ui::fields::{choice, Select};
use crate::ui::live::{use_clock, use_live};
use crate::ui::pages::forecast::ForecastStrip;
use crate::ui::resource::resource;
use crate::ui::set_http_status;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let live = use_live();
    let clock = use_clock();
    let data = resource(move || live.version.get(), |_| get_dashboard());
    view! {
        <Title text="Dashboard" />
        <PageHeader title="Dashboard" subtitle="Queue health per client, SLA risk and team workload. Updates live." />
        <Transition fallback=|| view! { <Loading what="Loading the dashboard…" /> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => {
                        clock.sync(d.now);
                        Either::Left(view! { <DashboardView data=d /> })
                    }
                    Err(error) => {
                        set_http_status(error.status());
                        Either::Right(view! { <ErrorNotice error /> })
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn DashboardView(data: Dashboard) -> impl IntoView {
    let total = |f: fn(&ClientHealth) -> i64| data.clients.iter().map(f).sum::<i64>();
    let kpis = [
        ("Open", total(|c| c.open), ""),
        ("Unassigned", total(|c| c.unassigned), ""),
        ("At risk", total(|c| c.at_risk), "kpi-warning"),
        ("Breached", total(|c| c.breached), "kpi-danger"),
        (
            "Arrived in the last hour",
            total(|c| c.arrivals_last_hour),
            "",
        ),
    ];
    view! {
        <section class="kpis" aria-label="Totals">
            {kpis.into_iter().map(|(label, value, class)| view! {
                <div class=format!("kpi {class}")>
                    <span class="kpi-value">{value}</span>
                    <span class="kpi-label">{label}</span>
                </div>
            }).collect_view()}
        </section>
        <ClientHealthTable clients=data.clients.clone() now=data.now />
        <ForecastStrip />
        <WorkloadMatrix workload=data.workload.clone() />
        <VolumePanel initial=data.volume.clone() clients=data.clients.iter().map(|c| (c.org_code.clone(), c.org_name.clone())).collect() />
    }
}

#[component]
fn ClientHealthTable(clients: Vec<ClientHealth>, now: i64) -> impl IntoView {
    let sort = RwSignal::new(HealthSort::Worst);
    let rows = Memo::new(move |_| {
        let mut rows = clients.clone();
        sort_clients(&mut rows, sort.get());
        rows
    });
    let header = move |label: &'static str, by: HealthSort| {
        view! {
            <th scope="col" aria-sort=move || if sort.get() == by { "descending" } else { "none" }>
                <button type="button" class="sort" on:click=move |_| sort.set(by)>{label}</button>
            </th>
        }
    };
    view! {
        <section class="card" aria-labelledby="health-title">
            <h2 id="health-title">"Queue health by client"</h2>
            <p class="muted small">"Worst first: breached, then at risk, then unassigned. Click a column to sort by it."</p>
            <div class="table-wrap" tabindex="0">
                <table class="health">
                    <thead>
                        <tr>
                            {header("Client", HealthSort::Name)}
                            {header("Open", HealthSort::Open)}
                            {header("Unassigned", HealthSort::Unassigned)}
                            {header("At risk", HealthSort::AtRisk)}
                            {header("Breached", HealthSort::Breached)}
                            {header("Oldest open", HealthSort::Oldest)}
                            {header("Next due", HealthSort::NextDue)}
                            {header("Last hour", HealthSort::Arrivals)}
                            <th scope="col">"SLA met 24 h / 7 d"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || rows.get() key=|c| c.org_code.clone() let:c>
                            <tr class:row-breached={c.breached > 0}>
                                <th scope="row">
                                    <a href=format!("/queue?client={}", c.org_code)>{c.org_name.clone()}</a>
                                    <span class="muted small">" "{c.org_code.clone()}</span>
                                </th>
                                <td>{c.open}</td>
                                <td>
                                    <a href=format!("/queue?client={}&assignee=unassigned", c.org_code)>{c.unassigned}</a>
                                </td>
                                <td class:cell-warning={c.at_risk > 0}>
                                    {(c.at_risk > 0).then_some("⚠ ")}{c.at_risk}
                                </td>
                                <td class:cell-danger={c.breached > 0}>
                                    {(c.breached > 0).then_some("✕ ")}{c.breached}
                                </td>
                                <td>{c.oldest_open_at.map(|at| format_duration(now - at)).unwrap_or_else(|| "–".into())}</td>
                                <td>
                                    {match c.next_due {
                                        Some((due, warn)) => Either::Left(view! { <Countdown status=Status::Open due_at=due warn_at=warn /> }),
                                        None => Either::Right("–"),
                                    }}
                                </td>
                                <td>
                                    {c.arrivals_last_hour}
                                    <span class="muted small">{format!(" (usual {:.1})", c.normal_tenths as f64 / 10.0)}</span>
                                    {c.spike.then(|| view! { <span class="badge badge-spike">"▲ Spike"</span> })}
                                </td>
                                <td>{percent(c.attainment_24h)}" / "{percent(c.attainment_7d)}</td>
                            </tr>
                        </For>
                    </tbody>
                </table>
            </div>
        </section>
    }
}

fn percent(p: Option<u8>) -> String {
    p.map(|p| format!("{p}%")).unwrap_or_else(|| "–".into())
}

#[component]
fn WorkloadMatrix(workload: Workload) -> impl IntoView {
    let columns = workload.clients.clone();
    let max = workload
        .teams
        .iter()
        .flat_map(|t| t.analysts.iter())
        .flat_map(|a| a.by_client.iter().map(|(_, n)| *n))
        .max()
        .unwrap_or(1)
        .max(1);
    view! {
        <section class="card" aria-labelledby="workload-title">
            <h2 id="workload-title">"Team workload per client"</h2>
            <p class="muted small">
                "Open tickets each person holds, per client. "
                <span class="badge badge-overload">"Overloaded"</span>
                " marks half again the median of colleagues on the same tier, or more."
            </p>
            <ul class="tier-counts" aria-label="Open tickets per tier">
                {(0..3).map(|i| view! {
                    <li>
                        <strong>{format!("Tier {}", i + 1)}</strong>
                        {format!(": {} open, {} unassigned", workload.tiers[i], workload.tiers_unassigned[i])}
                    </li>
                }).collect_view()}
            </ul>
            <div class="table-wrap" tabindex="0">
                <table class="matrix">
                    <thead>
                        <tr>
                            <th scope="col">"Analyst"</th>
                            {columns.iter().map(|c| view! { <th scope="col">{c.clone()}</th> }).collect_view()}
                            <th scope="col">"Total"</th>
                        </tr>
                    </thead>
                    {workload.teams.into_iter().map(|team| {
                        let columns = columns.clone();
                        view! {
                            <tbody>
                                <tr class="team-row">
                                    <th scope="colgroup" colspan=columns.len() + 2>
                                        {format!("Team {} · median {}", team.team, team.median)}
                                    </th>
                                </tr>
                                {team.analysts.into_iter().map(|a| {
                                    let cells = columns.iter().map(|c| {
                                        let n = a.by_client.iter().find(|(code, _)| code == c).map(|(_, n)| *n).unwrap_or(0);
                                        let heat = if n == 0 { 0 } else { 1 + (n * 4 / max).min(3) };
                                        view! { <td class=format!("heat-{heat}")>{(n > 0).then_some(n)}</td> }
                                    }).collect_view();
                                    view! {
                                        <tr class:overloaded=a.overloaded>
                                            <th scope="row">
                                                {a.name.clone()}
                                                <span class="muted small">{a.tier.map(|t| format!(" T{t}"))}</span>
                                                {a.overloaded.then(|| view! { <span class="badge badge-overload">"Overloaded"</span> })}
                                            </th>
                                            {cells}
                                            <td class="total">{a.total}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        }
                    }).collect_view()}
                </table>
            </div>
        </section>
    }
}

#[component]
fn VolumePanel(initial: Volume, clients: Vec<(String, String)>) -> impl IntoView {
    let client = RwSignal::new(String::new());
    let other = resource(
        move || client.get(),
        |code| async move {
            if code.is_empty() {
                None
            } else {
                Some(get_volume(Some(code)).await)
            }
        },
    );
    view! {
        <section class="card" aria-labelledby="volume-title">
            <div class="card-head">
                <h2 id="volume-title">"Arrivals"</h2>
                <div class="field inline">
                    <label for="volume-client">"Client"</label>
                    <Select value={client} prompt="All clients" options={clients.into_iter().map(|(code, name)| choice(code, name)).collect()}
                        {..} id="volume-client" />
                </div>
            </div>
            <Transition fallback=|| view! { <Loading /> }>
                {move || {
                    let initial = initial.clone();
                    Suspend::new(async move {
                        match other.await {
                            None => Either::Left(view! { <VolumeCharts volume=initial /> }),
                            Some(Ok(v)) => Either::Left(view! { <VolumeCharts volume=v /> }),
                            Some(Err(error)) => Either::Right(view! { <ErrorNotice error /> }),
                        }
                    })
                }}
            </Transition>
        </section>
    }
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

#[component]
fn VolumeCharts(volume: Volume) -> impl IntoView {
    let hourly_labels: Vec<String> = (0..24)
        .map(|i| {
            let hours_ago = 23 - i;
            if hours_ago == 0 {
                "this hour".to_string()
            } else {
                format!("{hours_ago}h ago")
            }
        })
        .collect();
    let daily_labels: Vec<String> = (0..7)
        .map(|i| {
            let day = (volume.daily_from + i * DAY).div_euclid(DAY);
            // 1970-01-01 was a Thursday
            WEEKDAYS[((day + 3).rem_euclid(7)) as usize].to_string()
        })
        .collect();
    view! {
        <div class="charts">
            <BarChart title=format!("{}: last 24 hours, per hour", volume.label) values=volume.hourly.clone() labels=hourly_labels label_every=6 />
            <BarChart title=format!("{}: last 7 days, per day (UTC)", volume.label) values=volume.daily.clone() labels=daily_labels label_every=1 />
        </div>
    }
}

/// A bar chart drawn as SVG, with every value in words (a title per bar) and a table view.
#[component]
fn BarChart(
    title: String,
    values: Vec<i64>,
    labels: Vec<String>,
    label_every: usize,
) -> impl IntoView {
    const W: f64 = 640.0;
    const H: f64 = 170.0;
    const BASE: f64 = 140.0;
    let max = values.iter().copied().max().unwrap_or(0).max(1) as f64;
    let n = values.len().max(1) as f64;
    let slot = W / n;
    let bars = values
        .iter()
        .zip(labels.iter())
        .enumerate()
        .map(|(i, (v, label))| {
            let h = (*v as f64 / max) * (BASE - 16.0);
            let x = i as f64 * slot + slot * 0.15;
            let tip = format!("{label}: {v}");
            let show_label = i % label_every == 0 || i + 1 == values.len();
            view! {
                <g>
                    <rect x=format!("{x:.1}") y=format!("{:.1}", BASE - h) width=format!("{:.1}", slot * 0.7) height=format!("{h:.1}") class="bar">
                        <title>{tip}</title>
                    </rect>
                    {(*v > 0 && slot > 22.0).then(|| view! {
                        <text x=format!("{:.1}", x + slot * 0.35) y=format!("{:.1}", BASE - h - 3.0) class="bar-value" text-anchor="middle">{*v}</text>
                    })}
                    {show_label.then(|| view! {
                        <text x=format!("{:.1}", x + slot * 0.35) y=format!("{:.1}", BASE + 16.0) class="bar-label" text-anchor="middle">{label.clone()}</text>
                    })}
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <figcaption>{title.clone()}</figcaption>
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=title.clone() preserveAspectRatio="none">
                <line x1="0" y1=BASE x2=W y2=BASE class="axis" />
                {bars}
            </svg>
            <details>
                <summary>"Show as a table"</summary>
                <table class="compact">
                    <thead><tr><th scope="col">"When"</th><th scope="col">"Arrivals"</th></tr></thead>
                    <tbody>
                        {labels.into_iter().zip(values).map(|(l, v)| view! { <tr><td>{l}</td><td>{v}</td></tr> }).collect_view()}
                    </tbody>
                </table>
            </details>
        </figure>
    }
}
