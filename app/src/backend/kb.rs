//! The knowledge base: who reads and writes which articles, search and suggestions, votes,
//! deflections, and articles written from resolved tickets.

use crate::backend::db::begin_write;
use crate::backend::markdown::to_safe_html;
use crate::backend::policy::{Actor, TicketScope};
use crate::backend::repo::kb::{self as repo, Match, Readers};
use crate::backend::repo::{orgs, tickets as ticket_repo};
use crate::backend::state::AppState;
use crate::backend::tickets;
use crate::model::kb::{
    draft_from_ticket, ArticleDraft, ArticleSummary, ArticleView, KbPage, MAX_QUERY,
};
use crate::model::{AppError, AppResult, Page, Role, Status, TicketNumber};

const PAGE_RESULTS: i64 = 30;
const SUGGESTIONS: i64 = 5;

fn readers(actor: &Actor) -> AppResult<Readers> {
    actor.require_page(Page::Knowledge)?;
    if actor.role.is_client() {
        actor
            .org_id
            .map(|org_id| Readers::Client { org_id })
            .ok_or_else(|| AppError::Forbidden("Your account belongs to no organization.".into()))
    } else {
        Ok(Readers::Desk)
    }
}

/// Staff who work tickets write and edit articles.
fn require_writer(actor: &Actor) -> AppResult<()> {
    if actor.is_staff() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Only help desk staff write knowledge articles.".into(),
        ))
    }
}

fn not_found(id: i64) -> AppError {
    AppError::NotFound(format!("There is no article {id}."))
}

/// Cuts overlong searches (at a character boundary) instead of refusing them.
fn clip(text: &str) -> &str {
    match text.char_indices().nth(MAX_QUERY) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}

/// The article list: search results when `q` has words, else the latest articles.
pub async fn kb_page(state: &AppState, actor: &Actor, q: Option<&str>) -> AppResult<KbPage> {
    let readers = readers(actor)?;
    let query = q.map(|q| clip(q.trim())).filter(|q| !q.is_empty());
    let mut conn = state.pool.acquire().await?;
    let articles = match query {
        Some(q) => {
            // every word first; when nothing has them all, the articles with most of them
            let all = repo::search(&mut conn, readers, q, Match::All, PAGE_RESULTS).await?;
            if all.is_empty() {
                repo::search(&mut conn, readers, q, Match::Any, PAGE_RESULTS).await?
            } else {
                all
            }
        }
        None => repo::recent(&mut conn, readers, PAGE_RESULTS).await?,
    };
    Ok(KbPage {
        articles,
        query: query.map(str::to_string),
        may_write: actor.is_staff(),
        now: state.now(),
    })
}

/// Articles matching a problem being typed (the new-ticket form asks as the person types).
pub async fn suggest(
    state: &AppState,
    actor: &Actor,
    text: &str,
) -> AppResult<Vec<ArticleSummary>> {
    let readers = readers(actor)?;
    let text = clip(text.trim());
    // a couple of letters match half the knowledge base: wait for a real word
    if text.chars().filter(|c| c.is_alphanumeric()).count() < 3 {
        return Ok(Vec::new());
    }
    let mut conn = state.pool.acquire().await?;
    Ok(repo::search(&mut conn, readers, text, Match::Any, SUGGESTIONS).await?)
}

/// One article for reading (counted as a view), with what its writers need to edit it.
pub async fn article(state: &AppState, actor: &Actor, id: i64) -> AppResult<ArticleView> {
    load(state, actor, id, true).await
}

/// One article for its editor: writers only, and opening the editor is not a view.
pub async fn article_to_edit(state: &AppState, actor: &Actor, id: i64) -> AppResult<ArticleView> {
    require_writer(actor)?;
    load(state, actor, id, false).await
}

