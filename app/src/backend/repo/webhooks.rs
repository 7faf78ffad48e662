//! Webhook subscriptions and their deliveries: the outbox of outgoing webhooks. The sealed secret
//! is written here and read back only by the worker that signs with it.

use crate::backend::repo::statement::{statement, Statement};
use crate::backend::repo::Conn;
use crate::model::admin::{
    DeliveryRow, ValidWebhook, WebhookDraft, WebhookKind, WebhookRow, TEST_EVENT,
};
use crate::model::Priority;

/// An active subscription as the events are matched against it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Listener {
    pub id: i64,
    pub events: String,
    pub org_id: Option<i64>,
    pub team_id: Option<i64>,
    pub min_priority: Option<String>,
}

pub async fn listeners(conn: &mut Conn) -> sqlx::Result<Vec<Listener>> {
    statement(
        "SELECT id, events, org_id, team_id, min_priority FROM webhook_subscriptions
         WHERE active ORDER BY id",
    )
    .fetch_all(conn)
    .await
}

pub struct NewDelivery<'a> {
    pub subscription_id: i64,
    pub event_id: &'a str,
    pub event_type: &'a str,
    pub ticket_id: Option<i64>,
    pub payload: &'a str,
    pub now: i64,
    pub retry_until: i64,
}

pub async fn insert_delivery(conn: &mut Conn, d: &NewDelivery<'_>) -> sqlx::Result<i64> {
    statement(
        "INSERT INTO webhook_deliveries (subscription_id, event_id, event_type, ticket_id, payload,
                                         next_attempt_at, retry_until, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $6) RETURNING id",
    )
    .bind(d.subscription_id)
    .bind(d.event_id)
    .bind(d.event_type)
    .bind(d.ticket_id)
    .bind(d.payload)
    .bind(d.now)
    .bind(d.retry_until)
    .scalar(conn)
    .await
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    name: String,
    url: String,
    kind: String,
    events: String,
    org_id: Option<i64>,
    team_id: Option<i64>,
    min_priority: Option<String>,
    active: bool,
    disabled_reason: Option<String>,
    org: Option<String>,
    team: Option<String>,
    waiting: i64,
    dead: i64,
    last_at: Option<i64>,
    last_ok: Option<bool>,
}

const ROW_SELECT: &str = "SELECT s.id, s.name, s.url, s.kind, s.events, s.org_id, s.team_id,
        s.min_priority, s.active, s.disabled_reason, o.name AS org, t.name AS team,
        (SELECT COUNT(*) FROM webhook_deliveries d
          WHERE d.subscription_id = s.id AND d.status IN ('pending', 'failed')) AS waiting,
        (SELECT COUNT(*) FROM webhook_deliveries d
          WHERE d.subscription_id = s.id AND d.status = 'dead') AS dead,
        (SELECT MAX(COALESCE(d.delivered_at, d.next_attempt_at)) FROM webhook_deliveries d
          WHERE d.subscription_id = s.id AND d.attempts > 0) AS last_at,
        (SELECT d.status = 'delivered' FROM webhook_deliveries d
          WHERE d.subscription_id = s.id AND d.attempts > 0
          ORDER BY COALESCE(d.delivered_at, d.next_attempt_at) DESC, d.id DESC LIMIT 1) AS last_ok
     FROM webhook_subscriptions s
     LEFT JOIN organizations o ON o.id = s.org_id
     LEFT JOIN teams t ON t.id = s.team_id";

impl From<Row> for WebhookRow {
    fn from(r: Row) -> WebhookRow {
        WebhookRow {
            id: r.id,
            draft: WebhookDraft {
                name: r.name,
                url: r.url,
                kind: WebhookKind::parse(&r.kind).unwrap_or_default(),
                events: r.events.split(',').map(str::to_string).collect(),
                org_id: r.org_id,
                team_id: r.team_id,
                min_priority: r.min_priority.and_then(|p| p.parse::<Priority>().ok()),
            },
            active: r.active,
            disabled_reason: r.disabled_reason,
            org: r.org,
            team: r.team,
            waiting: r.waiting,
            dead: r.dead,
            last_at: r.last_at,
            last_ok: r.last_ok,
        }
    }
}

pub async fn rows(conn: &mut Conn) -> sqlx::Result<Vec<WebhookRow>> {
    let sql = format!("{ROW_SELECT} ORDER BY s.name");
    let rows: Vec<Row> = statement(&sql).fetch_all(conn).await?;
    Ok(rows.into_iter().map(WebhookRow::from).collect())
}

pub async fn load(conn: &mut Conn, id: i64) -> sqlx::Result<Option<WebhookRow>> {
    let sql = format!("{ROW_SELECT} WHERE s.id = $1");
    let row: Option<Row> = statement(&sql).bind(id).fetch_optional(conn).await?;
    Ok(row.map(WebhookRow::from))
}

