use crate::api::auth::SignIn;
use crate::ui::browser::load_page;
use crate::ui::components::Loading;
use crate::ui::use_current_user;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

/// Only local paths are followed after sign-in, never another site.
fn safe_next(next: Option<String>) -> Option<String> {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\"))
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let me = use_current_user().0;
    let query = use_query_map();
    let next = move || safe_next(query.read().get("next"));
    view! {
        <Title text="Sign in" />
        <Suspense fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) => {
                        let target = next().unwrap_or_else(|| me.role.landing().path().to_string());
                        Either::Left(view! { <Redirect path=target /> })
                    }
                    _ => Either::Right(view! { <SignInForm next=next() /> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SignInForm(next: Option<String>) -> impl IntoView {
    let sign_in = ServerAction::<SignIn>::new();
    let show_password = RwSignal::new(false);
    let pending = sign_in.pending();
    Effect::new(move |_| {
        if let Some(Ok(landing)) = sign_in.value().get() {
            load_page(next.as_deref().unwrap_or(&landing));
        }
    });
    let error = move || {
        sign_in
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };

    view! {
        <main id="main" class="signin">
            <section class="signin-card" aria-labelledby="signin-title">
                <div class="brand brand-large">
                    <span class="brand-mark" aria-hidden="true">"F"</span>
                    "Frontline"
                </div>
                <h1 id="signin-title">"Sign in"</h1>
                <p class="muted">"Help desk for your IT support team and the people it serves."</p>
                <ActionForm action=sign_in>
                    <div class="field">
                        <label for="email">"E-mail address"</label>
                        <input id="email" name="email" type="email" autocomplete="username" required autofocus />
                    </div>
                    <div class="field">
                        <label for="password">"Password"</label>
                        <div class="input-with-button">
                            <input
                                id="password"
                                name="password"
                                type=move || if show_password.get() { "text" } else { "password" }
                                autocomplete="current-password"
                                required
                            />
                            <button
                                type="button"
                                class="btn btn-quiet"
                                aria-controls="password"
                                aria-pressed=move || show_password.get().to_string()
                                on:click=move |_| show_password.update(|v| *v = !*v)
                            >
                                {move || if show_password.get() { "Hide" } else { "Show" }}
                            </button>
                        </div>
                    </div>
                    <div class="form-error" role="alert" aria-live="assertive">
                        {move || error().map(|e| view! { <p class="notice notice-error">{e}</p> })}
                    </div>
                    <button type="submit" class="btn btn-primary btn-block" disabled=move || pending.get()>
                        {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </ActionForm>
            </section>
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(
            safe_next(Some("/queue?x=1".into())).as_deref(),
            Some("/queue?x=1")
        );
        assert_eq!(safe_next(Some("//evil.example".into())), None);
        assert_eq!(safe_next(Some("https://evil.example".into())), None);
        assert_eq!(safe_next(Some("/\\evil.example".into())), None);
        assert_eq!(safe_next(None), None);
    }
}
