//! Teams: their lead, their members (users.team_id) and the organizations they serve
//! (team_orgs).

use crate::backend::repo::statement::statement;
use crate::backend::repo::{db_run, Conn};
use crate::model::admin::Choice;
use crate::model::UserRef;

pub async fn insert(db: &mut Conn, name: &str, created_at: i64) -> sqlx::Result<i64> {
    statement("INSERT INTO teams (name, created_at) VALUES ($1, $2) RETURNING id")
        .bind(name)
        .bind(created_at)
        .scalar(db)
        .await
}

pub async fn set_lead(db: &mut Conn, team_id: i64, lead_id: i64) -> sqlx::Result<()> {
    statement("UPDATE teams SET lead_id = $1 WHERE id = $2")
        .bind(lead_id)
        .bind(team_id)
        .run(db)
        .await
}

pub async fn serve_org(db: &mut Conn, team_id: i64, org_id: i64) -> sqlx::Result<()> {
    statement("INSERT INTO team_orgs (team_id, org_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(team_id)
        .bind(org_id)
        .run(db)
        .await
}

/// The organizations a team serves: the scope of its analysts' queues.
pub async fn served_org_ids(db: &mut Conn, team_id: i64) -> sqlx::Result<Vec<i64>> {
    statement("SELECT org_id FROM team_orgs WHERE team_id = $1 ORDER BY org_id")
        .bind(team_id)
        .scalars(db)
        .await
}

/// (id, name) of every team.
pub async fn list(db: &mut Conn) -> sqlx::Result<Vec<(i64, String)>> {
    statement("SELECT id, name FROM teams ORDER BY name")
        .fetch_all(db)
        .await
}

pub async fn name(db: &mut Conn, id: i64) -> sqlx::Result<Option<String>> {
    statement("SELECT name FROM teams WHERE id = $1")
        .bind(id)
        .scalar_optional(db)
        .await
}

pub struct TeamFacts {
    pub id: i64,
    pub name: String,
    pub lead_id: Option<i64>,
}

pub async fn facts(db: &mut Conn, id: i64) -> sqlx::Result<Option<TeamFacts>> {
    db_run!(db, db => {
        let row: Option<(i64, String, Option<i64>)> =
            sqlx::query_as("SELECT id, name, lead_id FROM teams WHERE id = $1")
                .bind(id)
                .fetch_optional(db)
                .await?;
        Ok(row.map(|(id, name, lead_id)| TeamFacts { id, name, lead_id }))
    })
}

pub async fn name_taken(conn: &mut Conn, name: &str, except: Option<i64>) -> sqlx::Result<bool> {
    super::taken(conn, "teams", "name", name, except).await
}

pub async fn rename(db: &mut Conn, id: i64, name: &str) -> sqlx::Result<()> {
    statement("UPDATE teams SET name = $1 WHERE id = $2")
        .bind(name)
        .bind(id)
        .run(db)
        .await
}

/// The team a person leads, if any.
pub async fn led_by(db: &mut Conn, user_id: i64) -> sqlx::Result<Option<(i64, String)>> {
    statement("SELECT id, name FROM teams WHERE lead_id = $1")
        .bind(user_id)
        .fetch_optional(db)
        .await
}

/// Active members (analysts and seniors) of a team.
pub async fn members(db: &mut Conn, team_id: i64) -> sqlx::Result<Vec<UserRef>> {
    db_run!(db, db => {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, name FROM users WHERE team_id = $1 AND role IN ('analyst', 'senior') AND active ORDER BY name",
        )
        .bind(team_id)
        .fetch_all(db)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name)| UserRef { id, name })
            .collect())
    })
}

/// Takes every analyst and senior off a team (before the roster is written again).
pub async fn clear_members(db: &mut Conn, team_id: i64) -> sqlx::Result<()> {
    statement(
        "UPDATE users SET team_id = NULL WHERE team_id = $1 AND role IN ('analyst', 'senior')",
    )
    .bind(team_id)
    .run(db)
    .await
}

/// Puts a person on a team, or (None) on no team.
pub async fn set_member(db: &mut Conn, user_id: i64, team_id: Option<i64>) -> sqlx::Result<()> {
    statement("UPDATE users SET team_id = $1 WHERE id = $2")
        .bind(team_id)
        .bind(user_id)
        .run(db)
        .await
}

/// The organizations a team serves, "Name (CODE)".
pub async fn orgs(db: &mut Conn, team_id: i64) -> sqlx::Result<Vec<Choice>> {
    db_run!(db, db => {
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT o.id, o.name, o.code FROM team_orgs x JOIN organizations o ON o.id = x.org_id
             WHERE x.team_id = $1 ORDER BY o.name",
        )
        .bind(team_id)
        .fetch_all(db)
        .await?;
        Ok(rows.into_iter().map(super::orgs::choice).collect())
    })
}

pub async fn clear_orgs(db: &mut Conn, team_id: i64) -> sqlx::Result<()> {
    statement("DELETE FROM team_orgs WHERE team_id = $1")
        .bind(team_id)
        .run(db)
        .await
}

/// The teams that serve an organization.
pub async fn serving(db: &mut Conn, org_id: i64) -> sqlx::Result<Vec<i64>> {
    statement("SELECT team_id FROM team_orgs WHERE org_id = $1 ORDER BY team_id")
        .bind(org_id)
        .scalars(db)
        .await
}

/// No team serves the organization any more (before its teams are written again).
pub async fn stop_serving(db: &mut Conn, org_id: i64) -> sqlx::Result<()> {
    statement("DELETE FROM team_orgs WHERE org_id = $1")
        .bind(org_id)
        .run(db)
        .await
}
