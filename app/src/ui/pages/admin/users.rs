//! Users: search, the account form (role, organization, team, tier), deactivation, one-time
//! password links, and the CSV import of a client's users with a preview.

use super::list::{admin_list, ListText};
use super::{edit_page, id_choices, opt_id, record_id, AdminHead, AdminNav, EditPageText};
use crate::api::admin::{
    get_admin_choices, get_user, list_users, CreateUser, ImportUsers, MakePasswordLink,
    PreviewImport, SetUserActive, UpdateUser,
};
use crate::model::admin::{
    role_has_team, AdminChoices, PasswordLink, UserDraft, UserEdit, UserFilter, MAX_IMPORT_BYTES,
};
use crate::model::time::format_utc;
use crate::model::{AppError, Role};
use crate::ui::action::ServerCall;
use crate::ui::browser;
use crate::ui::components::{DataTable, ErrorNotice, Loading, PageHeader};
use crate::ui::fields::{choice, CheckBox, Choice, Select, TextArea, TextInput};
use crate::ui::form::Draft;
use crate::ui::resource::resource;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let q = RwSignal::new(String::new());
    let role = RwSignal::new(String::new());
    let org = RwSignal::new(String::new());
    let inactive = RwSignal::new(false);
    let filter = RwSignal::new(UserFilter::default());
    let choices = resource(|| (), |_| get_admin_choices());
    let users = resource(move || filter.get(), list_users);
    let text = ListText {
        loading: "Loading users…",
        empty: "No users match.",
        hint: "Try another name, or include deactivated accounts.",
    };
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        filter.set(UserFilter {
            q: q.get_untracked(),
            role: role.get_untracked().parse::<Role>().ok(),
            org_id: opt_id(&org.get_untracked()),
            include_inactive: inactive.get_untracked(),
        });
    };
    view! {
        <AdminHead title="Users" subtitle="Staff and client accounts. Accounts are deactivated, never deleted.">
            <a class="btn" href="/admin/users/import">"Import from CSV"</a>
            <a class="btn btn-primary" href="/admin/users/new">"New user"</a>
        </AdminHead>
        <form class="filters" role="search" on:submit=submit>
            <div class="field field-search">
                <label for="user-q">"Name or e-mail"</label>
                <TextInput value={q} {..} id="user-q" type="search" />
            </div>
            <div class="field">
                <label for="user-role">"Role"</label>
                <Select value={role} prompt="Any role" options={role_choices()} {..} id="user-role" />
            </div>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let orgs = choices.await.map(|c| c.orgs).unwrap_or_default();
                    view! {
                        <div class="field">
                            <label for="user-org">"Organization"</label>
                            <Select value={org} prompt="Any" options={id_choices(orgs)} {..} id="user-org" />
                        </div>
                    }
                })}
            </Transition>
            <label class="check"><CheckBox checked=inactive />"Include deactivated"</label>
            <div class="filter-actions"><button type="submit" class="btn">"Search"</button></div>
        </form>
        {admin_list(text, users, |rows| view! {
            <DataTable caption="Users" columns=&["Name", "E-mail", "Role", "Organization or team", "Status"]>
                {rows.into_iter().map(|u| view! {
                    <tr>
                        <th scope="row"><a href=format!("/admin/users/{}", u.id)>{u.name}</a></th>
                        <td>{u.email}</td>
                        <td>{u.role.label()}{u.tier.map(|t| format!(" · tier {t}"))}</td>
                        <td>{u.org_name.or(u.team_name.map(|t| format!("Team {t}"))).unwrap_or_else(|| "Service desk".into())}</td>
                        <td>{if u.active { "Active" } else { "Deactivated" }}</td>
                    </tr>
                }).collect_view()}
            </DataTable>
        }.into_any())}
    }
}

#[component]
pub fn AdminUserEditPage() -> impl IntoView {
    let text = EditPageText {
        opening: "Opening the account…",
        title: "User",
        back_href: "/admin/users",
        back_label: "Back to users",
    };
    edit_page(
        text,
        |id| async move {
            let choices = get_admin_choices().await?;
            let edit = match record_id(id, "There is no such user.")? {
                Some(id) => Some(get_user(id).await?),
                None => None,
            };
            Ok((choices, edit))
        },
        |(choices, edit)| view! { <UserForm choices edit /> }.into_any(),
    )
}

