//! Organizations: the clients the desk serves, with their business-hours calendar.

use crate::backend::repo::statement::statement;
use crate::backend::repo::{db_run, Columns, Conn};
use crate::model::admin::{Choice, OrgRow};

pub struct NewOrg<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub time_zone: &'a str,
    pub hours_start: i64,
    pub hours_end: i64,
    pub working_days: &'a str,
    pub created_at: i64,
}

pub async fn insert(db: &mut Conn, org: &NewOrg<'_>) -> sqlx::Result<i64> {
    statement("INSERT INTO organizations (code, name, time_zone, hours_start, hours_end, working_days, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id").bind(org.code).bind(org.name).bind(org.time_zone).bind(org.hours_start).bind(org.hours_end).bind(org.working_days).bind(org.created_at).scalar(db).await
}

pub async fn find_id_by_code(db: &mut Conn, code: &str) -> sqlx::Result<Option<i64>> {
    statement("SELECT id FROM organizations WHERE code = $1")
        .bind(code)
        .scalar_optional(db)
        .await
}

/// (code, name) of an organization.
pub async fn code_and_name(db: &mut Conn, id: i64) -> sqlx::Result<Option<(String, String)>> {
    statement("SELECT code, name FROM organizations WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
}

/// (id, code, name) of active organizations, by name.
pub async fn list(db: &mut Conn) -> sqlx::Result<Vec<(i64, String, String)>> {
    statement("SELECT id, code, name FROM organizations WHERE active ORDER BY name")
        .fetch_all(db)
        .await
}

/// The team that takes new tickets of an organization: the first team serving it.
pub async fn default_team(db: &mut Conn, org_id: i64) -> sqlx::Result<Option<i64>> {
    statement("SELECT MIN(team_id) FROM team_orgs WHERE org_id = $1")
        .bind(org_id)
        .scalar(db)
        .await
}

pub async fn rows(conn: &mut Conn) -> sqlx::Result<Vec<OrgRow>> {
    db_run!(conn, conn => {
        let rows = sqlx::query(
            "SELECT o.id, o.code, o.name, o.time_zone, o.active,
                (SELECT COUNT(*) FROM users u WHERE u.org_id = o.id AND u.active) AS users
         FROM organizations o ORDER BY o.active DESC, o.name",
        )
        .fetch_all(&mut *conn)
        .await?;
        let served: Vec<(i64, String)> = sqlx::query_as(
            "SELECT x.org_id, t.name FROM team_orgs x JOIN teams t ON t.id = x.team_id ORDER BY t.name",
        )
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| {
                let id: i64 = r.try_get("id")?;
                Ok(OrgRow {
                    id,
                    code: r.try_get("code")?,
                    name: r.try_get("name")?,
                    time_zone: r.try_get("time_zone")?,
                    active: r.try_get("active")?,
                    users: r.try_get("users")?,
                    teams: served
                        .iter()
                        .filter(|(o, _)| *o == id)
                        .map(|(_, n)| n.clone())
                        .collect(),
                })
            })
            .collect()
    })
}

pub async fn active(db: &mut Conn, id: i64) -> sqlx::Result<Option<bool>> {
    statement("SELECT active FROM organizations WHERE id = $1")
        .bind(id)
        .scalar_optional(db)
        .await
}

pub async fn code_taken(conn: &mut Conn, code: &str, except: Option<i64>) -> sqlx::Result<bool> {
    super::taken(conn, "organizations", "code", code, except).await
}

pub struct Settings<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub time_zone: &'a str,
    pub hours_start: i64,
    pub hours_end: i64,
    pub working_days: &'a str,
    pub warn_percent: i64,
}

pub async fn update(db: &mut Conn, id: i64, o: &Settings<'_>) -> sqlx::Result<()> {
    statement(
        "UPDATE organizations SET code = $1, name = $2, time_zone = $3, hours_start = $4,
                 hours_end = $5, working_days = $6, warn_percent = $7 WHERE id = $8",
    )
    .bind(o.code)
    .bind(o.name)
    .bind(o.time_zone)
    .bind(o.hours_start)
    .bind(o.hours_end)
    .bind(o.working_days)
    .bind(o.warn_percent)
    .bind(id)
    .run(db)
    .await
}

pub async fn set_active(db: &mut Conn, id: i64, active: bool) -> sqlx::Result<()> {
    statement("UPDATE organizations SET active = $1 WHERE id = $2")
        .bind(active)
        .bind(id)
        .run(db)
        .await
}

/// Active organizations, "Name (CODE)".
pub async fn choices(db: &mut Conn) -> sqlx::Result<Vec<Choice>> {
    db_run!(db, db => {
        let rows: Vec<(i64, String, String)> =
            sqlx::query_as("SELECT id, name, code FROM organizations WHERE active ORDER BY name")
                .fetch_all(db)
                .await?;
        Ok(rows.into_iter().map(choice).collect())
    })
}

/// An organization to pick: "Name (CODE)".
pub(super) fn choice((id, name, code): (i64, String, String)) -> Choice {
    Choice {
        id,
        label: format!("{name} ({code})"),
    }
}
