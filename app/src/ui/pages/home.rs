use crate::ui::components::Loading;
use crate::ui::use_current_user;
use leptos::prelude::*;
use leptos_router::components::Redirect;

/// `/`: sends each person to where their role works, and visitors to sign-in.
#[component]
pub fn HomePage() -> impl IntoView {
    let me = use_current_user().0;
    view! {
        <Suspense fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                let target = match me.await {
                    Ok(Some(me)) => me.role.landing().path().to_string(),
                    _ => "/signin".to_string(),
                };
                view! { <Redirect path=target /> }
            })}
        </Suspense>
    }
}
