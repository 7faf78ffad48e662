//! "My preferences": what mail the desk sends you, two-step sign-in, and API tokens.

use crate::api::profile::{get_mute, SetMute};
use crate::ui::action::ServerCall;
use crate::ui::components::{ErrorNotice, Loading, PageHeader};
use crate::ui::pages::api_tokens::ApiTokensCard;
use crate::ui::resource::resource;
use crate::ui::second_factor::SecondFactorCard;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ProfilePage() -> impl IntoView {
    let save = ServerCall::<SetMute>::new();
    let mute = resource(move || save.version().get(), |_| get_mute());
    view! {
        <Title text="My preferences" />
        <PageHeader title="My preferences" />
        {move || save.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match mute.await {
                    Ok(muted) => {
                        let choice = RwSignal::new(muted);
                        Either::Left(view! {
                            <form class="card" on:submit=move |e| {
                                e.prevent_default();
                                save.dispatch(SetMute { mute: choice.get_untracked() });
                            }>
                                <h2>"E-mail"</h2>
                                <label class="check">
                                    <input type="checkbox" bind:checked=choice checked=muted />
                                    " Mute non-essential e-mail (status changes, notes, priority changes, SLA warnings)"
                                </label>
                                <p class="muted small">
                                    "Essential mail always arrives: new tickets, replies, resolutions, approvals, SLA breaches and on-call pages."
                                </p>
                                <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>"Save"</button>
                                {move || matches!(save.value().get(), Some(Ok(()))).then(|| view! { <span role="status" class="muted">" Saved."</span> })}
                            </form>
                        })
                    }
                    Err(error) => Either::Right(view! { <ErrorNotice error /> }),
                }
            })}
        </Transition>
        <SecondFactorCard />
        <ApiTokensCard />
    }
}
