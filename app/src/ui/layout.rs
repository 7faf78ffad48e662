//! The signed-in frame of every page: the gate that checks who may open it, the header with the
//! navigation this role may use, and sign-out.

use super::browser::load_page;
use super::components::Loading;
use super::pages::ForbiddenPage;
use super::{set_http_status, use_current_user};
use crate::api::auth::SignOut;
use crate::model::{Me, Page};
use leptos::either::EitherOf4;
use leptos::prelude::*;
use leptos_router::components::{Redirect, A};
use leptos_router::hooks::use_location;

/// Shows `children` inside the app shell when the signed-in user may open `page`; a 403 page when
/// they may not (and no data is fetched); the sign-in page for visitors.
///
/// The decision is taken without a Suspense: on the server the request already knows who is
/// signed in, in the browser the user arrives with the page. The page is built once. Inside a
/// Suspense it would be built again each time the server re-checks the Suspense for resources
/// (up to three times, leptos#4688), and every page would load its data three times.
#[component]
pub fn Gate(page: Page, children: ChildrenFn) -> impl IntoView {
    let me = use_current_user();
    let location = use_location();
    move || match me.now() {
        None => EitherOf4::A(view! { <Loading /> }),
        Some(Ok(Some(me))) if me.role.may_open(page) => {
            let children = children.clone();
            EitherOf4::B(view! { <AppShell me>{children()}</AppShell> })
        }
        Some(Ok(Some(me))) => {
            set_http_status(403);
            EitherOf4::C(view! { <AppShell me><ForbiddenPage page /></AppShell> })
        }
        Some(_) => {
            let search = location.search.get_untracked();
            let here = if search.is_empty() {
                location.pathname.get_untracked()
            } else {
                format!("{}?{search}", location.pathname.get_untracked())
            };
            EitherOf4::D(
                view! { <Redirect path=format!("/signin?next={}", encode_component(&here)) /> },
            )
        }
    }
}

#[component]
pub fn AppShell(me: Me, children: Children) -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    let live = super::live::use_live();
    // one live stream per tab, opened once someone is signed in
    Effect::new(move |_| super::browser::connect_live(live));
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out.value().get() {
            load_page("/signin");
        }
    });
    let home = me.role.landing().path();
    let nav = Page::NAV
        .into_iter()
        .filter(|p| me.role.may_open(*p))
        .map(|p| view! { <li><A href=p.path()>{p.title()}</A></li> })
        .collect_view();
    let affiliation = me
        .org_name
        .clone()
        .or_else(|| me.team_name.as_ref().map(|t| format!("Team {t}")))
        .unwrap_or_else(|| "Service desk".into());
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <a class="brand" href=home>
                <span class="brand-mark" aria-hidden="true">"F"</span>
                "Frontline"
                <span class="visually-hidden">" home"</span>
            </a>
            <nav aria-label="Main">
                <ul class="nav">{nav}</ul>
            </nav>
            <div class="user-menu">
                <div class="user-id">
                    <a class="user-name" href="/me" title="My preferences">{me.name.clone()}</a>
                    <span class="user-role">{me.role.label()} " · " {affiliation}</span>
                </div>
                <ActionForm action=sign_out>
                    <button type="submit" class="btn btn-quiet">"Sign out"</button>
                </ActionForm>
            </div>
        </header>
        <main id="main" class="content" tabindex="-1">{children()}</main>
    }
}

/// Percent-encodes a string for use inside a query parameter.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::encode_component;

    #[test]
    fn encodes_query_values() {
        assert_eq!(
            encode_component("/queue?status=open&q=a b"),
            "/queue%3Fstatus%3Dopen%26q%3Da%20b"
        );
    }
}
