//! Pages and components. Rendered on the server for the first paint, then hydrated.
//!
//! # Framework workarounds
//!
//! Leptos 0.8.23 (tachys 0.2.19). A page is painted by the server, hydrated by a WebAssembly
//! bundle that must stay under 400 KB brotli, and must work in the moment in between. Each
//! workaround below serves one of those three; each says when it can go.
//!
//! Bundle size:
//! - Erased components (`.cargo/config.toml`, `--cfg erase_components`, for the server too: the
//!   hydration markers differ between the modes). Typed views instantiate Leptos' rendering per
//!   view tree, erased ones per output type: a third of the bundle. Leptos keeps typed views as
//!   its default and erasure as a compile-time aid (leptos#2905). Goes when a build without it
//!   stays under the budget.
//! - One resource type and one action type ([`resource`], [`action`]): Leptos compiles its
//!   resource and action machinery per value type and pair of closures; here every page's data
//!   is a `Resource<Answer, AnswerCodec>` and every call an `Action<Call, Answer>`, behind typed
//!   wrappers. Goes when swapping one page back to Leptos' own types does not grow the bundle.
//! - Postcard (`api/wire.rs`, sent by `api/transport.rs`, read back here for data carried in
//!   the page): the browser asks for answers in postcard, whose decoders are a fraction of
//!   JSON's; everyone else gets JSON. It needs serde forms without field-name tricks (debug
//!   builds check every answer). Goes when the bundle fits the budget with JSON answers.
//! - Split modules ([`lazy`], `--split` in `scripts/build-release.sh`, preloads named by the
//!   server from `model::SplitModule`): administration, the dashboard, reports, "My preferences",
//!   the article editor, on-call and the team roster load on first use. Goes when
//!   the bundle fits the budget with them in it.
//!
//! The first paint:
//! - First-value attributes ([`fields`]): `bind:value` and `bind:checked` render nothing on the
//!   server (tachys' `Bind` writes no HTML; no upstream issue found), so each bound field also
//!   writes its first value as HTML does; tachys also writes a textarea's text unescaped, which
//!   `TextArea` escapes. Goes when `bind:` renders the value on the server: the fields then keep
//!   only `bind:` (their tests say whether it does).
//! - Route-listing guard (`route_list` in `server/src/router.rs`): listing the routes switches
//!   resource loading off for the whole process, so a page rendered meanwhile waits forever
//!   (leptos#4773, open); the routes are listed once per process. Goes when #4773 is fixed.
//!
//! Between paint and hydration (both scripts inline in every page, from the server's shell; both
//! read `<html data-hydrated>`, set by `crate::hydrate` once the whole page is interactive):
//! - Early input (`early_input.js`): hydration sets every bound field from its signal, throwing
//!   away what was typed, and a form sent before hydration is a native GET. The script keeps
//!   what was typed over the first values above and replays it, and an early submit, once
//!   hydrated. Goes when Leptos replays input made before hydration (it has no such feature).
//! - Broken-page alert (`broken_page.js`): a page whose bundle did not arrive, or trapped (a
//!   release build aborts on a panic), stays painted and dead; the script says so and offers a
//!   reload. Not a Leptos defect: it stays as long as pages are painted before they run.

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
use leptos_meta::{provide_meta_context, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};
use pages::{
    ArticlePage, HomePage, KnowledgePage, NewTicketPage, NotFoundPage, PageAckPage, PortalPage,
    QueuePage, ResetPasswordPage, ShiftPage, SignInPage, TicketPage,
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
        <Title formatter=|text: String| {
            if text.is_empty() { "Frontline".to_string() } else { format!("{text} · Frontline") }
        } />
        <Router>
            <Routes fallback=|| view! { <NotFoundPage /> }>
                <Route path=path!("/signin") view=SignInPage ssr=SsrMode::Async />
                <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                <Route path=path!("/dashboard") view=LazyPage::Dashboard ssr=SsrMode::Async />
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
                <Route path=path!("/kb/new") view=LazyPage::Editor ssr=SsrMode::Async />
                <Route
                    path=path!("/kb/:id")
                    view=|| view! { <Gate page=Page::Knowledge><ArticlePage /></Gate> }
                    ssr=SsrMode::Async
                />
                <Route path=path!("/kb/:id/edit") view=LazyPage::Editor ssr=SsrMode::Async />
                <Route path=path!("/reports") view=LazyPage::Reports ssr=SsrMode::Async />
                <Route
                    path=path!("/shift")
                    view=|| view! { <Gate page=Page::Shift><ShiftPage /></Gate> }
                    ssr=SsrMode::Async
                />
                <Route path=path!("/oncall") view=LazyPage::OnCall ssr=SsrMode::Async />
                <Route path=path!("/pages/:token") view=PageAckPage ssr=SsrMode::Async />
                <Route path=path!("/team") view=LazyPage::Team ssr=SsrMode::Async />
                <Route path=path!("/me") view=LazyPage::Profile ssr=SsrMode::Async />
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
                <Route path=path!("/admin/mail") view=LazyPage::Admin(AdminScreen::Mail) ssr=SsrMode::Async />
                <Route path=path!("/admin/mailboxes") view=LazyPage::Admin(AdminScreen::Mailboxes) ssr=SsrMode::Async />
                <Route path=path!("/admin/mailboxes/new") view=LazyPage::Admin(AdminScreen::MailboxEdit) ssr=SsrMode::Async />
                <Route path=path!("/admin/mailboxes/:id") view=LazyPage::Admin(AdminScreen::MailboxEdit) ssr=SsrMode::Async />
                <Route path=path!("/admin/webhooks") view=LazyPage::Admin(AdminScreen::Webhooks) ssr=SsrMode::Async />
                <Route path=path!("/admin/integrations") view=LazyPage::Admin(AdminScreen::Integrations) ssr=SsrMode::Async />
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
