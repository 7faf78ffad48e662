//! The knowledge base: search and the latest articles, an article, and the editor.

mod article;
mod editor;

pub use article::ArticlePage;
pub use editor::ArticleEditorPage;

use crate::api::kb::{get_kb, suggest_articles};
use crate::model::kb::{ArticleSummary, Visibility};
use crate::model::AppError;
use crate::ui::components::{Ago, EmptyState, ErrorNotice, Loading, PageHeader};
use crate::ui::live::use_clock;
use crate::ui::resource::{resource, Loaded};
use crate::ui::{browser, set_http_status};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

/// Articles that may answer what is being typed, asked for once the typing pauses for `pause_ms`
/// and has three characters or more (the new-ticket form's suggestions, the composer's linker).
pub fn suggested_articles(
    typed: RwSignal<String>,
    pause_ms: u32,
) -> Loaded<Result<Vec<ArticleSummary>, AppError>> {
    let settled = RwSignal::new(String::new());
    browser::debounce(typed, settled, pause_ms);
    resource(
        move || settled.get(),
        |text| async move {
            if text.trim().chars().count() < 3 {
                Ok(Vec::new())
            } else {
                suggest_articles(text).await
            }
        },
    )
}

#[component]
pub fn KnowledgePage() -> impl IntoView {
    let query = use_query_map();
    let q = Memo::new(move |_| query.read().get("q").filter(|q| !q.trim().is_empty()));
    let page = resource(move || q.get(), get_kb);
    let clock = use_clock();
    view! {
        <Title text="Knowledge base" />
        <PageHeader title="Knowledge base" subtitle="Answers to common problems, written by the desk.">
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    page.await.ok().filter(|p| p.may_write).map(|_| view! {
                        <a class="btn btn-primary" href="/kb/new">"Write an article"</a>
                    })
                })}
            </Transition>
        </PageHeader>
        <Form method="GET" action="/kb" attr:class="filters kb-search" attr:role="search">
            <div class="field field-search">
                <label for="kb-q">"Search the articles"</label>
                <input id="kb-q" name="q" type="search" value=move || q.get().unwrap_or_default()
                    placeholder="e.g. VPN token, printer offline, reset password" />
            </div>
            <button type="submit" class="btn">"Search"</button>
        </Form>
        <Transition fallback=|| view! { <Loading what="Looking…" /> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => {
                        clock.sync(p.now);
                        let now = p.now;
                        let heading = match &p.query {
                            Some(q) => format!("{} found for “{q}”", count(p.articles.len())),
                            None => "Latest articles".to_string(),
                        };
                        view! {
                            <h2 class="section-title">{heading}</h2>
                            <ArticleList articles=p.articles searched=p.query.is_some() now />
                        }.into_any()
                    }
                    Err(error) => {
                        set_http_status(error.status());
                        view! { <ErrorNotice error /> }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

fn count(n: usize) -> String {
    match n {
        0 => "No articles".into(),
        1 => "1 article".into(),
        n => format!("{n} articles"),
    }
}

#[component]
fn ArticleList(articles: Vec<ArticleSummary>, searched: bool, now: i64) -> impl IntoView {
    if articles.is_empty() {
        let hint = if searched {
            "Try fewer or other words. If nothing fits, raise a request and the desk will help."
        } else {
            "Articles the desk writes appear here."
        };
        return view! { <EmptyState title="Nothing here yet." hint=hint /> }.into_any();
    }
    view! {
        <ul class="article-list">
            {articles.into_iter().map(|a| view! {
                <li class="card article-hit">
                    <h3><a href=format!("/kb/{}", a.id)>{a.title.clone()}</a></h3>
                    <p class="snippet" inner_html=a.snippet_html.clone()></p>
                    <p class="muted small">
                        {(a.visibility != Visibility::Clients).then(|| view! { <span class="badge badge-quiet">{a.visibility.label()}</span>" " })}
                        {a.tags.iter().map(|t| view! { <span class="tag">{t.clone()}</span>" " }).collect_view()}
                        "Updated "<Ago at=a.updated_at now />
                        {(a.helpful > 0).then(|| format!(" · {} found it helpful", a.helpful))}
                    </p>
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}
