//! The dashboard's "next 8 hours": per team, forecast arrivals, analysts on shift against
//! analysts needed, and the tickets predicted to breach; a what-if recomputes it with one analyst
//! more or moved (nothing saved). Live: pushed events recompute it, at most twice a minute.

use crate::api::forecast::get_forecast;
use crate::model::forecast::{Strip, TeamStrip, WhatIf};
use crate::model::time::{format_hm_utc, HOUR};
use crate::model::{AppError, TicketNumber};
use crate::ui::browser::throttle;
use crate::ui::components::{ErrorNotice, Loading};
use crate::ui::fields::{choice, Select};
use crate::ui::live::use_live;
use crate::ui::resource::resource;
use leptos::either::Either;
use leptos::prelude::*;

#[component]
pub fn ForecastStrip() -> impl IntoView {
    // an 8-hour forecast need not follow every event of a busy desk, and each costs the server
    let changes = throttle(use_live().version, 30_000);
    let what_if = RwSignal::new(None::<WhatIf>);
    // kept here, not in the form: a live update redraws the strip while the lead is choosing
    let draft = WhatIfDraft::default();
    let strip = resource(
        move || (changes.get(), what_if.get()),
        |(_, what_if)| forecast(what_if),
    );
    view! {
        <section class="card forecast" aria-labelledby="forecast-title">
            <h2 id="forecast-title">"Next 8 hours"</h2>
            <p class="muted small">
                "Per team: the tickets forecast to arrive, analysts on shift against analysts needed to meet \
                 each client's response targets, and the open tickets that would breach with the staffing as it \
                 stands. Times in UTC."
            </p>
            <Transition fallback=|| view! { <Loading what="Working out the next 8 hours…" /> }>
                {move || Suspend::new(async move {
                    match strip.await {
                        Ok(strip) => Either::Left(view! { <StripView strip what_if draft /> }),
                        Err(error) => Either::Right(view! { <ErrorNotice error /> }),
                    }
                })}
            </Transition>
        </section>
    }
}

async fn forecast(what_if: Option<WhatIf>) -> Result<Strip, AppError> {
    match what_if {
        None => get_forecast(None, None, None, None).await,
        Some(WhatIf::Move {
            from_team,
            to_team,
            at,
        }) => get_forecast(Some(to_team), Some(from_team), Some(at), None).await,
        Some(WhatIf::Add { team, from, until }) => {
            get_forecast(Some(team), None, Some(from), Some(until)).await
        }
    }
}

#[component]
fn StripView(strip: Strip, what_if: RwSignal<Option<WhatIf>>, draft: WhatIfDraft) -> impl IntoView {
    if strip.teams.is_empty() {
        return Either::Left(view! {
            <p class="muted">"No team to forecast: teams with members appear here."</p>
        });
    }
    let teams: Vec<(i64, String)> = strip
        .teams
        .iter()
        .map(|t| (t.team_id, t.team.clone()))
        .collect();
    let hours: Vec<i64> = strip.teams[0].hours.iter().map(|h| h.start).collect();
    let trying = {
        let teams = teams.clone();
        move || what_if.get().map(|w| describe(&w, &teams))
    };
    Either::Right(view! {
        {move || trying().map(|words| view! {
            <p class="notice notice-info" role="status">
                <strong>"What-if: "</strong>{words}" (nothing is saved). "
                <button type="button" class="btn btn-small btn-quiet" on:click=move |_| what_if.set(None)>"Back to the plan"</button>
            </p>
        })}
        <div class="forecast-teams">
            {strip.teams.into_iter().map(|team| view! { <TeamForecast team /> }).collect_view()}
        </div>
        <WhatIfForm teams hours what_if draft />
    })
}

/// A what-if in the lead's words.
fn describe(what_if: &WhatIf, teams: &[(i64, String)]) -> String {
    let name = |id: i64| {
        teams
            .iter()
            .find(|(t, _)| *t == id)
            .map(|(_, name)| name.clone())
            .unwrap_or_else(|| format!("team {id}"))
    };
    match *what_if {
        WhatIf::Move {
            from_team,
            to_team,
            at,
        } => format!(
            "one analyst moves from {} to {} from {}",
            name(from_team),
            name(to_team),
            format_hm_utc(at)
        ),
        WhatIf::Add { team, from, until } => format!(
            "one more analyst on {} from {} to {}",
            name(team),
            format_hm_utc(from),
            format_hm_utc(until)
        ),
    }
}

