//! Monitoring alerts (one row per alert of an organization) and maintenance windows.

use crate::backend::repo::statement::statement;
use crate::backend::repo::{db_run, push_ids, Conn};
use crate::model::alert::{AlertSummary, MaintenanceWindow, ValidAlert};
use crate::model::TicketNumber;
use sqlx::Row;

/// What the desk remembers of an alert between its reports.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AlertRow {
    pub id: i64,
    pub ticket_id: Option<i64>,
    pub auto_resolved_at: Option<i64>,
    pub fired_count: i64,
    pub suppressed_count: i64,
    pub returns_count: i64,
    pub returns_since: Option<i64>,
}

/// The `limit` alerts last reported of the organizations `org_ids` (all: `None`), latest first.
pub async fn recent(
    db: &mut Conn,
    org_ids: Option<&[i64]>,
    limit: i64,
) -> sqlx::Result<Vec<AlertSummary>> {
    db_run!(db, db => {
        let mut qb = sqlx::QueryBuilder::new(
            "SELECT o.name AS org_name, a.source, a.alert_key, a.severity, a.status, a.title,
                    a.last_at, a.fired_count, a.suppressed_count, t.number
             FROM alerts a JOIN organizations o ON o.id = a.org_id
             LEFT JOIN tickets t ON t.id = a.ticket_id",
        );
        if let Some(ids) = org_ids {
            qb.push(" WHERE a.org_id IN ");
            push_ids(&mut qb, ids);
        }
        qb.push(" ORDER BY a.last_at DESC, a.id DESC LIMIT ").push_bind(limit);
        let rows = qb.build().fetch_all(db).await?;
        rows.iter()
            .map(|r| {
                let decode = |e: String| sqlx::Error::Decode(e.into());
                Ok(AlertSummary {
                    org_name: r.try_get("org_name")?,
                    source: r.try_get("source")?,
                    key: r.try_get("alert_key")?,
                    severity: r.try_get::<String, _>("severity")?.parse().map_err(decode)?,
                    status: r.try_get::<String, _>("status")?.parse().map_err(decode)?,
                    title: r.try_get("title")?,
                    last_at: r.try_get("last_at")?,
                    fired_count: r.try_get("fired_count")?,
                    suppressed_count: r.try_get("suppressed_count")?,
                    ticket: r.try_get::<Option<i64>, _>("number")?.map(TicketNumber),
                })
            })
            .collect()
    })
}

/// Records a report of `alert` at `now` (its latest status, severity, title and device) and
/// returns the alert's row, held until the transaction ends: reports of one alert take turns.
pub async fn record(
    db: &mut Conn,
    org_id: i64,
    alert: &ValidAlert,
    now: i64,
) -> sqlx::Result<AlertRow> {
    statement(
        "INSERT INTO alerts (org_id, source, alert_key, status, severity, title, device,
                             first_at, last_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
         ON CONFLICT (org_id, source, alert_key) DO UPDATE SET
             status = excluded.status, severity = excluded.severity, title = excluded.title,
             device = COALESCE(excluded.device, alerts.device), last_at = excluded.last_at
         RETURNING id, ticket_id, auto_resolved_at, fired_count, suppressed_count,
                   returns_count, returns_since",
    )
    .bind(org_id)
    .bind(alert.source.as_str())
    .bind(alert.key.as_str())
    .bind(alert.status.as_str())
    .bind(alert.severity.as_str())
    .bind(alert.title.as_str())
    .bind(alert.device.as_deref())
    .bind(now)
    .fetch_one(db)
    .await
}

/// Writes back what the desk decided for the alert.
pub async fn save(db: &mut Conn, a: &AlertRow) -> sqlx::Result<()> {
    statement(
        "UPDATE alerts SET ticket_id = $1, auto_resolved_at = $2, fired_count = $3,
                suppressed_count = $4, returns_count = $5, returns_since = $6
         WHERE id = $7",
    )
    .bind(a.ticket_id)
    .bind(a.auto_resolved_at)
    .bind(a.fired_count)
    .bind(a.suppressed_count)
    .bind(a.returns_count)
    .bind(a.returns_since)
    .bind(a.id)
    .run(db)
    .await
}