async fn load(state: &AppState, actor: &Actor, id: i64, read: bool) -> AppResult<ArticleView> {
    let readers = readers(actor)?;
    let writer = actor.is_staff();
    // the linked tickets listed are only those the reader may open
    let scope = if writer {
        actor.ticket_scope(&state.pool).await?
    } else {
        TicketScope::Nothing
    };
    let mut conn = state.pool.acquire().await?;
    let a = repo::find(&mut conn, id)
        .await?
        .filter(|a| a.readable_by(readers))
        .ok_or_else(|| not_found(id))?;
    let my_vote = repo::my_vote(&mut conn, id, actor.id).await?;
    let (versions, tickets) = if writer {
        (
            repo::versions(&mut conn, id).await?,
            repo::linked_tickets(&mut conn, id, &scope).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    drop(conn);
    if read {
        let mut tx = begin_write(&state.pool).await?;
        repo::add_view(&mut tx, id).await?;
        tx.commit().await?;
    }
    Ok(ArticleView {
        id: a.id,
        title: a.title,
        body_html: to_safe_html(&a.body),
        body: if writer { a.body } else { String::new() },
        tags: a.tags,
        visibility: a.visibility,
        org_code: a.org_code,
        org_name: a.org_name,
        author: a.author,
        created_at: a.created_at,
        updated_at: a.updated_at,
        version: a.version,
        views: a.views + i64::from(read),
        helpful: a.helpful,
        not_helpful: a.not_helpful,
        my_vote,
        may_edit: writer,
        versions,
        tickets,
        now: state.now(),
    })
}

/// Writes a new article (`id` None) or a new version of article `id` that the writer saw at
/// `version`. Returns the article's id.
pub async fn save_article(
    state: &AppState,
    actor: &Actor,
    id: Option<i64>,
    version: Option<i64>,
    draft: &ArticleDraft,
) -> AppResult<i64> {
    require_writer(actor)?;
    let valid = draft.validate().map_err(AppError::Invalid)?;
    let now = state.now();
    // before the transaction: the scope may take a connection of its own
    let scope = actor.ticket_scope(&state.pool).await?;
    let mut tx = crate::backend::db::begin_write(&state.pool).await?;
    let org_id = match &valid.org_code {
        Some(code) => Some(
            orgs::find_id_by_code(&mut tx, code)
                .await?
                .ok_or_else(|| AppError::invalid(format!("No client has the code {code}.")))?,
        ),
        None => None,
    };
    let id = match id {
        Some(id) => {
            let current = repo::find(&mut tx, id)
                .await?
                .ok_or_else(|| not_found(id))?;
            let seen = version.ok_or_else(|| {
                AppError::BadRequest("Say which version of the article you edited.".into())
            })?;
            if !repo::update(&mut tx, id, seen, &valid, org_id, actor.id, now).await? {
                return Err(AppError::Conflict(format!(
                    "Someone saved a newer version of \"{}\" (version {}) while you were editing. Copy your text, reload, and apply your change again.",
                    current.title, current.version
                )));
            }
            id
        }
        None => {
            let source = match draft.source_ticket {
                Some(number) => Some(resolved_ticket(&mut tx, &scope, actor, number).await?),
                None => None,
            };
            let id = repo::insert(&mut tx, &valid, org_id, actor.id, now, source).await?;
            if let Some(ticket_id) = source {
                repo::link_ticket(&mut tx, ticket_id, id, actor.id, now).await?;
            }
            id
        }
    };
    tx.commit().await?;
    Ok(id)
}

/// The id of ticket `number` if the actor may see it and it is resolved or closed.
async fn resolved_ticket(
    conn: &mut crate::backend::db::Conn,
    scope: &TicketScope,
    actor: &Actor,
    number: i64,
) -> AppResult<i64> {
    let t = tickets::visible(&mut *conn, scope, actor, number).await?;
    if !matches!(t.status, Status::Resolved | Status::Closed) {
        return Err(AppError::Conflict(format!(
            "{} is not resolved yet: publish its solution once it works.",
            TicketNumber(number)
        )));
    }
    Ok(t.id)
}

/// A draft article from resolved ticket `number`: its subject, problem and resolution.
pub async fn draft_from_resolved(
    state: &AppState,
    actor: &Actor,
    number: i64,
) -> AppResult<ArticleDraft> {
    require_writer(actor)?;
    let scope = actor.ticket_scope(&state.pool).await?;
    let mut conn = state.pool.acquire().await?;
    let id = resolved_ticket(&mut conn, &scope, actor, number).await?;
    let t = ticket_repo::find_by_id(&mut conn, id)
        .await?
        .ok_or_else(|| AppError::NotFound("That ticket is gone.".into()))?;
    let resolution = repo::resolution_text(&mut conn, id)
        .await?
        .unwrap_or_default();
    Ok(draft_from_ticket(
        TicketNumber(number),
        &t.subject,
        &t.problem,
        &resolution,
    ))
}

pub async fn vote(state: &AppState, actor: &Actor, id: i64, helpful: bool) -> AppResult<()> {
    let readers = readers(actor)?;
    let mut tx = crate::backend::db::begin_write(&state.pool).await?;
    repo::find(&mut tx, id)
        .await?
        .filter(|a| a.readable_by(readers))
        .ok_or_else(|| not_found(id))?;
    repo::vote(&mut tx, id, actor.id, helpful, state.now()).await?;
    tx.commit().await?;
    Ok(())
}

/// "This solved it" on a suggestion: the request is answered without a ticket.
pub async fn deflect(state: &AppState, actor: &Actor, id: i64) -> AppResult<()> {
    let readers = readers(actor)?;
    if !matches!(actor.role, Role::Client | Role::ClientAdmin) {
        return Err(AppError::Forbidden(
            "Deflections are counted for clients' requests only.".into(),
        ));
    }
    let mut tx = begin_write(&state.pool).await?;
    repo::find(&mut tx, id)
        .await?
        .filter(|a| a.readable_by(readers))
        .ok_or_else(|| not_found(id))?;
    repo::deflect(&mut tx, id, actor.id, state.now()).await?;
    tx.commit().await?;
    Ok(())
}
