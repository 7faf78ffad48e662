use crate::model::{Me, Role};
use sqlx::{Executor, Row, Sqlite};

/// What sign-in needs to know about an account.
pub struct LoginAccount {
    pub id: i64,
    pub role: Role,
    pub password_hash: String,
    /// The user and (for clients) their organization are both active.
    pub may_sign_in: bool,
}

pub async fn find_login<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    email: &str,
) -> sqlx::Result<Option<LoginAccount>> {
    let row = sqlx::query(
        "SELECT u.id, u.role, u.password_hash, u.active AND COALESCE(o.active, TRUE) AS may_sign_in
         FROM users u LEFT JOIN organizations o ON o.id = u.org_id
         WHERE u.email = $1",
    )
    .bind(email)
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        let role: String = r.try_get("role")?;
        Ok(LoginAccount {
            id: r.try_get("id")?,
            role: role
                .parse::<Role>()
                .map_err(|e| sqlx::Error::Decode(e.into()))?,
            password_hash: r.try_get("password_hash")?,
            may_sign_in: r.try_get("may_sign_in")?,
        })
    })
    .transpose()
}

/// The columns that make a [`Me`], for queries that join users with their org and team.
pub(crate) const ME_COLUMNS: &str = "u.id, u.name, u.email, u.role, u.org_id, o.name AS org_name, \
     u.team_id, t.name AS team_name, u.tier";

pub(crate) fn me_from_row(r: &sqlx::sqlite::SqliteRow) -> sqlx::Result<Me> {
    let role: String = r.try_get("role")?;
    Ok(Me {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        email: r.try_get("email")?,
        role: role
            .parse::<Role>()
            .map_err(|e| sqlx::Error::Decode(e.into()))?,
        org_id: r.try_get("org_id")?,
        org_name: r.try_get("org_name")?,
        team_id: r.try_get("team_id")?,
        team_name: r.try_get("team_name")?,
        tier: r.try_get::<Option<i64>, _>("tier")?.map(|t| t as u8),
    })
}

pub async fn me<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    user_id: i64,
) -> sqlx::Result<Option<Me>> {
    let sql = format!(
        "SELECT {ME_COLUMNS} FROM users u
         LEFT JOIN organizations o ON o.id = u.org_id
         LEFT JOIN teams t ON t.id = u.team_id
         WHERE u.id = $1"
    );
    sqlx::query(&sql)
        .bind(user_id)
        .fetch_optional(db)
        .await?
        .map(|r| me_from_row(&r))
        .transpose()
}

/// A new account. `email` must already be normalised (see `model::Email`).
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub org_id: Option<i64>,
    pub team_id: Option<i64>,
    pub tier: Option<u8>,
    pub department: Option<&'a str>,
    pub location: Option<&'a str>,
    pub job_title: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub password_hash: &'a str,
    pub created_at: i64,
}

pub async fn insert<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    user: &NewUser<'_>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO users (email, name, role, org_id, team_id, tier, department, location, job_title,
                            phone, password_hash, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         RETURNING id",
    )
    .bind(user.email)
    .bind(user.name)
    .bind(user.role.as_str())
    .bind(user.org_id)
    .bind(user.team_id)
    .bind(user.tier.map(i64::from))
    .bind(user.department)
    .bind(user.location)
    .bind(user.job_title)
    .bind(user.phone)
    .bind(user.password_hash)
    .bind(user.created_at)
    .fetch_one(db)
    .await
}

pub async fn count<'e>(db: impl Executor<'e, Database = Sqlite>) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(db)
        .await
}

/// A person's name, for messages ("claimed by Ana Costa").
pub async fn name<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    user_id: i64,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT name FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(db)
        .await
}

/// What the desk knows of a person when they raise a ticket (captured onto the ticket).
pub struct Profile {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub org_id: Option<i64>,
    pub team_id: Option<i64>,
    pub tier: Option<i64>,
    pub department: Option<String>,
    pub location: Option<String>,
    pub job_title: Option<String>,
    pub active: bool,
}

pub async fn profile<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    user_id: i64,
) -> sqlx::Result<Option<Profile>> {
    let row = sqlx::query(
        "SELECT id, name, role, org_id, team_id, tier, department, location, job_title, active FROM users WHERE id = $1",
    )
    .bind(user_id)
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        let role: String = r.try_get("role")?;
        Ok(Profile {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            role: role
                .parse()
                .map_err(|e: String| sqlx::Error::Decode(e.into()))?,
            org_id: r.try_get("org_id")?,
            team_id: r.try_get("team_id")?,
            tier: r.try_get("tier")?,
            department: r.try_get("department")?,
            location: r.try_get("location")?,
            job_title: r.try_get("job_title")?,
            active: r.try_get("active")?,
        })
    })
    .transpose()
}

/// A client a staff member may raise a ticket for.
pub struct RequesterMatch {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub org_name: String,
}

/// Active client users whose name or e-mail contains `needle`, in the given organizations (all
/// when `orgs` is None), at most `limit`.
pub async fn search_requesters(
    conn: &mut sqlx::SqliteConnection,
    needle: &str,
    orgs: Option<&[i64]>,
    limit: i64,
) -> sqlx::Result<Vec<RequesterMatch>> {
    let pattern = format!(
        "%{}%",
        needle
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let mut qb = sqlx::QueryBuilder::<Sqlite>::new(
        "SELECT u.id, u.name, u.email, o.name AS org_name FROM users u JOIN organizations o ON o.id = u.org_id
         WHERE u.active AND o.active AND u.role IN ('client', 'client_admin')
           AND (u.name LIKE ",
    );
    qb.push_bind(pattern.clone())
        .push(" ESCAPE '\\' OR u.email LIKE ")
        .push_bind(pattern)
        .push(" ESCAPE '\\')");
    if let Some(orgs) = orgs {
        qb.push(" AND u.org_id IN ");
        super::push_ids(&mut qb, orgs);
    }
    qb.push(" ORDER BY u.name LIMIT ").push_bind(limit);
    qb.build()
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| {
            Ok(RequesterMatch {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                email: r.try_get("email")?,
                org_name: r.try_get("org_name")?,
            })
        })
        .collect()
}

/// Staff who work tickets and may take a ticket of `org_id` at `tier`: members of a team that
/// serves the organization working that tier or above, and all leads and managers.
pub async fn eligible_assignees(
    conn: &mut sqlx::SqliteConnection,
    org_id: i64,
    tier: i64,
) -> sqlx::Result<Vec<crate::model::UserRef>> {
    sqlx::query(
        "SELECT u.id, u.name FROM users u
         WHERE u.active AND (
             u.role IN ('lead', 'manager')
             OR (u.role IN ('analyst', 'senior') AND COALESCE(u.tier, 1) >= $2
                 AND u.team_id IN (SELECT team_id FROM team_orgs WHERE org_id = $1)))
         ORDER BY u.name",
    )
    .bind(org_id)
    .bind(tier)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| {
        Ok(crate::model::UserRef {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
        })
    })
    .collect()
}

pub async fn mute_non_essential<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    user_id: i64,
) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT mute_non_essential FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(db)
        .await
}

pub async fn set_mute_non_essential<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    user_id: i64,
    mute: bool,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET mute_non_essential = $1 WHERE id = $2")
        .bind(mute)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}
