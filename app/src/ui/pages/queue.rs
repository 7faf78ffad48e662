//! The queue: open work on top, filters in the URL, keyboard driven (j/k to move, Enter to open,
//! c to claim).

use crate::api::queue::{get_queue, get_queue_counts};
use crate::api::tickets::ClaimTicket;
use crate::model::queue::{
    AssigneeFilter, Choice, FlagFilter, QueueCounts, QueueFilter, QueuePage, QueueRow, StatusView,
};
use crate::model::{AppError, Priority, Status, TicketNumber};
use crate::ui::action::ServerCall;
use crate::ui::components::{
    Ago, Countdown, DataTable, EmptyState, ErrorNotice, FlagBadges, Loading, PageHeader,
    PriorityBadge, StatusBadge,
};
use crate::ui::live::{use_clock, use_live};
use crate::ui::resource::resource;
use crate::ui::{browser, set_http_status};
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

/// The URL parameters the queue reads.
const QUERY_KEYS: [&str; 9] = [
    "status", "client", "priority", "team", "tier", "assignee", "flag", "q", "after",
];

#[component]
pub fn QueuePage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        let q = query.read();
        QueueFilter::from_query(
            QUERY_KEYS
                .iter()
                .filter_map(|k| q.get_str(k).map(|v| (*k, v))),
        )
    });
    let claim = ServerCall::<ClaimTicket>::new();
    // the ticket the keyboard is on, kept here so that a refresh (a claim, a live event) does
    // not move the analyst back to the top
    let selected = RwSignal::new(None::<i64>);
    let live = use_live();
    let clock = use_clock();
    let page = resource(
        move || (filter.get(), claim.version().get(), live.version.get()),
        |(filter, _, _)| async move {
            match filter {
                Ok(f) => get_queue(f).await,
                Err(e) => Err(AppError::BadRequest(e)),
            }
        },
    );
    let counts = resource(
        move || (filter.get(), claim.version().get(), live.version.get()),
        |(filter, _, _)| async move {
            match filter {
                Ok(f) => get_queue_counts(f).await.ok(),
                Err(_) => None,
            }
        },
    );

    view! {
        <Title text="Queue" />
        <PageHeader title="Queue" subtitle="Open work first, the earliest due on top.">
            <a class="btn btn-primary" href="/tickets/new">"New ticket / log a call"</a>
        </PageHeader>
        {move || claim.refusal().map(|e| view! { <ErrorNotice error=e /> })}
        <Transition fallback=|| view! { <Loading what="Loading the queue…" /> }>
            {move || Suspend::new(async move {
                let f = match filter.get() {
                    Ok(f) => f,
                    Err(e) => {
                        set_http_status(400);
                        return view! {
                            <div class="notice notice-error" role="alert">
                                <strong>"These filters do not work: "</strong>{e}" "
                                <a href="/queue">"Show the whole queue"</a>
                            </div>
                        }
                        .into_any();
                    }
                };
                let (page, counts) = (page.await, counts.await);
                if let Ok(p) = &page {
                    clock.sync(p.now);
                }
                match page {
                    Ok(p) => view! {
                        <StatusTabs filter=f.clone() counts />
                        <FilterBar filter=f.clone() clients=p.clients.clone() teams=p.teams.clone() />
                        <QueueTable page=p filter=f claim selected />
                    }
                    .into_any(),
                    Err(e) => {
                        set_http_status(e.status());
                        view! { <ErrorNotice error=e /> }.into_any()
                    }
                }
            })}
        </Transition>
        <p class="muted keyboard-help">
            <kbd>"j"</kbd>" / "<kbd>"k"</kbd>" move · "<kbd>"Enter"</kbd>" open · "<kbd>"c"</kbd>" claim"
        </p>
    }
}

