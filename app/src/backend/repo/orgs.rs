use sqlx::{Executor, Sqlite};

pub struct NewOrg<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub time_zone: &'a str,
    pub hours_start: i64,
    pub hours_end: i64,
    pub working_days: &'a str,
    pub created_at: i64,
}

pub async fn insert<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    org: &NewOrg<'_>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO organizations (code, name, time_zone, hours_start, hours_end, working_days, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(org.code)
    .bind(org.name)
    .bind(org.time_zone)
    .bind(org.hours_start)
    .bind(org.hours_end)
    .bind(org.working_days)
    .bind(org.created_at)
    .fetch_one(db)
    .await
}

pub async fn find_id_by_code<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    code: &str,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("SELECT id FROM organizations WHERE code = $1")
        .bind(code)
        .fetch_optional(db)
        .await
}

/// (code, name) of an organization.
pub async fn code_and_name<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    id: i64,
) -> sqlx::Result<Option<(String, String)>> {
    sqlx::query_as("SELECT code, name FROM organizations WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
}

/// (id, code, name) of active organizations, optionally only some, by name.
pub async fn list<'e>(
    db: impl Executor<'e, Database = Sqlite>,
) -> sqlx::Result<Vec<(i64, String, String)>> {
    sqlx::query_as("SELECT id, code, name FROM organizations WHERE active ORDER BY name")
        .fetch_all(db)
        .await
}

/// The team that takes new tickets of an organization: the first team serving it.
pub async fn default_team<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    org_id: i64,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("SELECT MIN(team_id) FROM team_orgs WHERE org_id = $1")
        .bind(org_id)
        .fetch_one(db)
        .await
}
