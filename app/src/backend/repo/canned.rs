//! Canned responses: texts analysts insert into a reply.

use crate::backend::repo::statement::statement;
use crate::backend::repo::{db_run, Conn};
use crate::model::admin::CannedResponse;

/// A stored canned response, as it reads.
#[derive(sqlx::FromRow)]
struct CannedRow {
    id: i64,
    title: String,
    body: String,
    active: bool,
    updated_at: i64,
}

impl From<CannedRow> for CannedResponse {
    fn from(r: CannedRow) -> CannedResponse {
        CannedResponse {
            id: r.id,
            title: r.title,
            body: r.body,
            active: r.active,
            updated_at: r.updated_at,
        }
    }
}

pub async fn list(db: &mut Conn, only_active: bool) -> sqlx::Result<Vec<CannedResponse>> {
    db_run!(db, db => {
        let rows: Vec<CannedRow> = sqlx::query_as(
            "SELECT id, title, body, active, updated_at FROM canned_responses
             WHERE active OR NOT $1 ORDER BY active DESC, title",
        )
        .bind(only_active)
        .fetch_all(db)
        .await?;
        Ok(rows.into_iter().map(CannedResponse::from).collect())
    })
}

pub async fn one(db: &mut Conn, id: i64) -> sqlx::Result<Option<CannedResponse>> {
    db_run!(db, db => {
        let row: Option<CannedRow> = sqlx::query_as(
            "SELECT id, title, body, active, updated_at FROM canned_responses WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(db)
        .await?;
        Ok(row.map(CannedResponse::from))
    })
}

pub async fn title_taken(conn: &mut Conn, title: &str, except: Option<i64>) -> sqlx::Result<bool> {
    super::taken(conn, "canned_responses", "title", title, except).await
}

pub async fn insert(
    db: &mut Conn,
    title: &str,
    body: &str,
    active: bool,
    now: i64,
) -> sqlx::Result<i64> {
    statement(
        "INSERT INTO canned_responses (title, body, active, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $4) RETURNING id",
    )
    .bind(title)
    .bind(body)
    .bind(active)
    .bind(now)
    .scalar(db)
    .await
}

pub async fn update(
    db: &mut Conn,
    id: i64,
    title: &str,
    body: &str,
    active: bool,
    now: i64,
) -> sqlx::Result<()> {
    statement("UPDATE canned_responses SET title = $1, body = $2, active = $3, updated_at = $4 WHERE id = $5").bind(title).bind(body).bind(active).bind(now).bind(id).run(db).await
}
