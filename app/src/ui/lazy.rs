//! Pages few people open, kept out of the WebAssembly that every page loads.
//!
//! Administration (for administrators), the dashboard with its forecast and the reports (for team
//! leads and the ops manager), a lead's team roster, and what everyone opens only now and then
//! (one's own preferences with two-step sign-in, the article editor, the on-call rota) are about
//! a fifth of the browser's code. The release build (`cargo leptos build --split`) moves each
//! into a module of its own, which the browser fetches the first time one of its pages is
//! shown. A page opened directly names its module in a `<link rel="preload">`
//! (backend/split_modules.rs), so that it downloads beside the main module rather than after it.

use super::layout::Gate;
use super::pages::{
    AdminAuditPage, AdminCannedPage, AdminCategoriesPage, AdminImportPage, AdminIntegrationsPage,
    AdminMailPage, AdminMailboxEditPage, AdminMailboxesPage, AdminOrgEditPage, AdminOrgsPage,
    AdminPage, AdminTeamEditPage, AdminTeamsPage, AdminUserEditPage, AdminUsersPage,
    AdminWebhooksPage, ArticleEditorPage, DashboardPage, OnCallPage, ProfilePage, ReportsPage,
    TeamPage,
};
use super::CurrentUser;
use crate::model::{Page, SplitModule};
use leptos::prelude::*;
use leptos::wasm_split::{wasm_split, SplitLoaderError};
use leptos_meta::Title;
use leptos_router::ChooseView;

/// A route whose page lives in a module loaded on first use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LazyPage {
    Dashboard,
    Reports,
    Profile,
    Editor,
    OnCall,
    Team,
    Admin(AdminScreen),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdminScreen {
    Home,
    Orgs,
    OrgEdit,
    Users,
    UserEdit,
    Import,
    Teams,
    TeamEdit,
    Categories,
    Canned,
    Audit,
    Mail,
    Mailboxes,
    MailboxEdit,
    Webhooks,
    Integrations,
}

impl AdminScreen {
    /// The page whose roles may open the screen: administration's, but for the Unprocessed mail
    /// list, which leads and managers use too.
    fn page(self) -> Page {
        match self {
            AdminScreen::Mail => Page::Mail,
            _ => Page::Admin,
        }
    }
}

impl ChooseView for LazyPage {
    async fn choose(self) -> AnyView {
        let gate = self.page();
        if !self.may_open().await {
            // the gate answers (no access, or sign in first) before it would show its content
            return view! { <Gate page=gate>""</Gate> }.into_any();
        }
        self.load().await.unwrap_or_else(|NotLoaded| {
            view! { <Gate page=gate><NotLoadedPage /></Gate> }.into_any()
        })
    }

    /// The router calls this before `choose`, and ahead of following a link.
    async fn preload(&self) {
        if self.may_open().await {
            let _ = match self.module() {
                SplitModule::Dashboard => preload_dashboard().await,
                SplitModule::Reports => preload_reports().await,
                SplitModule::Profile => preload_profile().await,
                SplitModule::Editor => preload_editor().await,
                SplitModule::OnCall => preload_oncall().await,
                SplitModule::Team => preload_team().await,
                SplitModule::Admin => preload_admin().await,
            };
        }
    }
}

impl LazyPage {
    /// The page that gates it.
    fn page(self) -> Page {
        match self {
            LazyPage::Admin(screen) => screen.page(),
            _ => self.module().page(),
        }
    }

    fn module(self) -> SplitModule {
        match self {
            LazyPage::Dashboard => SplitModule::Dashboard,
            LazyPage::Reports => SplitModule::Reports,
            LazyPage::Profile => SplitModule::Profile,
            LazyPage::Editor => SplitModule::Editor,
            LazyPage::OnCall => SplitModule::OnCall,
            LazyPage::Team => SplitModule::Team,
            LazyPage::Admin(_) => SplitModule::Admin,
        }
    }

    /// The page from its module. A module that did not arrive is asked for twice more, a second
    /// apart, before the page says so: a dropped connection often comes straight back.
    async fn load(self) -> Result<AnyView, NotLoaded> {
        let mut attempts = 1;
        loop {
            let page = match self {
                LazyPage::Dashboard => dashboard_page().await,
                LazyPage::Reports => reports_page().await,
                LazyPage::Profile => profile_page().await,
                LazyPage::Editor => editor_page().await,
                LazyPage::OnCall => oncall_page().await,
                LazyPage::Team => team_page().await,
                LazyPage::Admin(screen) => admin_page(screen).await,
            };
            match page {
                Err(NotLoaded) if attempts < 3 => {
                    attempts += 1;
                    super::browser::pause(1000).await;
                }
                page => return page,
            }
        }
    }

