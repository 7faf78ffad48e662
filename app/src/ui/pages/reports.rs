//! Reports: the desk's figures over a period (charts drawn as SVG, each with a table view and a
//! CSV download) and the weekly scorecards with the team's median beside them. Recurring
//! problems and problem records follow them on the page (`problems.rs`).

use super::problems::ProblemsSection;
use crate::api::reports::{get_desk_report, get_scorecards};
use crate::model::reports::{
    format_day, Count, DeskReport, ReportParams, ScorecardPage, TeamMedians, WEEKDAYS,
};
use crate::model::time::format_duration;
use crate::ui::components::{DataTable, EmptyState, ErrorNotice, Loading, PageHeader};
use crate::ui::resource::resource;
use crate::ui::set_http_status;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

fn duration(secs: Option<i64>) -> String {
    secs.map(format_duration).unwrap_or_else(|| "–".into())
}

fn on_shift(secs: i64, shifts: usize) -> String {
    match shifts {
        0 => "–".into(),
        1 => format!("{} in 1 shift", format_duration(secs)),
        n => format!("{} in {n} shifts", format_duration(secs)),
    }
}

fn percent(value: Option<f64>) -> String {
    value
        .map(|v| format!("{v:.1} %"))
        .unwrap_or_else(|| "–".into())
}

