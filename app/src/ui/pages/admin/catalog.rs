//! Categories (with default priorities) and canned responses: a list and one form that adds a new
//! entry or edits the one chosen from the list.

use super::AdminNav;
use crate::api::admin::{list_canned, list_categories, SaveCanned, SaveCategory};
use crate::model::admin::{CannedDraft, CategoryDraft};
use crate::model::{AppError, Priority};
use crate::ui::action::ServerCall;
use crate::ui::components::{EmptyState, ErrorNotice, Loading, PageHeader};
use crate::ui::fields::{choice, CheckBox, Select, TextArea, TextInput};
use crate::ui::resource::resource;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminCategoriesPage() -> impl IntoView {
    let save = ServerCall::<SaveCategory>::new();
    let rows = resource(move || save.version().get(), |_| list_categories());
    let editing = RwSignal::new(None::<i64>);
    let name = RwSignal::new(String::new());
    let priority = RwSignal::new(String::new());
    let active = RwSignal::new(true);
    let reset = move || {
        editing.set(None);
        name.set(String::new());
        priority.set(String::new());
        active.set(true);
    };
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            reset();
        }
    });
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let draft = CategoryDraft {
            name: name.get_untracked(),
            default_priority: priority.get_untracked().parse::<Priority>().ok(),
            active: active.get_untracked(),
        };
        if let Err(message) = draft.validate() {
            save.value().set(Some(Err(AppError::Invalid(message))));
            return;
        }
        save.dispatch(SaveCategory {
            id: editing.get_untracked(),
            draft,
        });
    };
    view! {
        <Title text="Categories" />
        <AdminNav />
        <PageHeader title="Categories" subtitle="What tickets are about, and the priority a ticket of each starts with." />
        <form class="card admin-form" on:submit=submit novalidate>
            <h2>{move || if editing.get().is_some() { "Edit category" } else { "Add a category" }}</h2>
            {move || save.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
            <div class="field-row">
                <div class="field">
                    <label for="cat-name">"Category name"</label>
                    <TextInput value={name} {..} id="cat-name" type="text" required=true maxlength="60" />
                </div>
                <div class="field">
                    <label for="cat-priority">"Default priority"</label>
                    <Select value={priority} prompt="None (from the requester's urgency)"
                        options={Priority::ALL.iter().map(|p| choice(p.as_str(), p.label())).collect()} {..} id="cat-priority" />
                </div>
                <label class="check"><CheckBox checked=active />"Offered on new tickets"</label>
            </div>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>
                    {move || if editing.get().is_some() { "Save changes" } else { "Add category" }}
                </button>
                <Show when=move || editing.get().is_some()>
                    <button type="button" class="btn btn-quiet" on:click=move |_| reset()>"Cancel"</button>
                </Show>
            </div>
        </form>
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match rows.await {
                    Ok(list) if list.is_empty() => view! { <EmptyState title="No categories yet." hint="Add the first one above." /> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-wrap" tabindex="0">
                            <table>
                                <caption class="visually-hidden">"Categories"</caption>
                                <thead><tr><th scope="col">"Category"</th><th scope="col">"Default priority"</th><th scope="col">"Tickets"</th><th scope="col">"Status"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|c| {
                                        let (id, n, p, a) = (c.id, c.name.clone(), c.default_priority, c.active);
                                        view! {
                                            <tr>
                                                <th scope="row">{c.name.clone()}</th>
                                                <td>{c.default_priority.map(|p| p.label()).unwrap_or("None")}</td>
                                                <td>{c.tickets}</td>
                                                <td>{if c.active { "Active" } else { "Retired" }}</td>
                                                <td><button type="button" class="btn btn-small" aria-label=format!("Edit {}", c.name)
                                                    on:click=move |_| {
                                                        editing.set(Some(id));
                                                        name.set(n.clone());
                                                        priority.set(p.map(|p| p.as_str().to_string()).unwrap_or_default());
                                                        active.set(a);
                                                    }>"Edit"</button></td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn AdminCannedPage() -> impl IntoView {
    let save = ServerCall::<SaveCanned>::new();
    let rows = resource(move || save.version().get(), |_| list_canned());
    let editing = RwSignal::new(None::<i64>);
    let title = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let active = RwSignal::new(true);
    let reset = move || {
        editing.set(None);
        title.set(String::new());
        body.set(String::new());
        active.set(true);
    };
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            reset();
        }
    });
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let draft = CannedDraft {
            title: title.get_untracked(),
            body: body.get_untracked(),
            active: active.get_untracked(),
        };
        if let Err(message) = draft.validate() {
            save.value().set(Some(Err(AppError::Invalid(message))));
            return;
        }
        save.dispatch(SaveCanned {
            id: editing.get_untracked(),
            draft,
        });
    };
    view! {
        <Title text="Canned responses" />
        <AdminNav />
        <PageHeader title="Canned responses" subtitle="Ready-made replies analysts can start from." />
        <form class="card admin-form" on:submit=submit novalidate>
            <h2>{move || if editing.get().is_some() { "Edit canned response" } else { "Add a canned response" }}</h2>
            {move || save.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
            <div class="field">
                <label for="canned-title">"Title"</label>
                <TextInput value={title} {..} id="canned-title" type="text" required=true maxlength="120" />
            </div>
            <div class="field">
                <label for="canned-body">"Text"</label>
                <TextArea value={body} {..} id="canned-body" rows="5" required=true />
            </div>
            <label class="check"><CheckBox checked=active />"Offered to analysts"</label>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>
                    {move || if editing.get().is_some() { "Save changes" } else { "Add canned response" }}
                </button>
                <Show when=move || editing.get().is_some()>
                    <button type="button" class="btn btn-quiet" on:click=move |_| reset()>"Cancel"</button>
                </Show>
            </div>
        </form>
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match rows.await {
                    Ok(list) if list.is_empty() => view! { <EmptyState title="No canned responses yet." hint="Add the first one above." /> }.into_any(),
                    Ok(list) => view! {
                        <ul class="canned-list">
                            {list.into_iter().map(|c| {
                                let (id, t, b, a) = (c.id, c.title.clone(), c.body.clone(), c.active);
                                view! {
                                    <li class="card">
                                        <div class="card-head">
                                            <h3>{c.title.clone()}{(!c.active).then_some(" (hidden)")}</h3>
                                            <button type="button" class="btn btn-small" aria-label=format!("Edit {}", c.title)
                                                on:click=move |_| {
                                                    editing.set(Some(id));
                                                    title.set(t.clone());
                                                    body.set(b.clone());
                                                    active.set(a);
                                                }>"Edit"</button>
                                        </div>
                                        <p class="canned-body">{c.body}</p>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Transition>
    }
}