    /// Whether the signed-in person may open the page: someone who may not is not sent its
    /// module. (Without the app's user, which every route has, the gate inside the module decides.)
    async fn may_open(self) -> bool {
        let Some(me) = use_context::<CurrentUser>() else {
            return true;
        };
        matches!(me.arrived().await, Ok(Some(me)) if me.role.may_open(self.page()))
    }
}

/// The browser could not fetch the page's module (offline, or the server went away).
pub struct NotLoaded;

impl From<SplitLoaderError> for NotLoaded {
    fn from(_: SplitLoaderError) -> Self {
        NotLoaded
    }
}

#[wasm_split(admin, wasm_split_path = ::leptos::wasm_split, fallible, preload(preload_admin))]
fn admin_page(screen: AdminScreen) -> Result<AnyView, NotLoaded> {
    Ok(view! { <Gate page=screen.page()>{admin_screen(screen)}</Gate> }.into_any())
}

fn admin_screen(screen: AdminScreen) -> AnyView {
    match screen {
        AdminScreen::Home => view! { <AdminPage /> }.into_any(),
        AdminScreen::Orgs => view! { <AdminOrgsPage /> }.into_any(),
        AdminScreen::OrgEdit => view! { <AdminOrgEditPage /> }.into_any(),
        AdminScreen::Users => view! { <AdminUsersPage /> }.into_any(),
        AdminScreen::UserEdit => view! { <AdminUserEditPage /> }.into_any(),
        AdminScreen::Import => view! { <AdminImportPage /> }.into_any(),
        AdminScreen::Teams => view! { <AdminTeamsPage /> }.into_any(),
        AdminScreen::TeamEdit => view! { <AdminTeamEditPage /> }.into_any(),
        AdminScreen::Categories => view! { <AdminCategoriesPage /> }.into_any(),
        AdminScreen::Canned => view! { <AdminCannedPage /> }.into_any(),
        AdminScreen::Audit => view! { <AdminAuditPage /> }.into_any(),
        AdminScreen::Mail => view! { <AdminMailPage /> }.into_any(),
        AdminScreen::Mailboxes => view! { <AdminMailboxesPage /> }.into_any(),
        AdminScreen::Webhooks => view! { <AdminWebhooksPage /> }.into_any(),
        AdminScreen::Integrations => view! { <AdminIntegrationsPage /> }.into_any(),
        AdminScreen::MailboxEdit => view! { <AdminMailboxEditPage /> }.into_any(),
    }
}

#[wasm_split(dashboard, wasm_split_path = ::leptos::wasm_split, fallible, preload(preload_dashboard))]
fn dashboard_page() -> Result<AnyView, NotLoaded> {
    Ok(view! { <Gate page=Page::Dashboard><DashboardPage /></Gate> }.into_any())
}

#[wasm_split(reports, wasm_split_path = ::leptos::wasm_split, fallible, preload(preload_reports))]
fn reports_page() -> Result<AnyView, NotLoaded> {
    Ok(view! { <Gate page=Page::Reports><ReportsPage /></Gate> }.into_any())
}

#[wasm_split(profile, wasm_split_path = ::leptos::wasm_split, fallible, preload(preload_profile))]
fn profile_page() -> Result<AnyView, NotLoaded> {
    Ok(view! { <Gate page=Page::Profile><ProfilePage /></Gate> }.into_any())
}

#[wasm_split(editor, wasm_split_path = ::leptos::wasm_split, fallible, preload(preload_editor))]
fn editor_page() -> Result<AnyView, NotLoaded> {
    Ok(view! { <Gate page=Page::ArticleEditor><ArticleEditorPage /></Gate> }.into_any())
}

#[wasm_split(oncall, wasm_split_path = ::leptos::wasm_split, fallible, preload(preload_oncall))]
fn oncall_page() -> Result<AnyView, NotLoaded> {
    Ok(view! { <Gate page=Page::OnCall><OnCallPage /></Gate> }.into_any())
}

#[wasm_split(team, wasm_split_path = ::leptos::wasm_split, fallible, preload(preload_team))]
fn team_page() -> Result<AnyView, NotLoaded> {
    Ok(view! { <Gate page=Page::Team><TeamPage /></Gate> }.into_any())
}

#[component]
fn NotLoadedPage() -> impl IntoView {
    view! {
        <Title text="Not loaded" />
        <section class="error-page" aria-labelledby="error-title">
            <h1 id="error-title">"This page did not load"</h1>
            <p class="muted">"The connection to the help desk was interrupted. Check it, then reload the page."</p>
            <a class="btn btn-primary" href="">"Reload"</a>
        </section>
    }
}
