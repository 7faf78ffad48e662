//! Setting a password through a one-time link an administrator made (no sign-in needed).

use super::signin::SignInCard;
use crate::api::admin::{get_reset_info, ResetPassword};
use crate::model::user::validate_new_password;
use crate::model::AppError;
use crate::ui::action::ServerCall;
use crate::ui::components::{ErrorNotice, Loading};
use crate::ui::fields::TextInput;
use crate::ui::resource::resource;
use crate::ui::set_http_status;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let params = use_params_map();
    let token = Memo::new(move |_| params.read().get("token").unwrap_or_default());
    let info = resource(move || token.get(), get_reset_info);
    view! {
        <Title text="Set your password" />
        <SignInCard labelled_by="reset-title">
            <h1 id="reset-title">"Set your password"</h1>
            <Suspense fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match info.await {
                        Ok(who) => view! { <ResetForm token=token.get_untracked() name=who.name email=who.email /> }.into_any(),
                        Err(error) => {
                            set_http_status(error.status());
                            view! { <ErrorNotice error /> <a class="btn" href="/signin">"Go to sign-in"</a> }.into_any()
                        }
                    }
                })}
            </Suspense>
        </SignInCard>
    }
}

#[component]
fn ResetForm(token: String, name: String, email: String) -> impl IntoView {
    let reset = ServerCall::<ResetPassword>::new();
    let password = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let pw = password.get_untracked();
        if let Err(message) = validate_new_password(&pw) {
            reset.value().set(Some(Err(AppError::Invalid(message))));
            return;
        }
        if pw != again.get_untracked() {
            reset.value().set(Some(Err(AppError::Invalid(
                "The two passwords are not the same.".into(),
            ))));
            return;
        }
        reset.dispatch(ResetPassword {
            token: token.clone(),
            password: pw,
        });
    };
    view! {
        <Show
            when=move || matches!(reset.value().get(), Some(Ok(())))
            fallback=move || {
                let submit = submit.clone();
                view! {
                    <p class="muted">{format!("For {name} ({email}). Use at least 10 characters.")}</p>
                    <form on:submit=submit>
                        {move || reset.refusal().map(|error| view! { <ErrorNotice error /> })}
                        <div class="field">
                            <label for="new-password">"New password"</label>
                            <TextInput value={password} {..} id="new-password" type="password" autocomplete="new-password" required=true minlength="10" />
                        </div>
                        <div class="field">
                            <label for="new-password-again">"New password again"</label>
                            <TextInput value={again} {..} id="new-password-again" type="password" autocomplete="new-password" required=true />
                        </div>
                        <button type="submit" class="btn btn-primary btn-block" disabled=move || reset.pending().get()>"Set password"</button>
                    </form>
                }
            }
        >
            <p class="notice notice-success" role="status">"Your password is set."</p>
            <a class="btn btn-primary btn-block" href="/signin">"Sign in"</a>
        </Show>
    }
}
