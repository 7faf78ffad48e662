//! Administration: organizations (calendar, SLA policy, teams), users (with one-time password
//! links and the CSV import), teams, categories, canned responses, mail, webhooks, integration
//! tokens and the audit log. Every form
//! checks with the same rules as the server, so a message appears before anything is sent.

mod audit;
mod catalog;
mod integrations;
mod list;
mod mail;
mod mail_domains;
mod mailboxes;
mod orgs;
mod second_factor;
mod teams;
mod users;
mod webhooks;

pub use audit::AdminAuditPage;
pub use catalog::{AdminCannedPage, AdminCategoriesPage};
pub use integrations::AdminIntegrationsPage;
pub use mail::AdminMailPage;
pub use mailboxes::{AdminMailboxEditPage, AdminMailboxesPage};
pub use orgs::{AdminOrgEditPage, AdminOrgsPage};
pub use teams::{AdminTeamEditPage, AdminTeamsPage};
pub use users::{AdminImportPage, AdminUserEditPage, AdminUsersPage};
pub use webhooks::AdminWebhooksPage;

use crate::model::{self, AppError};
use crate::ui::components::{ErrorNotice, Loading, PageHeader, PageHeaderProps};
use crate::ui::fields::{self, choice, Bound, CheckBox};
use crate::ui::resource::{resource, Loaded};
use crate::ui::set_http_status;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use serde::{de::DeserializeOwned, Serialize};
use std::future::Future;

/// The sections of administration, shown above each of its pages.
#[component]
pub fn AdminNav() -> impl IntoView {
    view! {
        <nav class="admin-nav" aria-label="Administration">
            <ul>
                <li><A href="/admin/orgs">"Organizations"</A></li>
                <li><A href="/admin/users">"Users"</A></li>
                <li><A href="/admin/teams">"Teams"</A></li>
                <li><A href="/admin/categories">"Categories"</A></li>
                <li><A href="/admin/canned">"Canned responses"</A></li>
                <li><A href="/admin/mailboxes">"Mailboxes"</A></li>
                <li><A href="/admin/mail">"Unprocessed mail"</A></li>
                <li><A href="/admin/webhooks">"Webhooks"</A></li>
                <li><A href="/admin/integrations">"Integrations"</A></li>
                <li><A href="/admin/audit">"Audit log"</A></li>
            </ul>
        </nav>
    }
}

/// The top of an administration page: its title, the sections, and its heading with the page's
/// buttons (`children`).
#[component]
fn AdminHead(
    title: &'static str,
    subtitle: &'static str,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let header = PageHeader(PageHeaderProps {
        title: title.into(),
        subtitle: Some(subtitle.into()),
        children,
    });
    view! {
        <Title text=title />
        <AdminNav />
        {header}
    }
}