/// Binds the settings to `$1` … `$7`, in the column order of `insert` and `update`.
fn with_settings<'s>(s: Statement<'s>, v: &ValidWebhook, d: &WebhookDraft) -> Statement<'s> {
    s.bind(v.name.as_str())
        .bind(v.url.as_str())
        .bind(d.kind.as_str())
        .bind(v.events.as_str())
        .bind(d.org_id)
        .bind(d.team_id)
        .bind(d.min_priority.map(|p| p.as_str()))
}

pub async fn insert(
    conn: &mut Conn,
    v: &ValidWebhook,
    d: &WebhookDraft,
    sealed_secret: Option<&str>,
    created_by: i64,
    now: i64,
) -> sqlx::Result<i64> {
    with_settings(
        statement(
            "INSERT INTO webhook_subscriptions (name, url, kind, events, org_id, team_id,
                                                min_priority, secret, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        ),
        v,
        d,
    )
    .bind(sealed_secret)
    .bind(created_by)
    .bind(now)
    .scalar(conn)
    .await
}

/// Changes the settings; the kind (and so whether there is a secret) stays as it was made.
pub async fn update(
    conn: &mut Conn,
    id: i64,
    v: &ValidWebhook,
    d: &WebhookDraft,
) -> sqlx::Result<()> {
    with_settings(
        statement(
            "UPDATE webhook_subscriptions SET name = $1, url = $2, kind = $3, events = $4,
                org_id = $5, team_id = $6, min_priority = $7
             WHERE id = $8",
        ),
        v,
        d,
    )
    .bind(id)
    .run(conn)
    .await
}

/// Pauses or enables a subscription; `reason` says why the desk turned it off by itself.
pub async fn set_active(
    conn: &mut Conn,
    id: i64,
    active: bool,
    reason: Option<&str>,
) -> sqlx::Result<()> {
    statement("UPDATE webhook_subscriptions SET active = $1, disabled_reason = $2 WHERE id = $3")
        .bind(active)
        .bind(reason)
        .bind(id)
        .run(conn)
        .await
}

/// Deletes a subscription with its delivery log.
pub async fn delete(conn: &mut Conn, id: i64) -> sqlx::Result<()> {
    statement("DELETE FROM webhook_deliveries WHERE subscription_id = $1")
        .bind(id)
        .run(conn)
        .await?;
    statement("DELETE FROM webhook_subscriptions WHERE id = $1")
        .bind(id)
        .run(conn)
        .await
}

