//! Tickets: the row, its participants, its SLA alert marks and its rating. Their timelines are
//! in `events`, the queue's queries in `queue`.

use crate::backend::repo::statement::statement;
use crate::backend::repo::{db_run, Builder, Columns, Conn, Dialect};
mod events;
mod queue;

pub use events::{bulk_insert_events, events, insert_event, EventRecord, EventRow};
pub use queue::{queue_count, queue_counts_of_search, queue_page, search_matches, searches};

use crate::model::portal::Rating;
use crate::model::{Channel, PendingReason, Priority, Status, Urgency};
use sqlx::QueryBuilder;

/// A whole ticket row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketRecord {
    pub id: i64,
    pub number: i64,
    pub org_id: i64,
    pub requester_id: i64,
    pub created_by: i64,
    pub channel: Channel,
    pub subject: String,
    pub problem: String,
    pub urgency: Urgency,
    pub priority: Priority,
    pub category_id: Option<i64>,
    pub status: Status,
    pub pending_reason: Option<PendingReason>,
    pub requires_budget: bool,
    pub requires_approval: bool,
    pub tier: i64,
    pub team_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub ctx_department: Option<String>,
    pub ctx_location: Option<String>,
    pub ctx_job_title: Option<String>,
    pub first_contact_resolution: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub sla: SlaColumns,
    pub version: i64,
    /// The version as clients know it: staff-only changes do not move it.
    pub public_version: i64,
}

/// The SLA instants and alert marks stored on a ticket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SlaColumns {
    pub response_due_at: i64,
    pub response_warn_at: i64,
    pub resolution_due_at: i64,
    pub resolution_warn_at: i64,
    pub next_due_at: i64,
    pub next_warn_at: i64,
    pub paused_at: Option<i64>,
    pub paused_secs: i64,
    pub response_warned: bool,
    pub response_breached: bool,
    pub resolution_warned: bool,
    pub resolution_breached: bool,
    /// When the SLA engine next has an alert to raise (see `backend::sla`).
    pub next_alert_at: Option<i64>,
}

const COLUMNS: &str = "id, number, org_id, requester_id, created_by, channel, subject, problem, urgency, priority,
    category_id, status, status_rank, pending_reason, requires_budget, requires_approval, tier, team_id, assignee_id,
    ctx_department, ctx_location, ctx_job_title, first_contact_resolution, created_at, updated_at,
    first_response_at, resolved_at, closed_at, response_due_at, response_warn_at, resolution_due_at,
    resolution_warn_at, next_due_at, next_warn_at, sla_paused_at, sla_paused_secs, response_warned,
    response_breached, resolution_warned, resolution_breached, sla_next_alert_at, version, public_version";

pub(super) fn decode<T: std::str::FromStr<Err = String>>(
    row: &impl Columns,
    col: &str,
) -> sqlx::Result<T> {
    let raw: String = row.try_get(col)?;
    raw.parse::<T>().map_err(|e| sqlx::Error::Decode(e.into()))
}

