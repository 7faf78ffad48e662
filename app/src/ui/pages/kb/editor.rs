//! Writing an article: a new one (blank, or prefilled from a resolved ticket with `?from=HD-n`)
//! or a new version of one. The form checks with the same rules as the server.

use crate::api::kb::{article_draft_from_ticket, get_article_to_edit, SaveArticle};
use crate::model::kb::{ArticleDraft, Visibility};
use crate::model::{AppError, TicketNumber};
use crate::ui::action::ServerCall;
use crate::ui::components::{ErrorNotice, Loading, PageHeader};
use crate::ui::fields::{choice, Select, TextArea, TextInput};
use crate::ui::pages::unavailable;
use crate::ui::resource::resource;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

/// What the editor starts from: the article being edited (id, version) and its draft.
type Start = (Option<(i64, i64)>, ArticleDraft);

#[component]
pub fn ArticleEditorPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let editing = Memo::new(move |_| params.read().get("id"));
    let from = Memo::new(move |_| query.read().get("from"));
    let start = resource(
        move || (editing.get(), from.get()),
        |(editing, from)| async move {
            if let Some(raw) = editing {
                let id = raw
                    .parse::<i64>()
                    .map_err(|_| AppError::NotFound("There is no such article.".into()))?;
                let a = get_article_to_edit(id).await?;
                if !a.may_edit {
                    return Err(AppError::Forbidden(
                        "Only help desk staff edit knowledge articles.".into(),
                    ));
                }
                let draft = ArticleDraft {
                    title: a.title,
                    body: a.body,
                    tags: a.tags.join(", "),
                    visibility: a.visibility,
                    org_code: a.org_code,
                    source_ticket: None,
                };
                Ok::<Start, AppError>((Some((a.id, a.version)), draft))
            } else if let Some(raw) = from {
                let number = raw.parse::<TicketNumber>().map_err(AppError::BadRequest)?;
                Ok((None, article_draft_from_ticket(number.0).await?))
            } else {
                Ok((None, ArticleDraft::default()))
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <Loading what="Opening the editor…" /> }>
            {move || Suspend::new(async move {
                match start.await {
                    Ok((editing, draft)) => view! { <Editor editing draft /> }.into_any(),
                    Err(error) => {
                        unavailable("Cannot edit", error, ("/kb", "Back to the knowledge base"))
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn Editor(editing: Option<(i64, i64)>, draft: ArticleDraft) -> impl IntoView {
    let save = ServerCall::<SaveArticle>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = save.value().get() {
            navigate(&format!("/kb/{id}"), Default::default());
        }
    });
    let source_ticket = draft.source_ticket;
    let title = RwSignal::new(draft.title);
    let body = RwSignal::new(draft.body);
    let tags = RwSignal::new(draft.tags);
    let visibility = RwSignal::new(draft.visibility.as_str().to_string());
    let org_code = RwSignal::new(draft.org_code.unwrap_or_default());
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let draft = ArticleDraft {
            title: title.get_untracked(),
            body: body.get_untracked(),
            tags: tags.get_untracked(),
            visibility: visibility.get_untracked().parse().unwrap_or_default(),
            org_code: Some(org_code.get_untracked()).filter(|c| !c.trim().is_empty()),
            source_ticket,
        };
        save.send_checked(draft.validate(), || SaveArticle {
            id: editing.map(|(id, _)| id),
            version: editing.map(|(_, v)| v),
            draft,
        });
    };
    let heading = if editing.is_some() {
        "Edit the article"
    } else {
        "Write an article"
    };
    view! {
        <Title text=heading />
        <PageHeader title=heading subtitle="Markdown: **bold**, lists, `code`, [links](https://…). Images show as links to them; scripts and styles are removed.">
            {source_ticket.map(|n| view! { <span class="badge badge-quiet">{format!("From {}", TicketNumber(n))}</span> })}
        </PageHeader>
        <form class="card article-editor" on:submit=submit>
            {move || save.refusal().map(|error| view! { <ErrorNotice error /> })}
            <div class="field">
                <label for="article-title">"Title"</label>
                <TextInput value={title} {..} id="article-title" type="text" required=true maxlength="200" />
            </div>
            <div class="field">
                <label for="article-body">"Text"</label>
                <TextArea value={body} {..} id="article-body" rows="16" required=true />
            </div>
            <div class="field">
                <label for="article-tags">"Tags (separated by commas)"</label>
                <TextInput value={tags} {..} id="article-tags" type="text" placeholder="vpn, remote access" />
            </div>
            <div class="field-row">
                <div class="field">
                    <label for="article-visibility">"Who may read it"</label>
                    <Select value={visibility} options={Visibility::ALL.iter().map(|v| choice(v.as_str(), v.label())).collect()}
                        {..} id="article-visibility" />
                </div>
                <Show when=move || visibility.get() == Visibility::Organization.as_str()>
                    <div class="field">
                        <label for="article-org">"Client code"</label>
                        <TextInput value={org_code} {..} id="article-org" type="text" required=true maxlength="12" placeholder="e.g. NWL" />
                    </div>
                </Show>
            </div>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>
                    {move || if save.pending().get() { "Saving…" } else { "Publish" }}
                </button>
                <a class="btn btn-quiet" href=editing.map(|(id, _)| format!("/kb/{id}")).unwrap_or_else(|| "/kb".into())>"Cancel"</a>
            </div>
        </form>
    }
}
