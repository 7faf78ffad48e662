//! The facts reports are computed from: tickets raised in a period, and the tickets, articles and
//! earlier weeks of the analysts on a weekly scorecard.
//!
//! Cost: a period report reads the tickets raised in the period through `tickets_by_arrival`
//! (created_at first), so it grows with the tickets of the period, not of the whole desk.

use super::tickets::push_scope;
use crate::backend::policy::TicketScope;
use crate::model::reports::{OpenSpan, SimilarTicket, TicketFacts};
use crate::model::TicketNumber;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};

const FACTS: &str = "SELECT t.org_id, t.created_at, t.priority, t.channel, c.name AS category, t.assignee_id,
        t.first_response_at, t.resolved_at, t.response_breached, t.resolution_breached,
        t.first_contact_resolution,
        EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'reopened') AS reopened,
        r.stars
    FROM tickets t
    LEFT JOIN categories c ON c.id = t.category_id
    LEFT JOIN ticket_ratings r ON r.ticket_id = t.id
    WHERE ";

fn facts(r: &SqliteRow) -> sqlx::Result<TicketFacts> {
    let parse = |col: &str| -> sqlx::Result<String> { r.try_get(col) };
    let stars: Option<i64> = r.try_get("stars")?;
    Ok(TicketFacts {
        org_id: r.try_get("org_id")?,
        created_at: r.try_get("created_at")?,
        priority: parse("priority")?
            .parse()
            .map_err(|e: String| sqlx::Error::Decode(e.into()))?,
        channel: parse("channel")?
            .parse()
            .map_err(|e: String| sqlx::Error::Decode(e.into()))?,
        category: r.try_get("category")?,
        assignee_id: r.try_get("assignee_id")?,
        first_response_at: r.try_get("first_response_at")?,
        resolved_at: r.try_get("resolved_at")?,
        response_breached: r.try_get("response_breached")?,
        resolution_breached: r.try_get("resolution_breached")?,
        first_contact: r.try_get("first_contact_resolution")?,
        reopened: r.try_get("reopened")?,
        stars: stars.map(|s| s.clamp(1, 5) as u8),
    })
}

/// The tickets raised in [start, end) that `scope` may see, optionally of one organization.
pub async fn raised_between(
    conn: &mut SqliteConnection,
    scope: &TicketScope,
    org_id: Option<i64>,
    start: i64,
    end: i64,
) -> sqlx::Result<Vec<TicketFacts>> {
    let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(FACTS);
    qb.push("t.created_at >= ")
        .push_bind(start)
        .push(" AND t.created_at < ")
        .push_bind(end)
        .push(" AND ");
    push_scope(&mut qb, scope);
    if let Some(org) = org_id {
        qb.push(" AND t.org_id = ").push_bind(org);
    }
    let rows = qb.build().fetch_all(conn).await?;
    rows.iter().map(facts).collect()
}

/// The spans of the tickets open at some moment of [start, end) that `scope` may see: those open
/// now and those resolved since `start`, each raised before `end`. Both halves walk an index
/// (`tickets_queue` by status, `tickets_by_resolution` by resolution time), so the cost grows with
/// the open backlog and the period, not with every ticket ever raised.
pub async fn open_spans(
    conn: &mut SqliteConnection,
    scope: &TicketScope,
    org_id: Option<i64>,
    start: i64,
    end: i64,
) -> sqlx::Result<Vec<OpenSpan>> {
    // a resolved or closed ticket keeps its resolved_at; reopening clears it
    let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
        "SELECT t.created_at, t.resolved_at FROM tickets t
         WHERE t.id IN (SELECT id FROM tickets WHERE status_rank < 2 AND created_at < ",
    );
    qb.push_bind(end)
        .push(" UNION SELECT id FROM tickets WHERE resolved_at >= ")
        .push_bind(start)
        .push(" AND created_at < ")
        .push_bind(end)
        .push(") AND ");
    push_scope(&mut qb, scope);
    if let Some(org) = org_id {
        qb.push(" AND t.org_id = ").push_bind(org);
    }
    let rows: Vec<(i64, Option<i64>)> = qb.build_query_as().fetch_all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|(created_at, resolved_at)| OpenSpan {
            created_at,
            resolved_at,
        })
        .collect())
}

/// An analyst a scorecard may be shown for.
#[derive(Debug, Clone)]
pub struct Analyst {
    pub id: i64,
    pub name: String,
    pub team_id: Option<i64>,
    pub team: Option<String>,
}

