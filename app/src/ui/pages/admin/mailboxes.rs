//! Mailboxes: the list, and the form with IMAP settings, the write-only secret, and where new
//! tickets go.

use super::list::{admin_list, ListText};
use super::{edit_actions, edit_page, id_choices, record_id, AdminHead, EditPageText};
use crate::api::admin::{
    get_admin_choices, get_mailbox, list_mailboxes, SaveMailbox, SetMailboxActive,
};
use crate::model::admin::{AdminChoices, MailboxDraft, MailboxEdit};
use crate::model::Priority;
use crate::ui::action::ServerCall;
use crate::ui::components::{DataTable, ErrorNotice, PageHeader};
use crate::ui::fields::{choice, Bound, Select, TextInput};
use crate::ui::form::Draft;
use crate::ui::resource::resource;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

#[component]
pub fn AdminMailboxesPage() -> impl IntoView {
    let mailboxes = resource(|| (), |_| list_mailboxes());
    let text = ListText {
        loading: "Loading mailboxes…",
        empty: "No mailboxes yet.",
        hint: "Add the address clients write to with “New mailbox”; without IMAP, a mail server can pipe its mail to `frontline ingest-mail`.",
    };
    view! {
        <AdminHead title="Mailboxes" subtitle="Where the desk reads mail, and where new tickets from it go.">
            <a class="btn btn-primary" href="/admin/mailboxes/new">"New mailbox"</a>
        </AdminHead>
        {admin_list(text, mailboxes, |rows| view! {
            <DataTable caption="Mailboxes" columns=&["Name", "Address", "Read from", "New tickets for", "Status", "Connection"]>
                {rows.into_iter().map(|m| {
                    let watched = m.active && m.imap_host.is_some();
                    let connection = match (&m.connection, watched) {
                        (Some(c), true) => Some((c.describe(), c.in_trouble())),
                        (None, true) => Some(("Not started yet".to_string(), false)),
                        (_, false) => None,
                    };
                    view! {
                        <tr>
                            <th scope="row"><a href=format!("/admin/mailboxes/{}", m.id)>{m.name}</a></th>
                            <td>{m.address}</td>
                            <td>{m.imap_host.unwrap_or_else(|| "Piped in by the mail server".into())}</td>
                            <td>{m.org.unwrap_or_else(|| "By the sender's domain".into())}</td>
                            <td>{if m.active { "Active" } else { "Deactivated" }}</td>
                            <td data-connection>{match connection {
                                Some((said, true)) => view! { <span class="connection-trouble">{said}</span> }.into_any(),
                                Some((said, false)) => view! { <span>{said}</span> }.into_any(),
                                None => view! { <span class="muted">"—"</span> }.into_any(),
                            }}</td>
                        </tr>
                    }
                }).collect_view()}
            </DataTable>
        }.into_any())}
    }
}

#[component]
pub fn AdminMailboxEditPage() -> impl IntoView {
    let text = EditPageText {
        opening: "Opening the mailbox…",
        title: "Mailbox",
        back_href: "/admin/mailboxes",
        back_label: "Back to mailboxes",
    };
    edit_page(
        text,
        |id| async move {
            let choices = get_admin_choices().await?;
            let edit = match record_id(id, "There is no such mailbox.")? {
                Some(id) => Some(get_mailbox(id).await?),
                None => None,
            };
            Ok((choices, edit))
        },
        |(choices, edit)| view! { <MailboxForm choices edit /> }.into_any(),
    )
}

/// A number field's text; what is not a number counts as 0 (the form's check then says so).
fn number(
    draft: Draft<MailboxDraft>,
    read: fn(&MailboxDraft) -> i64,
    write: fn(&mut MailboxDraft, i64),
) -> Bound<String> {
    Bound::part(
        move || draft.with(|d| read(d).to_string()),
        move |text: String| draft.update(|d| write(d, text.trim().parse().unwrap_or(0))),
    )
}