#[component]
fn FilterBar(filter: QueueFilter, clients: Vec<Choice>, teams: Vec<Choice>) -> impl IntoView {
    let choice = |value: &str, label: &str| Choice {
        value: value.into(),
        label: label.into(),
    };
    let priorities = Priority::ALL
        .iter()
        .map(|p| choice(p.as_str(), p.label()))
        .collect();
    let tiers = [1u8, 2, 3]
        .iter()
        .map(|t| choice(&t.to_string(), &format!("Tier {t}")))
        .collect();
    let assignees = [
        (AssigneeFilter::Anyone, "Anyone"),
        (AssigneeFilter::Me, "Me"),
        (AssigneeFilter::Unassigned, "Unassigned"),
    ]
    .iter()
    .map(|(a, label)| choice(&a.to_string(), label))
    .collect();
    let flags = [
        (FlagFilter::Budget, "Budget"),
        (FlagFilter::Approval, "Approval"),
    ]
    .iter()
    .map(|(f, label)| choice(f.as_str(), label))
    .collect();
    view! {
        <Form method="GET" action="/queue" attr:class="filters" attr:aria-label="Filter the queue">
            {(filter.view != StatusView::Active).then(|| view! { <input type="hidden" name="status" value=filter.view.to_string() /> })}
            <div class="field field-search">
                <label for="q">"Search"</label>
                <input id="q" name="q" type="search" placeholder="Number, subject or problem" value=filter.q.clone().unwrap_or_default() />
            </div>
            <FilterSelect name="client" label="Client" any="All clients" options=clients current=filter.client.clone() />
            <FilterSelect name="priority" label="Priority" any="Any" options=priorities
                current=filter.priority.map(|p| p.as_str().to_string()) />
            <FilterSelect name="tier" label="Tier" any="Any" options=tiers current=filter.tier.map(|t| t.to_string()) />
            <FilterSelect name="team" label="Team" any="Any" options=teams current=filter.team.map(|t| t.to_string()) />
            <FilterSelect name="assignee" label="Assignee" options=assignees current=Some(filter.assignee.to_string()) />
            <FilterSelect name="flag" label="Waiting on" any="Anything" options=flags
                current=filter.flag.map(|f| f.as_str().to_string()) />
            <div class="filter-actions">
                <button type="submit" class="btn btn-primary">"Apply"</button>
                <a class="btn btn-quiet" href="/queue">"Clear"</a>
            </div>
        </Form>
    }
}

