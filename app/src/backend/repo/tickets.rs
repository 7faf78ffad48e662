//! Tickets, their timelines and participants, and the queue's queries.

use super::push_ids;
use crate::backend::policy::TicketScope;
use crate::model::portal::Rating;
use crate::model::queue::{
    AssigneeFilter, Cursor, FlagFilter, QueueFilter, QueueRow, StatusView, COUNT_CAP,
};
use crate::model::time::DAY;
use crate::model::{Channel, PendingReason, Priority, Status, TicketNumber, Urgency, UserRef};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};

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

const COLUMNS: &str = "id, number, org_id, requester_id, created_by, channel, subject, problem, urgency, priority,
    category_id, status, status_rank, pending_reason, requires_budget, requires_approval, tier, team_id, assignee_id,
    ctx_department, ctx_location, ctx_job_title, first_contact_resolution, created_at, updated_at,
    first_response_at, resolved_at, closed_at, response_due_at, response_warn_at, resolution_due_at,
    resolution_warn_at, next_due_at, next_warn_at, sla_paused_at, sla_paused_secs, response_warned,
    response_breached, resolution_warned, resolution_breached, sla_next_alert_at, version, public_version";

fn decode<T: std::str::FromStr<Err = String>>(row: &SqliteRow, col: &str) -> sqlx::Result<T> {
    let raw: String = row.try_get(col)?;
    raw.parse::<T>().map_err(|e| sqlx::Error::Decode(e.into()))
}

fn record_from_row(r: &SqliteRow) -> sqlx::Result<TicketRecord> {
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

pub async fn find_by_number(
    conn: &mut SqliteConnection,
    number: i64,
) -> sqlx::Result<Option<TicketRecord>> {
    let sql = format!("SELECT {COLUMNS} FROM tickets WHERE number = $1");
    sqlx::query(&sql)
        .bind(number)
        .fetch_optional(conn)
        .await?
        .map(|r| record_from_row(&r))
        .transpose()
}

pub async fn find_by_id(
    conn: &mut SqliteConnection,
    id: i64,
) -> sqlx::Result<Option<TicketRecord>> {
    let sql = format!("SELECT {COLUMNS} FROM tickets WHERE id = $1");
    sqlx::query(&sql)
        .bind(id)
        .fetch_optional(conn)
        .await?
        .map(|r| record_from_row(&r))
        .transpose()
}

/// Writes a new ticket and returns its id (the record's `id` is ignored).
pub async fn insert(conn: &mut SqliteConnection, t: &TicketRecord) -> sqlx::Result<i64> {
    let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
        "INSERT INTO tickets ({}) ",
        COLUMNS.trim_start_matches("id, ")
    ));
    qb.push_values(std::iter::once(t), |mut b, t| {
        push_ticket_values(&mut b, t, false)
    });
    qb.push(" RETURNING id");
    let id = qb.build_query_scalar().fetch_one(&mut *conn).await?;
    super::reports::mark_ticket_days(conn, id).await?;
    Ok(id)
}

/// Saves every mutable column of `t`, bumping its version (and, unless the change is one only
/// staff see, its public version), if nobody changed it since `t.version`. Returns false (and
/// changes nothing) when the version is stale.
pub async fn update(
    conn: &mut SqliteConnection,
    t: &TicketRecord,
    staff_only: bool,
) -> sqlx::Result<bool> {
    let s = &t.sla;
    // the days it counted in before the change (a reopening takes back its resolution's day)
    super::reports::mark_ticket_days(&mut *conn, t.id).await?;
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
    .execute(&mut *conn)
    .await?;
    super::reports::mark_ticket_days(conn, t.id).await?;
    Ok(result.rows_affected() == 1)
}

