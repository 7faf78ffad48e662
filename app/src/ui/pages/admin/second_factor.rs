//! On a user's page: whether they sign in with a second factor, and the reset for a lost phone.

use crate::api::admin::{user_second_factor, ResetSecondFactor};
use crate::ui::action::ServerCall;
use crate::ui::components::{ErrorNotice, Loading};
use crate::ui::resource::resource;
use leptos::either::EitherOf3;
use leptos::prelude::*;

#[component]
pub fn SecondFactorReset(user_id: i64) -> impl IntoView {
    let reset = ServerCall::<ResetSecondFactor>::new();
    let enrolled = resource(
        move || reset.version().get(),
        move |_| user_second_factor(user_id),
    );
    view! {
        <section class="card" aria-labelledby="user-second-factor">
            <h2 id="user-second-factor">"Two-step sign-in"</h2>
            {move || match reset.value().get() {
                Some(Ok(())) => Some(view! {
                    <p class="notice notice-success" role="status">
                        "Reset. Their sessions have ended; where the desk requires it, they set up a new authenticator app at their next sign-in."
                    </p>
                }.into_any()),
                Some(Err(error)) => Some(view! { <ErrorNotice error /> }.into_any()),
                None => None,
            }}
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match enrolled.await {
                        Ok(true) => EitherOf3::A(view! {
                            <p>"On: they sign in with a code from an authenticator app. If they lost their phone and their recovery codes, reset it."</p>
                            <button type="button" class="btn" disabled=move || reset.pending().get()
                                on:click=move |_| reset.dispatch(ResetSecondFactor { id: user_id })>
                                "Reset two-step sign-in"
                            </button>
                        }),
                        Ok(false) => EitherOf3::B(view! { <p class="muted">"Not set up."</p> }),
                        Err(error) => EitherOf3::C(view! { <ErrorNotice error /> }),
                    }
                })}
            </Transition>
        </section>
    }
}
