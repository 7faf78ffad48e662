//! Webhooks: the subscriptions with their state, a form to make one (its signing secret shown
//! once) or change one, and for the one chosen (`?id=`) its delivery log with "send test event",
//! "redeliver", pause or enable, and delete.

use super::list::{admin_list, ListText};
use super::{id_choices, AdminHead};
use crate::api::admin::get_admin_choices;
use crate::api::webhooks::{
    list_webhooks, webhook_deliveries, DeleteWebhook, RedeliverWebhook, SaveWebhook, SendTestEvent,
    SetWebhookActive,
};
use crate::model::admin::{
    AdminChoices, DeliveryPage, WebhookDraft, WebhookKind, WebhookRow, WEBHOOK_EVENTS,
};
use crate::model::Priority;
use crate::ui::action::ServerCall;
use crate::ui::components::{Ago, DataTable, ErrorNotice, Loading};
use crate::ui::fields::{choice, Bound, CheckBox, Select, TextInput};
use crate::ui::form::Draft;
use crate::ui::resource::resource;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// A subscription's state in words.
fn state_of(w: &WebhookRow) -> String {
    match (&w.disabled_reason, w.active) {
        (_, true) => "Active".into(),
        (Some(reason), false) => format!("Turned off: {reason}"),
        (None, false) => "Paused".into(),
    }
}

