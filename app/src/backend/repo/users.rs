//! Users: accounts, their profile and role, and what administration reads and writes of them.

use crate::backend::repo::statement::statement;
use crate::backend::repo::{db_run, Columns, Conn};
use crate::model::admin::{UserDraft, UserEdit, UserFilter, UserRow, ValidUser};
use crate::model::{Me, Role};
use sqlx::QueryBuilder;

/// A stored role ("analyst").
fn decode_role(text: &str) -> sqlx::Result<Role> {
    text.parse::<Role>()
        .map_err(|e| sqlx::Error::Decode(e.into()))
}

/// A stored tier (1 to 3).
fn decode_tier(tier: Option<i64>) -> Option<u8> {
    tier.map(|t| t as u8)
}

/// What sign-in needs to know about an account.
pub struct LoginAccount {
    pub id: i64,
    pub role: Role,
    pub password_hash: String,
    /// The user and (for clients) their organization are both active.
    pub may_sign_in: bool,
}

pub async fn find_login(db: &mut Conn, email: &str) -> sqlx::Result<Option<LoginAccount>> {
    db_run!(db, db => {
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
    })
}

/// The columns that make a [`Me`], for queries that join users with their org and team.
pub(crate) const ME_COLUMNS: &str = "u.id, u.name, u.email, u.role, u.org_id, o.name AS org_name, \
     u.team_id, t.name AS team_name, u.tier";

pub(crate) fn me_from_row(r: &impl Columns) -> sqlx::Result<Me> {
    Ok(Me {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        email: r.try_get("email")?,
        role: decode_role(r.try_get("role")?)?,
        org_id: r.try_get("org_id")?,
        org_name: r.try_get("org_name")?,
        team_id: r.try_get("team_id")?,
        team_name: r.try_get("team_name")?,
        tier: decode_tier(r.try_get("tier")?),
    })
}