#[component]
pub fn ReportsPage() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| {
        let q = query.read();
        ReportParams {
            from: q.get("from"),
            to: q.get("to"),
            client: q.get("client"),
        }
    });
    let week = Memo::new(move |_| query.read().get("week"));
    let report = resource(move || params.get(), get_desk_report);
    let cards = resource(move || week.get(), |week| get_scorecards(week, None));
    view! {
        <Title text="Reports" />
        <PageHeader title="Reports" subtitle="How the desk is doing: volume, speed, quality, and each analyst's week." />
        <Transition fallback=|| view! { <Loading what="Computing the report…" /> }>
            {move || Suspend::new(async move {
                match report.await {
                    Ok(r) => view! { <DeskReportView r /> }.into_any(),
                    Err(error) => {
                        set_http_status(error.status());
                        view! { <ErrorNotice error /> <a class="btn" href="/reports">"Show the last four weeks"</a> }.into_any()
                    }
                }
            })}
        </Transition>
        <Transition fallback=|| view! { <Loading what="Computing the scorecards…" /> }>
            {move || Suspend::new(async move {
                match cards.await {
                    Ok(page) => view! { <Scorecards page /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Transition>
        <ProblemsSection />
    }
}

#[component]
fn DeskReportView(r: DeskReport) -> impl IntoView {
    let params = ReportParams {
        from: Some(format_day(r.query.from_day)),
        to: Some(format_day(r.query.to_day)),
        client: r.query.client.clone(),
    };
    let csv_query = params.to_query();
    let client = r.query.client.clone().unwrap_or_default();
    let figures = [
        ("Raised", r.raised.to_string()),
        ("Resolved", r.resolved.to_string()),
        ("First response, median", duration(r.first_response.median)),
        (
            "First response, 90th percentile",
            duration(r.first_response.p90),
        ),
        ("Resolution, median", duration(r.resolution.median)),
        ("Resolution, 90th percentile", duration(r.resolution.p90)),
        (
            "First response, median in business hours",
            duration(r.first_response_business.median),
        ),
        (
            "First response, 90th percentile in business hours",
            duration(r.first_response_business.p90),
        ),
        (
            "Resolution, median in business hours",
            duration(r.resolution_business.median),
        ),
        (
            "Resolution, 90th percentile in business hours",
            duration(r.resolution_business.p90),
        ),
        ("First response on target", percent(r.response_attainment)),
        ("Resolution on target", percent(r.resolution_attainment)),
        ("Resolved on first contact", percent(r.first_contact_rate)),
        ("Reopened", percent(r.reopen_rate)),
        (
            "Satisfaction (1–5)",
            r.csat
                .map(|c| format!("{c:.1} from {} ratings", r.ratings))
                .unwrap_or_else(|| "no ratings".into()),
        ),
    ];
    view! {
        <section class="card" aria-labelledby="period-title">
            <h2 id="period-title">"Desk report"</h2>
            <Form method="GET" action="/reports" attr:class="filters">
                <div class="field">
                    <label for="from">"From"</label>
                    <input id="from" name="from" type="date" value=params.from.clone() />
                </div>
                <div class="field">
                    <label for="to">"To"</label>
                    <input id="to" name="to" type="date" value=params.to.clone() />
                </div>
                <div class="field">
                    <label for="client">"Client"</label>
                    <select id="client" name="client">
                        <option value="">"All clients"</option>
                        {r.clients.iter().map(|(code, name)| {
                            let selected = code.eq_ignore_ascii_case(&client);
                            view! { <option value=code.clone() selected=selected>{name.clone()}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="btn">"Show"</button>
            </Form>
            <dl class="figures">
                {figures.into_iter().map(|(label, value)| view! {
                    <div class="figure"><dt>{label}</dt><dd>{value}</dd></div>
                }).collect_view()}
            </dl>
            <p class="small muted">
                "Times run from when the ticket was raised: wall-clock, and in business hours of each client's calendar; on-target shares follow each client's SLA calendar. "
                <a href=format!("/reports/summary.csv?{csv_query}") download>"Download these figures (CSV)"</a>
            </p>
        </section>
        {if r.raised == 0 {
            view! { <EmptyState title="No tickets were raised in this period." hint="Choose a longer period or another client." /> }.into_any()
        } else {
            let csv = |name: &str| format!("/reports/{name}.csv?{csv_query}");
            view! {
                <DailyChart id="volume" title="Tickets raised per day" what="tickets raised per day"
                    column="Raised" days=r.per_day.clone() csv=csv("volume") />
                <HeatMap cells=r.heat_map csv=csv("heatmap") />
                <div class="report-grid">
                    <Breakdown title="By priority" rows=r.by_priority.clone() total=r.raised csv=csv("priority") />
                    <Breakdown title="By channel" rows=r.by_channel.clone() total=r.raised csv=csv("channel") />
                    <Breakdown title="By category" rows=r.by_category.clone() total=r.raised csv=csv("category") />
                </div>
            }.into_any()
        }}
        // the backlog is worth reading even when nothing new came in
        <DailyChart id="backlog" title="Backlog: tickets open at the end of each day"
            what="tickets open at the end of each day" column="Open"
            days=r.backlog.clone() csv=format!("/reports/backlog.csv?{csv_query}") />
    }
}

/// A count per day as SVG bars, with the numbers as a table for reading and for screen readers.
#[component]
fn DailyChart(
    id: &'static str,
    title: &'static str,
    /// What a bar counts, for the chart's description ("tickets raised per day").
    what: &'static str,
    /// The table's heading for the count.
    column: &'static str,
    days: Vec<Count>,
    csv: String,
) -> impl IntoView {
    let max = days.iter().map(|d| d.count).max().unwrap_or(0).max(1);
    let (width, height) = (720.0_f64, 160.0_f64);
    let slot = width / days.len().max(1) as f64;
    let bars = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let h = (d.count as f64 / max as f64) * (height - 20.0);
            let x = i as f64 * slot + 1.0;
            let y = height - h;
            view! {
                <rect x=format!("{x:.1}") y=format!("{y:.1}") width=format!("{:.1}", (slot - 2.0).max(1.0)) height=format!("{h:.1}") class="bar">
                    <title>{format!("{}: {} {}", d.label, d.count, column.to_lowercase())}</title>
                </rect>
            }
        })
        .collect_view();
    let first = days.first().map(|d| d.label.clone()).unwrap_or_default();
    let last = days.last().map(|d| d.label.clone()).unwrap_or_default();
    view! {
        <section class="card" id=id aria-labelledby=format!("{id}-title")>
            <h2 id=format!("{id}-title")>{title}</h2>
            <svg class="chart" viewBox=format!("0 0 {width} {height}") role="img"
                aria-label=format!("Bar chart of {what}, from {first} to {last}; at most {max} a day")>
                <line x1="0" y1=format!("{height}") x2=format!("{width}") y2=format!("{height}") class="axis" />
                <text x="2" y="12" class="chart-label">{format!("{max} a day")}</text>
                {bars}
            </svg>
            <p class="chart-axis small muted"><span>{first}</span><span>{last}</span></p>
            <details>
                <summary>"Show as a table"</summary>
                <table class="data">
                    <thead><tr><th scope="col">"Day"</th><th scope="col">{column}</th></tr></thead>
                    <tbody>
                        {days.iter().map(|d| view! { <tr><td>{d.label.clone()}</td><td>{d.count}</td></tr> }).collect_view()}
                    </tbody>
                </table>
            </details>
            <p class="small"><a href=csv download>{format!("Download {what} (CSV)")}</a></p>
        </section>
    }
}

/// Weekday by hour (UTC): each cell shows its number; the shade only repeats it.
#[component]
fn HeatMap(cells: [[usize; 24]; 7], csv: String) -> impl IntoView {
    let max = cells.iter().flatten().copied().max().unwrap_or(0).max(1);
    let shade = move |n: usize| {
        if n == 0 {
            0
        } else {
            1 + (n * 3) / max
        }
    };
    view! {
        <section class="card" aria-labelledby="heat-title">
            <h2 id="heat-title">"When tickets arrive (weekday × hour, UTC)"</h2>
            <div class="table-wrap" tabindex="0">
                <table class="heat-map">
                    <thead>
                        <tr>
                            <th scope="col"><span class="visually-hidden">"Weekday"</span></th>
                            {(0..24).map(|h| view! { <th scope="col">{format!("{h:02}")}</th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {cells.iter().enumerate().map(|(d, row)| view! {
                            <tr>
                                <th scope="row">{WEEKDAYS[d]}</th>
                                {row.iter().enumerate().map(|(h, n)| view! {
                                    <td class=format!("heat-{}", shade(*n)) title=format!("{} {h:02}:00, {n} raised", WEEKDAYS[d])>{*n}</td>
                                }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <p class="small"><a href=csv download>"Download the heat map (CSV)"</a></p>
        </section>
    }
}

#[component]
fn Breakdown(title: &'static str, rows: Vec<Count>, total: usize, csv: String) -> impl IntoView {
    view! {
        <section class="card">
            <h2>{title}</h2>
            <table class="data">
                <thead><tr><th scope="col">"Kind"</th><th scope="col">"Raised"</th><th scope="col">"Share"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|c| {
                        let share = c.count as f64 * 100.0 / total.max(1) as f64;
                        view! { <tr><td>{c.label}</td><td>{c.count}</td><td>{format!("{share:.0} %")}</td></tr> }
                    }).collect_view()}
                </tbody>
            </table>
            <p class="small"><a href=csv download>{format!("Download {} (CSV)", title.to_lowercase())}</a></p>
        </section>
    }
}

#[component]
fn Scorecards(page: ScorecardPage) -> impl IntoView {
    let week = format_day(page.week_day);
    let csv = format!("/reports/scorecards.csv?week={week}");
    let medians = page.team_medians.clone();
    let median_of = move |team: &Option<String>| -> Option<TeamMedians> {
        medians
            .iter()
            .find(|m| Some(&m.team) == team.as_ref())
            .cloned()
    };
    let beside = |value: String, median: Option<String>| {
        view! {
            {value}
            {median.map(|m| view! { <span class="median">{format!(" (team {m})")}</span> })}
        }
    };
    view! {
        <section class="card" aria-labelledby="cards-title">
            <h2 id="cards-title">{format!("Weekly scorecards, week of {week}")}</h2>
            <Form method="GET" action="/reports" attr:class="filters">
                <div class="field">
                    <label for="week">"Week of"</label>
                    <input id="week" name="week" type="date" value=week.clone() />
                </div>
                <button type="submit" class="btn">"Show"</button>
            </Form>
            {if page.cards.is_empty() {
                view! { <EmptyState title="No scorecards to show." hint="Scorecards are kept for analysts and seniors." /> }.into_any()
            } else {
                view! {
                    <DataTable caption="One row per analyst; the team's median in brackets" class="data scorecards"
                        columns=&["Analyst", "Handled", "Resolved", "First contact", "Median response", "Median resolution",
                            "On target", "Reopened", "CSAT", "Articles", "On shift", "Resolved, last 4 weeks"]>
                                {page.cards.into_iter().map(|c| {
                                    let m = median_of(&c.team);
                                    let count = |n: Option<i64>| n.map(|n| n.to_string());
                                    view! {
                                        <tr data-analyst=c.name.clone()>
                                            <th scope="row">{c.name.clone()}<div class="muted small">{c.team.clone()}</div></th>
                                            <td>{beside(c.handled.to_string(), m.as_ref().and_then(|m| count(m.handled)))}</td>
                                            <td>{beside(c.resolved.to_string(), m.as_ref().and_then(|m| count(m.resolved)))}</td>
                                            <td>{beside(c.first_contact.to_string(), m.as_ref().and_then(|m| count(m.first_contact)))}</td>
                                            <td>{beside(duration(c.median_response), m.as_ref().and_then(|m| m.median_response).map(format_duration))}</td>
                                            <td>{beside(duration(c.median_resolution), m.as_ref().and_then(|m| m.median_resolution).map(format_duration))}</td>
                                            <td>{percent(c.sla_attainment)}</td>
                                            <td>{percent(c.reopen_rate)}</td>
                                            <td>{c.csat.map(|v| format!("{v:.1}")).unwrap_or_else(|| "–".into())}</td>
                                            <td>{c.articles}</td>
                                            <td>{on_shift(c.shift_secs, c.shifts)}</td>
                                            <td class="trend">{c.trend.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(" → ")}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                    </DataTable>
                    <p class="small"><a href=csv download>"Download the scorecards (CSV)"</a></p>
                }.into_any()
            }}
        </section>
    }
}