#[component]
pub fn AdminWebhooksPage() -> impl IntoView {
    let query = use_query_map();
    let chosen = Memo::new(move |_| query.read().get("id").and_then(|id| id.parse::<i64>().ok()));
    // every change on the page loads the list again
    let changed = RwSignal::new(0usize);
    let hooks = resource(move || changed.get(), |_| list_webhooks());
    let choices = resource(|| (), |_| get_admin_choices());
    let text = ListText {
        loading: "Loading webhooks…",
        empty: "No webhooks yet.",
        hint: "Subscribe a URL below: your PSA, an automation, or a Slack or Teams channel.",
    };
    view! {
        <AdminHead title="Webhooks" subtitle="Tell other systems and team channels what happens on the desk." />
        {admin_list(text, hooks, move |rows: Vec<WebhookRow>| view! {
            <DataTable caption="Webhooks" columns=&["Name", "Kind", "Events", "State", "Waiting", "Given up", "Last delivery"]>
                {rows.into_iter().map(|w| {
                    let last = match (w.last_at, w.last_ok) {
                        (Some(_), Some(true)) => "Delivered",
                        (Some(_), _) => "Failed",
                        (None, _) => "None yet",
                    };
                    view! {
                        <tr>
                            <th scope="row"><a href=format!("/admin/webhooks?id={}", w.id)>{w.draft.name.clone()}</a></th>
                            <td>{w.draft.kind.label()}</td>
                            <td>{w.draft.events.join(", ")}</td>
                            <td>{state_of(&w)}</td>
                            <td>{w.waiting}</td>
                            <td>{w.dead}</td>
                            <td>{last}</td>
                        </tr>
                    }
                }).collect_view()}
            </DataTable>
        }.into_any())}
        <Transition fallback=move || view! { <Loading what="Opening the form…" /> }>
            {move || Suspend::new(async move {
                let choices = match choices.await {
                    Ok(choices) => choices,
                    Err(error) => return view! { <ErrorNotice error /> }.into_any(),
                };
                let rows = hooks.await.unwrap_or_default();
                match chosen.get().and_then(|id| rows.into_iter().find(|w| w.id == id)) {
                    Some(w) => view! { <WebhookDetail hook=w choices changed /> }.into_any(),
                    None => view! { <WebhookForm choices edit=None changed /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A checkbox for event `kind`: ticked when the draft has it.
fn event_box(draft: Draft<WebhookDraft>, kind: &'static str) -> Bound<bool> {
    Bound::part(
        move || draft.with(|d| d.events.iter().any(|e| e == kind)),
        move |on| {
            draft.update(|d| {
                d.events.retain(|e| e != kind);
                if on {
                    d.events.push(kind.to_string());
                }
            })
        },
    )
}

#[component]
fn WebhookForm(
    choices: AdminChoices,
    edit: Option<WebhookRow>,
    changed: RwSignal<usize>,
) -> impl IntoView {
    let id = edit.as_ref().map(|w| w.id);
    let draft = Draft::new(edit.map(|w| w.draft).unwrap_or_else(|| WebhookDraft {
        events: vec!["ticket.created".into()],
        ..Default::default()
    }));
    let save = ServerCall::<SaveWebhook>::new();
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            changed.update(|n| *n += 1);
        }
    });
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let draft = draft.get();
        save.send_checked(draft.validate(), || SaveWebhook { id, draft });
    };
    let kinds = WebhookKind::ALL
        .iter()
        .map(|k| choice(k.as_str(), k.label()))
        .collect::<Vec<_>>();
    let kind = Bound::part(
        move || draft.with(|d| d.kind.as_str().to_string()),
        move |v: String| draft.update(|d| d.kind = WebhookKind::parse(&v).unwrap_or_default()),
    );
    let priorities = Priority::ALL
        .iter()
        .map(|p| choice(p.as_str(), p.label()))
        .collect::<Vec<_>>();
    let saved = move || {
        match save.value().get() {
        Some(Ok(made)) => Some(match made.secret {
            Some(secret) => view! {
                <div class="notice notice-success" role="status">
                    <p>"Webhook created. Its signing secret, shown only now: keep it where the receiver can read it."</p>
                    <p><code class="secret">{secret}</code></p>
                </div>
            }
            .into_any(),
            None => view! { <p class="notice notice-success" role="status">"Saved."</p> }.into_any(),
        }),
        Some(Err(error)) => Some(view! { <ErrorNotice error /> }.into_any()),
        None => None,
    }
    };
    view! {
        <form class="card admin-form" on:submit=submit novalidate autocomplete="off">
            <h2>{if id.is_some() { "Change the webhook" } else { "New webhook" }}</h2>
            {saved}
            <div class="field-row">
                <div class="field">
                    <label for="wh-name">"Name"</label>
                    <TextInput value={draft.part(|d| d.name.clone(), |d, v| d.name = v)} {..} id="wh-name" type="text" required=true maxlength="60" />
                </div>
                <div class="field">
                    <label for="wh-url">"URL"</label>
                    <TextInput value={draft.part(|d| d.url.clone(), |d, v| d.url = v)} {..} id="wh-url" type="url" required=true placeholder="https://hooks.example.com/frontline" />
                </div>
                <div class="field">
                    <label for="wh-kind">"Kind"</label>
                    <Select value=kind options={kinds} {..} id="wh-kind" disabled={id.is_some()} />
                </div>
            </div>
            <fieldset class="fieldset">
                <legend>"Events"</legend>
                {WEBHOOK_EVENTS.iter().map(|(kind, label)| view! {
                    <label class="check"><CheckBox checked=event_box(draft, kind) />{*label}</label>
                }).collect_view()}
            </fieldset>
            <fieldset class="fieldset">
                <legend>"Only for"</legend>
                <div class="field-row">
                    <div class="field">
                        <label for="wh-org">"Organization"</label>
                        <Select value={draft.id_part(|d| d.org_id, |d, id| d.org_id = id)}
                            prompt="Every organization" options={id_choices(choices.orgs)} {..} id="wh-org" />
                    </div>
                    <div class="field">
                        <label for="wh-team">"Team"</label>
                        <Select value={draft.id_part(|d| d.team_id, |d, id| d.team_id = id)}
                            prompt="Every team" options={id_choices(choices.teams)} {..} id="wh-team" />
                    </div>
                    <div class="field">
                        <label for="wh-priority">"Priority at least"</label>
                        <Select value={Bound::part(move || draft.with(|d| d.min_priority.map(|p| p.as_str().to_string()).unwrap_or_default()), move |v: String| draft.update(|d| d.min_priority = v.parse().ok()))}
                            prompt="Any priority" options={priorities} {..} id="wh-priority" />
                    </div>
                </div>
            </fieldset>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>
                    {if id.is_some() { "Save changes" } else { "Create webhook" }}
                </button>
                {id.map(|_| view! { <a class="btn btn-quiet" href="/admin/webhooks">"New webhook instead"</a> })}
            </div>
        </form>
    }
}

#[component]
fn WebhookDetail(
    hook: WebhookRow,
    choices: AdminChoices,
    changed: RwSignal<usize>,
) -> impl IntoView {
    let id = hook.id;
    let active = hook.active;
    let toggle = ServerCall::<SetWebhookActive>::new();
    let test = ServerCall::<SendTestEvent>::new();
    let delete = ServerCall::<DeleteWebhook>::new();
    let redeliver = ServerCall::<RedeliverWebhook>::new();
    let done = Memo::new(move |_| {
        toggle.version().get()
            + test.version().get()
            + redeliver.version().get()
            + delete.version().get()
    });
    Effect::new(move |_| {
        if done.get() > 0 {
            changed.update(|n| *n += 1);
        }
    });
    let log = resource(move || done.get(), move |_| webhook_deliveries(id, None));
    let refused = move || {
        [
            toggle.refusal(),
            test.refusal(),
            delete.refusal(),
            redeliver.refusal(),
        ]
        .into_iter()
        .flatten()
        .next()
        .map(|error| view! { <ErrorNotice error /> })
    };
    view! {
        <section class="card" aria-labelledby="wh-detail">
            <h2 id="wh-detail">{hook.draft.name.clone()}</h2>
            <p class="muted">{hook.draft.url.clone()}" · "{state_of(&hook)}</p>
            {refused}
            <Show when=move || matches!(test.value().get(), Some(Ok(_)))>
                <p class="notice notice-success" role="status">"A test event is on its way; see the log below."</p>
            </Show>
            <div class="form-actions">
                <button type="button" class="btn" disabled=move || test.pending().get()
                    on:click=move |_| test.dispatch(SendTestEvent { id })>"Send test event"</button>
                <button type="button" class="btn" disabled=move || toggle.pending().get()
                    on:click=move |_| toggle.dispatch(SetWebhookActive { id, active: !active })>
                    {if active { "Pause" } else { "Enable" }}
                </button>
                <button type="button" class="btn btn-danger" disabled=move || delete.pending().get()
                    on:click=move |_| delete.dispatch(DeleteWebhook { id })>"Delete"</button>
            </div>
            <Transition fallback=move || view! { <Loading what="Loading the deliveries…" /> }>
                {move || Suspend::new(async move {
                    match log.await {
                        Ok(page) => delivery_log(page, redeliver, id),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <WebhookForm choices edit=Some(hook) changed />
    }
}

/// The deliveries, newest first, each with "Redeliver".
fn delivery_log(page: DeliveryPage, redeliver: ServerCall<RedeliverWebhook>, id: i64) -> AnyView {
    if page.deliveries.is_empty() {
        return view! { <p class="muted">"Nothing delivered yet."</p> }.into_any();
    }
    let now = page.now;
    view! {
        <DataTable caption="Deliveries" columns=&["Event", "Ticket", "Status", "Code", "Response", "Attempts", "Written", ""] actions=true>
            {page.deliveries.into_iter().map(|d| {
                let delivery_id = d.id;
                let status = match (d.status.as_str(), &d.error) {
                    ("failed", Some(error)) => format!("Retrying: {error}"),
                    ("dead", Some(error)) => format!("Given up: {error}"),
                    (status, _) => status.to_string(),
                };
                view! {
                    <tr>
                        <td><code>{d.event_type}</code><br /><small class="muted">{d.event_id}</small></td>
                        <td>{d.ticket.map(|n| crate::model::TicketNumber(n).to_string())}</td>
                        <td>{status}</td>
                        <td>{d.status_code.map(|c| c.to_string())}</td>
                        <td>{d.response_ms.map(|ms| format!("{ms} ms"))}</td>
                        <td>{d.attempts}</td>
                        <td><Ago at=d.created_at now /></td>
                        <td><button type="button" class="btn btn-small" disabled=move || redeliver.pending().get()
                            on:click=move |_| redeliver.dispatch(RedeliverWebhook { id, delivery_id })>"Redeliver"</button></td>
                    </tr>
                }
            }).collect_view()}
        </DataTable>
    }
    .into_any()
}
