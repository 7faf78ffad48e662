//! The on-call roster: who is on call for each team over the next seven days, as a calendar;
//! leads edit their own team's, managers every team's. Maintenance windows, in which a client's
//! monitoring alerts page nobody. And the page acknowledgement link.

use crate::api::oncall::{
    get_monitoring, get_roster, AckPage, AddOncallShift, EndMaintenance, PlanMaintenance,
    RemoveOncallShift,
};
use crate::model::alert::{AlertStatus, AlertSummary, MaintenanceWindow, Monitoring};
use crate::model::shift::{RosterView, TeamRoster};
use crate::model::time::{civil_from_days, format_ago, format_utc, DAY, HOUR, MINUTE};
use crate::ui::action::ServerCall;
use crate::ui::components::{DataTable, ErrorNotice, Loading, PageHeader};
use crate::ui::fields::{choice, Select, TextInput};
use crate::ui::live::use_clock;
use crate::ui::resource::resource;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

fn hhmm(ts: i64) -> String {
    let secs = ts.rem_euclid(DAY);
    format!("{:02}:{:02}", secs / HOUR, (secs % HOUR) / MINUTE)
}

fn day_label(day_start: i64) -> String {
    let days = day_start.div_euclid(DAY);
    let (_, m, d) = civil_from_days(days);
    format!("{} {d}/{m}", WEEKDAYS[((days + 3).rem_euclid(7)) as usize])
}

#[component]
pub fn OnCallPage() -> impl IntoView {
    let add = ServerCall::<AddOncallShift>::new();
    let remove = ServerCall::<RemoveOncallShift>::new();
    let clock = use_clock();
    let roster = resource(
        move || (add.version().get(), remove.version().get()),
        |_| get_roster(None),
    );
    let error = move || {
        add.value()
            .get()
            .and_then(Result::err)
            .or_else(|| remove.refusal())
    };
    view! {
        <Title text="On call" />
        <PageHeader title="On call" subtitle="Who answers P1s outside a client's business hours. Times are UTC." />
        {move || error().map(|error| view! { <ErrorNotice error /> })}
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match roster.await {
                    Ok(view) => {
                        clock.sync(view.now);
                        Either::Left(view! { <Roster view add remove /> })
                    }
                    Err(error) => Either::Right(view! { <ErrorNotice error /> }),
                }
            })}
        </Transition>
        <MonitoringCards />
    }
}

#[component]
fn Roster(
    view: RosterView,
    add: ServerCall<AddOncallShift>,
    remove: ServerCall<RemoveOncallShift>,
) -> impl IntoView {
    let days: Vec<i64> = (0..7).map(|i| view.from + i * DAY).collect();
    view! {
        {view.teams.into_iter().map(|team| view! { <TeamCalendar team days=days.clone() add remove /> }).collect_view()}
    }
}

