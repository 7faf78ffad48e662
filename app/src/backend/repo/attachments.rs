//! Which ticket holds which attached file.

use crate::backend::repo::statement::statement;
use crate::backend::repo::{db_run, Conn};
use crate::model::attachment::AttachmentView;

pub struct NewAttachment<'a> {
    pub ticket_id: i64,
    pub file_name: &'a str,
    pub size_bytes: i64,
    pub sha256: &'a str,
    pub uploaded_by: i64,
    pub uploaded_at: i64,
    pub internal: bool,
}

pub async fn insert(conn: &mut Conn, a: &NewAttachment<'_>) -> sqlx::Result<i64> {
    statement(
        "INSERT INTO attachments
           (ticket_id, file_name, size_bytes, sha256, uploaded_by, uploaded_at, internal)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(a.ticket_id)
    .bind(a.file_name)
    .bind(a.size_bytes)
    .bind(a.sha256)
    .bind(a.uploaded_by)
    .bind(a.uploaded_at)
    .bind(a.internal)
    .scalar(conn)
    .await
}

/// A ticket's files, oldest first; staff-only files only when `with_internal`.
pub async fn for_ticket(
    conn: &mut Conn,
    ticket_id: i64,
    with_internal: bool,
) -> sqlx::Result<Vec<AttachmentView>> {
    db_run!(conn, conn => {
        let rows: Vec<(i64, String, i64, String, i64, bool)> = sqlx::query_as(
            "SELECT a.id, a.file_name, a.size_bytes, u.name, a.uploaded_at, a.internal
         FROM attachments a JOIN users u ON u.id = a.uploaded_by
         WHERE a.ticket_id = $1 AND (NOT a.internal OR $2) ORDER BY a.id",
        )
        .bind(ticket_id)
        .bind(with_internal)
        .fetch_all(conn)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, file_name, size_bytes, uploaded_by, uploaded_at, internal)| AttachmentView {
                    id,
                    file_name,
                    size_bytes,
                    uploaded_by,
                    uploaded_at,
                    internal,
                },
            )
            .collect())
    })
}

/// Where attachment `id` is and who may have it.
pub struct Stored {
    pub ticket_id: i64,
    pub file_name: String,
    pub sha256: String,
    pub internal: bool,
}

pub async fn find(conn: &mut Conn, id: i64) -> sqlx::Result<Option<Stored>> {
    db_run!(conn, conn => {
        let row: Option<(i64, String, String, bool)> = sqlx::query_as(
            "SELECT ticket_id, file_name, sha256, internal FROM attachments WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(conn)
        .await?;
        Ok(row.map(|(ticket_id, file_name, sha256, internal)| Stored {
            ticket_id,
            file_name,
            sha256,
            internal,
        }))
    })
}

/// Bytes `user_id` has attached since `since`.
pub async fn uploaded_since(conn: &mut Conn, user_id: i64, since: i64) -> sqlx::Result<i64> {
    statement(
        "SELECT CAST(COALESCE(SUM(size_bytes), 0) AS BIGINT) FROM attachments
             WHERE uploaded_by = $1 AND uploaded_at >= $2",
    )
    .bind(user_id)
    .bind(since)
    .scalar(conn)
    .await
}