fn record_from_row(r: &impl Columns) -> sqlx::Result<TicketRecord> {
    let pending: Option<String> = r.try_get("pending_reason")?;
    Ok(TicketRecord {
        id: r.try_get("id")?,
        number: r.try_get("number")?,
        org_id: r.try_get("org_id")?,
        requester_id: r.try_get("requester_id")?,
        created_by: r.try_get("created_by")?,
        channel: decode(r, "channel")?,
        subject: r.try_get("subject")?,
        problem: r.try_get("problem")?,
        urgency: decode(r, "urgency")?,
        priority: decode(r, "priority")?,
        category_id: r.try_get("category_id")?,
        status: decode(r, "status")?,
        pending_reason: pending
            .map(|p| {
                p.parse::<PendingReason>()
                    .map_err(|e| sqlx::Error::Decode(e.into()))
            })
            .transpose()?,
        requires_budget: r.try_get("requires_budget")?,
        requires_approval: r.try_get("requires_approval")?,
        tier: r.try_get("tier")?,
        team_id: r.try_get("team_id")?,
        assignee_id: r.try_get("assignee_id")?,
        ctx_department: r.try_get("ctx_department")?,
        ctx_location: r.try_get("ctx_location")?,
        ctx_job_title: r.try_get("ctx_job_title")?,
        first_contact_resolution: r.try_get("first_contact_resolution")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        first_response_at: r.try_get("first_response_at")?,
        resolved_at: r.try_get("resolved_at")?,
        closed_at: r.try_get("closed_at")?,
        sla: SlaColumns {
            response_due_at: r.try_get("response_due_at")?,
            response_warn_at: r.try_get("response_warn_at")?,
            resolution_due_at: r.try_get("resolution_due_at")?,
            resolution_warn_at: r.try_get("resolution_warn_at")?,
            next_due_at: r.try_get("next_due_at")?,
            next_warn_at: r.try_get("next_warn_at")?,
            paused_at: r.try_get("sla_paused_at")?,
            paused_secs: r.try_get("sla_paused_secs")?,
            response_warned: r.try_get("response_warned")?,
            response_breached: r.try_get("response_breached")?,
            resolution_warned: r.try_get("resolution_warned")?,
            resolution_breached: r.try_get("resolution_breached")?,
            next_alert_at: r.try_get("sla_next_alert_at")?,
        },
        version: r.try_get("version")?,
        public_version: r.try_get("public_version")?,
    })
}

pub async fn find_by_number(conn: &mut Conn, number: i64) -> sqlx::Result<Option<TicketRecord>> {
    db_run!(conn, conn => {
        let sql = format!("SELECT {COLUMNS} FROM tickets WHERE number = $1");
        sqlx::query(&sql)
            .bind(number)
            .fetch_optional(conn)
            .await?
            .map(|r| record_from_row(&r))
            .transpose()
    })
}

/// Holds the ticket `number` for the rest of the write transaction: a concurrent change of it
/// waits, then reads what this one wrote. On SQLite the transaction already holds the database.
pub async fn lock_by_number(conn: &mut Conn, number: i64) -> sqlx::Result<()> {
    lock_where(conn, "number", number).await
}

/// [`lock_by_number`] by the ticket's id.
pub async fn lock_by_id(conn: &mut Conn, id: i64) -> sqlx::Result<()> {
    lock_where(conn, "id", id).await
}

async fn lock_where(conn: &mut Conn, column: &'static str, value: i64) -> sqlx::Result<()> {
    if conn.dialect() == Dialect::Sqlite {
        return Ok(());
    }
    let sql = format!("SELECT id FROM tickets WHERE {column} = $1 FOR UPDATE");
    statement(&sql).bind(value).run(conn).await
}

pub async fn find_by_id(conn: &mut Conn, id: i64) -> sqlx::Result<Option<TicketRecord>> {
    db_run!(conn, conn => {
        let sql = format!("SELECT {COLUMNS} FROM tickets WHERE id = $1");
        sqlx::query(&sql)
            .bind(id)
            .fetch_optional(conn)
            .await?
            .map(|r| record_from_row(&r))
            .transpose()
    })
}

/// Writes a new ticket and returns its id (the record's `id` is ignored).
pub async fn insert(conn: &mut Conn, t: &TicketRecord) -> sqlx::Result<i64> {
    db_run!(conn, conn => {
        let mut qb = QueryBuilder::new(format!(
            "INSERT INTO tickets ({}) ",
            COLUMNS.trim_start_matches("id, ")
        ));
        qb.push_values(std::iter::once(t), |mut b, t| {
            push_ticket_values(&mut b, t, false)
        });
        qb.push(" RETURNING id");
        qb.build_query_scalar().fetch_one(conn).await
    })
}

