//! Pages and components. Rendered on the server for the first paint, then hydrated.


pub mod action;
pub mod browser;
pub mod components;
pub mod fields;
pub mod form;
pub mod layout;
pub mod lazy;
pub mod live;
pub mod pages;
pub mod resource;
pub mod second_factor;

use crate::api::auth::get_me;
use crate::model::{AppError, Me, Page};
use layout::Gate;
use lazy::{AdminScreen, LazyPage};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};
use pages::{
    ArticleEditorPage, ArticlePage, DashboardPage, HomePage, KnowledgePage, NewTicketPage,
    NotFoundPage, OnCallPage, PageAckPage, PortalPage, ProfilePage, QueuePage, ResetPasswordPage,
    ShiftPage, SignInPage, TeamPage, TicketPage,
};
use resource::blocking_resource;

/// Keeps what is typed and sent before the page has hydrated (see the script's comment); the
/// server's page shell puts it inline in every page.
pub const EARLY_INPUT: &str = include_str!("early_input.js");
/// Tells the person when the page's app did not start or stopped (see the script's comment).
pub const BROKEN_PAGE: &str = include_str!("broken_page.js");

/// The signed-in user, loaded once per page load and shared by every component.
#[derive(Clone, Copy)]
pub struct CurrentUser(pub resource::Loaded<Result<Option<Me>, AppError>>);

impl CurrentUser {
    /// The signed-in user as known right now, without waiting: on the server from what the
    /// server put in context (its session is resolved before the page renders), in the browser from the resource
    /// (which arrives with the page). `None` only in the browser, before it has loaded.
    pub fn now(&self) -> Option<Result<Option<Me>, AppError>> {
        #[cfg(feature = "ssr")]
        return Some(Ok(signed_in_on_server()));
        #[cfg(not(feature = "ssr"))]
        self.0.get()
    }

    /// The signed-in user, in the browser once the resource has arrived (while the page
    /// hydrates, it may not have yet).
    pub async fn arrived(self) -> Result<Option<Me>, AppError> {
        #[cfg(feature = "ssr")]
        return Ok(signed_in_on_server());
        #[cfg(not(feature = "ssr"))]
        self.0.await
    }
}

/// Who the server says is signed in for the page it is rendering.
#[cfg(feature = "ssr")]
fn signed_in_on_server() -> Option<Me> {
    use_context::<crate::model::user::SignedIn>().and_then(|signed_in| signed_in.0)
}

pub fn use_current_user() -> CurrentUser {
    expect_context::<CurrentUser>()
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let me = blocking_resource(|| (), |_| get_me());
    provide_context(CurrentUser(me));
    live::provide_live();
    let clock = live::use_clock();
    // effects only run in the browser, after hydration
    Effect::new(move |_| browser::start_clock(clock));

    view! {
        <Stylesheet id="leptos" href="/pkg/frontline.css" />
        <Title formatter=|text: String| {
            if text.is_empty() { "Frontline".to_string() } else { format!("{text} · Frontline") }
        } />
        <Router>
            <Routes fallback=|| view! { <NotFoundPage /> }>
                <Route path=path!("/signin") view=SignInPage ssr=SsrMode::Async />
                <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                <Route
                    path=path!("/dashboard")
                    view=|| view! { <Gate page=Page::Dashboard><DashboardPage /></Gate> }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/queue")
                    view=|| view! { <Gate page=Page::Queue><QueuePage /></Gate> }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/tickets/new")
                    view=|| view! { <Gate page=Page::Ticket><NewTicketPage /></Gate> }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/tickets/:number")
                    view=|| view! { <Gate page=Page::Ticket><TicketPage /></Gate> }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/portal")
                    view=|| view! { <Gate page=Page::Portal><PortalPage /></Gate> }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/kb")
                    view=|| view! { <Gate page=Page::Knowledge><KnowledgePage /></Gate> }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/kb/new")
                    view=|| view! { <Gate page=Page::ArticleEditor><ArticleEditorPage /></Gate> }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/kb/:id")
                    view=|| view! { <Gate page=Page::Knowledge><ArticlePage /></Gate> }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/kb/:id/edit")
                    view=|| view! { <Gate page=Page::ArticleEditor><ArticleEditorPage /></Gate> }
                    ssr=SsrMode::Async
                />
                <Route path=path!("/reports") view=LazyPage::Reports ssr=SsrMode::Async />
                <Route
                    path=path!("/shift")
                    view=|| view! { <Gate page=Page::Shift><ShiftPage /></Gate> }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/oncall")
                    view=|| view! { <Gate page=Page::OnCall><OnCallPage /></Gate> }
                    ssr=SsrMode::Async
                />
                <Route path=path!("/pages/:token") view=PageAckPage ssr=SsrMode::Async />
                <Route
                    path=path!("/team")
                    view=|| view! { <Gate page=Page::Team><TeamPage /></Gate> }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/me")
                    view=|| view! { <Gate page=Page::Profile><ProfilePage /></Gate> }
                    ssr=SsrMode::Async
                />
                <Route path=path!("/admin") view=LazyPage::Admin(AdminScreen::Home) ssr=SsrMode::Async />
                <Route path=path!("/admin/orgs") view=LazyPage::Admin(AdminScreen::Orgs) ssr=SsrMode::Async />
                <Route path=path!("/admin/orgs/new") view=LazyPage::Admin(AdminScreen::OrgEdit) ssr=SsrMode::Async />
                <Route path=path!("/admin/orgs/:id") view=LazyPage::Admin(AdminScreen::OrgEdit) ssr=SsrMode::Async />
                <Route path=path!("/admin/users") view=LazyPage::Admin(AdminScreen::Users) ssr=SsrMode::Async />
                <Route path=path!("/admin/users/new") view=LazyPage::Admin(AdminScreen::UserEdit) ssr=SsrMode::Async />
                <Route path=path!("/admin/users/import") view=LazyPage::Admin(AdminScreen::Import) ssr=SsrMode::Async />
                <Route path=path!("/admin/users/:id") view=LazyPage::Admin(AdminScreen::UserEdit) ssr=SsrMode::Async />
                <Route path=path!("/admin/teams") view=LazyPage::Admin(AdminScreen::Teams) ssr=SsrMode::Async />
                <Route path=path!("/admin/teams/new") view=LazyPage::Admin(AdminScreen::TeamEdit) ssr=SsrMode::Async />
                <Route path=path!("/admin/teams/:id") view=LazyPage::Admin(AdminScreen::TeamEdit) ssr=SsrMode::Async />
                <Route path=path!("/admin/categories") view=LazyPage::Admin(AdminScreen::Categories) ssr=SsrMode::Async />
                <Route path=path!("/admin/canned") view=LazyPage::Admin(AdminScreen::Canned) ssr=SsrMode::Async />
                <Route path=path!("/admin/audit") view=LazyPage::Admin(AdminScreen::Audit) ssr=SsrMode::Async />
                <Route path=path!("/reset/:token") view=ResetPasswordPage ssr=SsrMode::Async />
            </Routes>
        </Router>
    }
}

/// Sets the HTTP status of the page being rendered on the server (a no-op in the browser).
pub fn set_http_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(res), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(code),
    ) {
        res.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}
