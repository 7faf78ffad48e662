//! One knowledge article: its text (sanitized on the server), whether it helped, and for the
//! desk its history and the tickets that used it.

use crate::api::kb::{get_article, VoteArticle};
use crate::model::kb::{ArticleView, Visibility};
use crate::model::AppError;
use crate::ui::action::ServerCall;
use crate::ui::components::{Ago, ErrorNotice, Loading};
use crate::ui::live::use_clock;
use crate::ui::pages::unavailable;
use crate::ui::resource::resource;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ArticlePage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    });
    let vote = ServerCall::<VoteArticle>::new();
    let clock = use_clock();
    let article = resource(
        move || (id.get(), vote.version().get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_article(id).await,
                None => Err(AppError::NotFound("There is no such article.".into())),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <Loading what="Loading the article…" /> }>
            {move || Suspend::new(async move {
                match article.await {
                    Ok(a) => {
                        clock.sync(a.now);
                        view! { <Article a vote /> }.into_any()
                    }
                    Err(error) => unavailable(
                        "Article not available",
                        error,
                        ("/kb", "Back to the knowledge base"),
                    ),
                }
            })}
        </Transition>
    }
}

#[component]
fn Article(a: ArticleView, vote: ServerCall<VoteArticle>) -> impl IntoView {
    let id = a.id;
    let now = a.now;
    let audience = match a.visibility {
        Visibility::Organization => format!(
            "Only for {}",
            a.org_name.clone().unwrap_or_else(|| "one client".into())
        ),
        v => v.label().to_string(),
    };
    let voted = a.my_vote;
    view! {
        <Title text=a.title.clone() />
        <nav class="breadcrumbs" aria-label="Breadcrumbs"><a href="/kb">"Knowledge base"</a></nav>
        <article class="kb-article">
            <header class="page-header">
                <div>
                    <h1>{a.title.clone()}</h1>
                    <p class="muted small">
                        <span class="badge badge-quiet">{audience}</span>" "
                        {a.tags.iter().map(|t| view! { <span class="tag">{t.clone()}</span>" " }).collect_view()}
                        "By "{a.author.clone()}" · updated "<Ago at=a.updated_at now />
                        {format!(" · version {} · {} views", a.version, a.views)}
                    </p>
                </div>
                {a.may_edit.then(|| view! { <a class="btn" href=format!("/kb/{id}/edit")>"Edit"</a> })}
            </header>
            <div class="card markdown" inner_html=a.body_html.clone()></div>
        </article>
        <section class="card helpful" aria-labelledby="helpful-title">
            <h2 id="helpful-title">"Did this help?"</h2>
            {move || vote.refusal().map(|error| view! { <ErrorNotice error /> })}
            <div class="button-row">
                <button type="button" class="btn" aria-pressed=(voted == Some(true)).to_string()
                    disabled=move || vote.pending().get()
                    on:click=move |_| { vote.dispatch(VoteArticle { id, helpful: true }); }>
                    {format!("Yes ({})", a.helpful)}
                </button>
                <button type="button" class="btn" aria-pressed=(voted == Some(false)).to_string()
                    disabled=move || vote.pending().get()
                    on:click=move |_| { vote.dispatch(VoteArticle { id, helpful: false }); }>
                    {format!("No ({})", a.not_helpful)}
                </button>
            </div>
            {voted.map(|_| view! { <p class="muted small" role="status">"Thanks, your answer is counted. You can change it."</p> })}
        </section>
        {(!a.tickets.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="used-title">
                <h2 id="used-title">"Tickets that used it"</h2>
                <ul>
                    {a.tickets.iter().map(|t| view! {
                        <li><a href=format!("/tickets/{}", t.number)>{t.number.to_string()}" "{t.subject.clone()}</a></li>
                    }).collect_view()}
                </ul>
            </section>
        })}
        {(!a.versions.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="history-title">
                <h2 id="history-title">"History"</h2>
                <ol class="versions" reversed>
                    {a.versions.iter().map(|v| view! {
                        <li>{format!("Version {}: “{}” by {}, ", v.version, v.title, v.edited_by)}<Ago at=v.edited_at now /></li>
                    }).collect_view()}
                </ol>
            </section>
        })}
    }
}
