//! Knowledge articles: search, reading, versions, votes, links to tickets and deflections.

use super::scope::push_scope;
use super::text::Terms;
use crate::backend::policy::TicketScope;
use crate::backend::repo::statement::statement;
use crate::backend::repo::{db_run, Builder, Columns, Conn, Dialect};
use crate::model::kb::{
    plain_excerpt, snippet_to_html, ArticleSummary, ArticleVersion, LinkedTicket, ValidArticle,
    Visibility,
};
use crate::model::TicketNumber;
use sqlx::QueryBuilder;

/// Which articles a person may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readers {
    /// Staff: every article.
    Desk,
    /// A client: articles for all clients and for their organization.
    Client { org_id: i64 },
}

fn push_readable<'q>(qb: &mut impl Builder<'q>, readers: Readers) {
    match readers {
        Readers::Desk => qb.push("TRUE"),
        Readers::Client { org_id } => qb
            .push("(a.visibility = 'clients' OR (a.visibility = 'organization' AND a.org_id = ")
            .push_bind(org_id)
            .push("))"),
    };
}

/// How much of an article the list shows when there is no search to draw a snippet from.
const EXCERPT_CHARS: usize = 180;

fn summary(r: &impl Columns, snippet_html: String) -> sqlx::Result<ArticleSummary> {
    let tags: String = r.try_get("tags")?;
    let visibility: String = r.try_get("visibility")?;
    Ok(ArticleSummary {
        id: r.try_get("id")?,
        title: r.try_get("title")?,
        snippet_html,
        tags: split_tags(&tags),
        visibility: visibility.parse().unwrap_or_default(),
        updated_at: r.try_get("updated_at")?,
        helpful: r.try_get("helpful")?,
        not_helpful: r.try_get("not_helpful")?,
    })
}

fn split_tags(raw: &str) -> Vec<String> {
    raw.split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// How the words of a search combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// Articles with every word (a search someone typed).
    All,
    /// Articles with any of the longer words, best first (a problem being described).
    Any,
}

/// The best matches for `text` among the articles `readers` may read, ranked (title and tags
/// weigh more than the body), with highlighted snippets. Any text is safe: it becomes a list of
/// quoted prefix terms, so operators and quotes never reach FTS5 as syntax.
pub async fn search(
    conn: &mut Conn,
    readers: Readers,
    text: &str,
    how: Match,
    limit: i64,
) -> sqlx::Result<Vec<ArticleSummary>> {
    db_run!(conn, conn => {
        let terms = match how {
            Match::All => Terms::all(text),
            Match::Any => Terms::any(text),
        };
        let Some(terms) = terms else {
            return Ok(Vec::new());
        };
        let mut qb = QueryBuilder::new(
            "SELECT a.id, a.title, a.tags, a.visibility, a.updated_at, a.helpful, a.not_helpful, ",
        );
        match qb.dialect() {
            Dialect::Sqlite => {
                qb.push(
                    "snippet(articles_fts, -1, char(2), char(3), '…', 24) AS snip
                     FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
                     WHERE articles_fts MATCH ",
                )
                .push_bind(terms.query(Dialect::Sqlite))
                .push(" AND ");
                push_readable(&mut qb, readers);
                qb.push(" ORDER BY bm25(articles_fts, 10.0, 1.0, 5.0)");
            }
            Dialect::Postgres => {
                // the weights of D, C, B, A: body, -, tags, title, as bm25's above
                qb.push(
                    "ts_headline('frontline', a.body, q,
                        'StartSel=' || chr(2) || ', StopSel=' || chr(3)
                        || ', MaxWords=24, MinWords=12') AS snip
                     FROM articles a, to_tsquery('frontline', ",
                )
                .push_bind(terms.query(Dialect::Postgres))
                .push(") q WHERE a.fts @@ q AND ");
                push_readable(&mut qb, readers);
                qb.push(" ORDER BY ts_rank('{0.1, 0, 0.5, 1.0}', a.fts, q) DESC, a.id");
            }
        }
        qb.push(" LIMIT ").push_bind(limit);
        let rows = qb.build().fetch_all(conn).await?;
        rows.iter()
            .map(|r| {
                let snip: String = r.try_get("snip")?;
                summary(r, snippet_to_html(&plain_excerpt(&snip, usize::MAX)))
            })
            .collect()
    })
}

