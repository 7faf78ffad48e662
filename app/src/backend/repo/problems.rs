//! Problem records and the tickets linked to them.

use super::scope::push_scope;
use crate::backend::policy::TicketScope;
use crate::backend::repo::statement::statement;
use crate::backend::repo::{db_run, Columns, Conn};
use crate::model::problems::{FoundTicket, Problem, ProblemNumber};
use crate::model::reports::SimilarTicket;
use crate::model::TicketNumber;
use sqlx::QueryBuilder;

/// The tickets among `numbers` that exist.
pub async fn tickets_by_number(conn: &mut Conn, numbers: &[i64]) -> sqlx::Result<Vec<FoundTicket>> {
    db_run!(conn, conn => {
        if numbers.is_empty() {
            return Ok(Vec::new());
        }
        let mut qb =
            QueryBuilder::new("SELECT id, number, org_id FROM tickets WHERE number IN ");
        super::push_ids(&mut qb, numbers);
        qb.build_query_as().fetch_all(conn).await
    })
}

pub async fn insert(
    conn: &mut Conn,
    title: &str,
    note: &str,
    created_by: i64,
    at: i64,
) -> sqlx::Result<i64> {
    statement(
        "INSERT INTO problems (title, note, created_by, created_at) VALUES ($1, $2, $3, $4)
             RETURNING id",
    )
    .bind(title)
    .bind(note)
    .bind(created_by)
    .bind(at)
    .scalar(conn)
    .await
}

pub async fn link(conn: &mut Conn, problem_id: i64, ticket_id: i64) -> sqlx::Result<()> {
    statement("INSERT INTO problem_tickets (problem_id, ticket_id) VALUES ($1, $2)")
        .bind(problem_id)
        .bind(ticket_id)
        .run(conn)
        .await
}

/// The newest `limit` problems, newest first, each with the linked tickets `scope` may see;
/// a problem none of whose tickets `scope` may see is left out.
pub async fn recent(
    conn: &mut Conn,
    scope: &TicketScope,
    limit: i64,
) -> sqlx::Result<Vec<Problem>> {
    db_run!(conn, conn => {
        let mut qb = QueryBuilder::new(
            "SELECT p.id, p.title, p.note, u.name AS created_by, p.created_at AS recorded_at,
                t.number, t.subject, o.code AS org_code, c.name AS category, t.created_at
         FROM problems p
         JOIN users u ON u.id = p.created_by
         JOIN problem_tickets pt ON pt.problem_id = p.id
         JOIN tickets t ON t.id = pt.ticket_id
         JOIN organizations o ON o.id = t.org_id
         LEFT JOIN categories c ON c.id = t.category_id
         WHERE p.id IN (SELECT id FROM problems ORDER BY created_at DESC, id DESC LIMIT ",
        );
        qb.push_bind(limit).push(") AND ");
        push_scope(&mut qb, scope);
        qb.push(" ORDER BY p.created_at DESC, p.id DESC, t.number");
        let rows = qb.build().fetch_all(conn).await?;
        let mut problems: Vec<Problem> = Vec::new();
        for r in &rows {
            let number = ProblemNumber(r.try_get("id")?);
            let ticket = SimilarTicket {
                number: TicketNumber(r.try_get("number")?),
                subject: r.try_get("subject")?,
                org_code: r.try_get("org_code")?,
                category: r.try_get("category")?,
                created_at: r.try_get("created_at")?,
            };
            // rows come grouped by problem
            match problems.last_mut() {
                Some(p) if p.number == number => p.tickets.push(ticket),
                _ => problems.push(Problem {
                    number,
                    title: r.try_get("title")?,
                    note: r.try_get("note")?,
                    created_by: r.try_get("created_by")?,
                    created_at: r.try_get("recorded_at")?,
                    tickets: vec![ticket],
                }),
            }
        }
        Ok(problems)
    })
}