#[component]
fn TeamCalendar(
    team: TeamRoster,
    days: Vec<i64>,
    add: ServerCall<AddOncallShift>,
    remove: ServerCall<RemoveOncallShift>,
) -> impl IntoView {
    let team_id = team.id;
    let editable = team.editable;
    let person = RwSignal::new(String::new());
    let starts = RwSignal::new(String::new());
    let ends = RwSignal::new(String::new());
    let repeat = RwSignal::new("0".to_string());
    let ids = (
        format!("oc-person-{team_id}"),
        format!("oc-start-{team_id}"),
        format!("oc-end-{team_id}"),
        format!("oc-repeat-{team_id}"),
    );
    view! {
        <section class="card" aria-labelledby=format!("team-{team_id}")>
            <div class="card-head">
                <h2 id=format!("team-{team_id}")>{format!("Team {}", team.name)}</h2>
                <p class="oncall-now">
                    {match team.on_call_now.clone() {
                        Some(name) => format!("On call now: {name}"),
                        None => "Nobody on call now: pages go to the team lead".into(),
                    }}
                </p>
            </div>
            <div class="calendar" role="table" aria-label=format!("On-call shifts of team {}", team.name)>
                <div role="row" class="calendar-row">
                    {days.iter().map(|d| view! { <div role="columnheader" class="calendar-day">{day_label(*d)}</div> }).collect_view()}
                </div>
                <div role="row" class="calendar-row">
                    {days.iter().map(|d| {
                        let (start, end) = (*d, *d + DAY);
                        let todays: Vec<_> = team.shifts.iter().filter(|s| s.starts_at < end && s.ends_at > start).cloned().collect();
                        view! {
                            <div role="cell" class="calendar-cell">
                                {if todays.is_empty() {
                                    Either::Left(view! { <span class="muted small">"–"</span> })
                                } else {
                                    Either::Right(todays.into_iter().map(|s| {
                                        let shift_id = s.id;
                                        view! {
                                            <div class="shift-chip">
                                                <strong>{s.user.name.clone()}</strong>
                                                <span class="small">{format!(" {}–{}", hhmm(s.starts_at.max(start)), if s.ends_at >= end { "24:00".into() } else { hhmm(s.ends_at) })}</span>
                                                {editable.then(|| view! {
                                                    <button type="button" class="btn btn-small btn-quiet" aria-label=format!("Remove {}'s shift", s.user.name)
                                                        on:click=move |_| { remove.dispatch(RemoveOncallShift { shift_id }); }>"×"</button>
                                                })}
                                            </div>
                                        }
                                    }).collect_view())
                                }}
                            </div>
                        }
                    }).collect_view()}
                </div>
            </div>
            {editable.then(|| {
                let members = team.members.clone();
                view! {
                    <form class="oncall-form" on:submit=move |e| {
                        e.prevent_default();
                        add.dispatch(AddOncallShift {
                            team_id,
                            user_id: person.get_untracked().parse().unwrap_or(0),
                            starts: starts.get_untracked(),
                            ends: ends.get_untracked(),
                            repeat_weeks: repeat.get_untracked().parse().unwrap_or(0),
                        });
                    }>
                        <div class="field">
                            <label for=ids.0.clone()>"Person"</label>
                            <Select value={person} prompt="Choose…" options={members.into_iter().map(|m| choice(m.id.to_string(), m.name)).collect()}
                                {..} id=ids.0.clone() required=true />
                        </div>
                        <div class="field">
                            <label for=ids.1.clone()>"Starts (UTC)"</label>
                            <TextInput value={starts} {..} id=ids.1.clone() type="datetime-local" required=true />
                        </div>
                        <div class="field">
                            <label for=ids.2.clone()>"Ends (UTC)"</label>
                            <TextInput value={ends} {..} id=ids.2.clone() type="datetime-local" required=true />
                        </div>
                        <div class="field">
                            <label for=ids.3.clone()>"Repeat weekly"</label>
                            <Select value={repeat} options={std::iter::once(choice("0", "No")).chain((1..=12).map(|w| choice(w.to_string(), format!("{w} more week(s)")))).collect()}
                                {..} id=ids.3.clone() />
                        </div>
                        <button type="submit" class="btn btn-primary">"Add shift"</button>
                    </form>
                }
            })}
        </section>
    }
}