/// The most recently updated articles `readers` may read.
pub async fn recent(
    conn: &mut Conn,
    readers: Readers,
    limit: i64,
) -> sqlx::Result<Vec<ArticleSummary>> {
    db_run!(conn, conn => {
        let mut qb = QueryBuilder::new(
            "SELECT a.id, a.title, a.tags, a.visibility, a.updated_at, a.helpful, a.not_helpful,
                substr(a.body, 1, 600) AS snip
         FROM articles a WHERE ",
        );
        push_readable(&mut qb, readers);
        qb.push(" ORDER BY a.updated_at DESC, a.id DESC LIMIT ")
            .push_bind(limit);
        let rows = qb.build().fetch_all(conn).await?;
        rows.iter()
            .map(|r| {
                let snip: String = r.try_get("snip")?;
                summary(r, snippet_to_html(&plain_excerpt(&snip, EXCERPT_CHARS)))
            })
            .collect()
    })
}

/// An article as stored, with its author's and client's names.
#[derive(Debug, Clone)]
pub struct ArticleRecord {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    pub visibility: Visibility,
    pub org_id: Option<i64>,
    pub org_code: Option<String>,
    pub org_name: Option<String>,
    pub author: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
    pub views: i64,
    pub helpful: i64,
    pub not_helpful: i64,
}

impl ArticleRecord {
    pub fn readable_by(&self, readers: Readers) -> bool {
        match readers {
            Readers::Desk => true,
            Readers::Client { org_id } => match self.visibility {
                Visibility::Internal => false,
                Visibility::Clients => true,
                Visibility::Organization => self.org_id == Some(org_id),
            },
        }
    }
}

pub async fn find(conn: &mut Conn, id: i64) -> sqlx::Result<Option<ArticleRecord>> {
    db_run!(conn, conn => {
        let row = sqlx::query(
            "SELECT a.id, a.title, a.body, a.tags, a.visibility, a.org_id, o.code AS org_code,
                o.name AS org_name, u.name AS author, a.created_at, a.updated_at, a.version,
                a.views, a.helpful, a.not_helpful
         FROM articles a
         JOIN users u ON u.id = a.author_id
         LEFT JOIN organizations o ON o.id = a.org_id
         WHERE a.id = $1",
        )
        .bind(id)
        .fetch_optional(conn)
        .await?;
        row.map(|r| {
            let tags: String = r.try_get("tags")?;
            let visibility: String = r.try_get("visibility")?;
            Ok(ArticleRecord {
                id: r.try_get("id")?,
                title: r.try_get("title")?,
                body: r.try_get("body")?,
                tags: split_tags(&tags),
                visibility: visibility.parse().unwrap_or_default(),
                org_id: r.try_get("org_id")?,
                org_code: r.try_get("org_code")?,
                org_name: r.try_get("org_name")?,
                author: r.try_get("author")?,
                created_at: r.try_get("created_at")?,
                updated_at: r.try_get("updated_at")?,
                version: r.try_get("version")?,
                views: r.try_get("views")?,
                helpful: r.try_get("helpful")?,
                not_helpful: r.try_get("not_helpful")?,
            })
        })
        .transpose()
    })
}

async fn insert_version(
    conn: &mut Conn,
    id: i64,
    version: i64,
    a: &ValidArticle,
    org_id: Option<i64>,
    by: i64,
    at: i64,
) -> sqlx::Result<()> {
    statement("INSERT INTO article_versions (article_id, version, title, body, tags, visibility, org_id, edited_by, edited_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)").bind(id).bind(version).bind(&a.title).bind(&a.body).bind(a.tags.join(",")).bind(a.visibility.as_str()).bind(org_id).bind(by).bind(at).run(conn).await
}

/// Writes a new article and its first version; returns its id.
pub async fn insert(
    conn: &mut Conn,
    a: &ValidArticle,
    org_id: Option<i64>,
    author: i64,
    at: i64,
    source_ticket: Option<i64>,
) -> sqlx::Result<i64> {
    let id: i64 = statement("INSERT INTO articles (title, body, tags, visibility, org_id, author_id, created_at, updated_at, source_ticket_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) RETURNING id").bind(&a.title).bind(&a.body).bind(a.tags.join(",")).bind(a.visibility.as_str()).bind(org_id).bind(author).bind(at).bind(source_ticket).scalar(conn).await?;
    insert_version(conn, id, 1, a, org_id, author, at).await?;
    Ok(id)
}