/// Whether anyone but `actor_id` (the monitoring integration) acted on the ticket: took it,
/// answered, noted, changed or acknowledged a page. System steps (no actor) do not count.
pub async fn touched_by_others(db: &mut Conn, ticket_id: i64, actor_id: i64) -> sqlx::Result<bool> {
    statement(
        "SELECT EXISTS (SELECT 1 FROM ticket_events
                        WHERE ticket_id = $1 AND actor_id IS NOT NULL AND actor_id <> $2)",
    )
    .bind(ticket_id)
    .bind(actor_id)
    .scalar(db)
    .await
}

/// The client user an organization's alerts are raised for: the active client user with
/// `email` when given, else the organization's first client administrator, else its first
/// client.
pub async fn contact(db: &mut Conn, org_id: i64, email: Option<&str>) -> sqlx::Result<Option<i64>> {
    statement(
        "SELECT id FROM users
         WHERE org_id = $1 AND active AND role IN ('client', 'client_admin')
           AND ($2 IS NULL OR email = $2)
         ORDER BY role = 'client_admin' DESC, id LIMIT 1",
    )
    .bind(org_id)
    .bind(email.map(|e| e.trim().to_lowercase()))
    .scalar_optional(db)
    .await
}

/// The maintenance window of the organization open at `now`, if any.
pub async fn window_at(db: &mut Conn, org_id: i64, now: i64) -> sqlx::Result<Option<i64>> {
    statement(
        "SELECT id FROM maintenance_windows
         WHERE org_id = $1 AND starts_at <= $2 AND ends_at > $2
         ORDER BY ends_at DESC LIMIT 1",
    )
    .bind(org_id)
    .bind(now)
    .scalar_optional(db)
    .await
}

pub struct NewWindow<'a> {
    pub org_id: i64,
    pub starts_at: i64,
    pub ends_at: i64,
    pub reason: &'a str,
    pub created_by: i64,
    pub created_at: i64,
}

pub async fn insert_window(db: &mut Conn, w: &NewWindow<'_>) -> sqlx::Result<i64> {
    statement(
        "INSERT INTO maintenance_windows (org_id, starts_at, ends_at, reason, created_by,
                                          created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(w.org_id)
    .bind(w.starts_at)
    .bind(w.ends_at)
    .bind(w.reason)
    .bind(w.created_by)
    .bind(w.created_at)
    .scalar(db)
    .await
}

/// The windows that have not ended by `now` of the organizations `org_ids` (all: `None`),
/// soonest first.
pub async fn windows(
    db: &mut Conn,
    org_ids: Option<&[i64]>,
    now: i64,
) -> sqlx::Result<Vec<MaintenanceWindow>> {
    let rows: Vec<(i64, i64, String, String, i64, i64, String)> = statement(
        "SELECT w.id, w.org_id, o.code, o.name, w.starts_at, w.ends_at, w.reason
         FROM maintenance_windows w JOIN organizations o ON o.id = w.org_id
         WHERE w.ends_at > $1 ORDER BY w.starts_at, w.id",
    )
    .bind(now)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|row| org_ids.is_none_or(|ids| ids.contains(&row.1)))
        .map(
            |(id, _, org_code, org_name, starts_at, ends_at, reason)| MaintenanceWindow {
                id,
                org_code,
                org_name,
                starts_at,
                ends_at,
                reason,
            },
        )
        .collect())
}

/// Ends the organization's window `id` at `now` (or removes it if it has not begun); whether
/// there was such a window still to come or running.
pub async fn end_window(db: &mut Conn, org_id: i64, id: i64, now: i64) -> sqlx::Result<bool> {
    let removed = statement(
        "DELETE FROM maintenance_windows WHERE id = $1 AND org_id = $2 AND starts_at >= $3",
    )
    .bind(id)
    .bind(org_id)
    .bind(now)
    .execute(&mut *db)
    .await?;
    let ended = statement(
        "UPDATE maintenance_windows SET ends_at = $3
         WHERE id = $1 AND org_id = $2 AND starts_at < $3 AND ends_at > $3",
    )
    .bind(id)
    .bind(org_id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(removed + ended == 1)
}