/// A drop-down of the filter bar: the form field `name`, its `options` with `current` chosen,
/// and first, when the filter may be left out, an option `any` that leaves it out.
#[component]
fn FilterSelect(
    name: &'static str,
    label: &'static str,
    #[prop(optional)] any: Option<&'static str>,
    options: Vec<Choice>,
    current: Option<String>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=name>{label}</label>
            <select id=name name=name>
                {any.map(|any| view! { <option value="">{any}</option> })}
                {options.into_iter().map(|c| {
                    let is = current.as_deref() == Some(c.value.as_str());
                    view! { <option value=c.value selected=is>{c.label}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

#[component]
fn StatusTabs(filter: QueueFilter, counts: Option<QueueCounts>) -> impl IntoView {
    let tabs = StatusView::ALL
        .iter()
        .map(|view| {
            let view = *view;
            let href = format!(
                "/queue?{}",
                QueueFilter {
                    view,
                    after: None,
                    ..filter.clone()
                }
                .to_query()
            );
            let current = filter.view == view;
            let count = counts.as_ref().and_then(|c| {
                c.by_view
                    .iter()
                    .find(|(v, _)| *v == view)
                    .map(|(_, n)| c.format(*n))
            });
            view! {
                <li>
                    <a href=href aria-current=current.then_some("page") class:current=current>
                        {view.label()}
                        <span class="count">{count}</span>
                    </a>
                </li>
            }
        })
        .collect_view();
    view! { <nav aria-label="Status"><ul class="tabs">{tabs}</ul></nav> }
}

#[component]
fn QueueTable(
    page: QueuePage,
    filter: QueueFilter,
    claim: ServerCall<ClaimTicket>,
    selected: RwSignal<Option<i64>>,
) -> impl IntoView {
    if page.rows.is_empty() {
        let hint = if filter == QueueFilter::default() {
            "Nothing is waiting. New tickets appear here as they are raised."
        } else {
            "No tickets match these filters. Try clearing some of them."
        };
        return Either::Left(view! { <EmptyState title="No tickets here" hint=hint /> });
    }
    let now = page.now;
    let rows: Vec<QueueRow> = page.rows;
    let keyed: Vec<(i64, Option<i64>)> = rows
        .iter()
        .map(|r| (r.number.0, is_claimable(r).then_some(r.version)))
        .collect();
    let numbers: Vec<i64> = keyed.iter().map(|(n, _)| *n).collect();
    // the selected ticket's row; the first row when it has left this page
    let current = Memo::new(move |_| {
        selected
            .get()
            .and_then(|n| numbers.iter().position(|m| *m == n))
            .unwrap_or(0)
    });
    browser::listen_to_queue_keys(
        keyed.len(),
        move || current.get_untracked(),
        move |key, index| {
            let Some(&(number, claimable)) = keyed.get(index) else {
                return;
            };
            match key {
                browser::QueueKey::Select => selected.set(Some(number)),
                browser::QueueKey::Open => {
                    browser::load_page(&format!("/tickets/{}", TicketNumber(number)))
                }
                browser::QueueKey::Claim => {
                    if let Some(version) = claimable {
                        claim.dispatch(ClaimTicket { number, version });
                    }
                }
            }
        },
    );
    let first_page = filter
        .after
        .is_some()
        .then(|| format!("/queue?{}", filter.first_page().to_query()));
    let next_page = page.next.map(|c| {
        format!(
            "/queue?{}",
            QueueFilter {
                after: Some(c),
                ..filter.clone()
            }
            .to_query()
        )
    });
    Either::Right(view! {
        <DataTable caption="Tickets in queue order" class="queue" actions=true
            columns=&["Ticket", "Priority", "Status", "Assignee", "Tier", "Due", "Updated"]>
                    {rows.into_iter().enumerate().map(|(i, r)| {
                        let claimable = is_claimable(&r);
                        let (number, version) = (r.number.0, r.version);
                        view! {
                            <tr class:selected=move || current.get() == i class:handed-over=r.handoff_note.is_some() aria-selected=move || (current.get() == i).to_string() data-number=r.number.to_string()>
                                <td class="ticket-cell">
                                    <A href=format!("/tickets/{}", r.number)>
                                        <span class="ticket-number">{r.number.to_string()}</span>
                                        " "
                                        <span class="ticket-subject">{r.subject.clone()}</span>
                                    </A>
                                    <div class="muted small">{r.requester.clone()}" · "<abbr title=r.org_name.clone()>{r.org_code.clone()}</abbr></div>
                                    {r.handoff_note.clone().map(|note| view! {
                                        <div class="handoff-note"><strong>"↪ Handed over: "</strong>{note}</div>
                                    })}
                                </td>
                                <td><PriorityBadge priority=r.priority /></td>
                                <td>
                                    <StatusBadge status=r.status pending=r.pending_reason />
                                    <FlagBadges budget=r.requires_budget approval=r.requires_approval />
                                </td>
                                <td>{r.assignee.as_ref().map(|a| a.name.clone()).unwrap_or_else(|| "Unassigned".into())}</td>
                                <td>{format!("T{}", r.tier)}</td>
                                <td>
                                    <Countdown status=r.status pending=r.pending_reason due_at=r.next_due_at warn_at=r.next_warn_at />
                                </td>
                                <td><Ago at=r.updated_at now /></td>
                                <td>
                                    {claimable.then(|| view! {
                                        <button
                                            type="button"
                                            class="btn btn-small"
                                            on:click=move |_| { claim.dispatch(ClaimTicket { number, version }); }
                                            disabled=move || claim.pending().get()
                                        >"Claim"</button>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
        </DataTable>
        <nav class="pager" aria-label="Pages">
            {first_page.map(|href| view! { <a class="btn" href=href>"← First page"</a> })}
            {next_page.map(|href| view! { <a class="btn" href=href>"Next page →"</a> })}
        </nav>
    })
}

/// Whether the queue offers to claim this row: nobody has it and its clock is running.
fn is_claimable(row: &QueueRow) -> bool {
    row.assignee.is_none() && row.status.is_active() && row.status != Status::Pending
}