fn push_ticket_values(
    b: &mut sqlx::query_builder::Separated<'_, '_, Sqlite, &'static str>,
    t: &TicketRecord,
    with_id: bool,
) {
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
const EVENTS_PER_STATEMENT: usize = 2000;

/// Inserts tickets with their ids and numbers already chosen, in multi-row statements (bulk loads).
pub async fn bulk_insert(
    conn: &mut SqliteConnection,
    tickets: &[TicketRecord],
) -> sqlx::Result<()> {
    for chunk in tickets.chunks(TICKETS_PER_STATEMENT) {
        let mut qb: QueryBuilder<Sqlite> =
            QueryBuilder::new(format!("INSERT INTO tickets ({COLUMNS}) "));
        qb.push_values(chunk, |mut b, t| push_ticket_values(&mut b, t, true));
        qb.build().execute(&mut *conn).await?;
    }
    let days = tickets
        .iter()
        .flat_map(|t| {
            let raised = Some((t.org_id, t.created_at.div_euclid(DAY)));
            let resolved = t.resolved_at.map(|at| (t.org_id, at.div_euclid(DAY)));
            raised.into_iter().chain(resolved)
        })
        .collect();
    super::reports::mark_days(conn, &days).await
}

pub async fn bulk_insert_events(
    conn: &mut SqliteConnection,
    events: &[EventRecord],
) -> sqlx::Result<()> {
    for chunk in events.chunks(EVENTS_PER_STATEMENT) {
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
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
}

pub async fn insert_event(conn: &mut SqliteConnection, e: &EventRecord) -> sqlx::Result<i64> {
    sqlx::query_scalar(
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
    .fetch_one(conn)
    .await
}

pub async fn add_participant(
    conn: &mut SqliteConnection,
    ticket_id: i64,
    user_id: i64,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO ticket_participants (ticket_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(ticket_id)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn is_participant(
    conn: &mut SqliteConnection,
    ticket_id: i64,
    user_id: i64,
) -> sqlx::Result<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM ticket_participants WHERE ticket_id = $1 AND user_id = $2",
    )
    .bind(ticket_id)
    .bind(user_id)
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
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
    conn: &mut SqliteConnection,
    ticket_id: i64,
    public_only: bool,
) -> sqlx::Result<Vec<EventRow>> {
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

pub async fn labels(conn: &mut SqliteConnection, ticket_id: i64) -> sqlx::Result<TicketLabels> {
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
}

/// Tickets with an SLA alert due at `now`, earliest first (index `tickets_by_next_alert`).
pub async fn due_for_alerts(
    conn: &mut SqliteConnection,
    now: i64,
    limit: i64,
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT id FROM tickets WHERE sla_next_alert_at IS NOT NULL AND sla_next_alert_at <= $1
         ORDER BY sla_next_alert_at LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// The earliest pending SLA alert of any ticket.
pub async fn next_alert_at(conn: &mut SqliteConnection) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "SELECT MIN(sla_next_alert_at) FROM tickets WHERE sla_next_alert_at IS NOT NULL",
    )
    .fetch_one(conn)
    .await
}

/// Records raised alerts. The SLA engine is not a person editing the ticket, so the version is
/// left alone: nobody's open page turns stale because a clock ran out.
pub async fn save_alerts(conn: &mut SqliteConnection, id: i64, s: &SlaColumns) -> sqlx::Result<()> {
    sqlx::query(
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
    .execute(&mut *conn)
    .await?;
    // a breach counts against the day the ticket was raised
    super::reports::mark_ticket_days(conn, id).await
}

/// Everyone who took part in a ticket.
pub async fn participants(conn: &mut SqliteConnection, ticket_id: i64) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar("SELECT user_id FROM ticket_participants WHERE ticket_id = $1")
        .bind(ticket_id)
        .fetch_all(conn)
        .await
}

pub async fn max_id(conn: &mut SqliteConnection) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM tickets")
        .fetch_one(conn)
        .await
}

pub async fn count(conn: &mut SqliteConnection) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM tickets")
        .fetch_one(conn)
        .await
}

// ---------------------------------------------------------------------------------------------
// The queue

/// Restricts `qb` (positioned inside a WHERE clause) to the tickets `scope` may see.
pub fn push_scope(qb: &mut QueryBuilder<'_, Sqlite>, scope: &TicketScope) {
    match scope {
        TicketScope::All => qb.push("TRUE"),
        TicketScope::Nothing => qb.push("FALSE"),
        TicketScope::Org(org) => qb.push("t.org_id = ").push_bind(*org),
        TicketScope::Requester { user_id, org_id } => qb
            .push("(t.requester_id = ")
            .push_bind(*user_id)
            .push(" AND t.org_id = ")
            .push_bind(*org_id)
            .push(")"),
        TicketScope::Staff { orgs, user_id } => {
            qb.push("(t.org_id IN ");
            push_ids(qb, orgs);
            qb.push(" OR EXISTS (SELECT 1 FROM ticket_participants p WHERE p.ticket_id = t.id AND p.user_id = ")
                .push_bind(*user_id)
                .push("))")
        }
    };
}

/// An FTS5 query that matches every word of `input` as a prefix, whatever the user typed
/// (quotes, operators and punctuation are never passed through). `None` when no word is left.
pub fn fts_query(input: &str) -> Option<String> {
    let words: Vec<String> = input
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(12)
        .map(|w| format!("\"{}\"*", w.to_lowercase()))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// How a text search takes part in a query.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Search {
    /// The matches drive the query: one table row per match.
    Drives,
    /// The matches only filter the walk of a queue index (`+t.id` keeps SQLite from looking up
    /// every match instead), which stops after a page: for views of open work, whose range is
    /// bounded by open work, while a common word matches 62,000 tickets at 1M.
    Filters,
}

/// The filters of `filter` other than its status view and cursor, for `me`.
fn push_filters(
    qb: &mut QueryBuilder<'_, Sqlite>,
    filter: &QueueFilter,
    org_id: Option<i64>,
    me: i64,
    search: Search,
) {
    if let Some(org) = org_id {
        qb.push(" AND t.org_id = ").push_bind(org);
    }
    if let Some(p) = filter.priority {
        qb.push(" AND t.priority = ").push_bind(p.as_str());
    }
    if let Some(team) = filter.team {
        qb.push(" AND t.team_id = ").push_bind(team);
    }
    if let Some(tier) = filter.tier {
        qb.push(" AND t.tier = ").push_bind(i64::from(tier));
    }
    push_assignee(qb, filter.assignee, me);
    match filter.flag {
        Some(FlagFilter::Budget) => qb.push(" AND t.requires_budget"),
        Some(FlagFilter::Approval) => qb.push(" AND t.requires_approval"),
        None => qb,
    };
    if let Some(q) = filter.q.as_deref() {
        if let Ok(number) = q.parse::<TicketNumber>() {
            qb.push(" AND t.number = ").push_bind(number.0);
        } else if let Some(expr) = fts_query(q) {
            qb.push(match search {
                Search::Drives => " AND t.id",
                Search::Filters => " AND +t.id",
            })
            .push(" IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ")
            .push_bind(expr)
            .push(")");
        }
    }
}

fn push_assignee(qb: &mut QueryBuilder<'_, Sqlite>, assignee: AssigneeFilter, me: i64) {
    match assignee {
        AssigneeFilter::Anyone => {}
        AssigneeFilter::Me => {
            qb.push(" AND t.assignee_id = ").push_bind(me);
        }
        AssigneeFilter::Unassigned => {
            qb.push(" AND t.assignee_id IS NULL");
        }
        AssigneeFilter::User(id) => {
            qb.push(" AND t.assignee_id = ").push_bind(id);
        }
    }
}

fn push_view(qb: &mut QueryBuilder<'_, Sqlite>, view: StatusView) {
    match view {
        StatusView::Active => qb.push(" AND t.status_rank <= 1"),
        StatusView::New => qb.push(" AND t.status_rank = 0 AND t.status = 'new'"),
        StatusView::Open => qb.push(" AND t.status_rank = 0 AND t.status = 'open'"),
        StatusView::Pending => qb.push(" AND t.status_rank = 1"),
        StatusView::Resolved => qb.push(" AND t.status_rank = 2"),
        StatusView::Closed => qb.push(" AND t.status_rank = 3"),
    };
}

/// One page of the queue in the queue's order, and the cursor of the next page if there is one.
///
/// Cost: the page walks the queue index (`tickets_queue`, or `tickets_queue_by_org` with a client
/// filter; `tickets_recent*` for finished views) from the cursor and stops after PAGE_SIZE + 1
/// visible rows, so it does not grow with the number of tickets, only with how selective the
/// other filters are among open work. A text search first collects the matching ids from FTS5;
/// in views of open work they only filter that walk, in finished views (where the walk could
/// cover every closed ticket for a rare word) the matches drive the query, one row each.
pub async fn queue_page(
    conn: &mut SqliteConnection,
    scope: &TicketScope,
    filter: &QueueFilter,
    org_id: Option<i64>,
    me: i64,
    page_size: usize,
) -> sqlx::Result<(Vec<QueueRow>, Option<Cursor>)> {
    let by_due = filter.view.orders_by_due();
    let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
        "SELECT t.id, t.number, o.code AS org_code, o.name AS org_name, t.subject, r.name AS requester, t.status,
                t.status_rank, t.pending_reason, t.priority, t.requires_budget, t.requires_approval, t.tier,
                tm.name AS team, t.assignee_id, a.name AS assignee_name, t.created_at, t.updated_at,
                t.next_due_at, t.next_warn_at, ",
    );
    // clients know the version their changes are checked against
    qb.push(if scope.sees_staff_notes() {
        "t.version, "
    } else {
        "t.public_version AS version, "
    });
    if scope.sees_staff_notes() {
        qb.push(
            "(SELECT h.note FROM handoffs h
              WHERE h.ticket_id = t.id AND h.taken_at IS NULL AND h.from_user <> ",
        )
        .push_bind(me)
        .push(" AND (h.to_user = ")
        .push_bind(me)
        .push(" OR h.to_user IS NULL) ORDER BY h.id DESC LIMIT 1)");
    } else {
        // hand-over notes are the desk's own: a client's list never carries them
        qb.push("NULL");
    }
    qb.push(
        " AS handoff_note
         FROM tickets t
         JOIN organizations o ON o.id = t.org_id
         JOIN users r ON r.id = t.requester_id
         LEFT JOIN teams tm ON tm.id = t.team_id
         LEFT JOIN users a ON a.id = t.assignee_id
         WHERE ",
    );
    push_scope(&mut qb, scope);
    push_view(&mut qb, filter.view);
    let search = if by_due {
        Search::Filters
    } else {
        Search::Drives
    };
    push_filters(&mut qb, filter, org_id, me, search);
    if let Some(c) = filter.after {
        if by_due {
            qb.push(" AND (t.status_rank, t.next_due_at, t.id) > (")
                .push_bind(c.rank)
                .push(", ")
                .push_bind(c.key)
                .push(", ")
                .push_bind(c.id)
                .push(")");
        } else {
            qb.push(" AND (t.updated_at, t.id) < (")
                .push_bind(c.key)
                .push(", ")
                .push_bind(c.id)
                .push(")");
        }
    }
    qb.push(if by_due {
        " ORDER BY t.status_rank, t.next_due_at, t.id"
    } else {
        " ORDER BY t.updated_at DESC, t.id DESC"
    });
    qb.push(" LIMIT ").push_bind(page_size as i64 + 1);
    let rows = qb.build().fetch_all(conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    let mut keys = Vec::with_capacity(rows.len());
    for r in &rows {
        let assignee_id: Option<i64> = r.try_get("assignee_id")?;
        let assignee_name: Option<String> = r.try_get("assignee_name")?;
        let pending: Option<String> = r.try_get("pending_reason")?;
        let row = QueueRow {
            id: r.try_get("id")?,
            number: TicketNumber(r.try_get("number")?),
            org_code: r.try_get("org_code")?,
            org_name: r.try_get("org_name")?,
            subject: r.try_get("subject")?,
            requester: r.try_get("requester")?,
            status: decode(r, "status")?,
            pending_reason: pending.and_then(|p| p.parse().ok()),
            priority: decode(r, "priority")?,
            requires_budget: r.try_get("requires_budget")?,
            requires_approval: r.try_get("requires_approval")?,
            tier: r.try_get::<i64, _>("tier")? as u8,
            team: r.try_get("team")?,
            assignee: assignee_id
                .zip(assignee_name)
                .map(|(id, name)| UserRef { id, name }),
            created_at: r.try_get("created_at")?,
            updated_at: r.try_get("updated_at")?,
            next_due_at: r.try_get("next_due_at")?,
            next_warn_at: r.try_get("next_warn_at")?,
            version: r.try_get("version")?,
            handoff_note: r.try_get("handoff_note")?,
        };
        let rank: i64 = r.try_get("status_rank")?;
        keys.push(if by_due {
            Cursor {
                rank,
                key: row.next_due_at,
                id: row.id,
            }
        } else {
            Cursor {
                rank,
                key: row.updated_at,
                id: row.id,
            }
        });
        out.push(row);
    }
    let next = if out.len() > page_size {
        out.truncate(page_size);
        keys.get(page_size - 1).copied()
    } else {
        None
    };
    Ok((out, next))
}

/// How many tickets a view holds under the filters, counting at most COUNT_CAP.
pub async fn queue_count(
    conn: &mut SqliteConnection,
    scope: &TicketScope,
    filter: &QueueFilter,
    org_id: Option<i64>,
    me: i64,
) -> sqlx::Result<i64> {
    let mut qb: QueryBuilder<Sqlite> =
        QueryBuilder::new("SELECT COUNT(*) FROM (SELECT 1 FROM tickets t WHERE ");
    push_scope(&mut qb, scope);
    push_view(&mut qb, filter.view);
    push_filters(&mut qb, filter, org_id, me, Search::Drives);
    qb.push(" LIMIT ").push_bind(COUNT_CAP).push(") capped");
    qb.build_query_scalar().fetch_one(conn).await
}

/// Whether `filter` searches (by text or ticket number): then its matches, not a range of a
/// queue index, are what counting reads.
pub fn searches(filter: &QueueFilter) -> bool {
    filter
        .q
        .as_deref()
        .is_some_and(|q| q.parse::<TicketNumber>().is_ok() || fts_query(q).is_some())
}

/// For a search, every count of the queue's filter bar in one pass over the matches: the count
/// of each of `views` (under the assignee filter), then "mine" and "unassigned" in the filter's
/// own view; each at most COUNT_CAP, as [`queue_count`] gives them.
///
/// Cost: one table row per match (62,000 for "printer" at 1M tickets), once, where a capped
/// count per view would run the search again and walk its view's index for each of the eight.
pub async fn queue_counts_of_search(
    conn: &mut SqliteConnection,
    scope: &TicketScope,
    filter: &QueueFilter,
    org_id: Option<i64>,
    me: i64,
    views: &[StatusView],
) -> sqlx::Result<(Vec<i64>, i64, i64)> {
    let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new("SELECT ");
    let columns = views.iter().map(|v| (*v, filter.assignee)).chain([
        (filter.view, AssigneeFilter::Me),
        (filter.view, AssigneeFilter::Unassigned),
    ]);
    for (i, (view, assignee)) in columns.enumerate() {
        if i > 0 {
            qb.push(", ");
        }
        qb.push("COALESCE(SUM(CASE WHEN TRUE");
        push_view(&mut qb, view);
        push_assignee(&mut qb, assignee, me);
        qb.push(" THEN 1 ELSE 0 END), 0)");
    }
    qb.push(" FROM tickets t WHERE ");
    push_scope(&mut qb, scope);
    // the assignee filter is applied per column above
    let base = QueueFilter {
        assignee: AssigneeFilter::Anyone,
        ..filter.clone()
    };
    push_filters(&mut qb, &base, org_id, me, Search::Drives);
    let row = qb.build().fetch_one(conn).await?;
    let capped = |i: usize| row.try_get::<i64, _>(i).map(|n| n.min(COUNT_CAP));
    let by_view = (0..views.len()).map(capped).collect::<sqlx::Result<_>>()?;
    Ok((by_view, capped(views.len())?, capped(views.len() + 1)?))
}

// ---------------------------------------------------------------------------------------------
// Ratings

/// The requester's rating of a ticket, if given.
pub async fn rating(conn: &mut SqliteConnection, ticket_id: i64) -> sqlx::Result<Option<Rating>> {
    let row: Option<(i64, Option<String>)> =
        sqlx::query_as("SELECT stars, comment FROM ticket_ratings WHERE ticket_id = $1")
            .bind(ticket_id)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|(stars, comment)| Rating {
        stars: stars.clamp(1, 5) as u8,
        comment,
    }))
}

