use super::actions::TicketActionSet;
use crate::api::tickets::{AddTicketNote, ReplyTicket};
use crate::model::ticket_detail::{TicketActions, TicketDetail};
use leptos::prelude::*;

/// The reply box: a public reply (the requester sees it) and, for staff, an internal note. A
/// refused reply keeps its text, so nothing typed is lost.
#[component]
pub fn Composer(
    ticket: TicketDetail,
    actions: TicketActions,
    set: TicketActionSet,
    body: RwSignal<String>,
) -> impl IntoView {
    if !actions.reply_public && !actions.note_internal {
        return ().into_any();
    }
    let (number, version) = (ticket.number.0, ticket.version);
    let busy = move || set.busy();
    let empty = move || body.read().trim().is_empty();
    view! {
        <section class="card composer" aria-labelledby="composer-title">
            <h2 id="composer-title">{if actions.note_internal { "Reply or add a note" } else { "Reply" }}</h2>
            <form on:submit=move |e| {
                e.prevent_default();
                set.reply.dispatch(ReplyTicket { number, version, body: body.get_untracked() });
            }>
                <div class="field">
                    <label for="reply-body" class="visually-hidden">"Message"</label>
                    <textarea id="reply-body" rows="5" placeholder="Write a message. Markdown works: **bold**, lists, links."
                        bind:value=body></textarea>
                </div>
                <div class="composer-actions">
                    {actions.reply_public.then(|| view! {
                        <button type="submit" class="btn btn-primary" disabled=move || busy() || empty()>"Send reply"</button>
                    })}
                    {actions.note_internal.then(|| view! {
                        <button type="button" class="btn" disabled=move || busy() || empty()
                            on:click=move |_| { set.note.dispatch(AddTicketNote { number, version, body: body.get_untracked() }); }>
                            "Add internal note"
                        </button>
                        <span class="muted small">"Internal notes are never shown to the requester."</span>
                    })}
                </div>
            </form>
        </section>
    }
    .into_any()
}