#[component]
fn MailboxForm(choices: AdminChoices, edit: Option<MailboxEdit>) -> impl IntoView {
    let id = edit.as_ref().map(|e| e.id);
    let has_secret = edit.as_ref().is_some_and(|e| e.has_secret);
    let active = RwSignal::new(edit.as_ref().map(|e| e.active).unwrap_or(true));
    let draft = Draft::new(edit.as_ref().map(|e| e.draft.clone()).unwrap_or_default());
    let save = ServerCall::<SaveMailbox>::new();
    let toggle = ServerCall::<SetMailboxActive>::new();
    let saved = RwSignal::new(false);
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(saved_id)) = save.value().get() {
            // the secret went to the server: the field never keeps it
            draft.update(|d| d.secret.clear());
            if id.is_none() {
                navigate(&format!("/admin/mailboxes/{saved_id}"), Default::default());
            } else {
                saved.set(true);
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = toggle.value().get() {
            active.update(|a| *a = !*a);
        }
    });
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        saved.set(false);
        let draft = draft.get();
        save.send_checked(draft.validate(), || SaveMailbox { id, draft });
    };
    let heading = edit
        .as_ref()
        .map_or_else(|| "New mailbox".to_owned(), |e| e.draft.name.clone());
    let priorities = Priority::ALL
        .iter()
        .map(|p| choice(p.as_str(), p.label()))
        .collect::<Vec<_>>();
    let secret_hint = if has_secret {
        "A secret is stored. Leave empty to keep the current one."
    } else {
        "None stored yet."
    };
    view! {
        <Title text=heading.clone() />
        <PageHeader title=heading subtitle="The IMAP watcher picks up changes within a minute.">
            {id.map(|id| view! {
                <span class="badge">{move || if active.get() { "Active" } else { "Deactivated" }}</span>
                <button type="button" class="btn" disabled=move || toggle.pending().get()
                    on:click=move |_| { toggle.dispatch(SetMailboxActive { id, active: !active.get_untracked() }); }>
                    {move || if active.get() { "Deactivate mailbox" } else { "Reactivate mailbox" }}
                </button>
            })}
        </PageHeader>
        {move || toggle.refusal().map(|error| view! { <ErrorNotice error /> })}
        <form class="card admin-form" on:submit=submit novalidate autocomplete="off">
            {move || save.refusal().map(|error| view! { <ErrorNotice error /> })}
            <Show when=move || saved.get()>
                <p class="notice notice-success" role="status">"Saved."</p>
            </Show>
            <div class="field-row">
                <div class="field">
                    <label for="mb-name">"Name"</label>
                    <TextInput value={draft.part(|d| d.name.clone(), |d, v| d.name = v)} {..} id="mb-name" type="text" required=true maxlength="60" />
                </div>
                <div class="field">
                    <label for="mb-address">"Address"</label>
                    <TextInput value={draft.part(|d| d.address.clone(), |d, v| d.address = v)} {..} id="mb-address" type="email" required=true placeholder="support@your-desk.example" />
                </div>
            </div>
            <fieldset class="fieldset">
                <legend>"IMAP (leave the server empty when a mail server pipes the mail in)"</legend>
                <div class="field-row">
                    <div class="field">
                        <label for="mb-host">"Server"</label>
                        <TextInput value={draft.part(|d| d.imap_host.clone(), |d, v| d.imap_host = v)} {..} id="mb-host" type="text" placeholder="imap.example.com" />
                    </div>
                    <div class="field narrow">
                        <label for="mb-port">"Port"</label>
                        <TextInput value={number(draft, |d| d.imap_port, |d, n| d.imap_port = n)} {..} id="mb-port" type="number" min="1" max="65535" />
                    </div>
                    <div class="field">
                        <label for="mb-tls">"Security"</label>
                        <Select value={draft.part(|d| d.imap_tls.clone(), |d, v| d.imap_tls = v)}
                            options=vec![choice("tls", "TLS"), choice("starttls", "STARTTLS"), choice("none", "None (local tests only)")] {..} id="mb-tls" />
                    </div>
                </div>
                <div class="field-row">
                    <div class="field">
                        <label for="mb-user">"User name"</label>
                        <TextInput value={draft.part(|d| d.imap_user.clone(), |d, v| d.imap_user = v)} {..} id="mb-user" type="text" />
                    </div>
                    <div class="field">
                        <label for="mb-auth">"Signs in with"</label>
                        <Select value={draft.part(|d| d.imap_auth.clone(), |d, v| d.imap_auth = v)}
                            options=vec![choice("password", "Password"), choice("xoauth2", "OAuth 2 bearer token (XOAUTH2)")] {..} id="mb-auth" />
                    </div>
                    <div class="field">
                        <label for="mb-secret">"Password or token"</label>
                        <TextInput value={draft.part(|d| d.secret.clone(), |d, v| d.secret = v)} {..} id="mb-secret" type="password" autocomplete="new-password" aria-describedby="mb-secret-hint" />
                        <p class="muted small" id="mb-secret-hint">{secret_hint}" It is stored encrypted and never shown again."</p>
                    </div>
                </div>
                <div class="field-row">
                    <div class="field">
                        <label for="mb-folder">"Folder"</label>
                        <TextInput value={draft.part(|d| d.imap_folder.clone(), |d, v| d.imap_folder = v)} {..} id="mb-folder" type="text" />
                    </div>
                    <div class="field narrow">
                        <label for="mb-poll">"Check every (seconds, without IDLE)"</label>
                        <TextInput value={number(draft, |d| d.poll_secs, |d, n| d.poll_secs = n)} {..} id="mb-poll" type="number" min="5" max="3600" />
                    </div>
                </div>
            </fieldset>
            <fieldset class="fieldset">
                <legend>"New tickets from this mailbox"</legend>
                <div class="field-row">
                    <div class="field">
                        <label for="mb-org">"Organization"</label>
                        <Select value={draft.id_part(|d| d.org_id, |d, id| d.org_id = id)}
                            prompt="By the sender's mail domain" options={id_choices(choices.orgs)} {..} id="mb-org" />
                    </div>
                    <div class="field">
                        <label for="mb-team">"Team"</label>
                        <Select value={draft.id_part(|d| d.team_id, |d, id| d.team_id = id)}
                            prompt="The organization's own" options={id_choices(choices.teams)} {..} id="mb-team" />
                    </div>
                    <div class="field">
                        <label for="mb-priority">"Priority"</label>
                        <Select value={Bound::part(move || draft.with(|d| d.priority.map(|p| p.as_str().to_string()).unwrap_or_default()), move |v: String| draft.update(|d| d.priority = v.parse().ok()))}
                            prompt="From the mail's urgency" options={priorities} {..} id="mb-priority" />
                    </div>
                </div>
            </fieldset>
            {edit_actions(save.pending(), id.is_some(), "Create mailbox", "/admin/mailboxes", "Back to mailboxes")}
        </form>
    }
}
