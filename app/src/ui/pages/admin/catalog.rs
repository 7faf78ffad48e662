//! Categories (with default priorities) and canned responses: a list and one form that adds a new
//! entry or edits the one chosen from the list.

use super::list::{admin_list, AdminTable, ListText};
use super::AdminNav;
use crate::api::admin::{list_canned, list_categories, SaveCanned, SaveCategory};
use crate::model::admin::{CannedDraft, CategoryDraft};
use crate::model::Priority;
use crate::ui::action::ServerCall;
use crate::ui::components::{ErrorNotice, PageHeader};
use crate::ui::fields::{choice, CheckBox, Select, TextArea, TextInput};
use crate::ui::form::Draft;
use crate::ui::resource::resource;
use leptos::prelude::*;
use leptos_meta::Title;

/// The entry being edited on a catalog page: none while a new one is being added.
#[derive(Clone, Copy)]
struct Editing {
    id: RwSignal<Option<i64>>,
}

impl Editing {
    fn new() -> Self {
        Editing {
            id: RwSignal::new(None),
        }
    }

    fn existing(&self) -> bool {
        self.id.get().is_some()
    }

    /// The form's heading and its button: for a new entry, or for the one being edited.
    fn says(&self, new: &'static str, existing: &'static str) -> &'static str {
        if self.existing() {
            existing
        } else {
            new
        }
    }
}

/// The buttons of a catalog form: save (or add), and cancel an edit.
fn catalog_actions(
    editing: Editing,
    add: &'static str,
    saving: Memo<bool>,
    cancel: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <div class="form-actions">
            <button type="submit" class="btn btn-primary" disabled=move || saving.get()>
                {move || editing.says(add, "Save changes")}
            </button>
            <Show when=move || editing.existing()>
                <button type="button" class="btn btn-quiet" on:click=move |_| cancel()>"Cancel"</button>
            </Show>
        </div>
    }
}

fn new_category() -> CategoryDraft {
    CategoryDraft {
        name: String::new(),
        default_priority: None,
        active: true,
    }
}

#[component]
pub fn AdminCategoriesPage() -> impl IntoView {
    let save = ServerCall::<SaveCategory>::new();
    let rows = resource(move || save.version().get(), |_| list_categories());
    let editing = Editing::new();
    let draft = Draft::new(new_category());
    let reset = move || {
        editing.id.set(None);
        draft.set(new_category());
    };
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            reset();
        }
    });
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let draft = draft.get();
        let id = editing.id.get_untracked();
        save.send_checked(draft.validate(), || SaveCategory { id, draft });
    };
    let priority = draft.part(
        |d| {
            d.default_priority
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default()
        },
        |d, p| d.default_priority = p.parse().ok(),
    );
    let text = ListText {
        loading: "Loading…",
        empty: "No categories yet.",
        hint: "Add the first one above.",
    };
    view! {
        <Title text="Categories" />
        <AdminNav />
        <PageHeader title="Categories" subtitle="What tickets are about, and the priority a ticket of each starts with." />
        <form class="card admin-form" on:submit=submit novalidate>
            <h2>{move || editing.says("Add a category", "Edit category")}</h2>
            {move || save.refusal().map(|error| view! { <ErrorNotice error /> })}
            <div class="field-row">
                <div class="field">
                    <label for="cat-name">"Category name"</label>
                    <TextInput value={draft.part(|d| d.name.clone(), |d, name| d.name = name)} {..}
                        id="cat-name" type="text" required=true maxlength="60" />
                </div>
                <div class="field">
                    <label for="cat-priority">"Default priority"</label>
                    <Select value={priority} prompt="None (from the requester's urgency)"
                        options={Priority::ALL.iter().map(|p| choice(p.as_str(), p.label())).collect()} {..} id="cat-priority" />
                </div>
                <label class="check"><CheckBox checked=draft.part(|d| d.active, |d, on| d.active = on) />"Offered on new tickets"</label>
            </div>
            {catalog_actions(editing, "Add category", save.pending(), reset)}
        </form>
        {admin_list(text, rows, move |list| view! {
            <AdminTable caption="Categories" columns=&["Category", "Default priority", "Tickets", "Status"] actions=true>
                {list.into_iter().map(|c| {
                    let (id, label) = (c.id, format!("Edit {}", c.name));
                    let edit = CategoryDraft { name: c.name.clone(), default_priority: c.default_priority, active: c.active };
                    view! {
                        <tr>
                            <th scope="row">{c.name}</th>
                            <td>{c.default_priority.map(|p| p.label()).unwrap_or("None")}</td>
                            <td>{c.tickets}</td>
                            <td>{if c.active { "Active" } else { "Retired" }}</td>
                            <td><button type="button" class="btn btn-small" aria-label=label
                                on:click=move |_| {
                                    editing.id.set(Some(id));
                                    draft.set(edit.clone());
                                }>"Edit"</button></td>
                        </tr>
                    }
                }).collect_view()}
            </AdminTable>
        }.into_any())}
    }
}

fn new_canned() -> CannedDraft {
    CannedDraft {
        title: String::new(),
        body: String::new(),
        active: true,
    }
}

#[component]
pub fn AdminCannedPage() -> impl IntoView {
    let save = ServerCall::<SaveCanned>::new();
    let rows = resource(move || save.version().get(), |_| list_canned());
    let editing = Editing::new();
    let draft = Draft::new(new_canned());
    let reset = move || {
        editing.id.set(None);
        draft.set(new_canned());
    };
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            reset();
        }
    });
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let draft = draft.get();
        let id = editing.id.get_untracked();
        save.send_checked(draft.validate(), || SaveCanned { id, draft });
    };
    let text = ListText {
        loading: "Loading…",
        empty: "No canned responses yet.",
        hint: "Add the first one above.",
    };
    view! {
        <Title text="Canned responses" />
        <AdminNav />
        <PageHeader title="Canned responses" subtitle="Ready-made replies analysts can start from." />
        <form class="card admin-form" on:submit=submit novalidate>
            <h2>{move || editing.says("Add a canned response", "Edit canned response")}</h2>
            {move || save.refusal().map(|error| view! { <ErrorNotice error /> })}
            <div class="field">
                <label for="canned-title">"Title"</label>
                <TextInput value={draft.part(|d| d.title.clone(), |d, title| d.title = title)} {..}
                    id="canned-title" type="text" required=true maxlength="120" />
            </div>
            <div class="field">
                <label for="canned-body">"Text"</label>
                <TextArea value={draft.part(|d| d.body.clone(), |d, body| d.body = body)} {..}
                    id="canned-body" rows="5" required=true />
            </div>
            <label class="check"><CheckBox checked=draft.part(|d| d.active, |d, on| d.active = on) />"Offered to analysts"</label>
            {catalog_actions(editing, "Add canned response", save.pending(), reset)}
        </form>
        {admin_list(text, rows, move |list| view! {
            <ul class="canned-list">
                {list.into_iter().map(|c| {
                    let (id, label) = (c.id, format!("Edit {}", c.title));
                    let edit = CannedDraft { title: c.title.clone(), body: c.body.clone(), active: c.active };
                    view! {
                        <li class="card">
                            <div class="card-head">
                                <h3>{c.title}{(!c.active).then_some(" (hidden)")}</h3>
                                <button type="button" class="btn btn-small" aria-label=label
                                    on:click=move |_| {
                                        editing.id.set(Some(id));
                                        draft.set(edit.clone());
                                    }>"Edit"</button>
                            </div>
                            <p class="canned-body">{c.body}</p>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }.into_any())}
    }
}
