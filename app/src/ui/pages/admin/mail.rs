//! Unprocessed mail: received messages the desk could not place by itself, newest first, by
//! kind (the Unknown senders view is one of them), each with its original and what a person may
//! make of it: retry, a ticket for an organization they choose, or discard.

use super::list::{admin_list, ListText};
use super::{id_choices, opt_id};
use crate::api::mail::{held_mail, DiscardMail, OpenTicketFromMail, RetryMail};
use crate::model::admin::{Choice, HeldMail, HeldPage, HoldKind};
use crate::model::AppError;
use crate::ui::action::ServerCall;
use crate::ui::components::{Ago, DataTable, ErrorNotice, PageHeader};
use crate::ui::fields::{CheckBox, Select};
use crate::ui::resource::resource;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The page's three decisions, shared by every row.
#[derive(Clone, Copy)]
struct Decisions {
    retry: ServerCall<RetryMail>,
    open: ServerCall<OpenTicketFromMail>,
    discard: ServerCall<DiscardMail>,
}

impl Decisions {
    fn busy(&self) -> bool {
        self.retry.pending().get() || self.open.pending().get() || self.discard.pending().get()
    }
}

#[component]
pub fn AdminMailPage() -> impl IntoView {
    let query = use_query_map();
    let kind = Memo::new(move |_| query.read().get("kind").filter(|k| !k.is_empty()));
    let page = Memo::new(move |_| {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<i64>().ok())
            .unwrap_or(0)
    });
    let decisions = Decisions {
        retry: ServerCall::new(),
        open: ServerCall::new(),
        discard: ServerCall::new(),
    };
    let done = Memo::new(move |_| {
        decisions.retry.version().get()
            + decisions.open.version().get()
            + decisions.discard.version().get()
    });
    let held = resource(
        move || (kind.get(), page.get(), done.get()),
        |(kind, page, _)| held_mail(kind, page),
    );
    // the latest decision's outcome, in words
    let outcome = RwSignal::new(None::<Result<String, AppError>>);
    Effect::new(move |_| {
        if let Some(answer) = decisions.retry.value().get() {
            outcome.set(Some(answer.map(|d| d.message)));
        }
    });
    Effect::new(move |_| {
        if let Some(answer) = decisions.open.value().get() {
            outcome.set(Some(answer.map(|d| d.message)));
        }
    });
    Effect::new(move |_| {
        if let Some(answer) = decisions.discard.value().get() {
            let said = "Discarded. The original stays stored.".to_string();
            outcome.set(Some(answer.map(|()| said)));
        }
    });
    let said = move || match outcome.get() {
        Some(Err(error)) => view! { <ErrorNotice error /> }.into_any(),
        Some(Ok(message)) => {
            view! { <p class="notice notice-success" role="status">{message}</p> }.into_any()
        }
        None => ().into_any(),
    };
    let text = ListText {
        loading: "Loading unprocessed mail…",
        empty: "Nothing is waiting.",
        hint: "Mail the desk cannot place by itself (unknown senders, automatic replies, messages it cannot read) appears here.",
    };
    view! {
        <Title text="Unprocessed mail" />
        <PageHeader title="Unprocessed mail" subtitle="Received mail the desk could not place by itself. Decide what each message becomes." />
        <div aria-live="polite">{said}</div>
        {admin_list(text, held, move |p| view! { <HeldList p decisions kind=kind.get_untracked() /> }.into_any())}
    }
}

/// `?kind=…&page=…` of the list.
fn list_href(kind: Option<HoldKind>, page: i64) -> String {
    let mut query = Vec::new();
    if let Some(kind) = kind {
        query.push(format!("kind={}", kind.as_str()));
    }
    if page > 0 {
        query.push(format!("page={page}"));
    }
    if query.is_empty() {
        "/admin/mail".into()
    } else {
        format!("/admin/mail?{}", query.join("&"))
    }
}

