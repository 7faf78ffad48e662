//! The facts reports are computed from: the daily rollups of a period (kept fresh from the
//! tickets), and the daily rollups, articles and shifts of the analysts on a weekly scorecard.
//!
//! Cost: a desk report reads one `report_days` row per client and day of its period, plus the
//! stale days it recomputes (each from that client's tickets of that day through
//! `tickets_by_created`, and the day's resolutions through `tickets_by_resolution`), so it grows
//! with the period and the changes since the last refresh, not with the tickets of the period.

use super::push_ids;
use super::scope::push_scope;
use crate::backend::policy::TicketScope;
use crate::backend::repo::statement::statement;
use crate::backend::repo::{db_run, Builder, Columns, Conn};
use crate::model::reports::SimilarTicket;
use crate::model::rollup::{AnalystDay, DayRollup, ReportDay, TicketFacts};
use crate::model::time::DAY;
use crate::model::TicketNumber;
use sqlx::QueryBuilder;
use std::collections::BTreeSet;

const FACTS: &str = "SELECT t.org_id, t.created_at, t.priority, t.channel, t.category_id, t.assignee_id,
        t.first_response_at, t.resolved_at, t.response_breached, t.resolution_breached,
        t.first_contact_resolution,
        EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'reopened') AS reopened,
        r.stars
    FROM tickets t
    LEFT JOIN ticket_ratings r ON r.ticket_id = t.id
    WHERE ";

