//! Categories (with default priorities) and canned responses: a list and one form that adds a new
//! entry or edits the one chosen from the list.

use super::list::{admin_list, ListText};
use super::AdminHead;
use crate::api::admin::{list_canned, list_categories, SaveCanned, SaveCategory};
use crate::model::admin::{CannedDraft, CategoryDraft};
use crate::model::AppError;
use crate::model::Priority;
use crate::ui::action::ServerCall;
use crate::ui::components::{DataTable, ErrorNotice};
use crate::ui::fields::{choice, CheckBox, Select, TextArea, TextInput};
use crate::ui::form::Draft;
use crate::ui::resource::{resource, Loadable};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// A catalog page's form: the draft and the entry it edits (none while a new one is being
/// added). A save that goes through starts a new entry.
struct CatalogForm<D: Send + Sync + 'static> {
    id: RwSignal<Option<i64>>,
    draft: Draft<D>,
    fresh: fn() -> D,
}

impl<D: Send + Sync + 'static> Clone for CatalogForm<D> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<D: Send + Sync + 'static> Copy for CatalogForm<D> {}

impl<D: Clone + Send + Sync + 'static> CatalogForm<D> {
    fn new<S>(save: ServerCall<S>, fresh: fn() -> D) -> Self
    where
        S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
        Result<S::Output, AppError>: Loadable,
    {
        let form = CatalogForm {
            id: RwSignal::new(None),
            draft: Draft::new(fresh()),
            fresh,
        };
        Effect::new(move |_| {
            if let Some(Ok(_)) = save.value().get() {
                form.reset();
            }
        });
        form
    }

    fn reset(&self) {
        self.id.set(None);
        self.draft.set((self.fresh)());
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

    /// Sends the draft, checked as the server will, as `input` of the entry being edited.
    fn submit<S, Valid>(
        self,
        save: ServerCall<S>,
        check: fn(&D) -> Result<Valid, String>,
        input: fn(Option<i64>, D) -> S,
    ) -> impl Fn(SubmitEvent)
    where
        S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
        Result<S::Output, AppError>: Loadable,
    {
        move |e: SubmitEvent| {
            e.prevent_default();
            let draft = self.draft.get();
            let id = self.id.get_untracked();
            save.send_checked(check(&draft), || input(id, draft));
        }
    }

    /// The button in the list that loads `entry` into the form.
    fn edit_button(self, id: i64, name: &str, entry: D) -> impl IntoView {
        let label = format!("Edit {name}");
        view! {
            <button type="button" class="btn btn-small" aria-label=label
                on:click=move |_| {
                    self.id.set(Some(id));
                    self.draft.set(entry.clone());
                }>"Edit"</button>
        }
    }

    /// The buttons of the form: save (or add), and cancel an edit.
    fn actions(self, add: &'static str, saving: Memo<bool>) -> impl IntoView {
        view! {
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || saving.get()>
                    {move || self.says(add, "Save changes")}
                </button>
                <Show when=move || self.existing()>
                    <button type="button" class="btn btn-quiet" on:click=move |_| self.reset()>"Cancel"</button>
                </Show>
            </div>
        }
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
    let form = CatalogForm::new(save, new_category);
    let draft = form.draft;
    let submit = form.submit(save, CategoryDraft::validate, |id, draft| SaveCategory {
        id,
        draft,
    });
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
        <AdminHead title="Categories" subtitle="What tickets are about, and the priority a ticket of each starts with." />
        <form class="card admin-form" on:submit=submit novalidate>
            <h2>{move || form.says("Add a category", "Edit category")}</h2>
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
            {form.actions("Add category", save.pending())}
        </form>
        {admin_list(text, rows, move |list| view! {
            <DataTable caption="Categories" columns=&["Category", "Default priority", "Tickets", "Status"] actions=true>
                {list.into_iter().map(|c| {
                    let edit = CategoryDraft { name: c.name.clone(), default_priority: c.default_priority, active: c.active };
                    let edit = form.edit_button(c.id, &c.name, edit);
                    view! {
                        <tr>
                            <th scope="row">{c.name}</th>
                            <td>{c.default_priority.map(|p| p.label()).unwrap_or("None")}</td>
                            <td>{c.tickets}</td>
                            <td>{if c.active { "Active" } else { "Retired" }}</td>
                            <td>{edit}</td>
                        </tr>
                    }
                }).collect_view()}
            </DataTable>
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
    let form = CatalogForm::new(save, new_canned);
    let draft = form.draft;
    let submit = form.submit(save, CannedDraft::validate, |id, draft| SaveCanned {
        id,
        draft,
    });
    let text = ListText {
        loading: "Loading…",
        empty: "No canned responses yet.",
        hint: "Add the first one above.",
    };
    view! {
        <AdminHead title="Canned responses" subtitle="Ready-made replies analysts can start from." />
        <form class="card admin-form" on:submit=submit novalidate>
            <h2>{move || form.says("Add a canned response", "Edit canned response")}</h2>
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
            {form.actions("Add canned response", save.pending())}
        </form>
        {admin_list(text, rows, move |list| view! {
            <ul class="canned-list">
                {list.into_iter().map(|c| {
                    let edit = CannedDraft { title: c.title.clone(), body: c.body.clone(), active: c.active };
                    let edit = form.edit_button(c.id, &c.title, edit);
                    view! {
                        <li class="card">
                            <div class="card-head">
                                <h3>{c.title}{(!c.active).then_some(" (hidden)")}</h3>
                                {edit}
                            </div>
                            <p class="canned-body">{c.body}</p>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }.into_any())}
    }
}