/// Saves a new version if nobody saved one since `version`; false (and nothing written) if
/// someone did.
pub async fn update(
    conn: &mut Conn,
    id: i64,
    version: i64,
    a: &ValidArticle,
    org_id: Option<i64>,
    editor: i64,
    at: i64,
) -> sqlx::Result<bool> {
    let done = db_run!(conn, conn => {
        sqlx::query(
            "UPDATE articles SET title = $1, body = $2, tags = $3, visibility = $4, org_id = $5,
                updated_at = $6, version = version + 1
         WHERE id = $7 AND version = $8",
        )
        .bind(&a.title)
        .bind(&a.body)
        .bind(a.tags.join(","))
        .bind(a.visibility.as_str())
        .bind(org_id)
        .bind(at)
        .bind(id)
        .bind(version)
        .execute(&mut *conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    if done != 1 {
        return Ok(false);
    }
    insert_version(conn, id, version + 1, a, org_id, editor, at).await?;
    Ok(true)
}

pub async fn add_view(conn: &mut Conn, id: i64) -> sqlx::Result<()> {
    statement("UPDATE articles SET views = views + 1 WHERE id = $1")
        .bind(id)
        .run(conn)
        .await
}

/// Newest first.
pub async fn versions(conn: &mut Conn, id: i64) -> sqlx::Result<Vec<ArticleVersion>> {
    db_run!(conn, conn => {
        let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
            "SELECT v.version, v.title, u.name, v.edited_at FROM article_versions v
         JOIN users u ON u.id = v.edited_by
         WHERE v.article_id = $1 ORDER BY v.version DESC",
        )
        .bind(id)
        .fetch_all(conn)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(version, title, edited_by, edited_at)| ArticleVersion {
                version,
                title,
                edited_by,
                edited_at,
            })
            .collect())
    })
}

/// Tickets that used the article and that `scope` may see, newest first.
pub async fn linked_tickets(
    conn: &mut Conn,
    id: i64,
    scope: &TicketScope,
) -> sqlx::Result<Vec<LinkedTicket>> {
    db_run!(conn, conn => {
        let mut qb = QueryBuilder::new(
            "SELECT t.number, t.subject FROM ticket_articles l JOIN tickets t ON t.id = l.ticket_id
             WHERE l.article_id = ",
        );
        qb.push_bind(id).push(" AND ");
        push_scope(&mut qb, scope);
        qb.push(" ORDER BY l.linked_at DESC LIMIT 50");
        let rows: Vec<(i64, String)> = qb.build_query_as().fetch_all(conn).await?;
        Ok(rows
            .into_iter()
            .map(|(number, subject)| LinkedTicket {
                number: TicketNumber(number),
                subject,
            })
            .collect())
    })
}

pub async fn link_ticket(
    conn: &mut Conn,
    ticket_id: i64,
    article_id: i64,
    by: i64,
    at: i64,
) -> sqlx::Result<()> {
    statement(
        "INSERT INTO ticket_articles (ticket_id, article_id, linked_by, linked_at)
             VALUES ($1, $2, $3, $4) ON CONFLICT (ticket_id, article_id) DO NOTHING",
    )
    .bind(ticket_id)
    .bind(article_id)
    .bind(by)
    .bind(at)
    .run(conn)
    .await
}

pub async fn my_vote(conn: &mut Conn, id: i64, user_id: i64) -> sqlx::Result<Option<bool>> {
    statement("SELECT helpful FROM article_votes WHERE article_id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .scalar_optional(conn)
        .await
}

/// Records (or changes) a person's vote and recounts the article's votes.
pub async fn vote(
    conn: &mut Conn,
    id: i64,
    user_id: i64,
    helpful: bool,
    at: i64,
) -> sqlx::Result<()> {
    db_run!(conn, conn => {
        sqlx::query(
            "INSERT INTO article_votes (article_id, user_id, helpful, voted_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (article_id, user_id) DO UPDATE SET helpful = excluded.helpful, voted_at = excluded.voted_at",
        )
        .bind(id)
        .bind(user_id)
        .bind(helpful)
        .bind(at)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "UPDATE articles SET
            helpful = (SELECT COUNT(*) FROM article_votes v WHERE v.article_id = $1 AND v.helpful),
            not_helpful = (SELECT COUNT(*) FROM article_votes v WHERE v.article_id = $1 AND NOT v.helpful)
         WHERE id = $1",
        )
        .bind(id)
        .execute(conn)
        .await?;
        Ok(())
    })
}

pub async fn deflect(conn: &mut Conn, id: i64, user_id: i64, at: i64) -> sqlx::Result<()> {
    statement("INSERT INTO deflections (article_id, user_id, at) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(user_id)
        .bind(at)
        .run(conn)
        .await
}

/// The text of the latest resolution step of a ticket, for an article written from it.
pub async fn resolution_text(conn: &mut Conn, ticket_id: i64) -> sqlx::Result<Option<String>> {
    db_run!(conn, conn => {
        sqlx::query_scalar(
            "SELECT body FROM ticket_events WHERE ticket_id = $1 AND kind = 'resolved'
             ORDER BY id DESC LIMIT 1",
        )
        .bind(ticket_id)
        .fetch_optional(conn)
        .await
        .map(Option::flatten)
    })
}