/// Saves every mutable column of `t`, bumping its version (and, unless the change is one only
/// staff see, its public version), if nobody changed it since `t.version`. Returns false (and
/// changes nothing) when the version is stale.
pub async fn update(conn: &mut Conn, t: &TicketRecord, staff_only: bool) -> sqlx::Result<bool> {
    db_run!(conn, conn => {
        let s = &t.sla;
        let result = sqlx::query(
            "UPDATE tickets SET subject = $1, urgency = $2, priority = $3, category_id = $4, status = $5,
            status_rank = $6, pending_reason = $7, requires_budget = $8, requires_approval = $9, tier = $10,
            team_id = $11, assignee_id = $12, first_contact_resolution = $13, updated_at = $14,
            first_response_at = $15, resolved_at = $16, closed_at = $17, response_due_at = $18,
            response_warn_at = $19, resolution_due_at = $20, resolution_warn_at = $21, next_due_at = $22,
            next_warn_at = $23, sla_paused_at = $24, sla_paused_secs = $25, response_warned = $26,
            response_breached = $27, resolution_warned = $28, resolution_breached = $29,
            sla_next_alert_at = $30, version = version + 1,
            public_version = public_version + (CASE WHEN $33 THEN 0 ELSE 1 END)
         WHERE id = $31 AND version = $32",
        )
        .bind(&t.subject)
        .bind(t.urgency.as_str())
        .bind(t.priority.as_str())
        .bind(t.category_id)
        .bind(t.status.as_str())
        .bind(t.status.queue_rank())
        .bind(t.pending_reason.map(PendingReason::as_str))
        .bind(t.requires_budget)
        .bind(t.requires_approval)
        .bind(t.tier)
        .bind(t.team_id)
        .bind(t.assignee_id)
        .bind(t.first_contact_resolution)
        .bind(t.updated_at)
        .bind(t.first_response_at)
        .bind(t.resolved_at)
        .bind(t.closed_at)
        .bind(s.response_due_at)
        .bind(s.response_warn_at)
        .bind(s.resolution_due_at)
        .bind(s.resolution_warn_at)
        .bind(s.next_due_at)
        .bind(s.next_warn_at)
        .bind(s.paused_at)
        .bind(s.paused_secs)
        .bind(s.response_warned)
        .bind(s.response_breached)
        .bind(s.resolution_warned)
        .bind(s.resolution_breached)
        .bind(s.next_alert_at)
        .bind(t.id)
        .bind(t.version)
        .bind(staff_only)
        .execute(conn)
        .await?;
        Ok(result.rows_affected() == 1)
    })
}

fn push_ticket_values<'q>(b: &mut impl Builder<'q>, t: &TicketRecord, with_id: bool) {
    if with_id {
        b.push_bind(t.id);
    }
    let s = &t.sla;
    b.push_bind(t.number)
        .push_bind(t.org_id)
        .push_bind(t.requester_id)
        .push_bind(t.created_by)
        .push_bind(t.channel.as_str())
        .push_bind(t.subject.clone())
        .push_bind(t.problem.clone())
        .push_bind(t.urgency.as_str())
        .push_bind(t.priority.as_str())
        .push_bind(t.category_id)
        .push_bind(t.status.as_str())
        .push_bind(t.status.queue_rank())
        .push_bind(t.pending_reason.map(PendingReason::as_str))
        .push_bind(t.requires_budget)
        .push_bind(t.requires_approval)
        .push_bind(t.tier)
        .push_bind(t.team_id)
        .push_bind(t.assignee_id)
        .push_bind(t.ctx_department.clone())
        .push_bind(t.ctx_location.clone())
        .push_bind(t.ctx_job_title.clone())
        .push_bind(t.first_contact_resolution)
        .push_bind(t.created_at)
        .push_bind(t.updated_at)
        .push_bind(t.first_response_at)
        .push_bind(t.resolved_at)
        .push_bind(t.closed_at)
        .push_bind(s.response_due_at)
        .push_bind(s.response_warn_at)
        .push_bind(s.resolution_due_at)
        .push_bind(s.resolution_warn_at)
        .push_bind(s.next_due_at)
        .push_bind(s.next_warn_at)
        .push_bind(s.paused_at)
        .push_bind(s.paused_secs)
        .push_bind(s.response_warned)
        .push_bind(s.response_breached)
        .push_bind(s.resolution_warned)
        .push_bind(s.resolution_breached)
        .push_bind(s.next_alert_at)
        .push_bind(t.version)
        .push_bind(t.public_version);
}

