//! Administration: organizations (calendar, SLA policy, teams), users (with one-time password
//! links and the CSV import), teams, categories, canned responses and the audit log. Every form
//! checks with the same rules as the server, so a message appears before anything is sent.

mod audit;
mod catalog;
mod orgs;
mod teams;
mod users;

pub use audit::AdminAuditPage;
pub use catalog::{AdminCannedPage, AdminCategoriesPage};
pub use orgs::{AdminOrgEditPage, AdminOrgsPage};
pub use teams::{AdminTeamEditPage, AdminTeamsPage};
pub use users::{AdminImportPage, AdminUserEditPage, AdminUsersPage};

use crate::ui::components::PageHeader;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

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
                <li><A href="/admin/audit">"Audit log"</A></li>
            </ul>
        </nav>
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
        ("/admin/audit", "Audit log", "Every administration change: who, when, before and after."),
    ];
    view! {
        <Title text="Administration" />
        <AdminNav />
        <PageHeader title="Administration" subtitle="Organizations, users, teams, SLA policies and categories." />
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
