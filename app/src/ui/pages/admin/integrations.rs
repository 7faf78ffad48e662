//! Integration tokens: for a monitoring tool, a PSA or a script that is nobody's own. Each acts
//! as a service user of its own, with a role and a scope; its secret is shown once; revoking it
//! stops it at its next call. Both audited.

use super::list::{admin_list, ListText};
use super::{id_choices, AdminHead};
use crate::api::admin::get_admin_choices;
use crate::api::integrations::{list_integrations, CreateIntegration, RevokeIntegration};
use crate::model::admin::AdminChoices;
use crate::model::api_token::{ApiTokenRow, NewIntegration, TokenScope};
use crate::model::Role;
use crate::ui::action::ServerCall;
use crate::ui::components::{DataTable, ErrorNotice, Loading};
use crate::ui::fields::{choice, Bound, Select, TextInput};
use crate::ui::form::Draft;
use crate::ui::pages::api_tokens::{IssuedTokenNotice, TokenRow};
use crate::ui::resource::resource;
use leptos::either::Either;
use leptos::prelude::*;

/// What each scope lets an integration do, in an administrator's words.
fn scope_label(scope: TokenScope) -> &'static str {
    match scope {
        TokenScope::TicketsCreate => "Raise tickets only (monitoring alerts)",
        TokenScope::Read => "Read what its role may see",
        TokenScope::Write => "Read and change what its role may",
    }
}

#[component]
pub fn AdminIntegrationsPage() -> impl IntoView {
    let create = ServerCall::<CreateIntegration>::new();
    let revoke = ServerCall::<RevokeIntegration>::new();
    let tokens = resource(
        move || (create.version().get(), revoke.version().get()),
        |_| list_integrations(),
    );
    let choices = resource(|| (), |_| get_admin_choices());
    let text = ListText {
        loading: "Loading integration tokens…",
        empty: "No integration tokens yet.",
        hint: "Make one below for a monitoring tool, a PSA or a script that is nobody's own.",
    };
    view! {
        <AdminHead title="Integrations" subtitle="API tokens for other systems, each acting as a service user with a role and a scope." />
        {move || revoke.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
        {admin_list(text, tokens, move |rows: Vec<ApiTokenRow>| view! { <IntegrationTable rows revoke /> }.into_any())}
        <Transition fallback=move || view! { <Loading what="Opening the form…" /> }>
            {move || Suspend::new(async move {
                match choices.await {
                    Ok(choices) => Either::Left(view! { <IntegrationForm choices create /> }),
                    Err(error) => Either::Right(view! { <ErrorNotice error /> }),
                }
            })}
        </Transition>
    }
}

#[component]
fn IntegrationTable(
    rows: Vec<ApiTokenRow>,
    revoke: ServerCall<RevokeIntegration>,
) -> impl IntoView {
    view! {
        <DataTable caption="Integration tokens" columns=&["Name", "Token", "Acts as", "Scope", "Made", "Last used", "Expires", "State"]>
            {rows.into_iter().map(|row| {
                let id = row.id;
                let (user, scope) = (row.user_name.clone(), row.scope.map(scope_label).unwrap_or("–"));
                view! {
                    <TokenRow row pending=revoke.pending()
                        on_revoke=Callback::new(move |_| revoke.dispatch(RevokeIntegration { id }))>
                        <td>{user}</td>
                        <td>{scope}</td>
                    </TokenRow>
                }
            }).collect_view()}
        </DataTable>
    }
}

#[component]
fn IntegrationForm(choices: AdminChoices, create: ServerCall<CreateIntegration>) -> impl IntoView {
    let blank = || NewIntegration {
        name: String::new(),
        role: Role::Analyst,
        org_id: None,
        team_id: None,
        scope: TokenScope::TicketsCreate,
        expires_in_days: Some(365),
    };
    let draft = Draft::new(blank());
    Effect::new(move |_| {
        if matches!(create.value().get(), Some(Ok(_))) {
            draft.set(blank());
        }
    });
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        create.dispatch(CreateIntegration {
            integration: draft.get(),
        });
    };
    let roles = Role::ALL
        .iter()
        .filter(|r| **r != Role::Admin)
        .map(|r| choice(r.as_str(), r.label()))
        .collect::<Vec<_>>();
    let role = Bound::part(
        move || draft.with(|d| d.role.as_str().to_string()),
        move |v: String| draft.update(|d| d.role = v.parse().unwrap_or(Role::Analyst)),
    );
    let scopes = TokenScope::ALL
        .iter()
        .map(|s| choice(s.as_str(), scope_label(*s)))
        .collect::<Vec<_>>();
    let scope = Bound::part(
        move || draft.with(|d| d.scope.as_str().to_string()),
        move |v: String| draft.update(|d| d.scope = v.parse().unwrap_or(TokenScope::TicketsCreate)),
    );
    let expiry = Bound::part(
        move || {
            draft.with(|d| {
                d.expires_in_days
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "never".into())
            })
        },
        move |v: String| draft.update(|d| d.expires_in_days = v.parse().ok()),
    );
    let client_role = move || draft.with(|d| d.role.is_client());
    let made = move || match create.value().get() {
        Some(Ok(issued)) => Some(Either::Left(
            view! { <IssuedTokenNotice issued for_whom="the system that calls the API" /> },
        )),
        Some(Err(error)) => Some(Either::Right(view! { <ErrorNotice error /> })),
        None => None,
    };
    view! {
        <form class="card admin-form" on:submit=submit novalidate autocomplete="off">
            <h2>"New integration token"</h2>
            {made}
            <div class="field-row">
                <div class="field">
                    <label for="int-name">"Name"</label>
                    <TextInput value={draft.part(|d| d.name.clone(), |d, v| d.name = v)} {..} id="int-name" type="text" required=true maxlength="100" placeholder="e.g. Zabbix alerts" />
                </div>
                <div class="field">
                    <label for="int-scope">"May"</label>
                    <Select value=scope options={scopes} {..} id="int-scope" />
                </div>
                <div class="field">
                    <label for="int-expiry">"Expires"</label>
                    <Select value=expiry options={vec![
                        choice("90", "in 90 days"),
                        choice("365", "in a year"),
                        choice("never", "never"),
                    ]} {..} id="int-expiry" />
                </div>
            </div>
            <fieldset class="fieldset">
                <legend>"Acts as a service user"</legend>
                <div class="field-row">
                    <div class="field">
                        <label for="int-role">"Role"</label>
                        <Select value=role options={roles} {..} id="int-role" />
                    </div>
                    <div class="field" hidden=move || !client_role()>
                        <label for="int-org">"Organization"</label>
                        <Select value={draft.id_part(|d| d.org_id, |d, id| d.org_id = id)}
                            prompt="Choose…" options={id_choices(choices.orgs)} {..} id="int-org" />
                    </div>
                    <div class="field" hidden=client_role>
                        <label for="int-team">"Team"</label>
                        <Select value={draft.id_part(|d| d.team_id, |d, id| d.team_id = id)}
                            prompt="No team" options={id_choices(choices.teams)} {..} id="int-team" />
                    </div>
                </div>
                <p class="muted small">"It sees and does no more than a person with this role would, within its scope. A client role needs its organization."</p>
            </fieldset>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || create.pending().get()>"Create token"</button>
            </div>
        </form>
    }
}
