//! The audit log: every administration change, newest first, with the record before and after.

use super::list::{admin_list, ListText};
use super::AdminHead;
use crate::api::admin::audit_log;
use crate::ui::components::Ago;
use crate::ui::resource::resource;
use leptos::prelude::*;

#[component]
pub fn AdminAuditPage() -> impl IntoView {
    let before = RwSignal::new(None::<i64>);
    let page = resource(move || before.get(), audit_log);
    let text = ListText {
        loading: "Loading the audit log…",
        empty: "No changes recorded yet.",
        hint: "Changes to organizations, users, teams and categories appear here.",
    };
    view! {
        <AdminHead title="Audit log" subtitle="Every administration change, newest first." />
        {admin_list(text, page, move |p| {
            let now = p.now;
            let older = p.older;
            view! {
                <ol class="audit-list">
                    {p.entries.into_iter().map(|e| view! {
                        <li class="card audit-entry">
                            <div class="audit-head">
                                <strong>{e.summary}</strong>
                                <span class="muted small">{e.actor}" · "<Ago at=e.at now /> " · " <code>{e.action}</code></span>
                            </div>
                            {(e.before.is_some() || e.after.is_some()).then(|| view! {
                                <details>
                                    <summary>"Before and after"</summary>
                                    <div class="audit-diff">
                                        <div><h4>"Before"</h4><pre>{e.before.unwrap_or_else(|| "—".into())}</pre></div>
                                        <div><h4>"After"</h4><pre>{e.after.unwrap_or_else(|| "—".into())}</pre></div>
                                    </div>
                                </details>
                            })}
                        </li>
                    }).collect_view()}
                </ol>
                <div class="form-actions">
                    <Show when=move || before.get().is_some()>
                        <button type="button" class="btn" on:click=move |_| before.set(None)>"Newest"</button>
                    </Show>
                    {older.map(|id| view! { <button type="button" class="btn" on:click=move |_| before.set(Some(id))>"Older entries"</button> })}
                </div>
            }
            .into_any()
        })}
    }
}
