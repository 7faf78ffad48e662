//! "My preferences" → API tokens: what a person's scripts and tools use the API (`/api/v1`)
//! with, acting as them. Made here, shown once, revoked here.

use crate::api::profile::{get_api_tokens, CreateApiToken, RevokeApiToken};
use crate::model::api_token::{ApiTokenRow, IssuedToken};
use crate::model::time::format_utc;
use crate::ui::action::ServerCall;
use crate::ui::components::{DataTable, EmptyState, ErrorNotice, Loading};
use crate::ui::fields::{choice, Select, TextInput};
use crate::ui::resource::resource;
use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;

#[component]
pub fn ApiTokensCard() -> impl IntoView {
    let create = ServerCall::<CreateApiToken>::new();
    let revoke = ServerCall::<RevokeApiToken>::new();
    let tokens = resource(
        move || (create.version().get(), revoke.version().get()),
        |_| get_api_tokens(),
    );
    let name = RwSignal::new(String::new());
    let days = RwSignal::new("90".to_string());
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        create.dispatch(CreateApiToken {
            name: name.get_untracked(),
            expires_in_days: days.get_untracked().parse().ok(),
        });
    };
    Effect::new(move |_| {
        if matches!(create.value().get(), Some(Ok(_))) {
            name.set(String::new());
        }
    });
    view! {
        <section class="card" aria-labelledby="api-tokens-title">
            <h2 id="api-tokens-title">"API tokens"</h2>
            <p class="muted small">
                "A token lets a script or a tool use the desk's API as you: it sees and does what you may, no more. \
                 Keep it like a password, and revoke it when the script is retired. "
                <a href="/api/v1/docs">"API reference"</a>
            </p>
            {move || match create.value().get() {
                Some(Ok(issued)) => EitherOf3::A(view! { <IssuedTokenNotice issued for_whom="your script" /> }),
                Some(Err(error)) => EitherOf3::B(view! { <ErrorNotice error /> }),
                None => EitherOf3::C(()),
            }}
            {move || revoke.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
            <form class="inline-form" on:submit=submit>
                <div class="field">
                    <label for="token-name">"Name"</label>
                    <TextInput value={name} {..} id="token-name" type="text" required=true maxlength="100" placeholder="e.g. monitoring script" />
                </div>
                <div class="field">
                    <label for="token-expiry">"Expires"</label>
                    <Select value={days} options={vec![
                        choice("30", "in 30 days"),
                        choice("90", "in 90 days"),
                        choice("365", "in a year"),
                        choice("never", "never"),
                    ]} {..} id="token-expiry" />
                </div>
                <button type="submit" class="btn btn-primary" disabled=move || create.pending().get()>"Create token"</button>
            </form>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Ok(rows) if rows.is_empty() => EitherOf3::A(view! {
                            <EmptyState title="No tokens yet" hint="Scripts and tools you give a token appear here." />
                        }),
                        Ok(rows) => EitherOf3::B(view! { <TokenTable rows revoke /> }),
                        Err(error) => EitherOf3::C(view! { <ErrorNotice error /> }),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn TokenTable(rows: Vec<ApiTokenRow>, revoke: ServerCall<RevokeApiToken>) -> impl IntoView {
    view! {
        <DataTable caption="Your API tokens" class="compact" columns=&["Name", "Token", "Made", "Last used", "Expires", "State"]>
            {rows.into_iter().map(|row| {
                let id = row.id;
                view! {
                    <TokenRow row pending=revoke.pending()
                        on_revoke=Callback::new(move |_| revoke.dispatch(RevokeApiToken { id })) />
                }
            }).collect_view()}
        </DataTable>
    }
}

/// One token in a list: its name and prefix, what the list adds (`children`), when it was made,
/// last used and expires, and its state with the button that revokes it.
#[component]
pub(crate) fn TokenRow(
    row: ApiTokenRow,
    pending: Memo<bool>,
    on_revoke: Callback<()>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let revoked = row.revoked_at.is_some();
    view! {
        <tr class:muted=revoked>
            <th scope="row">{row.name.clone()}</th>
            <td><code>{format!("fl_{}_…", row.prefix)}</code></td>
            {children.map(|cells| cells())}
            <td>{format_utc(row.created_at)}</td>
            <td>{when(row.last_used_at)}</td>
            <td>{when(row.expires_at)}</td>
            <td><RevokeCell row pending on_revoke /></td>
        </tr>
    }
}

/// An instant of a token's life, or "never".
fn when(at: Option<i64>) -> String {
    at.map(format_utc).unwrap_or_else(|| "never".into())
}

/// A token just made: the only time its secret is shown.
#[component]
pub(crate) fn IssuedTokenNotice(issued: IssuedToken, for_whom: &'static str) -> impl IntoView {
    view! {
        <div class="notice notice-success" role="status">
            <p>
                <strong>"Copy the new token now: "</strong>
                {format!("it is not shown again. Give it to {for_whom} as its bearer token.")}
            </p>
            <code class="issued-token">{issued.token}</code>
        </div>
    }
}

/// A token's state in a list: when it was revoked, or the button that revokes it.
#[component]
fn RevokeCell(row: ApiTokenRow, pending: Memo<bool>, on_revoke: Callback<()>) -> impl IntoView {
    match row.revoked_at {
        Some(at) => Either::Left(format!("Revoked {}", format_utc(at))),
        None => Either::Right(view! {
            <button type="button" class="btn btn-small" aria-label=format!("Revoke {}", row.name)
                disabled=move || pending.get() on:click=move |_| on_revoke.run(())>
                "Revoke"
            </button>
        }),
    }
}
