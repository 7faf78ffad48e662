//! The knowledge base: search, suggestions while a request is typed, reading, writing, votes.

use super::wire::FormArgs;
use crate::model::kb::{ArticleDraft, ArticleSummary, ArticleView, KbPage};
use crate::model::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend::{kb, request};

#[server(prefix = "/api", endpoint = "kb", protocol = FormArgs)]
pub async fn get_kb(q: Option<String>) -> Result<KbPage, AppError> {
    let actor = request::actor()?;
    kb::kb_page(&request::state()?, &actor, q.as_deref()).await
}

/// The articles that best match a problem as it is being typed.
#[server(prefix = "/api", endpoint = "suggest_articles", protocol = FormArgs)]
pub async fn suggest_articles(text: String) -> Result<Vec<ArticleSummary>, AppError> {
    let actor = request::actor()?;
    kb::suggest(&request::state()?, &actor, &text).await
}

#[server(prefix = "/api", endpoint = "article", protocol = FormArgs)]
pub async fn get_article(id: i64) -> Result<ArticleView, AppError> {
    let actor = request::actor()?;
    kb::article(&request::state()?, &actor, id).await
}

/// Writes a new article (no `id`) or a new version of one; returns the article's id.
/// An article as its editor loads it (not counted as a view).
#[server(prefix = "/api", endpoint = "article_to_edit", protocol = FormArgs)]
pub async fn get_article_to_edit(id: i64) -> Result<ArticleView, AppError> {
    let actor = request::actor()?;
    kb::article_to_edit(&request::state()?, &actor, id).await
}

#[server(prefix = "/api", endpoint = "save_article", protocol = FormArgs)]
pub async fn save_article(
    id: Option<i64>,
    version: Option<i64>,
    draft: ArticleDraft,
) -> Result<i64, AppError> {
    let actor = request::actor()?;
    kb::save_article(&request::state()?, &actor, id, version, &draft).await
}

/// A draft article prefilled from a resolved ticket (its problem and resolution).
#[server(prefix = "/api", endpoint = "article_draft_from_ticket", protocol = FormArgs)]
pub async fn article_draft_from_ticket(number: i64) -> Result<ArticleDraft, AppError> {
    let actor = request::actor()?;
    kb::draft_from_resolved(&request::state()?, &actor, number).await
}

#[server(prefix = "/api", endpoint = "vote_article", protocol = FormArgs)]
pub async fn vote_article(id: i64, helpful: bool) -> Result<(), AppError> {
    let actor = request::actor()?;
    kb::vote(&request::state()?, &actor, id, helpful).await
}

/// "This solved it": a suggested article answered the request; no ticket is raised.
#[server(prefix = "/api", endpoint = "deflect_request", protocol = FormArgs)]
pub async fn deflect_request(id: i64) -> Result<(), AppError> {
    let actor = request::actor()?;
    kb::deflect(&request::state()?, &actor, id).await
}