/// Stores a rating unless the ticket has one already; says whether it was stored.
pub async fn insert_rating(
    conn: &mut SqliteConnection,
    ticket_id: i64,
    rating: &Rating,
    by: i64,
    at: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO ticket_ratings (ticket_id, stars, comment, rated_by, rated_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (ticket_id) DO NOTHING",
    )
    .bind(ticket_id)
    .bind(i64::from(rating.stars))
    .bind(rating.comment.as_deref())
    .bind(by)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    super::reports::mark_ticket_days(conn, ticket_id).await?;
    Ok(done.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn search_text_becomes_a_safe_prefix_query() {
        assert_eq!(
            fts_query("vpn drops").as_deref(),
            Some("\"vpn\"* \"drops\"*")
        );
        assert_eq!(
            fts_query("\"printer\" OR NEAR(x)").as_deref(),
            Some("\"printer\"* \"or\"* \"near\"* \"x\"*")
        );
        assert_eq!(
            fts_query("Müller-Lüdenscheidt").as_deref(),
            Some("\"müller\"* \"lüdenscheidt\"*")
        );
        assert_eq!(fts_query("  ***  \"\" () "), None);
        assert_eq!(
            fts_query(&"a ".repeat(100)).unwrap().matches('*').count(),
            12
        );
    }
}