/// Deliveries due for an attempt, as (delivery, subscription), oldest first: waiting ones whose
/// time has come, not held by a worker (or held by one that died), of active subscriptions (a
/// test event goes to a paused one too).
pub async fn due(conn: &mut Conn, now: i64, limit: i64) -> sqlx::Result<Vec<(i64, i64)>> {
    statement(
        "SELECT d.id, d.subscription_id FROM webhook_deliveries d
         JOIN webhook_subscriptions s ON s.id = d.subscription_id
         WHERE d.status IN ('pending', 'failed') AND d.next_attempt_at <= $1
           AND (d.lease_until IS NULL OR d.lease_until < $1)
           AND (s.active OR d.event_type = $3)
         ORDER BY d.next_attempt_at, d.id LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .bind(TEST_EVENT)
    .fetch_all(conn)
    .await
}

/// Takes a delivery for sending until `lease_until`; false if another worker has it.
pub async fn claim(conn: &mut Conn, id: i64, now: i64, lease_until: i64) -> sqlx::Result<bool> {
    let claimed = statement(
        "UPDATE webhook_deliveries SET lease_until = $1, attempts = attempts + 1
         WHERE id = $2 AND status IN ('pending', 'failed') AND next_attempt_at <= $3
           AND (lease_until IS NULL OR lease_until < $3)",
    )
    .bind(lease_until)
    .bind(id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(claimed == 1)
}

/// Lets go of every lease (the instance that held them is gone): sent again at once.
pub async fn release_leases(conn: &mut Conn) -> sqlx::Result<()> {
    statement("UPDATE webhook_deliveries SET lease_until = NULL WHERE lease_until IS NOT NULL")
        .run(conn)
        .await
}

/// A delivery as the worker sends it, with its subscription.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Outgoing {
    pub id: i64,
    pub subscription_id: i64,
    pub subscription: String,
    pub url: String,
    pub kind: String,
    /// Sealed with `FRONTLINE_SECRET_KEY`.
    pub secret: Option<String>,
    pub event_id: String,
    pub event_type: String,
    pub payload: String,
    pub attempts: i64,
    pub created_at: i64,
    pub retry_until: i64,
}

pub async fn outgoing(conn: &mut Conn, id: i64) -> sqlx::Result<Option<Outgoing>> {
    statement(
        "SELECT d.id, d.subscription_id, s.name AS subscription, s.url, s.kind, s.secret,
                d.event_id, d.event_type, d.payload, d.attempts, d.created_at, d.retry_until
         FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id
         WHERE d.id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// What an attempt came to: the receiver's status code (if it answered) and how long it took.
pub struct Attempt<'a> {
    pub status_code: Option<i64>,
    pub response_ms: i64,
    pub error: Option<&'a str>,
}

pub async fn mark_delivered(
    conn: &mut Conn,
    id: i64,
    a: &Attempt<'_>,
    now: i64,
) -> sqlx::Result<()> {
    statement(
        "UPDATE webhook_deliveries SET status = 'delivered', delivered_at = $1, lease_until = NULL,
            last_status_code = $2, last_response_ms = $3, last_error = NULL
         WHERE id = $4",
    )
    .bind(now)
    .bind(a.status_code)
    .bind(a.response_ms)
    .bind(id)
    .run(conn)
    .await
}

/// Records a failed attempt: tried again at `retry_at`, or given up (dead) when that is None.
pub async fn mark_failed(
    conn: &mut Conn,
    id: i64,
    a: &Attempt<'_>,
    retry_at: Option<i64>,
) -> sqlx::Result<()> {
    statement(
        "UPDATE webhook_deliveries SET status = $1, next_attempt_at = COALESCE($2, next_attempt_at),
            lease_until = NULL, last_status_code = $3, last_response_ms = $4, last_error = $5
         WHERE id = $6",
    )
    .bind(if retry_at.is_some() { "failed" } else { "dead" })
    .bind(retry_at)
    .bind(a.status_code)
    .bind(a.response_ms)
    .bind(a.error)
    .bind(id)
    .run(conn)
    .await
}

/// When the subscription last got a delivery through (None: never).
pub async fn last_delivered(conn: &mut Conn, subscription_id: i64) -> sqlx::Result<Option<i64>> {
    statement("SELECT MAX(delivered_at) FROM webhook_deliveries WHERE subscription_id = $1")
        .bind(subscription_id)
        .scalar(conn)
        .await
}

/// Sends a delivery again from now, under its own event id, for another day of retries.
pub async fn redeliver(
    conn: &mut Conn,
    subscription_id: i64,
    id: i64,
    now: i64,
    retry_until: i64,
) -> sqlx::Result<bool> {
    let changed = statement(
        "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $1, retry_until = $2,
            lease_until = NULL
         WHERE id = $3 AND subscription_id = $4",
    )
    .bind(now)
    .bind(retry_until)
    .bind(id)
    .bind(subscription_id)
    .execute(conn)
    .await?;
    Ok(changed == 1)
}

#[derive(sqlx::FromRow)]
struct Logged {
    id: i64,
    event_id: String,
    event_type: String,
    ticket: Option<i64>,
    status: String,
    attempts: i64,
    last_status_code: Option<i64>,
    last_response_ms: Option<i64>,
    last_error: Option<String>,
    created_at: i64,
    next_attempt_at: i64,
    delivered_at: Option<i64>,
}

/// A page of a subscription's deliveries, newest first, older than `before` when given.
pub async fn deliveries(
    conn: &mut Conn,
    subscription_id: i64,
    before: Option<i64>,
    limit: i64,
) -> sqlx::Result<Vec<DeliveryRow>> {
    let rows: Vec<Logged> = statement(
        "SELECT d.id, d.event_id, d.event_type, k.number AS ticket, d.status, d.attempts,
                d.last_status_code, d.last_response_ms, d.last_error, d.created_at,
                d.next_attempt_at, d.delivered_at
         FROM webhook_deliveries d LEFT JOIN tickets k ON k.id = d.ticket_id
         WHERE d.subscription_id = $1 AND ($2 IS NULL OR d.id < $2)
         ORDER BY d.id DESC LIMIT $3",
    )
    .bind(subscription_id)
    .bind(before)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| DeliveryRow {
            id: r.id,
            event_id: r.event_id,
            event_type: r.event_type,
            ticket: r.ticket,
            status: r.status,
            attempts: r.attempts,
            status_code: r.last_status_code,
            response_ms: r.last_response_ms,
            error: r.last_error,
            created_at: r.created_at,
            next_attempt_at: r.next_attempt_at,
            delivered_at: r.delivered_at,
        })
        .collect())
}

/// The active administrators: who hears that a subscription was turned off.
pub async fn administrators(conn: &mut Conn) -> sqlx::Result<Vec<i64>> {
    statement("SELECT id FROM users WHERE active AND role = 'admin' ORDER BY id")
        .scalars(conn)
        .await
}

/// The names a ticket's payload carries: its organization, team and assignee.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TicketNames {
    pub organization: String,
    pub team: Option<String>,
    pub assignee: Option<String>,
}

pub async fn ticket_names(conn: &mut Conn, ticket_id: i64) -> sqlx::Result<Option<TicketNames>> {
    statement(
        "SELECT o.name AS organization, t.name AS team, u.name AS assignee
         FROM tickets k JOIN organizations o ON o.id = k.org_id
         LEFT JOIN teams t ON t.id = k.team_id LEFT JOIN users u ON u.id = k.assignee_id
         WHERE k.id = $1",
    )
    .bind(ticket_id)
    .fetch_optional(conn)
    .await
}
