use sqlx::{Executor, Sqlite};

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