#[component]
pub fn AdminPage() -> impl IntoView {
    let sections = [
        ("/admin/orgs", "Organizations", "Client companies: time zone, business hours, holidays, SLA targets and the teams that serve them."),
        ("/admin/users", "Users", "Staff and client accounts: roles, teams, tiers, deactivation, password links and CSV import."),
        ("/admin/teams", "Teams", "Each team's lead, members and the organizations it serves."),
        ("/admin/categories", "Categories", "Ticket categories and their default priorities."),
        ("/admin/canned", "Canned responses", "Ready-made replies analysts can start from."),
        ("/admin/mailboxes", "Mailboxes", "Where the desk reads mail (IMAP or piped in), and where new tickets from it go."),
        ("/admin/mail", "Unprocessed mail", "Received mail the desk could not place: unknown senders, automatic replies, unreadable messages."),
        ("/admin/webhooks", "Webhooks", "Signed events for other systems, and Slack or Teams channels, when tickets change or SLAs slip."),
        ("/admin/integrations", "Integrations", "API tokens for monitoring tools, PSAs and scripts, each acting as a service user with a role and a scope."),
        ("/admin/audit", "Audit log", "Every administration change: who, when, before and after."),
    ];
    view! {
        <AdminHead title="Administration" subtitle="Organizations, users, teams, SLA policies and categories." />
        <ul class="admin-cards">
            {sections
                .into_iter()
                .map(|(href, title, hint)| {
                    view! {
                        <li class="card">
                            <h2><a href=href>{title}</a></h2>
                            <p class="muted">{hint}</p>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// Parses an optional id from a select's value ("" for none).
pub(crate) fn opt_id(value: &str) -> Option<i64> {
    value.parse::<i64>().ok()
}

/// Records to choose from, as a select's options (by id).
fn id_choices(items: Vec<model::admin::Choice>) -> Vec<fields::Choice> {
    items
        .into_iter()
        .map(|item| choice(item.id.to_string(), item.label))
        .collect()
}

/// A checkbox's value: whether `id` is in `list`; ticking it adds `id`, unticking removes it.
fn member_of(list: Bound<Vec<i64>>, id: i64) -> Bound<bool> {
    Bound::part(
        move || list.with(|ids| ids.contains(&id)),
        move |on| {
            list.update(|ids| {
                ids.retain(|x| *x != id);
                if on {
                    ids.push(id)
                }
            })
        },
    )
}

/// Checkboxes for `items`, each ticked when its id is in `list`.
fn check_list(items: Vec<model::admin::Choice>, list: Bound<Vec<i64>>) -> impl IntoView {
    items
        .into_iter()
        .map(|item| {
            view! {
                <label class="check">
                    <CheckBox checked=member_of(list, item.id) />
                    {item.label}
                </label>
            }
        })
        .collect_view()
}

/// The way out of an edit form: save it (or create the record), or go back to the list.
fn edit_actions(
    saving: Memo<bool>,
    existing: bool,
    create: &'static str,
    back_href: &'static str,
    back_label: &'static str,
) -> impl IntoView {
    view! {
        <div class="form-actions">
            <button type="submit" class="btn btn-primary" disabled=move || saving.get()>
                {move || if saving.get() { "Saving…" } else if existing { "Save changes" } else { create }}
            </button>
            <a class="btn btn-quiet" href=back_href>{back_label}</a>
        </div>
    }
}

/// What an edit page says while it opens, and when it cannot: its title and the way back.
#[derive(Clone, Copy)]
struct EditPageText {
    opening: &'static str,
    title: &'static str,
    back_href: &'static str,
    back_label: &'static str,
}

/// An edit page of one record (`/admin/<area>/:id`, or a new one on `/admin/<area>/new`): `load`
/// gets what the form needs for the record's id, `form` shows it; if it cannot be loaded the page
/// says why, with its HTTP status and the way back to the list.
fn edit_page<T, Fut>(
    text: EditPageText,
    load: impl Fn(Option<String>) -> Fut + Send + Sync + 'static,
    form: fn(T) -> AnyView,
) -> impl IntoView
where
    T: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
{
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id"));
    let start: Loaded<Result<T, AppError>> = resource(move || id.get(), load);
    view! {
        <AdminNav />
        <Transition fallback=move || view! { <Loading what=text.opening /> }>
            {move || Suspend::new(async move {
                match start.await {
                    Ok(loaded) => form(loaded),
                    Err(error) => cannot_open(text, error),
                }
            })}
        </Transition>
    }
}

/// Why an edit page cannot open its record (not generic: one copy serves every edit page).
fn cannot_open(text: EditPageText, error: AppError) -> AnyView {
    set_http_status(error.status());
    view! {
        <Title text=text.title />
        <ErrorNotice error />
        <a class="btn" href=text.back_href>{text.back_label}</a>
    }
    .into_any()
}

/// The record an edit page opens: none for a new one; an id that is not a number is a record
/// that does not exist.
fn record_id(raw: Option<String>, missing: &str) -> Result<Option<i64>, AppError> {
    raw.map(|raw| raw.parse().map_err(|_| AppError::NotFound(missing.into())))
        .transpose()
}
