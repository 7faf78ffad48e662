use crate::api::auth::{SignIn, SignInCode};
use crate::model::second_factor::{EnrolmentOffer, SignInStep};
use crate::model::AppError;
use crate::ui::action::ServerCall;
use crate::ui::browser::load_page;
use crate::ui::components::Loading;
use crate::ui::second_factor::{EnrolmentQr, RecoveryCodes};
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
    let answer = ServerCall::<SignInCode>::new();
    let step = RwSignal::new(None::<SignInStep>);
    let next = StoredValue::new(next);
    let land = move |path: &str| {
        next.with_value(|next| load_page(next.as_deref().unwrap_or(path)));
    };
    Effect::new(move |_| match sign_in.value().get() {
        Some(Ok(SignInStep::Landed { path })) => land(&path),
        Some(Ok(other)) => step.set(Some(other)),
        _ => {}
    });
    Effect::new(move |_| match answer.value().get() {
        Some(Ok(SignInStep::Landed { path })) => land(&path),
        Some(Ok(other)) => step.set(Some(other)),
        _ => {}
    });
    let error = move |value: Option<Result<SignInStep, AppError>>| {
        value.and_then(Result::err).map(|e| e.to_string())
    };

    view! {
        <SignInCard labelled_by="signin-title">
            {move || match step.get() {
                None => Either::Left(view! {
                    <PasswordStep action=sign_in error=Signal::derive(move || error(sign_in.value().get())) />
                }),
                Some(SignInStep::Enrolled { path, recovery_codes }) => Either::Right(Either::Left(view! {
                    <RecoveryCodes codes=recovery_codes />
                    <button type="button" class="btn btn-primary btn-block" on:click=move |_| land(&path)>
                        "I have saved my recovery codes — continue"
                    </button>
                })),
                Some(other) => {
                    let offer = match other {
                        SignInStep::EnrolNeeded(offer) => Some(offer),
                        _ => None,
                    };
                    Either::Right(Either::Right(view! {
                        <CodeStep action=answer offer error=Signal::derive(move || error(answer.value().get())) />
                    }))
                }
            }}
        </SignInCard>
    }
}

#[component]
fn PasswordStep(action: ServerAction<SignIn>, error: Signal<Option<String>>) -> impl IntoView {
    let show_password = RwSignal::new(false);
    let pending = action.pending();
    view! {
        <h1 id="signin-title">"Sign in"</h1>
        <p class="muted">"Help desk for your IT support team and the people it serves."</p>
        <ActionForm action>
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
            <FormError error />
            <button type="submit" class="btn btn-primary btn-block" disabled=move || pending.get()>
                {move || if pending.get() { "Signing in…" } else { "Sign in" }}
            </button>
        </ActionForm>
    }
}

/// The second step: a code for the factor set up already, or the first code of a new one
/// (`offer`: the desk requires one for this account and it has none yet).
#[component]
fn CodeStep(
    action: ServerCall<SignInCode>,
    offer: Option<EnrolmentOffer>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let pending = action.pending();
    let enrolling = offer.is_some();
    // both start empty: nothing to paint on the server, so plain `bind:` does
    let code = RwSignal::new(String::new());
    let trust = RwSignal::new(false);
    view! {
        {match offer {
            None => Either::Left(view! {
                <h1 id="signin-title">"Two-step sign-in"</h1>
                <p class="muted">
                    "Enter the 6-digit code from your authenticator app. Lost your phone? Enter one of your recovery codes instead."
                </p>
            }),
            Some(offer) => Either::Right(view! {
                <h1 id="signin-title">"Set up two-step sign-in"</h1>
                <p class="muted">
                    "Your desk asks for a code from an authenticator app at every sign-in on a new browser. Scan this code with your app (for example Google Authenticator, Microsoft Authenticator or 1Password), then enter the 6 digits it shows."
                </p>
                <EnrolmentQr offer />
            }),
        }}
        <form on:submit=move |e| {
            e.prevent_default();
            action.dispatch(SignInCode {
                code: code.get_untracked(),
                trust_browser: trust.get_untracked().then(|| "on".to_string()),
            });
        }>
            <div class="field">
                <label for="code">{if enrolling { "Code from your app" } else { "Code" }}</label>
                <input
                    id="code"
                    name="code"
                    type="text"
                    inputmode=if enrolling { "numeric" } else { "text" }
                    autocomplete="one-time-code"
                    spellcheck="false"
                    maxlength="20"
                    required
                    autofocus
                    bind:value=code
                />
            </div>
            <label class="check">
                <input type="checkbox" name="trust_browser" bind:checked=trust />
                " Trust this browser for 30 days (not on a shared computer)"
            </label>
            <FormError error />
            <button type="submit" class="btn btn-primary btn-block" disabled=move || pending.get()>
                {move || if pending.get() { "Checking…" } else { "Continue" }}
            </button>
        </form>
        <p class="small"><a href="/signin" rel="external">"Start again"</a></p>
    }
}

/// The card the sign-in pages show, alone on the page under the brand.
#[component]
pub(super) fn SignInCard(labelled_by: &'static str, children: Children) -> impl IntoView {
    view! {
        <main id="main" class="signin">
            <section class="signin-card" aria-labelledby=labelled_by>
                <div class="brand brand-large">
                    <span class="brand-mark" aria-hidden="true">"F"</span>
                    "Frontline"
                </div>
                {children()}
            </section>
        </main>
    }
}

#[component]
fn FormError(error: Signal<Option<String>>) -> impl IntoView {
    view! {
        <div class="form-error" role="alert" aria-live="assertive">
            {move || error.get().map(|e| view! { <p class="notice notice-error">{e}</p> })}
        </div>
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