#[component]
fn MonitoringCards() -> impl IntoView {
    let plan = ServerCall::<PlanMaintenance>::new();
    let end = ServerCall::<EndMaintenance>::new();
    // kept here, not in the form: the list reloads after every call, refused ones too
    let draft = WindowDraft::default();
    Effect::new(move |_| {
        if matches!(plan.value().get(), Some(Ok(()))) {
            draft.reason.set(String::new());
        }
    });
    let monitoring = resource(
        move || (plan.version().get(), end.version().get()),
        |_| get_monitoring(),
    );
    view! {
        <section class="card" aria-labelledby="alerts-title">
            <h2 id="alerts-title">"Monitoring alerts"</h2>
            <p class="muted small">"The latest alerts of the clients you serve, as monitoring tools report them."</p>
            <Transition fallback=|| view! { <Loading what="Loading monitoring alerts…" /> }>
                {move || Suspend::new(async move {
                    match monitoring.await {
                        Ok(view) => Either::Left(view! { <Alerts alerts=view.alerts now=view.now /> }),
                        Err(error) => Either::Right(view! { <ErrorNotice error /> }),
                    }
                })}
            </Transition>
        </section>
        <section class="card" aria-labelledby="maintenance-title">
            <h2 id="maintenance-title">"Maintenance windows"</h2>
            <p class="muted small">
                "While a client's window runs, its monitoring alerts are counted but open no ticket and page \
                 nobody: planned work does not wake the person on call. Times are UTC."
            </p>
            {move || end.refusal().or_else(|| plan.refusal()).map(|error| view! { <ErrorNotice error /> })}
            <Transition fallback=|| view! { <Loading what="Loading maintenance windows…" /> }>
                {move || Suspend::new(async move {
                    match monitoring.await {
                        Ok(view) => Either::Left(view! { <Windows view plan end draft /> }),
                        Err(error) => Either::Right(view! { <ErrorNotice error /> }),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Alerts(alerts: Vec<AlertSummary>, now: i64) -> impl IntoView {
    if alerts.is_empty() {
        return Either::Left(view! {
            <p class="muted">"No alerts yet. Monitoring tools report them to /api/v1/alerts with an integration token."</p>
        });
    }
    let rows = alerts
        .into_iter()
        .map(|a| {
            let reports = [
                (a.fired_count > 0).then(|| format!("{} fired", a.fired_count)),
                (a.suppressed_count > 0).then(|| format!("{} in maintenance", a.suppressed_count)),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
            view! {
                <tr>
                    <td>{a.org_name}</td>
                    <td>{a.title}<br /><span class="muted small">{format!("{} {}", a.source, a.key)}</span></td>
                    <td>{a.severity.label()}</td>
                    <td>{match a.status {
                        AlertStatus::Firing => Either::Left(view! { <span class="badge">"Firing"</span> }),
                        AlertStatus::Resolved => Either::Right("Cleared"),
                    }}</td>
                    <td>{format_ago(now, a.last_at)}</td>
                    <td>{reports}</td>
                    <td>{match a.ticket {
                        Some(number) => Either::Left(view! { <a href=format!("/tickets/{number}")>{number.to_string()}</a> }),
                        None => Either::Right("–"),
                    }}</td>
                </tr>
            }
        })
        .collect_view();
    Either::Right(view! {
        <DataTable caption="Monitoring alerts" columns=&["Client", "Alert", "Severity", "Status", "Last report", "Reports", "Ticket"]>
            {rows}
        </DataTable>
    })
}

#[component]
fn Windows(
    view: Monitoring,
    plan: ServerCall<PlanMaintenance>,
    end: ServerCall<EndMaintenance>,
    draft: WindowDraft,
) -> impl IntoView {
    let Monitoring {
        now, windows, orgs, ..
    } = view;
    let may_plan = !orgs.is_empty();
    let list = if windows.is_empty() {
        Either::Left(view! { <p class="muted">"No maintenance planned."</p> })
    } else {
        let rows = windows
            .into_iter()
            .map(|w| view! { <WindowRow w now end may_plan /> })
            .collect_view();
        Either::Right(view! {
            <DataTable caption="Maintenance windows" columns=&["Client", "From", "Until", "Reason"] actions=may_plan>
                {rows}
            </DataTable>
        })
    };
    view! {
        {list}
        {may_plan.then(|| view! { <PlanForm orgs plan draft /> })}
    }
}

#[component]
fn WindowRow(
    w: MaintenanceWindow,
    now: i64,
    end: ServerCall<EndMaintenance>,
    may_plan: bool,
) -> impl IntoView {
    let running = w.starts_at <= now;
    let (org, id) = (w.org_code.clone(), w.id);
    let label = if running { "End now" } else { "Cancel" };
    view! {
        <tr>
            <td>{w.org_name.clone()}</td>
            <td>
                {format_utc(w.starts_at)}
                {running.then(|| view! { " " <span class="badge">"Running"</span> })}
            </td>
            <td>{format_utc(w.ends_at)}</td>
            <td>{w.reason.clone()}</td>
            {may_plan.then(|| view! {
                <td>
                    <button type="button" class="btn btn-small" aria-label=format!("{label}: {} maintenance, {}", w.org_name, w.reason)
                        disabled=move || end.pending().get()
                        on:click=move |_| end.dispatch(EndMaintenance { org: org.clone(), id })>
                        {label}
                    </button>
                </td>
            })}
        </tr>
    }
}

/// What the planning form holds.
#[derive(Clone, Copy, Default)]
struct WindowDraft {
    org: RwSignal<String>,
    starts: RwSignal<String>,
    ends: RwSignal<String>,
    reason: RwSignal<String>,
}

#[component]
fn PlanForm(
    orgs: Vec<(String, String)>,
    plan: ServerCall<PlanMaintenance>,
    draft: WindowDraft,
) -> impl IntoView {
    let WindowDraft {
        org,
        starts,
        ends,
        reason,
    } = draft;
    view! {
        <form class="oncall-form" aria-label="Plan a maintenance window" on:submit=move |e| {
            e.prevent_default();
            plan.dispatch(PlanMaintenance {
                org: org.get_untracked(),
                starts: starts.get_untracked(),
                ends: ends.get_untracked(),
                reason: reason.get_untracked(),
            });
        }>
            <div class="field">
                <label for="mw-org">"Client"</label>
                <Select value={org} prompt="Choose…" options={orgs.into_iter().map(|(code, name)| choice(code, name)).collect()}
                    {..} id="mw-org" required=true />
            </div>
            <div class="field">
                <label for="mw-start">"From (UTC)"</label>
                <TextInput value={starts} {..} id="mw-start" type="datetime-local" required=true />
            </div>
            <div class="field">
                <label for="mw-end">"Until (UTC)"</label>
                <TextInput value={ends} {..} id="mw-end" type="datetime-local" required=true />
            </div>
            <div class="field">
                <label for="mw-reason">"Reason"</label>
                <TextInput value={reason} {..} id="mw-reason" placeholder="Patch night" required=true maxlength="200" />
            </div>
            <button type="submit" class="btn btn-primary" disabled=move || plan.pending().get()>"Plan window"</button>
        </form>
    }
}

/// `/pages/<token>`: the link in a page. Acknowledging needs no sign-in: the token is the key.
#[component]
pub fn PageAckPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let ack = ServerCall::<AckPage>::new();
    view! {
        <Title text="Acknowledge page" />
        <main id="main" class="signin">
            <section class="signin-card" aria-labelledby="ack-title">
                <h1 id="ack-title">"On-call page"</h1>
                {move || match ack.value().get() {
                    Some(Ok(number)) => Either::Left(view! {
                        <p class="notice notice-info" role="status">{format!("Acknowledged. {number} is yours to look at.")}</p>
                        <a class="btn btn-primary btn-block" href=format!("/tickets/{number}")>"Open the ticket"</a>
                    }),
                    other => Either::Right(view! {
                        <p>"Acknowledge this page to tell the desk you are on it. The lead is paged if nobody answers in time."</p>
                        {other.and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
                        <button class="btn btn-primary btn-block" disabled=move || ack.pending().get()
                            on:click=move |_| { ack.dispatch(AckPage { token: token() }); }>
                            "Acknowledge"
                        </button>
                    }),
                }}
            </section>
        </main>
    }
}