/// The one-time link, shown once to the administrator.
#[component]
fn LinkNotice(link: PasswordLink) -> impl IntoView {
    view! {
        <div class="notice notice-success link-notice" role="status">
            <p>{format!("Send {} this one-time link to set a password. It works once and expires {}.", link.user_name, format_utc(link.expires_at))}</p>
            <p><a class="reset-link" href=link.path.clone()>{link.path.clone()}</a></p>
            <p class="small muted">"It will not be shown again; make a new link if it is lost."</p>
        </div>
    }
}

#[component]
fn UserForm(choices: AdminChoices, edit: Option<UserEdit>) -> impl IntoView {
    let user_id = edit.as_ref().map(|e| e.id);
    let draft = Draft::new(edit.as_ref().map(|e| e.draft.clone()).unwrap_or_default());
    let active = RwSignal::new(edit.as_ref().map(|e| e.active).unwrap_or(true));
    let role = draft.part(
        |d| d.role.as_str().to_owned(),
        |d, role| d.role = role.parse().unwrap_or(Role::Client),
    );
    let current_role = move || draft.with(|d| d.role);

    let create = ServerCall::<CreateUser>::new();
    let update = ServerCall::<UpdateUser>::new();
    let toggle = ServerCall::<SetUserActive>::new();
    let link = ServerCall::<MakePasswordLink>::new();
    let saved = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(())) = toggle.value().get() {
            active.update(|a| *a = !*a);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = update.value().get() {
            saved.set(true);
        }
    });
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        saved.set(false);
        let draft = for_role(draft.get());
        let check = draft.validate();
        match user_id {
            Some(id) => update.send_checked(check, || UpdateUser { id, draft }),
            None => create.send_checked(check, || CreateUser { draft }),
        }
    };
    let error = move || {
        create
            .refusal()
            .or_else(|| update.refusal())
            .or_else(|| toggle.refusal())
            .or_else(|| link.refusal())
    };
    let created = move || create.value().get().and_then(Result::ok);
    // an existing record is named, so that nobody edits the wrong one
    let heading = edit
        .as_ref()
        .map_or_else(|| "New user".to_owned(), |e| e.draft.name.clone());
    let (orgs, teams) = (
        StoredValue::new(choices.orgs),
        StoredValue::new(choices.teams),
    );
    view! {
        <Title text=heading.clone() />
        <PageHeader title=heading subtitle="New accounts get a one-time link to set their own password.">
            {user_id.map(|id| view! {
                <span class="badge">{move || if active.get() { "Active" } else { "Deactivated" }}</span>
                <button type="button" class="btn" disabled=move || link.pending().get() || !active.get()
                    on:click=move |_| { link.dispatch(MakePasswordLink { id }); }>"Make a password link"</button>
                <button type="button" class="btn" disabled=move || toggle.pending().get()
                    on:click=move |_| { toggle.dispatch(SetUserActive { id, active: !active.get_untracked() }); }>
                    {move || if active.get() { "Deactivate account" } else { "Reactivate account" }}
                </button>
            })}
        </PageHeader>
        {move || error().map(|error| view! { <ErrorNotice error /> })}
        {move || link.value().get().and_then(Result::ok).map(|link| view! { <LinkNotice link /> })}
        {move || created().map(|link| {
            let id = link.user_id;
            view! {
                <LinkNotice link />
                <p class="form-actions">
                    <a class="btn" href=format!("/admin/users/{id}")>"Open the account"</a>
                    <a class="btn btn-quiet" href="/admin/users">"Back to users"</a>
                </p>
            }
        })}
        <Show when=move || created().is_none()>
            {view! {
            <form class="card admin-form" on:submit=submit novalidate>
                <Show when=move || saved.get()>
                    <p class="notice notice-success" role="status">"Saved."</p>
                </Show>
                <div class="field-row">
                    <div class="field">
                        <label for="user-name">"Full name"</label>
                        <TextInput value={draft.part(|d| d.name.clone(), |d, name| d.name = name)} {..} id="user-name" type="text" required=true maxlength="120" />
                    </div>
                    <div class="field">
                        <label for="user-email">"E-mail address"</label>
                        <TextInput value={draft.part(|d| d.email.clone(), |d, email| d.email = email)} {..} id="user-email" type="email" required=true maxlength="254" />
                    </div>
                </div>
                <div class="field-row">
                    <div class="field">
                        <label for="user-role-edit">"Role"</label>
                        <Select value={role} options={role_choices()} {..} id="user-role-edit" />
                    </div>
                    <Show when=move || current_role().is_client()>
                        <div class="field">
                            <label for="user-org-edit">"Organization"</label>
                            <Select value={draft.id_part(|d| d.org_id, |d, id| d.org_id = id)} prompt="Choose…"
                                options={id_choices(orgs.get_value())} {..} id="user-org-edit" />
                        </div>
                    </Show>
                    <Show when=move || role_has_team(current_role())>
                        <div class="field">
                            <label for="user-team">"Team"</label>
                            <Select value={draft.id_part(|d| d.team_id, |d, id| d.team_id = id)} prompt="No team"
                                options={id_choices(teams.get_value())} {..} id="user-team" />
                        </div>
                    </Show>
                    <Show when=move || current_role() == Role::Senior>
                        <div class="field">
                            <label for="user-tier">"Tier"</label>
                            <Select value={draft.part(|d| d.tier.map(|t| t.to_string()).unwrap_or_default(), |d, tier| d.tier = tier.parse().ok())} prompt="Choose…" options={vec![choice("2", "Tier 2"), choice("3", "Tier 3")]} {..} id="user-tier" />
                        </div>
                    </Show>
                </div>
                <div class="field-row">
                    <div class="field">
                        <label for="user-dept">"Department"</label>
                        <TextInput value={draft.part(|d| d.department.clone(), |d, text| d.department = text)} {..} id="user-dept" type="text" maxlength="120" />
                    </div>
                    <div class="field">
                        <label for="user-location">"Location"</label>
                        <TextInput value={draft.part(|d| d.location.clone(), |d, text| d.location = text)} {..} id="user-location" type="text" maxlength="120" />
                    </div>
                    <div class="field">
                        <label for="user-title">"Job title"</label>
                        <TextInput value={draft.part(|d| d.job_title.clone(), |d, text| d.job_title = text)} {..} id="user-title" type="text" maxlength="120" />
                    </div>
                    <div class="field">
                        <label for="user-phone">"Phone"</label>
                        <TextInput value={draft.part(|d| d.phone.clone(), |d, text| d.phone = text)} {..} id="user-phone" type="tel" maxlength="40" />
                    </div>
                </div>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" disabled=move || create.pending().get() || update.pending().get()>
                        {move || if create.pending().get() || update.pending().get() { "Saving…" } else if user_id.is_some() { "Save changes" } else { "Create user" }}
                    </button>
                    <a class="btn btn-quiet" href="/admin/users">"Back to users"</a>
                </div>
            </form>
            }.into_any()}
        </Show>
        {user_id.map(|user_id| view! { <super::second_factor::SecondFactorReset user_id /> })}
    }
}