/// Rows per multi-row INSERT: 42 columns x 300 rows stays under SQLite's 32,766 parameters.
const TICKETS_PER_STATEMENT: usize = 300;

/// Inserts tickets with their ids and numbers already chosen, in multi-row statements (bulk loads).
pub async fn bulk_insert(conn: &mut Conn, tickets: &[TicketRecord]) -> sqlx::Result<()> {
    db_run!(conn, conn => {
        for chunk in tickets.chunks(TICKETS_PER_STATEMENT) {
            let mut qb =
                QueryBuilder::new(format!("INSERT INTO tickets ({COLUMNS}) "));
            qb.push_values(chunk, |mut b, t| push_ticket_values(&mut b, t, true));
            qb.build().execute(&mut *conn).await?;
        }
        Ok::<_, sqlx::Error>(())
    })?;
    if conn.dialect() == Dialect::Postgres {
        // ids given explicitly do not move the identity's sequence: the next ticket raised
        // would be given one of them
        statement(
            "SELECT setval(pg_get_serial_sequence('tickets', 'id'), (SELECT MAX(id) FROM tickets))",
        )
        .run(conn)
        .await?;
    }
    Ok(())
}

pub async fn add_participant(conn: &mut Conn, ticket_id: i64, user_id: i64) -> sqlx::Result<()> {
    statement("INSERT INTO ticket_participants (ticket_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING").bind(ticket_id).bind(user_id).run(conn).await
}

pub async fn is_participant(conn: &mut Conn, ticket_id: i64, user_id: i64) -> sqlx::Result<bool> {
    statement(
        "SELECT EXISTS (SELECT 1 FROM ticket_participants WHERE ticket_id = $1 AND user_id = $2)",
    )
    .bind(ticket_id)
    .bind(user_id)
    .scalar(conn)
    .await
}

/// The names behind a ticket's ids, for its page.
pub struct TicketLabels {
    pub org_code: String,
    pub org_name: String,
    pub requester_name: String,
    pub requester_email: String,
    pub requester_phone: Option<String>,
    pub created_by_name: String,
    pub category_name: Option<String>,
    pub team_name: Option<String>,
    pub assignee_name: Option<String>,
}

pub async fn labels(conn: &mut Conn, ticket_id: i64) -> sqlx::Result<TicketLabels> {
    db_run!(conn, conn => {
        let r = sqlx::query(
            "SELECT o.code AS org_code, o.name AS org_name, r.name AS requester_name, r.email AS requester_email,
                r.phone AS requester_phone, c.name AS created_by_name, cat.name AS category_name,
                tm.name AS team_name, a.name AS assignee_name
         FROM tickets t
         JOIN organizations o ON o.id = t.org_id
         JOIN users r ON r.id = t.requester_id
         JOIN users c ON c.id = t.created_by
         LEFT JOIN categories cat ON cat.id = t.category_id
         LEFT JOIN teams tm ON tm.id = t.team_id
         LEFT JOIN users a ON a.id = t.assignee_id
         WHERE t.id = $1",
        )
        .bind(ticket_id)
        .fetch_one(conn)
        .await?;
        Ok(TicketLabels {
            org_code: r.try_get("org_code")?,
            org_name: r.try_get("org_name")?,
            requester_name: r.try_get("requester_name")?,
            requester_email: r.try_get("requester_email")?,
            requester_phone: r.try_get("requester_phone")?,
            created_by_name: r.try_get("created_by_name")?,
            category_name: r.try_get("category_name")?,
            team_name: r.try_get("team_name")?,
            assignee_name: r.try_get("assignee_name")?,
        })
    })
}

