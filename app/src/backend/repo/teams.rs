//! Teams: their lead, their members (users.team_id) and the organizations they serve
//! (team_orgs).

use crate::model::admin::Choice;
use crate::model::UserRef;
use sqlx::{Executor, Sqlite, SqliteConnection};

pub async fn insert<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    name: &str,
    created_at: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar("INSERT INTO teams (name, created_at) VALUES ($1, $2) RETURNING id")
        .bind(name)
        .bind(created_at)
        .fetch_one(db)
        .await
}

pub async fn set_lead<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    team_id: i64,
    lead_id: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE teams SET lead_id = $1 WHERE id = $2")
        .bind(lead_id)
        .bind(team_id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn serve_org<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    team_id: i64,
    org_id: i64,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO team_orgs (team_id, org_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(team_id)
        .bind(org_id)
        .execute(db)
        .await?;
    Ok(())
}

/// The organizations a team serves: the scope of its analysts' queues.
pub async fn served_org_ids<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    team_id: i64,
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar("SELECT org_id FROM team_orgs WHERE team_id = $1 ORDER BY org_id")
        .bind(team_id)
        .fetch_all(db)
        .await
}

/// (id, name) of every team.
pub async fn list<'e>(
    db: impl Executor<'e, Database = Sqlite>,
) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as("SELECT id, name FROM teams ORDER BY name")
        .fetch_all(db)
        .await
}

pub async fn name<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    id: i64,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT name FROM teams WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
}

pub struct TeamFacts {
    pub id: i64,
    pub name: String,
    pub lead_id: Option<i64>,
}

pub async fn facts<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    id: i64,
) -> sqlx::Result<Option<TeamFacts>> {
    let row: Option<(i64, String, Option<i64>)> =
        sqlx::query_as("SELECT id, name, lead_id FROM teams WHERE id = $1")
            .bind(id)
            .fetch_optional(db)
            .await?;
    Ok(row.map(|(id, name, lead_id)| TeamFacts { id, name, lead_id }))
}

pub async fn name_taken(
    conn: &mut SqliteConnection,
    name: &str,
    except: Option<i64>,
) -> sqlx::Result<bool> {
    super::taken(conn, "teams", "name", name, except).await
}

pub async fn rename<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    id: i64,
    name: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE teams SET name = $1 WHERE id = $2")
        .bind(name)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// The team a person leads, if any.
pub async fn led_by<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    user_id: i64,
) -> sqlx::Result<Option<(i64, String)>> {
    sqlx::query_as("SELECT id, name FROM teams WHERE lead_id = $1")
        .bind(user_id)
        .fetch_optional(db)
        .await
}

/// Active members (analysts and seniors) of a team.
pub async fn members<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    team_id: i64,
) -> sqlx::Result<Vec<UserRef>> {
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
}

/// Takes every analyst and senior off a team (before the roster is written again).
pub async fn clear_members<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    team_id: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE users SET team_id = NULL WHERE team_id = $1 AND role IN ('analyst', 'senior')",
    )
    .bind(team_id)
    .execute(db)
    .await?;
    Ok(())
}

/// Puts a person on a team, or (None) on no team.
pub async fn set_member<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    user_id: i64,
    team_id: Option<i64>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET team_id = $1 WHERE id = $2")
        .bind(team_id)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}

/// The organizations a team serves, "Name (CODE)".
pub async fn orgs<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    team_id: i64,
) -> sqlx::Result<Vec<Choice>> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT o.id, o.name, o.code FROM team_orgs x JOIN organizations o ON o.id = x.org_id
         WHERE x.team_id = $1 ORDER BY o.name",
    )
    .bind(team_id)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(super::orgs::choice).collect())
}

pub async fn clear_orgs<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    team_id: i64,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM team_orgs WHERE team_id = $1")
        .bind(team_id)
        .execute(db)
        .await?;
    Ok(())
}

/// The teams that serve an organization.
pub async fn serving<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    org_id: i64,
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar("SELECT team_id FROM team_orgs WHERE org_id = $1 ORDER BY team_id")
        .bind(org_id)
        .fetch_all(db)
        .await
}

/// No team serves the organization any more (before its teams are written again).
pub async fn stop_serving<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    org_id: i64,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM team_orgs WHERE org_id = $1")
        .bind(org_id)
        .execute(db)
        .await?;
    Ok(())
}
