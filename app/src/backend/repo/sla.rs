//! SLA contracts: targets per organization and priority, business hours and holidays.

use crate::backend::repo::statement::statement;
use crate::backend::repo::{db_run, Columns, Conn};
use crate::model::admin::HolidayDraft;
use crate::model::sla::Target;
use crate::model::Priority;

/// An organization's calendar and contract, as stored.
pub struct StoredPolicy {
    pub time_zone: String,
    pub working_days: String,
    pub hours_start: i64,
    pub hours_end: i64,
    pub warn_percent: i64,
    pub targets: Vec<Target>,
    /// Local dates, "YYYY-MM-DD".
    pub holidays: Vec<String>,
}

pub async fn load(conn: &mut Conn, org_id: i64) -> sqlx::Result<Option<StoredPolicy>> {
    db_run!(conn, conn => {
        let Some(org) = sqlx::query(
            "SELECT time_zone, working_days, hours_start, hours_end, warn_percent FROM organizations WHERE id = $1",
        )
        .bind(org_id)
        .fetch_optional(&mut *conn)
        .await?
        else {
            return Ok(None);
        };
        let targets = sqlx::query(
            "SELECT priority, response_mins, resolution_mins, around_the_clock FROM sla_targets WHERE org_id = $1",
        )
        .bind(org_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .filter_map(|r| {
            let priority: String = r.try_get("priority").ok()?;
            Some(Target {
                priority: priority.parse::<Priority>().ok()?,
                response_mins: r.try_get("response_mins").ok()?,
                resolution_mins: r.try_get("resolution_mins").ok()?,
                around_the_clock: r.try_get("around_the_clock").ok()?,
            })
        })
        .collect();
        let holidays =
            sqlx::query_scalar("SELECT day FROM org_holidays WHERE org_id = $1 ORDER BY day")
                .bind(org_id)
                .fetch_all(&mut *conn)
                .await?;
        Ok(Some(StoredPolicy {
            time_zone: org.try_get("time_zone")?,
            working_days: org.try_get("working_days")?,
            hours_start: org.try_get("hours_start")?,
            hours_end: org.try_get("hours_end")?,
            warn_percent: org.try_get("warn_percent")?,
            targets,
            holidays,
        }))
    })
}

pub async fn set_target(db: &mut Conn, org_id: i64, t: &Target) -> sqlx::Result<()> {
    statement("INSERT INTO sla_targets (org_id, priority, response_mins, resolution_mins, around_the_clock)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (org_id, priority) DO UPDATE SET response_mins = excluded.response_mins,
             resolution_mins = excluded.resolution_mins, around_the_clock = excluded.around_the_clock").bind(org_id).bind(t.priority.as_str()).bind(t.response_mins).bind(t.resolution_mins).bind(t.around_the_clock).run(db).await
}

pub async fn add_holiday(db: &mut Conn, org_id: i64, day: &str, name: &str) -> sqlx::Result<()> {
    statement(
        "INSERT INTO org_holidays (org_id, day, name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(org_id)
    .bind(day)
    .bind(name)
    .run(db)
    .await
}

/// An organization's holidays with their names, by day.
pub async fn holidays(db: &mut Conn, id: i64) -> sqlx::Result<Vec<HolidayDraft>> {
    db_run!(db, db => {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT day, name FROM org_holidays WHERE org_id = $1 ORDER BY day")
                .bind(id)
                .fetch_all(db)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(day, name)| HolidayDraft { day, name })
            .collect())
    })
}

pub async fn clear_holidays(db: &mut Conn, org_id: i64) -> sqlx::Result<()> {
    statement("DELETE FROM org_holidays WHERE org_id = $1")
        .bind(org_id)
        .run(db)
        .await
}