/// Tickets with an SLA alert due at `now`, earliest first (index `tickets_by_next_alert`).
pub async fn due_for_alerts(conn: &mut Conn, now: i64, limit: i64) -> sqlx::Result<Vec<i64>> {
    statement(
        "SELECT id FROM tickets WHERE sla_next_alert_at IS NOT NULL AND sla_next_alert_at <= $1
             ORDER BY sla_next_alert_at LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .scalars(conn)
    .await
}

/// The earliest pending SLA alert of any ticket.
pub async fn next_alert_at(conn: &mut Conn) -> sqlx::Result<Option<i64>> {
    statement("SELECT MIN(sla_next_alert_at) FROM tickets WHERE sla_next_alert_at IS NOT NULL")
        .scalar(conn)
        .await
}

/// Records raised alerts. The SLA engine is not a person editing the ticket, so the version is
/// left alone: nobody's open page turns stale because a clock ran out.
pub async fn save_alerts(conn: &mut Conn, id: i64, s: &SlaColumns) -> sqlx::Result<()> {
    statement(
        "UPDATE tickets SET response_warned = $1, response_breached = $2, resolution_warned = $3,
            resolution_breached = $4, sla_next_alert_at = $5
         WHERE id = $6",
    )
    .bind(s.response_warned)
    .bind(s.response_breached)
    .bind(s.resolution_warned)
    .bind(s.resolution_breached)
    .bind(s.next_alert_at)
    .bind(id)
    .run(conn)
    .await
}

/// Everyone who took part in a ticket.
pub async fn participants(conn: &mut Conn, ticket_id: i64) -> sqlx::Result<Vec<i64>> {
    statement("SELECT user_id FROM ticket_participants WHERE ticket_id = $1")
        .bind(ticket_id)
        .scalars(conn)
        .await
}

pub async fn max_id(conn: &mut Conn) -> sqlx::Result<i64> {
    statement("SELECT COALESCE(MAX(id), 0) FROM tickets")
        .scalar(conn)
        .await
}

pub async fn count(conn: &mut Conn) -> sqlx::Result<i64> {
    statement("SELECT COUNT(*) FROM tickets").scalar(conn).await
}

/// The requester's rating of a ticket, if given.
pub async fn rating(conn: &mut Conn, ticket_id: i64) -> sqlx::Result<Option<Rating>> {
    db_run!(conn, conn => {
        let row: Option<(i64, Option<String>)> =
            sqlx::query_as("SELECT stars, comment FROM ticket_ratings WHERE ticket_id = $1")
                .bind(ticket_id)
                .fetch_optional(conn)
                .await?;
        Ok(row.map(|(stars, comment)| Rating {
            stars: stars.clamp(1, 5) as u8,
            comment,
        }))
    })
}

/// A requester's rating, as the demo history writes them in bulk.
#[derive(Debug, Clone)]
pub struct NewRating {
    pub ticket_id: i64,
    pub stars: u8,
    pub comment: Option<String>,
    pub rated_by: i64,
    pub rated_at: i64,
}

/// Inserts ratings in multi-row statements (bulk loads).
pub async fn bulk_insert_ratings(conn: &mut Conn, ratings: &[NewRating]) -> sqlx::Result<()> {
    db_run!(conn, conn => {
        for chunk in ratings.chunks(2000) {
            let mut qb = QueryBuilder::new(
                "INSERT INTO ticket_ratings (ticket_id, stars, comment, rated_by, rated_at) ",
            );
            qb.push_values(chunk, |mut b, r| {
                b.push_bind(r.ticket_id)
                    .push_bind(i64::from(r.stars))
                    .push_bind(r.comment.clone())
                    .push_bind(r.rated_by)
                    .push_bind(r.rated_at);
            });
            qb.build().execute(&mut *conn).await?;
        }
        Ok(())
    })
}

/// Stores a rating unless the ticket has one already; says whether it was stored.
pub async fn insert_rating(
    conn: &mut Conn,
    ticket_id: i64,
    rating: &Rating,
    by: i64,
    at: i64,
) -> sqlx::Result<bool> {
    db_run!(conn, conn => {
        let done = sqlx::query(
            "INSERT INTO ticket_ratings (ticket_id, stars, comment, rated_by, rated_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (ticket_id) DO NOTHING",
        )
        .bind(ticket_id)
        .bind(i64::from(rating.stars))
        .bind(rating.comment.as_deref())
        .bind(by)
        .bind(at)
        .execute(conn)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}
