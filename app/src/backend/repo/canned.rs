//! Canned responses: texts analysts insert into a reply.

use crate::model::admin::CannedResponse;
use sqlx::{Executor, Sqlite, SqliteConnection};

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

pub async fn list<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    only_active: bool,
) -> sqlx::Result<Vec<CannedResponse>> {
    let rows: Vec<CannedRow> = sqlx::query_as(
        "SELECT id, title, body, active, updated_at FROM canned_responses
         WHERE active OR NOT $1 ORDER BY active DESC, title",
    )
    .bind(only_active)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(CannedResponse::from).collect())
}

pub async fn one<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    id: i64,
) -> sqlx::Result<Option<CannedResponse>> {
    let row: Option<CannedRow> = sqlx::query_as(
        "SELECT id, title, body, active, updated_at FROM canned_responses WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(CannedResponse::from))
}

pub async fn title_taken(
    conn: &mut SqliteConnection,
    title: &str,
    except: Option<i64>,
) -> sqlx::Result<bool> {
    super::taken(conn, "canned_responses", "title", title, except).await
}

pub async fn insert<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    title: &str,
    body: &str,
    active: bool,
    now: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO canned_responses (title, body, active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $4) RETURNING id",
    )
    .bind(title)
    .bind(body)
    .bind(active)
    .bind(now)
    .fetch_one(db)
    .await
}

pub async fn update<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    id: i64,
    title: &str,
    body: &str,
    active: bool,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE canned_responses SET title = $1, body = $2, active = $3, updated_at = $4 WHERE id = $5",
    )
    .bind(title)
    .bind(body)
    .bind(active)
    .bind(now)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}
