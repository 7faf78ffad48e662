//! Small building blocks every page uses.

use crate::model::AppError;
use leptos::prelude::*;

#[component]
pub fn PageHeader(
    #[prop(into)] title: String,
    #[prop(optional, into)] subtitle: Option<String>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <header class="page-header">
            <div>
                <h1>{title}</h1>
                {subtitle.map(|s| view! { <p class="muted">{s}</p> })}
            </div>
            {children.map(|c| view! { <div class="page-actions">{c()}</div> })}
        </header>
    }
}

/// What a list shows when it has nothing in it: say so, and what to do next.
#[component]
pub fn EmptyState(#[prop(into)] title: String, #[prop(into)] hint: String) -> impl IntoView {
    view! {
        <div class="empty-state" role="status">
            <p class="empty-title">{title}</p>
            <p class="muted">{hint}</p>
        </div>
    }
}

#[component]
pub fn Loading(#[prop(optional, into)] what: Option<String>) -> impl IntoView {
    let label = what.unwrap_or_else(|| "Loading…".to_string());
    view! {
        <div class="loading" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            {label}
        </div>
    }
}

/// An error said in plain words.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    view! {
        <div class="notice notice-error" role="alert">
            <strong>"Sorry. "</strong>
            {error.to_string()}
        </div>
    }
}

use crate::model::sla::SlaState;
use crate::model::time::{format_ago, format_countdown, format_rfc3339, format_utc};
use crate::model::{PendingReason, Priority, Status};
use crate::ui::live::use_clock;

#[component]
pub fn StatusBadge(
    status: Status,
    #[prop(default = None)] pending: Option<PendingReason>,
    #[prop(optional)] client: bool,
) -> impl IntoView {
    let label = if client {
        status.client_label()
    } else {
        status.label()
    };
    let title = pending.map(|p| p.label().to_string());
    view! {
        <span class=format!("badge status-{}", status.as_str())>{label}</span>
        {title.map(|t| view! { <span class="badge badge-quiet">{t}</span> })}
    }
}

#[component]
pub fn PriorityBadge(priority: Priority) -> impl IntoView {
    let title = match priority {
        Priority::P1 => "Priority 1: emergency",
        Priority::P2 => "Priority 2: urgent",
        Priority::P3 => "Priority 3: normal",
        Priority::Ops => "Operational work",
    };
    view! {
        <span class=format!("badge prio-{}", priority.as_str()) title=title>
            {priority.label()}
        </span>
    }
}

/// "Requires budget" / "Requires approval" markers.
#[component]
pub fn FlagBadges(budget: bool, approval: bool) -> impl IntoView {
    view! {
        {budget.then(|| view! { <span class="badge badge-flag" title="Requires budget">"$ Budget"</span> })}
        {approval.then(|| view! { <span class="badge badge-flag" title="Requires additional approval">"✓ Approval"</span> })}
    }
}

/// An instant as "12m ago", with the exact time on hover and for machines.
#[component]
pub fn Ago(at: i64, now: i64) -> impl IntoView {
    view! { <time datetime=format_rfc3339(at) title=format_utc(at)>{format_ago(now, at)}</time> }
}

/// Time left to a ticket's next SLA target, ticking every second in the browser from the
/// instant the server computed. The state is said in words and with an icon, never colour alone.
#[component]
pub fn Countdown(
    status: Status,
    #[prop(default = None)] pending: Option<PendingReason>,
    due_at: i64,
    warn_at: i64,
    #[prop(optional)] long: bool,
) -> impl IntoView {
    let clock = use_clock();
    move || {
        let now = clock.now.get();
        let (class, icon, text) = match SlaState::at(status, pending, due_at, warn_at, now) {
            SlaState::OnTrack { due_at } => (
                "sla sla-ok",
                "◷",
                format!("{} left", format_countdown(due_at - now)),
            ),
            SlaState::Warning { due_at } => (
                "sla sla-warning",
                "⚠",
                format!("{} left", format_countdown(due_at - now)),
            ),
            SlaState::Breached { due_at } => (
                "sla sla-breached",
                "✕",
                format!("{} over", format_countdown(now - due_at)),
            ),
            SlaState::Paused { reason } => {
                let why = if long {
                    reason.label().to_lowercase()
                } else {
                    "paused".into()
                };
                (
                    "sla sla-paused",
                    "⏸",
                    if long { format!("Paused: {why}") } else { why },
                )
            }
            SlaState::Done => ("sla sla-done", "✓", "done".into()),
        };
        let label = match class {
            "sla sla-warning" => "At risk: ",
            "sla sla-breached" => "Breached: ",
            "sla sla-ok" if long => "Due: ",
            _ => "",
        };
        view! {
            <span class=class role="timer" title=format_utc(due_at)>
                <span aria-hidden="true">{icon}" "</span>
                {long.then_some(label)}
                {text}
            </span>
        }
    }
}

/// A table of records: a caption for screen readers, a row of column headings, and the rows. A
/// last column without a heading holds each row's buttons.
#[component]
pub fn DataTable(
    caption: &'static str,
    columns: &'static [&'static str],
    #[prop(optional)] class: Option<&'static str>,
    #[prop(optional)] actions: bool,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0">
            <table class=class>
                <caption class="visually-hidden">{caption}</caption>
                <thead><tr>
                    {columns.iter().map(|c| view! { <th scope="col">{*c}</th> }).collect_view()}
                    {actions.then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}
                </tr></thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}
