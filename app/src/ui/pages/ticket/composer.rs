use super::actions::TicketActionSet;
use crate::api::admin::canned_responses;
use crate::api::tickets::{AddTicketNote, ReplyTicket};
use crate::model::admin::{fill_canned, CannedResponse};
use crate::model::kb::article_link;
use crate::model::ticket_detail::{TicketActions, TicketDetail};
use crate::ui::fields::{TextArea, TextInput};
use crate::ui::pages::kb::suggested_articles;
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
                    <TextArea value={body} {..} id="reply-body" rows="5" placeholder="Write a message. Markdown works: **bold**, lists, links." />
                </div>
                {actions.note_internal.then(|| view! {
                    <div class="composer-tools">
                        <CannedPicker ticket=ticket.clone() body />
                        <ArticleLinker body />
                    </div>
                })}
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

/// Appends `text` to the message on a line of its own.
fn append_line(body: RwSignal<String>, text: &str) {
    body.update(|b| {
        if !b.is_empty() && !b.ends_with('\n') {
            b.push('\n');
        }
        b.push_str(text);
    });
}

/// Staff insert one of the desk's canned responses, filled in for this ticket.
#[component]
fn CannedPicker(ticket: TicketDetail, body: RwSignal<String>) -> impl IntoView {
    // Fetched once the page is interactive: the picker is not part of the first paint, so the
    // server and the hydrating browser both start from "no picker" and cannot disagree.
    let responses = RwSignal::new(Vec::<CannedResponse>::new());
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            if let Ok(list) = canned_responses().await {
                responses.set(list);
            }
        });
    });
    let picked = RwSignal::new(String::new());
    let ticket = StoredValue::new((
        ticket.requester.name,
        ticket.number.to_string(),
        ticket.org_name,
    ));
    let fill = move |id: Option<i64>| {
        let text = responses.with_untracked(|list| {
            let chosen = list.iter().find(|c| Some(c.id) == id)?;
            Some(ticket.with_value(|(requester, number, client)| {
                fill_canned(&chosen.body, requester, number, client)
            }))
        });
        if let Some(text) = text {
            append_line(body, &text);
        }
    };
    view! {
        <Show when=move || !responses.read().is_empty()>
            <div class="field canned-picker">
                <label for="canned-pick">"Insert a canned response"</label>
                <select id="canned-pick" prop:value=picked on:change=move |e| {
                    picked.set(event_target_value(&e));
                    fill(event_target_value(&e).parse::<i64>().ok());
                    // Back to the prompt, so the same response can be chosen again.
                    picked.set(String::new());
                }>
                    <option value="">"Choose…"</option>
                    {move || responses.get().into_iter().map(|c| view! { <option value=c.id.to_string()>{c.title}</option> }).collect_view()}
                </select>
            </div>
        </Show>
    }
}

/// Staff find a knowledge article and insert a link to it into the message; the ticket then
/// lists the article as used.
#[component]
fn ArticleLinker(body: RwSignal<String>) -> impl IntoView {
    let term = RwSignal::new(String::new());
    let found = suggested_articles(term, 300);
    view! {
        <details class="article-linker">
            <summary>"Link a knowledge article…"</summary>
            <label for="link-article">"Find an article"</label>
            // type="text", not "search": Chromium 156 never lays out a hydrated search field that
            // starts inside a closed <details>, so the field would stay invisible once opened
            <TextInput value={term} {..} id="link-article" type="text" role="searchbox" placeholder="e.g. VPN token" />
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let articles = found.await.unwrap_or_default();
                    view! {
                        <ul class="linker-results">
                            {articles.into_iter().map(|a| {
                                let link = article_link(a.id, &a.title);
                                view! {
                                    <li>
                                        <button type="button" class="btn btn-quiet btn-small"
                                            on:click=move |_| append_line(body, &link)>
                                            {format!("Insert “{}”", a.title)}
                                        </button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }
                })}
            </Transition>
        </details>
    }
}
