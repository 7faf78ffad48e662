//! A ticket's attached files: each downloads (never opens in the page), and anyone who may reply
//! may attach another; staff may keep one to the desk (clients never see it).

use super::actions::TicketActionSet;
use crate::model::attachment::{format_size, AttachmentView};
use crate::model::AppError;
use crate::ui::browser;
use crate::ui::components::Ago;
use crate::ui::fields::CheckBox;
use crate::ui::live::use_clock;
use leptos::prelude::*;

const INPUT_ID: &str = "attach-file";

#[component]
pub fn Files(
    attachments: Vec<AttachmentView>,
    ticket: i64,
    may_attach: bool,
    /// Staff: offer "for the desk only".
    may_keep_internal: bool,
    set: TicketActionSet,
    notice: RwSignal<Option<AppError>>,
) -> impl IntoView {
    if attachments.is_empty() && !may_attach {
        return ().into_any();
    }
    let clock = use_clock();
    let now = clock.now.get_untracked();
    // the upload runs in the browser (a File is not Send), hence a local action
    let internal = RwSignal::new(false);
    let upload = Action::new_local(move |internal: &bool| {
        let internal = *internal;
        async move { browser::upload_attachment(INPUT_ID, ticket, internal).await }
    });
    Effect::new(move |_| match upload.value().get() {
        Some(Ok(Some(()))) => {
            notice.set(None);
            set.refresh.update(|n| *n += 1);
        }
        Some(Ok(None)) => notice.set(Some(AppError::invalid("Choose a file to attach first."))),
        Some(Err(error)) => notice.set(Some(error)),
        None => {}
    });
    view! {
        <section class="card files" aria-labelledby="files-title">
            <h2 id="files-title">{format!("Files ({})", attachments.len())}</h2>
            {(!attachments.is_empty()).then(|| view! {
                <ul class="file-list">
                    {attachments.into_iter().map(|a| view! {
                        <li>
                            <a href=format!("/attachments/{}", a.id) download=a.file_name.clone()>{a.file_name.clone()}</a>
                            {a.internal.then(|| view! { " " <span class="badge badge-internal">"Desk only"</span> })}
                            <span class="muted small">{format!(" · {} · {} · ", format_size(a.size_bytes), a.uploaded_by)}<Ago at=a.uploaded_at now /></span>
                        </li>
                    }).collect_view()}
                </ul>
            })}
            {may_attach.then(|| view! {
                <form class="attach" on:submit=move |e| { e.prevent_default(); upload.dispatch(internal.get_untracked()); }>
                    <label for=INPUT_ID>"Attach a file (up to 10 MB)"</label>
                    <input id=INPUT_ID type="file" />
                    {may_keep_internal.then(|| view! {
                        <label class="check"><CheckBox checked=internal />" For the desk only (the client does not see it)"</label>
                    })}
                    <button type="submit" class="btn" disabled=move || upload.pending().get()>
                        {move || if upload.pending().get() { "Uploading…" } else { "Attach" }}
                    </button>
                </form>
            })}
        </section>
    }
    .into_any()
}