#[component]
pub fn AdminImportPage() -> impl IntoView {
    let choices = resource(|| (), |_| get_admin_choices());
    let org = RwSignal::new(String::new());
    let csv = RwSignal::new(String::new());
    let preview = ServerCall::<PreviewImport>::new();
    let import = ServerCall::<ImportUsers>::new();
    let local_error = RwSignal::new(None::<AppError>);
    let check = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        local_error.set(None);
        let Some(org_id) = opt_id(&org.get_untracked()) else {
            local_error.set(Some(AppError::Invalid(
                "Choose the organization they join.".into(),
            )));
            return;
        };
        let text = csv.get_untracked();
        if text.len() > MAX_IMPORT_BYTES {
            local_error.set(Some(AppError::PayloadTooLarge(
                "The file is larger than 1 MB. Split it into smaller files.".into(),
            )));
            return;
        }
        preview.dispatch(PreviewImport { org_id, csv: text });
    };
    let run = move |_| {
        if let Some(org_id) = opt_id(&org.get_untracked()) {
            import.dispatch(ImportUsers {
                org_id,
                csv: csv.get_untracked(),
            });
        }
    };
    let error = move || {
        local_error
            .get()
            .or_else(|| preview.refusal())
            .or_else(|| import.refusal())
    };
    view! {
        <Title text="Import users" />
        <AdminNav />
        <PageHeader title="Import a client's users" subtitle="Choose or paste a CSV file (UTF-8, at most 1 MB). The first line names the columns: email, name, and optionally role (client or client_admin), department, location, job_title, phone." />
        {move || error().map(|error| view! { <ErrorNotice error /> })}
        {move || import.value().get().and_then(Result::ok).map(|n| view! {
            <p class="notice notice-success" role="status">{format!("Imported {n} users. Make each a password link from the user list.")}</p>
        })}
        <form class="card admin-form" on:submit=check>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    let orgs = choices.await.map(|c| c.orgs).unwrap_or_default();
                    view! {
                        <div class="field">
                            <label for="import-org">"Organization they join"</label>
                            <Select value={org} prompt="Choose…" options={id_choices(orgs)} {..} id="import-org" />
                        </div>
                    }
                })}
            </Transition>
            <div class="field">
                <label for="import-file">"CSV file"</label>
                <input id="import-file" type="file" accept=".csv,text/csv,text/plain" on:change=move |_| {
                    local_error.set(None);
                    leptos::task::spawn_local(async move {
                        match browser::read_text_file("import-file", MAX_IMPORT_BYTES).await {
                            Ok(Some(text)) => csv.set(text),
                            Ok(None) => {}
                            Err(e) => local_error.set(Some(e)),
                        }
                    });
                } />
                <p class="muted small">"Choosing a file puts its text below, where you can still correct it."</p>
            </div>
            <div class="field">
                <label for="import-csv">"CSV text"</label>
                <TextArea value={csv} {..} id="import-csv" rows="10" class="mono"
                    placeholder="email,name,role\nann@example.com,Ann Lee,client_admin" />
            </div>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || preview.pending().get()>"Check the file"</button>
            </div>
        </form>
        {move || preview.value().get().and_then(Result::ok).map(|p| {
            let ready = p.ready;
            let count = p.rows.len();
            let bad = p.rows.iter().filter(|r| r.error.is_some()).count();
            view! {
                <section class="card" aria-labelledby="preview-title">
                    <h2 id="preview-title">"Preview"</h2>
                    <p role="status">{if ready {
                        format!("All {count} rows are fine.")
                    } else {
                        format!("{bad} of {count} rows have a problem. Nothing will be imported until every row is fine.")
                    }}</p>
                    <div class="table-wrap" tabindex="0">
                        <table>
                            <thead><tr><th scope="col">"Line"</th><th scope="col">"E-mail"</th><th scope="col">"Name"</th><th scope="col">"Role"</th><th scope="col">"Problem"</th></tr></thead>
                            <tbody>
                                {p.rows.into_iter().map(|r| { let has_error = r.error.is_some(); view! {
                                    <tr class:row-error=has_error>
                                        <td>{r.line}</td><td>{r.email}</td><td>{r.name}</td><td>{r.role.label()}</td>
                                        <td>{r.error.unwrap_or_else(|| "OK".into())}</td>
                                    </tr>
                                }}).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    <div class="form-actions">
                        <button type="button" class="btn btn-primary" disabled=move || !ready || import.pending().get() on:click=run>
                            {format!("Import {count} users")}
                        </button>
                    </div>
                </section>
            }
        })}
    }
}

/// Every role, as a select's options.
fn role_choices() -> Vec<Choice> {
    Role::ALL
        .into_iter()
        .map(|r| choice(r.as_str(), r.label()))
        .collect()
}

/// The draft as the user's role has it: an organization only for clients, a team only for
/// roles in a team, tier 1 for analysts and the chosen tier for seniors.
fn for_role(draft: UserDraft) -> UserDraft {
    let role = draft.role;
    UserDraft {
        org_id: draft.org_id.filter(|_| role.is_client()),
        team_id: draft.team_id.filter(|_| role_has_team(role)),
        tier: match role {
            Role::Analyst => Some(1),
            Role::Senior => draft.tier,
            _ => None,
        },
        ..draft
    }
}