#[component]
fn HeldList(p: HeldPage, decisions: Decisions, kind: Option<String>) -> impl IntoView {
    let current = kind.as_deref().and_then(HoldKind::parse);
    let all: i64 = p.counts.iter().map(|(_, n)| n).sum();
    let tab = move |label: String, of: Option<HoldKind>, n: i64| {
        let here = of == current;
        view! {
            <li><a href=list_href(of, 0) class:current=here aria-current=here.then_some("page")>
                {label}<span class="count">{n}</span>
            </a></li>
        }
    };
    let tabs = std::iter::once(tab("All".into(), None, all))
        .chain(
            p.counts
                .iter()
                .map(|(k, n)| tab(k.label().into(), Some(*k), *n)),
        )
        .collect_view();
    let (page, pages, now) = (p.page, p.pages(), p.now);
    let orgs = p.orgs.clone();
    let rows = if p.rows.is_empty() {
        view! { <p class="muted">"No held messages of this kind."</p> }.into_any()
    } else {
        view! {
            <DataTable caption="Held messages, newest first" columns=&["Received", "From", "Subject", "Why it is held"] actions=true>
                {p.rows.into_iter().map(|m| view! { <HeldRow m now orgs=orgs.clone() decisions /> }).collect_view()}
            </DataTable>
        }
        .into_any()
    };
    view! {
        <nav aria-label="Kinds of held mail"><ul class="tabs">{tabs}</ul></nav>
        {rows}
        {(pages > 1).then(|| view! {
            <nav class="form-actions" aria-label="Pages">
                {(page > 0).then(|| view! { <a class="btn" href=list_href(current, page - 1)>"Newer"</a> })}
                <span class="muted">{format!("Page {} of {pages}", page + 1)}</span>
                {(page + 1 < pages).then(|| view! { <a class="btn" href=list_href(current, page + 1)>"Older"</a> })}
            </nav>
        })}
    }
}

#[component]
fn HeldRow(m: HeldMail, now: i64, orgs: Vec<Choice>, decisions: Decisions) -> impl IntoView {
    let id = m.id;
    let sender = match (&m.from_name, &m.from_address) {
        (Some(name), Some(address)) => format!("{name} <{address}>"),
        (None, Some(address)) => address.clone(),
        (Some(name), None) => name.clone(),
        (None, None) => "(no sender)".into(),
    };
    let subject = m
        .subject
        .clone()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "(no subject)".into());
    let reason = m
        .reason
        .clone()
        .unwrap_or_else(|| m.kind.map(|k| k.label().to_string()).unwrap_or_default());
    let org = RwSignal::new(String::new());
    let remember = RwSignal::new(false);
    let unreadable = m.kind == Some(HoldKind::Unparseable) || m.from_address.is_none();
    let busy = move || decisions.busy();
    let create = move |_| match opt_id(&org.get_untracked()) {
        Some(org_id) => decisions.open.dispatch(OpenTicketFromMail {
            id,
            org_id,
            remember_domain: remember.get_untracked(),
        }),
        None => decisions.open.value().set(Some(Err(AppError::Invalid(
            "Choose the organization the ticket is for.".into(),
        )))),
    };
    let label = |what: &str| format!("{what}: {subject}");
    view! {
        <tr>
            <td><Ago at=m.received_at now /></td>
            <td>{sender}</td>
            <th scope="row">{subject.clone()}</th>
            <td>{reason}</td>
            <td class="row-actions">
                <a class="btn btn-small" href=format!("/mail/{id}") download aria-label=label("Download the original")>"Original"</a>
                <button type="button" class="btn btn-small" disabled=busy aria-label=label("Retry")
                    on:click=move |_| decisions.retry.dispatch(RetryMail { id })>"Retry"</button>
                {(!unreadable).then(|| view! {
                    <details class="create-for">
                        <summary class="btn btn-small">"Create ticket for…"</summary>
                        <div class="field">
                            <label for=format!("org-{id}")>"Organization"</label>
                            <Select value=org options=id_choices(orgs) prompt="Choose…" {..} id=format!("org-{id}") />
                        </div>
                        <label class="check">
                            <CheckBox checked=remember />
                            "and remember this sender's domain for that client"
                        </label>
                        <button type="button" class="btn btn-primary btn-small" disabled=busy on:click=create>"Create ticket"</button>
                    </details>
                })}
                <button type="button" class="btn btn-quiet btn-small" disabled=busy aria-label=label("Discard")
                    on:click=move |_| decisions.discard.dispatch(DiscardMail { id })>"Discard"</button>
            </td>
        </tr>
    }
}