#[component]
fn TeamForecast(team: TeamStrip) -> impl IntoView {
    let title_id = format!("forecast-team-{}", team.team_id);
    let labelled_by = title_id.clone();
    let late_arrivals: u32 = team.arrivals_breaching.iter().map(|(_, n)| n).sum();
    let short = team.hours.iter().any(|h| h.staff < h.needed);
    let (class, headline) = match (team.breaches.len(), late_arrivals, short) {
        (0, 0, false) => (
            "forecast-ok",
            "On track: the staffing covers the forecast.".to_string(),
        ),
        (0, 0, true) => (
            "forecast-warn",
            "Short of analysts in some hours, no breach predicted yet.".to_string(),
        ),
        (open, new, _) => (
            "forecast-bad",
            format!(
                "{} predicted to breach with the staffing as it stands.",
                match (open, new) {
                    (open, 0) => plural(open as u32, "open ticket"),
                    (0, new) => plural(new, "new ticket"),
                    (open, new) => format!(
                        "{} and {}",
                        plural(open as u32, "open ticket"),
                        plural(new, "new ticket")
                    ),
                }
            ),
        ),
    };
    let cells = |value: &dyn Fn(&crate::model::forecast::HourCell) -> String| {
        team.hours
            .iter()
            .map(|h| {
                let short = h.staff < h.needed;
                view! { <td class:cell-danger=short>{value(h)}</td> }
            })
            .collect_view()
    };
    let arriving = cells(&|h| format!("{:.1}", h.arrivals_tenths as f64 / 10.0));
    let on_shift = cells(&|h| {
        if h.staff < h.needed {
            format!("▼ {}", h.staff)
        } else {
            h.staff.to_string()
        }
    });
    let needed = cells(&|h| h.needed.to_string());
    view! {
        <article class=format!("forecast-team {class}") aria-labelledby=labelled_by>
            <h3 id=title_id>{format!("Team {}", team.team)}</h3>
            <p class="forecast-headline">{headline}</p>
            {team.suggestion().map(|s| view! { <p class="forecast-action"><strong>"Suggested: "</strong>{s}"."</p> })}
            {(!team.spiking.is_empty()).then(|| view! {
                <p class="small">
                    <span class="badge badge-spike">"▲ Spike"</span>
                    {format!(" Forecast raised for {}: arrivals are running above normal.", team.spiking.join(", "))}
                </p>
            })}
            <div class="table-wrap" tabindex="0">
                <table class="forecast-hours">
                    <caption class="visually-hidden">{format!("Team {}, hour by hour", team.team)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Hour"</th>
                            {team.hours.iter().map(|h| view! { <th scope="col">{format_hm_utc(h.start)}</th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        <tr><th scope="row">"Arriving (forecast)"</th>{arriving}</tr>
                        <tr><th scope="row">"Analysts on shift"</th>{on_shift}</tr>
                        <tr><th scope="row">"Analysts needed"</th>{needed}</tr>
                    </tbody>
                </table>
            </div>
            {(!team.breaches.is_empty()).then(|| view! {
                <ul class="forecast-breaches" aria-label=format!("Predicted breaches, team {}", team.team)>
                    {team.breaches.iter().map(|b| {
                        let number = TicketNumber(b.number).to_string();
                        view! {
                            <li>
                                <a href=format!("/tickets/{number}")>{number.clone()}</a>
                                {format!(" {} {} would breach at {}", b.client, b.priority, format_hm_utc(b.at))}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
            {(late_arrivals > 0).then(|| view! {
                <p class="small">
                    {format!(
                        "Of the tickets still to arrive, likely to breach: {}.",
                        team.arrivals_breaching.iter().map(|(client, n)| format!("{n} from {client}")).collect::<Vec<_>>().join(", ")
                    )}
                </p>
            })}
        </article>
    }
}

fn plural(n: u32, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// The what-if being chosen, as the form's fields hold it.
#[derive(Clone, Copy)]
struct WhatIfDraft {
    kind: RwSignal<String>,
    team: RwSignal<String>,
    from_team: RwSignal<String>,
    from: RwSignal<String>,
    until: RwSignal<String>,
    problem: RwSignal<Option<AppError>>,
}

impl Default for WhatIfDraft {
    fn default() -> Self {
        WhatIfDraft {
            kind: RwSignal::new("add".into()),
            team: RwSignal::new(String::new()),
            from_team: RwSignal::new(String::new()),
            from: RwSignal::new(String::new()),
            until: RwSignal::new(String::new()),
            problem: RwSignal::new(None),
        }
    }
}

/// "Add one analyst 13:00–17:00" or "move one analyst from Borealis to Atlas from 12:00".
#[component]
fn WhatIfForm(
    teams: Vec<(i64, String)>,
    hours: Vec<i64>,
    what_if: RwSignal<Option<WhatIf>>,
    draft: WhatIfDraft,
) -> impl IntoView {
    let WhatIfDraft {
        kind,
        team,
        from_team,
        from,
        until,
        problem,
    } = draft;
    // the first drawing chooses the first team and the next four hours
    let first_hour = hours.first().copied().unwrap_or_default();
    let unset = |field: RwSignal<String>, value: String| {
        if field.get_untracked().is_empty() {
            field.set(value);
        }
    };
    unset(
        team,
        teams.first().map(|t| t.0.to_string()).unwrap_or_default(),
    );
    unset(from, first_hour.to_string());
    unset(until, (first_hour + 4 * HOUR).to_string());
    let may_move = teams.len() > 1;
    let team_choices = || {
        teams
            .iter()
            .map(|(id, name)| choice(id.to_string(), name.clone()))
            .collect::<Vec<_>>()
    };
    let hour_choices = |offset: i64| {
        hours
            .iter()
            .map(|h| choice((h + offset).to_string(), format_hm_utc(h + offset)))
            .collect::<Vec<_>>()
    };
    let (to_teams, from_teams) = (team_choices(), team_choices());
    let (starts, ends) = (hour_choices(0), hour_choices(HOUR));
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let number = |s: RwSignal<String>| s.get_untracked().parse::<i64>().ok();
        let tried = match (kind.get_untracked().as_str(), number(team), number(from)) {
            ("move", Some(to_team), Some(at)) => match number(from_team) {
                Some(from_team) if from_team != to_team => Ok(WhatIf::Move {
                    from_team,
                    to_team,
                    at,
                }),
                _ => Err("Choose two different teams to move an analyst between."),
            },
            ("add", Some(team), Some(from)) => match number(until) {
                Some(until) if until > from => Ok(WhatIf::Add { team, from, until }),
                _ => Err("The analyst's time must end after it starts."),
            },
            _ => Err("Choose a team and a time."),
        };
        match tried {
            Ok(w) => {
                problem.set(None);
                what_if.set(Some(w));
            }
            Err(why) => problem.set(Some(AppError::invalid(why))),
        }
    };
    let moving = move || kind.get() == "move";
    view! {
        <form class="what-if" on:submit=submit aria-labelledby="what-if-title">
            <h3 id="what-if-title">"What if…"</h3>
            <p class="muted small">"Try a change to the staffing: the forecast above is worked out again with it. Nothing is saved."</p>
            <div class="inline-form">
                <div class="field">
                    <label for="what-if-kind">"Change"</label>
                    <Select value={kind} options={
                        let mut kinds = vec![choice("add", "Add one analyst")];
                        if may_move {
                            kinds.push(choice("move", "Move one analyst between teams"));
                        }
                        kinds
                    } {..} id="what-if-kind" />
                </div>
                <div class="field" hidden=move || !moving()>
                    <label for="what-if-from-team">"From team"</label>
                    <Select value={from_team} prompt="Choose…" options={from_teams} {..} id="what-if-from-team" />
                </div>
                <div class="field">
                    <label for="what-if-team">{move || if moving() { "To team" } else { "On team" }}</label>
                    <Select value={team} options={to_teams} {..} id="what-if-team" />
                </div>
                <div class="field">
                    <label for="what-if-from">"From"</label>
                    <Select value={from} options={starts} {..} id="what-if-from" />
                </div>
                <div class="field" hidden=moving>
                    <label for="what-if-until">"Until"</label>
                    <Select value={until} options={ends} {..} id="what-if-until" />
                </div>
                <button type="submit" class="btn btn-primary">"Work it out"</button>
            </div>
            {move || problem.get().map(|error| view! { <ErrorNotice error /> })}
        </form>
    }
}
