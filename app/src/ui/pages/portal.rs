//! The client portal: the requests a client follows (a client admin may switch to the whole
//! organization's) and, for client admins, the budget and approval requests waiting for them.

use crate::api::portal::get_portal;
use crate::api::tickets::DecideApproval;
use crate::model::portal::{portal_view_label, Decision, PortalFilter, Whose, PORTAL_VIEWS};
use crate::model::queue::QueueRow;
use crate::model::time::{format_ago, format_duration};
use crate::model::{AppError, Status};
use crate::ui::action::ServerCall;
use crate::ui::components::{
    Ago, DataTable, EmptyState, ErrorNotice, Loading, PageHeader, StatusBadge,
};
use crate::ui::fields::{Bound, TextArea};
use crate::ui::live::{use_clock, use_live};
use crate::ui::resource::resource;
use crate::ui::set_http_status;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use std::collections::HashMap;

#[component]
pub fn PortalPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        let q = query.read();
        PortalFilter::from_query(
            ["whose", "status", "after"]
                .iter()
                .filter_map(|k| q.get_str(k).map(|v| (*k, v))),
        )
    });
    let decide = ServerCall::<DecideApproval>::new();
    // held above the list: every live event redraws it, and what is being typed must survive
    let drafts: Drafts = RwSignal::new(HashMap::new());
    let live = use_live();
    let clock = use_clock();
    let page = resource(
        move || (filter.get(), decide.version().get(), live.version.get()),
        |(filter, _, _)| async move {
            match filter {
                Ok(f) => get_portal(f).await,
                Err(e) => Err(AppError::BadRequest(e)),
            }
        },
    );
    view! {
        <Title text="My requests" />
        <PageHeader title="My requests" subtitle="Follow what the help desk is doing for you.">
            <a class="btn btn-primary" href="/tickets/new">"Raise a request"</a>
        </PageHeader>
        {move || decide.refusal().map(|error| view! { <ErrorNotice error /> })}
        <Transition fallback=|| view! { <Loading what="Loading your requests…" /> }>
            {move || Suspend::new(async move {
                match (filter.get(), page.await) {
                    (Ok(f), Ok(p)) => {
                        clock.sync(p.now);
                        let now = p.now;
                        let org_view = f.whose == Whose::Organization;
                        view! {
                            {p.organization.clone().map(|org| view! { <WhoseTabs filter=f.clone() org /> })}
                            {(!p.approvals.is_empty()).then(|| view! { <Approvals rows=p.approvals.clone() decide drafts now /> })}
                            <ViewTabs filter=f.clone() />
                            <RequestList rows=p.rows.clone() now org_view />
                            <nav class="pager" aria-label="Pages">
                                {f.after.is_some().then(|| {
                                    let first = PortalFilter { after: None, ..f.clone() };
                                    view! { <a class="btn" href=format!("/portal{}", first.to_query())>"← First page"</a> }
                                })}
                                {p.next.map(|c| {
                                    let next = PortalFilter { after: Some(c), ..f.clone() };
                                    view! { <a class="btn" href=format!("/portal{}", next.to_query())>"Next page →"</a> }
                                })}
                            </nav>
                        }
                        .into_any()
                    }
                    (_, Err(error)) => {
                        set_http_status(error.status());
                        view! { <ErrorNotice error /> <a class="btn" href="/portal">"Show my requests"</a> }.into_any()
                    }
                    (Err(e), _) => view! { <ErrorNotice error=AppError::BadRequest(e) /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A client admin's switch between their own requests and the organization's.
#[component]
fn WhoseTabs(filter: PortalFilter, org: String) -> impl IntoView {
    let tab = |whose: Whose, label: String| {
        let href = format!(
            "/portal{}",
            PortalFilter {
                whose,
                after: None,
                ..filter.clone()
            }
            .to_query()
        );
        let current = filter.whose == whose;
        view! {
            <li><a href=href aria-current=current.then_some("page") class:current=current>{label}</a></li>
        }
    };
    view! {
        <nav aria-label="Whose requests">
            <ul class="tabs">
                {tab(Whose::Mine, "Mine".into())}
                {tab(Whose::Organization, format!("All of {org}"))}
            </ul>
        </nav>
    }
}

#[component]
fn ViewTabs(filter: PortalFilter) -> impl IntoView {
    let tabs = PORTAL_VIEWS
        .iter()
        .map(|view| {
            let href = format!(
                "/portal{}",
                PortalFilter {
                    view: *view,
                    after: None,
                    ..filter.clone()
                }
                .to_query()
            );
            let current = filter.view == *view;
            view! {
                <li><a href=href aria-current=current.then_some("page") class:current=current>{portal_view_label(*view)}</a></li>
            }
        })
        .collect_view();
    view! { <nav aria-label="Status"><ul class="tabs">{tabs}</ul></nav> }
}

/// What the desk has promised next, in the client's words.
fn commitment(r: &QueueRow, now: i64) -> String {
    match r.status {
        Status::Pending => r
            .pending_reason
            .map(|p| p.label().to_string())
            .unwrap_or_else(|| "On hold".into()),
        Status::New | Status::Open => {
            let what = if r.status == Status::New {
                "A reply"
            } else {
                "A resolution"
            };
            if r.next_due_at >= now {
                format!("{what} {}", format_ago(now, r.next_due_at))
            } else {
                format!(
                    "{what}, overdue by {}",
                    format_duration(now - r.next_due_at)
                )
            }
        }
        Status::Resolved | Status::Closed => "Done".into(),
    }
}

#[component]
fn RequestList(rows: Vec<QueueRow>, now: i64, org_view: bool) -> impl IntoView {
    if rows.is_empty() {
        return view! {
            <EmptyState
                title="No requests here."
                hint="When you raise a request it appears here, with what the desk is doing about it."
            />
        }
        .into_any();
    }
    view! {
        <DataTable caption="Requests" class="queue portal-list"
            columns=&["Request", "Status", "Priority", "Working on it", "Last update", "The desk commits to"]>
                    {rows.into_iter().map(|r| {
                        let promise = commitment(&r, now);
                        view! {
                            <tr data-number=r.number.to_string()>
                                <td class="ticket-cell">
                                    <A href=format!("/tickets/{}", r.number)>
                                        <span class="ticket-number">{r.number.to_string()}</span>
                                        " "
                                        <span class="ticket-subject">{r.subject.clone()}</span>
                                    </A>
                                    {org_view.then(|| view! { <div class="muted small">{r.requester.clone()}</div> })}
                                </td>
                                <td><StatusBadge status=r.status pending=r.pending_reason client=true /></td>
                                <td>{r.priority.label()}</td>
                                <td>{r.assignee.map(|a| a.name).unwrap_or_else(|| "Not yet assigned".into())}</td>
                                <td><Ago at=r.updated_at now /></td>
                                <td>{promise}</td>
                            </tr>
                        }
                    }).collect_view()}
        </DataTable>
    }
    .into_any()
}

/// Comments being typed on approval requests, by ticket number.
type Drafts = RwSignal<HashMap<i64, String>>;

/// Budget and approval requests waiting for the client admin, each decided in place.
#[component]
fn Approvals(
    rows: Vec<QueueRow>,
    decide: ServerCall<DecideApproval>,
    drafts: Drafts,
    now: i64,
) -> impl IntoView {
    view! {
        <section class="card approvals" aria-labelledby="approvals-title">
            <h2 id="approvals-title">{format!("Waiting for your decision ({})", rows.len())}</h2>
            <ul class="approval-list">
                {rows.into_iter().map(|r| view! { <ApprovalItem row=r decide drafts now /> }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn ApprovalItem(
    row: QueueRow,
    decide: ServerCall<DecideApproval>,
    drafts: Drafts,
    now: i64,
) -> impl IntoView {
    let (number, version) = (row.number.0, row.version);
    let field = format!("decision-comment-{number}");
    let draft = Bound::part(
        move || drafts.with(|d| d.get(&number).cloned().unwrap_or_default()),
        move |text| {
            drafts.update(|d| {
                d.insert(number, text);
            })
        },
    );
    let send = move |decision: Decision| {
        let text = drafts.with_untracked(|d| d.get(&number).cloned().unwrap_or_default());
        decide.dispatch(DecideApproval {
            number,
            version,
            decision,
            comment: (!text.trim().is_empty()).then_some(text),
        });
    };
    let what = row
        .pending_reason
        .map(|p| p.label())
        .unwrap_or("Requires approval");
    view! {
        <li class="approval" data-number=row.number.to_string()>
            <p>
                <A href=format!("/tickets/{}", row.number)>
                    <span class="ticket-number">{row.number.to_string()}</span>" "{row.subject.clone()}
                </A>
            </p>
            <p class="muted small">
                <span class="badge badge-flag">{what}</span>" · raised by "{row.requester.clone()}
                " · waiting since "<Ago at=row.updated_at now />
                {row.assignee.as_ref().map(|a| format!(" · {} is working on it", a.name))}
            </p>
            <label for=field.clone()>"Comment (needed to decline)"</label>
            <TextArea value={draft} {..} id=field rows="2" />
            <div class="button-row">
                <button type="button" class="btn btn-primary" disabled=move || decide.pending().get()
                    on:click=move |_| send(Decision::Approve)>"Approve"</button>
                <button type="button" class="btn" disabled=move || decide.pending().get()
                    on:click=move |_| send(Decision::Decline)>"Decline"</button>
            </div>
        </li>
    }
}