/// Active analysts and seniors, optionally of one team, by name.
pub async fn analysts(
    conn: &mut SqliteConnection,
    team_id: Option<i64>,
) -> sqlx::Result<Vec<Analyst>> {
    let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
        "SELECT u.id, u.name, u.team_id, tm.name AS team FROM users u
         LEFT JOIN teams tm ON tm.id = u.team_id
         WHERE u.active AND u.role IN ('analyst', 'senior')",
    );
    if let Some(team) = team_id {
        qb.push(" AND u.team_id = ").push_bind(team);
    }
    qb.push(" ORDER BY u.name");
    let rows = qb.build().fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            Ok(Analyst {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                team_id: r.try_get("team_id")?,
                team: r.try_get("team")?,
            })
        })
        .collect()
}

/// Tickets owned by one of `analysts` that were raised or resolved in [start, end).
pub async fn owned_in_week(
    conn: &mut SqliteConnection,
    analysts: &[i64],
    start: i64,
    end: i64,
) -> sqlx::Result<Vec<TicketFacts>> {
    if analysts.is_empty() {
        return Ok(Vec::new());
    }
    let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(FACTS);
    qb.push("t.id IN (SELECT id FROM tickets WHERE created_at >= ")
        .push_bind(start)
        .push(" AND created_at < ")
        .push_bind(end)
        .push(" UNION SELECT id FROM tickets WHERE resolved_at >= ")
        .push_bind(start)
        .push(" AND resolved_at < ")
        .push_bind(end)
        .push(") AND t.assignee_id IN (");
    let mut list = qb.separated(", ");
    for id in analysts {
        list.push_bind(*id);
    }
    qb.push(")");
    let rows = qb.build().fetch_all(conn).await?;
    rows.iter().map(facts).collect()
}

/// (analyst, week index from `start`, tickets resolved) for weeks of 7 days from `start` to `end`.
pub async fn resolved_per_week(
    conn: &mut SqliteConnection,
    start: i64,
    end: i64,
) -> sqlx::Result<Vec<(i64, i64, i64)>> {
    sqlx::query_as(
        "SELECT assignee_id, (resolved_at - $1) / 604800 AS week, COUNT(*) FROM tickets
         WHERE resolved_at >= $1 AND resolved_at < $2 AND assignee_id IS NOT NULL
         GROUP BY assignee_id, (resolved_at - $1) / 604800",
    )
    .bind(start)
    .bind(end)
    .fetch_all(conn)
    .await
}

/// (person, articles written or linked) in [start, end).
pub async fn articles_by_person(
    conn: &mut SqliteConnection,
    start: i64,
    end: i64,
) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT who, COUNT(*) FROM (
             SELECT author_id AS who FROM articles WHERE created_at >= $1 AND created_at < $2
             UNION ALL
             SELECT linked_by AS who FROM ticket_articles WHERE linked_at >= $1 AND linked_at < $2
         ) AS work GROUP BY who",
    )
    .bind(start)
    .bind(end)
    .fetch_all(conn)
    .await
}

/// The newest tickets (at most `limit`) raised since `since` that `scope` may see, for finding
/// recurring problems.
pub async fn recent_subjects(
    conn: &mut SqliteConnection,
    scope: &TicketScope,
    since: i64,
    limit: i64,
) -> sqlx::Result<Vec<SimilarTicket>> {
    let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
        "SELECT t.number, t.subject, o.code AS org_code, c.name AS category, t.created_at
         FROM tickets t
         JOIN organizations o ON o.id = t.org_id
         LEFT JOIN categories c ON c.id = t.category_id
         WHERE t.created_at >= ",
    );
    qb.push_bind(since).push(" AND ");
    push_scope(&mut qb, scope);
    qb.push(" ORDER BY t.created_at DESC LIMIT ")
        .push_bind(limit);
    let rows = qb.build().fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            Ok(SimilarTicket {
                number: TicketNumber(r.try_get("number")?),
                subject: r.try_get("subject")?,
                org_code: r.try_get("org_code")?,
                category: r.try_get("category")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

/// (person, started, ended) of the shifts of `people` that touched [start, end).
pub async fn shifts_between(
    conn: &mut SqliteConnection,
    people: &[i64],
    start: i64,
    end: i64,
) -> sqlx::Result<Vec<(i64, i64, Option<i64>)>> {
    if people.is_empty() {
        return Ok(Vec::new());
    }
    let mut qb: QueryBuilder<Sqlite> =
        QueryBuilder::new("SELECT user_id, started_at, ended_at FROM shifts WHERE started_at < ");
    qb.push_bind(end)
        .push(" AND (ended_at IS NULL OR ended_at > ")
        .push_bind(start)
        .push(") AND user_id IN (");
    let mut list = qb.separated(", ");
    for id in people {
        list.push_bind(*id);
    }
    qb.push(")");
    qb.build_query_as().fetch_all(conn).await
}
