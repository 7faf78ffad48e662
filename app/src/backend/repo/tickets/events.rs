//! A ticket's timeline: its steps (ticket_events), written one by one or in bulk, and read with
//! the names of who acted.

use crate::backend::repo::statement::statement;
use crate::backend::repo::{db_run, Columns, Conn};
use sqlx::QueryBuilder;

/// One step of a ticket's timeline.
#[derive(Debug, Clone)]
pub struct EventRecord {
    pub ticket_id: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub kind: &'static str,
    pub public: bool,
    pub body: Option<String>,
    pub data: Option<String>,
}

const EVENTS_PER_STATEMENT: usize = 2000;

pub async fn bulk_insert_events(conn: &mut Conn, events: &[EventRecord]) -> sqlx::Result<()> {
    db_run!(conn, conn => {
        for chunk in events.chunks(EVENTS_PER_STATEMENT) {
            let mut qb = QueryBuilder::new(
                "INSERT INTO ticket_events (ticket_id, at, actor_id, kind, public, body, data) ",
            );
            qb.push_values(chunk, |mut b, e| {
                b.push_bind(e.ticket_id)
                    .push_bind(e.at)
                    .push_bind(e.actor_id)
                    .push_bind(e.kind)
                    .push_bind(e.public)
                    .push_bind(e.body.clone())
                    .push_bind(e.data.clone());
            });
            qb.build().execute(&mut *conn).await?;
        }
        Ok(())
    })
}

pub async fn insert_event(conn: &mut Conn, e: &EventRecord) -> sqlx::Result<i64> {
    statement(
        "INSERT INTO ticket_events (ticket_id, at, actor_id, kind, public, body, data)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(e.ticket_id)
    .bind(e.at)
    .bind(e.actor_id)
    .bind(e.kind)
    .bind(e.public)
    .bind(&e.body)
    .bind(&e.data)
    .scalar(conn)
    .await
}

/// A timeline step with the name of whoever acted.
pub struct EventRow {
    pub id: i64,
    pub at: i64,
    pub actor: Option<String>,
    pub kind: String,
    pub public: bool,
    pub body: Option<String>,
    pub data: Option<String>,
}

/// The timeline of a ticket, oldest first; only public steps when `public_only`.
pub async fn events(
    conn: &mut Conn,
    ticket_id: i64,
    public_only: bool,
) -> sqlx::Result<Vec<EventRow>> {
    db_run!(conn, conn => {
        let rows = sqlx::query(
            "SELECT e.id, e.at, u.name AS actor, e.kind, e.public, e.body, e.data
         FROM ticket_events e LEFT JOIN users u ON u.id = e.actor_id
         WHERE e.ticket_id = $1 AND (e.public OR NOT $2)
         ORDER BY e.id",
        )
        .bind(ticket_id)
        .bind(public_only)
        .fetch_all(conn)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(EventRow {
                    id: r.try_get("id")?,
                    at: r.try_get("at")?,
                    actor: r.try_get("actor")?,
                    kind: r.try_get("kind")?,
                    public: r.try_get("public")?,
                    body: r.try_get("body")?,
                    data: r.try_get("data")?,
                })
            })
            .collect()
    })
}
