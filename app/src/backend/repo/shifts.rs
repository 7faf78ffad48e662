//! Working shifts and hand-overs.

use super::scope::push_scope;
use crate::backend::policy::TicketScope;
use crate::backend::repo::statement::statement;
use crate::backend::repo::{db_run, Columns, Conn};
use sqlx::QueryBuilder;

pub async fn current(conn: &mut Conn, user_id: i64) -> sqlx::Result<Option<(i64, i64)>> {
    statement("SELECT id, started_at FROM shifts WHERE user_id = $1 AND ended_at IS NULL ORDER BY id DESC LIMIT 1").bind(user_id).fetch_optional(conn).await
}

pub async fn start(conn: &mut Conn, user_id: i64, now: i64) -> sqlx::Result<i64> {
    statement("INSERT INTO shifts (user_id, started_at) VALUES ($1, $2) RETURNING id")
        .bind(user_id)
        .bind(now)
        .scalar(conn)
        .await
}

pub async fn end(conn: &mut Conn, id: i64, now: i64) -> sqlx::Result<()> {
    statement("UPDATE shifts SET ended_at = $1 WHERE id = $2 AND ended_at IS NULL")
        .bind(now)
        .bind(id)
        .run(conn)
        .await
}

/// Numbers of the active tickets a person holds.
pub async fn open_ticket_numbers(conn: &mut Conn, user_id: i64) -> sqlx::Result<Vec<i64>> {
    statement("SELECT number FROM tickets WHERE assignee_id = $1 AND status_rank <= 1 ORDER BY next_due_at").bind(user_id).scalars(conn).await
}

pub async fn add_handoff(
    conn: &mut Conn,
    ticket_id: i64,
    from_user: i64,
    to_user: Option<i64>,
    note: &str,
    shift_id: Option<i64>,
    now: i64,
) -> sqlx::Result<()> {
    statement("INSERT INTO handoffs (ticket_id, from_user, to_user, note, shift_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)").bind(ticket_id).bind(from_user).bind(to_user).bind(note).bind(shift_id).bind(now).run(conn).await
}

/// Someone acted on a handed-over ticket: it is no longer highlighted as handed over to them.
pub async fn take_handoffs(conn: &mut Conn, ticket_id: i64, by: i64, now: i64) -> sqlx::Result<()> {
    statement("UPDATE handoffs SET taken_at = $1
             WHERE ticket_id = $2 AND taken_at IS NULL AND from_user <> $3 AND (to_user = $3 OR to_user IS NULL)").bind(now).bind(ticket_id).bind(by).run(conn).await
}

/// A hand-over as the shift page and the lead's summary show it.
pub struct HandoffRow {
    pub number: i64,
    pub subject: String,
    pub from_user: String,
    pub to_user: Option<String>,
    pub note: String,
    pub created_at: i64,
}

fn handoff_row(r: &impl Columns) -> sqlx::Result<HandoffRow> {
    Ok(HandoffRow {
        number: r.try_get("number")?,
        subject: r.try_get("subject")?,
        from_user: r.try_get("from_name")?,
        to_user: r.try_get("to_name")?,
        note: r.try_get("note")?,
        created_at: r.try_get("created_at")?,
    })
}

const HANDOFF_SELECT: &str =
    "SELECT t.number, t.subject, f.name AS from_name, u.name AS to_name, h.note, h.created_at
     FROM handoffs h JOIN tickets t ON t.id = h.ticket_id JOIN users f ON f.id = h.from_user
     LEFT JOIN users u ON u.id = h.to_user";

/// Hand-overs not yet taken up, addressed to `user_id` or to the next shift (open tickets only),
/// of the tickets `scope` may see: the next shift of the whole desk is not everyone's to read.
pub async fn waiting_for(
    conn: &mut Conn,
    user_id: i64,
    scope: &TicketScope,
) -> sqlx::Result<Vec<HandoffRow>> {
    db_run!(conn, conn => {
        let mut qb = QueryBuilder::new(HANDOFF_SELECT);
        qb.push(" WHERE h.taken_at IS NULL AND t.status_rank <= 1 AND h.from_user <> ")
            .push_bind(user_id)
            .push(" AND (h.to_user = ")
            .push_bind(user_id)
            .push(" OR (h.to_user IS NULL AND t.assignee_id IS NULL)) AND ");
        push_scope(&mut qb, scope);
        qb.push(" ORDER BY h.created_at DESC LIMIT 50");
        qb.build()
            .fetch_all(conn)
            .await?
            .iter()
            .map(handoff_row)
            .collect()
    })
}

/// The hand-overs made during a shift.
pub async fn of_shift(conn: &mut Conn, shift_id: i64) -> sqlx::Result<Vec<HandoffRow>> {
    db_run!(conn, conn => {
        let sql = format!("{HANDOFF_SELECT} WHERE h.shift_id = $1 ORDER BY h.created_at");
        sqlx::query(&sql)
            .bind(shift_id)
            .fetch_all(conn)
            .await?
            .iter()
            .map(handoff_row)
            .collect()
    })
}
