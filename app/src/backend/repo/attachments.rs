//! Which ticket holds which attached file.

use crate::model::attachment::AttachmentView;
use sqlx::SqliteConnection;

pub struct NewAttachment<'a> {
    pub ticket_id: i64,
    pub file_name: &'a str,
    pub size_bytes: i64,
    pub sha256: &'a str,
    pub uploaded_by: i64,
    pub uploaded_at: i64,
}

pub async fn insert(conn: &mut SqliteConnection, a: &NewAttachment<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO attachments (ticket_id, file_name, size_bytes, sha256, uploaded_by, uploaded_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(a.ticket_id)
    .bind(a.file_name)
    .bind(a.size_bytes)
    .bind(a.sha256)
    .bind(a.uploaded_by)
    .bind(a.uploaded_at)
    .fetch_one(conn)
    .await
}

/// A ticket's files, oldest first.
pub async fn for_ticket(
    conn: &mut SqliteConnection,
    ticket_id: i64,
) -> sqlx::Result<Vec<AttachmentView>> {
    let rows: Vec<(i64, String, i64, String, i64)> = sqlx::query_as(
        "SELECT a.id, a.file_name, a.size_bytes, u.name, a.uploaded_at FROM attachments a
         JOIN users u ON u.id = a.uploaded_by WHERE a.ticket_id = $1 ORDER BY a.id",
    )
    .bind(ticket_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, file_name, size_bytes, uploaded_by, uploaded_at)| AttachmentView {
                id,
                file_name,
                size_bytes,
                uploaded_by,
                uploaded_at,
            },
        )
        .collect())
}

/// (ticket id, file name, sha256) of attachment `id`.
pub async fn find(
    conn: &mut SqliteConnection,
    id: i64,
) -> sqlx::Result<Option<(i64, String, String)>> {
    sqlx::query_as("SELECT ticket_id, file_name, sha256 FROM attachments WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}