fn facts(r: &impl Columns) -> sqlx::Result<TicketFacts> {
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
        category_id: r.try_get("category_id")?,
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

// ---------------------------------------------------------------------------------------------
// Daily rollups

/// Marks stale the report days ticket `id` counts in as it is stored now: the day it was raised
/// and the day of its latest resolution. A change calls this before and after it writes, in its
/// transaction, so a resolution moved or undone is recounted on both days.
pub async fn mark_ticket_days(conn: &mut Conn, id: i64) -> sqlx::Result<()> {
    statement("INSERT INTO report_days_stale (org_id, day)
         SELECT org_id, created_at / 86400 FROM tickets WHERE id = $1
         UNION SELECT org_id, resolved_at / 86400 FROM tickets WHERE id = $1 AND resolved_at IS NOT NULL
         ON CONFLICT (org_id, day) DO NOTHING").bind(id).run(&mut *conn).await?;
    // and its analyst's scorecard days: raised, resolved, first answered
    statement("INSERT INTO analyst_days_stale (assignee_id, day)
         SELECT assignee_id, created_at / 86400 FROM tickets WHERE id = $1 AND assignee_id IS NOT NULL
         UNION SELECT assignee_id, resolved_at / 86400 FROM tickets
             WHERE id = $1 AND assignee_id IS NOT NULL AND resolved_at IS NOT NULL
         UNION SELECT assignee_id, first_response_at / 86400 FROM tickets
             WHERE id = $1 AND assignee_id IS NOT NULL AND first_response_at IS NOT NULL
         ON CONFLICT (assignee_id, day) DO NOTHING").bind(id).run(conn).await
}

/// Marks stale every analyst day some ticket counts in (bulk loads: after seeding).
pub async fn mark_all_analyst_days(conn: &mut Conn) -> sqlx::Result<()> {
    statement(
        "INSERT INTO analyst_days_stale (assignee_id, day)
         SELECT assignee_id, created_at / 86400 FROM tickets WHERE assignee_id IS NOT NULL
         UNION SELECT assignee_id, resolved_at / 86400 FROM tickets
             WHERE assignee_id IS NOT NULL AND resolved_at IS NOT NULL
         UNION SELECT assignee_id, first_response_at / 86400 FROM tickets
             WHERE assignee_id IS NOT NULL AND first_response_at IS NOT NULL
         ON CONFLICT (assignee_id, day) DO NOTHING",
    )
    .run(conn)
    .await
}

/// Marks stale the given (organization, day) pairs (bulk loads).
pub async fn mark_days(conn: &mut Conn, days: &BTreeSet<(i64, i64)>) -> sqlx::Result<()> {
    db_run!(conn, conn => {
        let days: Vec<&(i64, i64)> = days.iter().collect();
        for chunk in days.chunks(5000) {
            let mut qb =
                QueryBuilder::new("INSERT INTO report_days_stale (org_id, day) ");
            qb.push_values(chunk, |mut b, (org, day)| {
                b.push_bind(*org).push_bind(*day);
            });
            qb.push(" ON CONFLICT (org_id, day) DO NOTHING");
            qb.build().execute(&mut *conn).await?;
        }
        Ok(())
    })
}

/// Marks stale every stored day of one organization (its calendar changed).
pub async fn mark_org_days(conn: &mut Conn, org_id: i64) -> sqlx::Result<()> {
    statement(
        "INSERT INTO report_days_stale (org_id, day)
         SELECT org_id, day FROM report_days WHERE org_id = $1
         ON CONFLICT (org_id, day) DO NOTHING",
    )
    .bind(org_id)
    .run(conn)
    .await
}

fn push_orgs<'q>(qb: &mut impl Builder<'q>, orgs: &[i64]) {
    qb.push("org_id IN ");
    push_ids(qb, orgs);
}

/// The stale (organization, day) pairs, of `orgs` up to `last_day` when given, by day.
pub async fn stale_days(
    conn: &mut Conn,
    within: Option<(&[i64], i64)>,
) -> sqlx::Result<Vec<(i64, i64)>> {
    db_run!(conn, conn => {
        let mut qb =
            QueryBuilder::new("SELECT org_id, day FROM report_days_stale WHERE ");
        match within {
            Some((orgs, last_day)) => {
                push_orgs(&mut qb, orgs);
                qb.push(" AND day <= ").push_bind(last_day);
            }
            None => {
                qb.push("TRUE");
            }
        }
        qb.push(" ORDER BY day, org_id");
        qb.build_query_as().fetch_all(conn).await
    })
}

/// The facts of the tickets organization `org_id` raised on `day`.
pub async fn raised_on(conn: &mut Conn, org_id: i64, day: i64) -> sqlx::Result<Vec<TicketFacts>> {
    db_run!(conn, conn => {
        let sql = format!("{FACTS} t.org_id = $1 AND t.created_at >= $2 AND t.created_at < $3");
        let rows = sqlx::query(&sql)
            .bind(org_id)
            .bind(day * DAY)
            .bind((day + 1) * DAY)
            .fetch_all(conn)
            .await?;
        rows.iter().map(facts).collect()
    })
}

/// Per organization, the tickets whose latest resolution fell on `day`.
pub async fn closed_on(conn: &mut Conn, day: i64) -> sqlx::Result<Vec<(i64, i64)>> {
    statement(
        "SELECT org_id, COUNT(*) FROM tickets
         WHERE resolved_at IS NOT NULL AND resolved_at >= $1 AND resolved_at < $2
         GROUP BY org_id",
    )
    .bind(day * DAY)
    .bind((day + 1) * DAY)
    .fetch_all(conn)
    .await
}

/// Stores one organization's day (or removes it when nothing happened on it) and clears its
/// stale mark.
pub async fn save_day(conn: &mut Conn, org_id: i64, day: &ReportDay) -> sqlx::Result<()> {
    db_run!(conn, conn => {
        if day.rollup.raised == 0 && day.closed == 0 {
            sqlx::query("DELETE FROM report_days WHERE org_id = $1 AND day = $2")
                .bind(org_id)
                .bind(day.day)
                .execute(&mut *conn)
                .await?;
        } else {
            let facts =
                serde_json::to_string(&day.rollup).map_err(|e| sqlx::Error::Encode(e.into()))?;
            sqlx::query(
                "INSERT INTO report_days (org_id, day, raised, closed, facts) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (org_id, day) DO UPDATE SET raised = excluded.raised,
                 closed = excluded.closed, facts = excluded.facts",
            )
            .bind(org_id)
            .bind(day.day)
            .bind(i64::from(day.rollup.raised))
            .bind(i64::from(day.closed))
            .bind(facts)
            .execute(&mut *conn)
            .await?;
        }
        sqlx::query("DELETE FROM report_days_stale WHERE org_id = $1 AND day = $2")
            .bind(org_id)
            .bind(day.day)
            .execute(conn)
            .await?;
        Ok(())
    })
}

/// The days of `orgs` from `from_day` to `to_day`, both included.
pub async fn days_between(
    conn: &mut Conn,
    orgs: &[i64],
    from_day: i64,
    to_day: i64,
) -> sqlx::Result<Vec<ReportDay>> {
    db_run!(conn, conn => {
        let mut qb =
            QueryBuilder::new("SELECT day, closed, facts FROM report_days WHERE ");
        push_orgs(&mut qb, orgs);
        qb.push(" AND day >= ")
            .push_bind(from_day)
            .push(" AND day <= ")
            .push_bind(to_day);
        let rows: Vec<(i64, i64, String)> = qb.build_query_as().fetch_all(conn).await?;
        rows.into_iter()
            .map(|(day, closed, facts)| {
                let rollup: DayRollup =
                    serde_json::from_str(&facts).map_err(|e| sqlx::Error::Decode(e.into()))?;
                Ok(ReportDay {
                    day,
                    closed: u32::try_from(closed).unwrap_or(0),
                    rollup,
                })
            })
            .collect()
    })
}

/// Tickets of `orgs` open at the start of `day`: all raised before it less those whose latest
/// resolution came before it.
pub async fn open_before(conn: &mut Conn, orgs: &[i64], day: i64) -> sqlx::Result<i64> {
    db_run!(conn, conn => {
        let mut qb =
            QueryBuilder::new(
                "SELECT CAST(COALESCE(SUM(raised - closed), 0) AS BIGINT) FROM report_days WHERE ",
            );
        push_orgs(&mut qb, orgs);
        qb.push(" AND day < ").push_bind(day);
        qb.build_query_scalar().fetch_one(conn).await
    })
}

/// Every category's name, retired ones too (old tickets keep theirs).
pub async fn category_names(conn: &mut Conn) -> sqlx::Result<Vec<(i64, String)>> {
    statement("SELECT id, name FROM categories")
        .fetch_all(conn)
        .await
}

// ---------------------------------------------------------------------------------------------
// Scorecard rollups, per analyst and day

/// The stale (analyst, day) pairs, of `analysts` up to `last_day` when given.
pub async fn stale_analyst_days(
    conn: &mut Conn,
    within: Option<(&[i64], i64)>,
) -> sqlx::Result<Vec<(i64, i64)>> {
    db_run!(conn, conn => {
        let mut qb =
            QueryBuilder::new("SELECT assignee_id, day FROM analyst_days_stale WHERE ");
        match within {
            Some((analysts, last_day)) => {
                qb.push("assignee_id IN ");
                push_ids(&mut qb, analysts);
                qb.push(" AND day <= ").push_bind(last_day);
            }
            None => {
                qb.push("TRUE");
            }
        }
        qb.push(" ORDER BY day, assignee_id");
        qb.build_query_as().fetch_all(conn).await
    })
}

/// The facts of the tickets `analyst` holds that were raised, resolved or first answered on
/// `day`, each once.
///
/// Cost: three index ranges of that analyst's day (`tickets_by_assignee_created`, the day's
/// resolutions in `tickets_by_resolution`, `tickets_by_assignee_response`), then their rows.
/// `+assignee_id` keeps SQLite from reading every ticket of the analyst for the resolutions
/// instead (228 ms a day at 1M tickets, against 3 ms).
pub async fn analyst_tickets_on(
    conn: &mut Conn,
    analyst: i64,
    day: i64,
) -> sqlx::Result<Vec<TicketFacts>> {
    db_run!(conn, conn => {
        let sql = format!(
            "{FACTS} t.id IN (
                 SELECT id FROM tickets WHERE assignee_id = $1 AND created_at >= $2 AND created_at < $3
                 UNION SELECT id FROM tickets
                     WHERE resolved_at >= $2 AND resolved_at < $3 AND +assignee_id = $1
                 UNION SELECT id FROM tickets
                     WHERE assignee_id = $1 AND first_response_at >= $2 AND first_response_at < $3)"
        );
        let rows = sqlx::query(&sql)
            .bind(analyst)
            .bind(day * DAY)
            .bind((day + 1) * DAY)
            .fetch_all(conn)
            .await?;
        rows.iter().map(facts).collect()
    })
}

/// Stores one analyst's day (or removes it when nothing happened on it) and clears its stale
/// mark.
pub async fn save_analyst_day(
    conn: &mut Conn,
    analyst: i64,
    day: i64,
    rollup: &AnalystDay,
) -> sqlx::Result<()> {
    db_run!(conn, conn => {
        if rollup.is_empty() {
            sqlx::query("DELETE FROM analyst_days WHERE assignee_id = $1 AND day = $2")
                .bind(analyst)
                .bind(day)
                .execute(&mut *conn)
                .await?;
        } else {
            let facts =
                serde_json::to_string(rollup).map_err(|e| sqlx::Error::Encode(e.into()))?;
            sqlx::query(
                "INSERT INTO analyst_days (assignee_id, day, facts) VALUES ($1, $2, $3)
             ON CONFLICT (assignee_id, day) DO UPDATE SET facts = excluded.facts",
            )
            .bind(analyst)
            .bind(day)
            .bind(facts)
            .execute(&mut *conn)
            .await?;
        }
        sqlx::query("DELETE FROM analyst_days_stale WHERE assignee_id = $1 AND day = $2")
            .bind(analyst)
            .bind(day)
            .execute(conn)
            .await?;
        Ok(())
    })
}

/// (analyst, day, rollup) of `analysts` from `from_day` to `to_day`, both included.
pub async fn analyst_days_between(
    conn: &mut Conn,
    analysts: &[i64],
    from_day: i64,
    to_day: i64,
) -> sqlx::Result<Vec<(i64, i64, AnalystDay)>> {
    db_run!(conn, conn => {
        if analysts.is_empty() {
            return Ok(Vec::new());
        }
        let mut qb =
            QueryBuilder::new("SELECT assignee_id, day, facts FROM analyst_days WHERE assignee_id IN ");
        push_ids(&mut qb, analysts);
        qb.push(" AND day >= ")
            .push_bind(from_day)
            .push(" AND day <= ")
            .push_bind(to_day);
        let rows: Vec<(i64, i64, String)> = qb.build_query_as().fetch_all(conn).await?;
        rows.into_iter()
            .map(|(analyst, day, facts)| {
                let rollup: AnalystDay =
                    serde_json::from_str(&facts).map_err(|e| sqlx::Error::Decode(e.into()))?;
                Ok((analyst, day, rollup))
            })
            .collect()
    })
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
pub async fn analysts(conn: &mut Conn, team_id: Option<i64>) -> sqlx::Result<Vec<Analyst>> {
    db_run!(conn, conn => {
        let mut qb = QueryBuilder::new(
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
    })
}

/// (person, articles written or linked) in [start, end).
pub async fn articles_by_person(
    conn: &mut Conn,
    start: i64,
    end: i64,
) -> sqlx::Result<Vec<(i64, i64)>> {
    statement(
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
    conn: &mut Conn,
    scope: &TicketScope,
    since: i64,
    limit: i64,
) -> sqlx::Result<Vec<SimilarTicket>> {
    db_run!(conn, conn => {
        let mut qb = QueryBuilder::new(
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
    })
}

/// (person, started, ended) of the shifts of `people` that touched [start, end).
pub async fn shifts_between(
    conn: &mut Conn,
    people: &[i64],
    start: i64,
    end: i64,
) -> sqlx::Result<Vec<(i64, i64, Option<i64>)>> {
    db_run!(conn, conn => {
        if people.is_empty() {
            return Ok(Vec::new());
        }
        let mut qb =
            QueryBuilder::new("SELECT user_id, started_at, ended_at FROM shifts WHERE started_at < ");
        qb.push_bind(end)
            .push(" AND (ended_at IS NULL OR ended_at > ")
            .push_bind(start)
            .push(") AND user_id IN ");
        push_ids(&mut qb, people);
        qb.build_query_as().fetch_all(conn).await
    })
}