pub async fn me(db: &mut Conn, user_id: i64) -> sqlx::Result<Option<Me>> {
    db_run!(db, db => {
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
    })
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

pub async fn insert(db: &mut Conn, user: &NewUser<'_>) -> sqlx::Result<i64> {
    statement("INSERT INTO users (email, name, role, org_id, team_id, tier, department, location, job_title,
                            phone, password_hash, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         RETURNING id").bind(user.email).bind(user.name).bind(user.role.as_str()).bind(user.org_id).bind(user.team_id).bind(user.tier.map(i64::from)).bind(user.department).bind(user.location).bind(user.job_title).bind(user.phone).bind(user.password_hash).bind(user.created_at).scalar(db).await
}

pub async fn count(db: &mut Conn) -> sqlx::Result<i64> {
    statement("SELECT COUNT(*) FROM users").scalar(db).await
}

/// A person's name, for messages ("claimed by Ana Costa").
pub async fn name(db: &mut Conn, user_id: i64) -> sqlx::Result<Option<String>> {
    statement("SELECT name FROM users WHERE id = $1")
        .bind(user_id)
        .scalar_optional(db)
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

pub async fn profile(db: &mut Conn, user_id: i64) -> sqlx::Result<Option<Profile>> {
    db_run!(db, db => {
        let row = sqlx::query(
            "SELECT id, name, role, org_id, team_id, tier, department, location, job_title, active FROM users WHERE id = $1",
        )
        .bind(user_id)
        .fetch_optional(db)
        .await?;
        row.map(|r| {
            Ok(Profile {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                role: decode_role(r.try_get("role")?)?,
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
    })
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
    conn: &mut Conn,
    needle: &str,
    orgs: Option<&[i64]>,
    limit: i64,
) -> sqlx::Result<Vec<RequesterMatch>> {
    db_run!(conn, conn => {
        let pattern = super::text::like_pattern(needle);
        let mut qb = QueryBuilder::new(
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
    })
}

/// Staff who work tickets and may take a ticket of `org_id` at `tier`: members of a team that
/// serves the organization working that tier or above, and all leads and managers.
pub async fn eligible_assignees(
    conn: &mut Conn,
    org_id: i64,
    tier: i64,
) -> sqlx::Result<Vec<crate::model::UserRef>> {
    db_run!(conn, conn => {
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
    })
}

pub async fn mute_non_essential(db: &mut Conn, user_id: i64) -> sqlx::Result<bool> {
    statement("SELECT mute_non_essential FROM users WHERE id = $1")
        .bind(user_id)
        .scalar(db)
        .await
}

pub async fn set_mute_non_essential(db: &mut Conn, user_id: i64, mute: bool) -> sqlx::Result<()> {
    statement("UPDATE users SET mute_non_essential = $1 WHERE id = $2")
        .bind(mute)
        .bind(user_id)
        .run(db)
        .await
}

pub async fn rows(conn: &mut Conn, f: &UserFilter, limit: i64) -> sqlx::Result<Vec<UserRow>> {
    db_run!(conn, conn => {
        let mut qb = QueryBuilder::new(
            "SELECT u.id, u.name, u.email, u.role, o.name AS org_name, t.name AS team_name, u.tier, u.active
         FROM users u LEFT JOIN organizations o ON o.id = u.org_id LEFT JOIN teams t ON t.id = u.team_id
         WHERE 1 = 1",
        );
        let needle = f.q.trim();
        if !needle.is_empty() {
            let pattern = super::text::like_pattern(&needle.to_lowercase());
            qb.push(" AND (LOWER(u.name) LIKE ")
                .push_bind(pattern.clone())
                .push(" ESCAPE '\\' OR u.email LIKE ")
                .push_bind(pattern)
                .push(" ESCAPE '\\')");
        }
        if let Some(role) = f.role {
            qb.push(" AND u.role = ").push_bind(role.as_str());
        }
        if let Some(org) = f.org_id {
            qb.push(" AND u.org_id = ").push_bind(org);
        }
        if !f.include_inactive {
            qb.push(" AND u.active");
        }
        qb.push(" ORDER BY u.name, u.id LIMIT ").push_bind(limit);
        let rows: Vec<ListRow> = qb.build_query_as().fetch_all(conn).await?;
        rows.into_iter().map(ListRow::decode).collect()
    })
}

/// A user as the list shows them.
#[derive(sqlx::FromRow)]
struct ListRow {
    id: i64,
    name: String,
    email: String,
    role: String,
    org_name: Option<String>,
    team_name: Option<String>,
    tier: Option<i64>,
    active: bool,
}

impl ListRow {
    fn decode(self) -> sqlx::Result<UserRow> {
        Ok(UserRow {
            id: self.id,
            name: self.name,
            email: self.email,
            role: decode_role(&self.role)?,
            org_name: self.org_name,
            team_name: self.team_name,
            tier: decode_tier(self.tier),
            active: self.active,
        })
    }
}

pub async fn edit(db: &mut Conn, id: i64) -> sqlx::Result<Option<UserEdit>> {
    db_run!(db, db => {
        let row: Option<EditRow> = sqlx::query_as(
            "SELECT id, email, name, role, org_id, team_id, tier, department, location, job_title, phone, active
             FROM users WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(db)
        .await?;
        row.map(EditRow::decode).transpose()
    })
}

/// A user as the administrator edits them.
#[derive(sqlx::FromRow)]
struct EditRow {
    id: i64,
    email: String,
    name: String,
    role: String,
    org_id: Option<i64>,
    team_id: Option<i64>,
    tier: Option<i64>,
    department: Option<String>,
    location: Option<String>,
    job_title: Option<String>,
    phone: Option<String>,
    active: bool,
}

impl EditRow {
    fn decode(self) -> sqlx::Result<UserEdit> {
        Ok(UserEdit {
            id: self.id,
            active: self.active,
            draft: UserDraft {
                email: self.email,
                name: self.name,
                role: decode_role(&self.role)?,
                org_id: self.org_id,
                team_id: self.team_id,
                tier: decode_tier(self.tier),
                department: self.department.unwrap_or_default(),
                location: self.location.unwrap_or_default(),
                job_title: self.job_title.unwrap_or_default(),
                phone: self.phone.unwrap_or_default(),
            },
        })
    }
}

/// Whether an account other than `except` already uses this (normalised) address.
pub async fn email_taken(conn: &mut Conn, email: &str, except: Option<i64>) -> sqlx::Result<bool> {
    super::taken(conn, "users", "email", email, except).await
}

pub async fn update(db: &mut Conn, id: i64, u: &ValidUser) -> sqlx::Result<()> {
    statement(
        "UPDATE users SET email = $1, name = $2, role = $3, org_id = $4, team_id = $5, tier = $6,
                 department = $7, location = $8, job_title = $9, phone = $10 WHERE id = $11",
    )
    .bind(u.email.as_str())
    .bind(&u.name)
    .bind(u.role.as_str())
    .bind(u.org_id)
    .bind(u.team_id)
    .bind(u.tier.map(i64::from))
    .bind(&u.department)
    .bind(&u.location)
    .bind(&u.job_title)
    .bind(&u.phone)
    .bind(id)
    .run(db)
    .await
}

pub async fn set_active(db: &mut Conn, id: i64, active: bool) -> sqlx::Result<()> {
    statement("UPDATE users SET active = $1 WHERE id = $2")
        .bind(active)
        .bind(id)
        .run(db)
        .await
}

pub async fn set_password_hash(db: &mut Conn, id: i64, hash: &str) -> sqlx::Result<()> {
    statement("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(id)
        .run(db)
        .await
}

/// Active users with one of `roles`: (id, name, role, tier, team name).
pub async fn with_roles(
    conn: &mut Conn,
    roles: &[Role],
) -> sqlx::Result<Vec<(i64, String, String, Option<i64>, Option<String>)>> {
    db_run!(conn, conn => {
        let mut qb = QueryBuilder::new(
            "SELECT u.id, u.name, u.role, u.tier, t.name FROM users u LEFT JOIN teams t ON t.id = u.team_id
             WHERE u.active AND u.role IN (",
        );
        let mut list = qb.separated(", ");
        for r in roles {
            list.push_bind(r.as_str());
        }
        qb.push(") ORDER BY u.name");
        qb.build_query_as().fetch_all(conn).await
    })
}

/// (id, role, active) of each of `ids` that exists.
pub async fn roles_of(conn: &mut Conn, ids: &[i64]) -> sqlx::Result<Vec<(i64, String, bool)>> {
    db_run!(conn, conn => {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut qb = QueryBuilder::new("SELECT id, role, active FROM users WHERE id IN ");
        super::push_ids(&mut qb, ids);
        qb.build_query_as().fetch_all(conn).await
    })
}
