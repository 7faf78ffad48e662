//! What administration reads and writes beyond the shared repositories (which it reuses for
//! inserts: `orgs::insert`, `sla::set_target`, `sla::add_holiday`, `teams::*`, `users::insert`).

use crate::model::admin::{
    CannedResponse, CategoryRow, Choice, HolidayDraft, OrgRow, UserDraft, UserEdit, UserFilter,
    UserRow, ValidUser,
};
use crate::model::{Priority, Role, UserRef};
use sqlx::{Executor, QueryBuilder, Row, Sqlite, SqliteConnection};

// ------------------------------------------------------------------------------------------
// Organizations

pub async fn org_rows(conn: &mut SqliteConnection) -> sqlx::Result<Vec<OrgRow>> {
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
}

pub async fn org_active<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    id: i64,
) -> sqlx::Result<Option<bool>> {
    sqlx::query_scalar("SELECT active FROM organizations WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
}

pub async fn org_code_taken<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    code: &str,
    except: Option<i64>,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM organizations WHERE UPPER(code) = UPPER($1) AND id <> $2)",
    )
    .bind(code)
    .bind(except.unwrap_or(-1))
    .fetch_one(db)
    .await
}

pub struct OrgSettings<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub time_zone: &'a str,
    pub hours_start: i64,
    pub hours_end: i64,
    pub working_days: &'a str,
    pub warn_percent: i64,
}

pub async fn update_org<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    id: i64,
    o: &OrgSettings<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
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
    .execute(db)
    .await?;
    Ok(())
}

pub async fn set_org_active<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    id: i64,
    active: bool,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE organizations SET active = $1 WHERE id = $2")
        .bind(active)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// (code, name) and holidays as stored.
pub async fn org_holidays<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    id: i64,
) -> sqlx::Result<Vec<HolidayDraft>> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT day, name FROM org_holidays WHERE org_id = $1 ORDER BY day")
            .bind(id)
            .fetch_all(db)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(day, name)| HolidayDraft { day, name })
        .collect())
}

pub async fn clear_holidays<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    org_id: i64,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM org_holidays WHERE org_id = $1")
        .bind(org_id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn org_teams<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    org_id: i64,
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar("SELECT team_id FROM team_orgs WHERE org_id = $1 ORDER BY team_id")
        .bind(org_id)
        .fetch_all(db)
        .await
}

pub async fn clear_org_teams<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    org_id: i64,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM team_orgs WHERE org_id = $1")
        .bind(org_id)
        .execute(db)
        .await?;
    Ok(())
}

/// How many of `ids` are existing rows of `table` (a trusted, fixed table name).
pub async fn count_existing(
    conn: &mut SqliteConnection,
    table: &'static str,
    ids: &[i64],
) -> sqlx::Result<i64> {
    if ids.is_empty() {
        return Ok(0);
    }
    let mut qb = QueryBuilder::<Sqlite>::new(format!("SELECT COUNT(*) FROM {table} WHERE id IN "));
    super::push_ids(&mut qb, ids);
    qb.build_query_scalar().fetch_one(conn).await
}

/// Active organizations, "Name (CODE)".
pub async fn org_choices<'e>(
    db: impl Executor<'e, Database = Sqlite>,
) -> sqlx::Result<Vec<Choice>> {
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, name, code FROM organizations WHERE active ORDER BY name")
            .fetch_all(db)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, code)| Choice {
            id,
            label: format!("{name} ({code})"),
        })
        .collect())
}

// ------------------------------------------------------------------------------------------
// Users

pub async fn user_rows(
    conn: &mut SqliteConnection,
    f: &UserFilter,
    limit: i64,
) -> sqlx::Result<Vec<UserRow>> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT u.id, u.name, u.email, u.role, o.name AS org_name, t.name AS team_name, u.tier, u.active
         FROM users u LEFT JOIN organizations o ON o.id = u.org_id LEFT JOIN teams t ON t.id = u.team_id
         WHERE 1 = 1",
    );
    let needle = f.q.trim();
    if !needle.is_empty() {
        let pattern = format!(
            "%{}%",
            needle
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
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
    qb.build()
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| {
            let role: String = r.try_get("role")?;
            Ok(UserRow {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                email: r.try_get("email")?,
                role: role
                    .parse::<Role>()
                    .map_err(|e| sqlx::Error::Decode(e.into()))?,
                org_name: r.try_get("org_name")?,
                team_name: r.try_get("team_name")?,
                tier: r.try_get::<Option<i64>, _>("tier")?.map(|t| t as u8),
                active: r.try_get("active")?,
            })
        })
        .collect()
}

pub async fn user_edit<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    id: i64,
) -> sqlx::Result<Option<UserEdit>> {
    let Some(r) = sqlx::query(
        "SELECT id, email, name, role, org_id, team_id, tier, department, location, job_title, phone, active
         FROM users WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?
    else {
        return Ok(None);
    };
    let role: String = r.try_get("role")?;
    let text = |col: &str| -> sqlx::Result<String> {
        Ok(r.try_get::<Option<String>, _>(col)?.unwrap_or_default())
    };
    Ok(Some(UserEdit {
        id: r.try_get("id")?,
        active: r.try_get("active")?,
        draft: UserDraft {
            email: r.try_get("email")?,
            name: r.try_get("name")?,
            role: role
                .parse::<Role>()
                .map_err(|e| sqlx::Error::Decode(e.into()))?,
            org_id: r.try_get("org_id")?,
            team_id: r.try_get("team_id")?,
            tier: r.try_get::<Option<i64>, _>("tier")?.map(|t| t as u8),
            department: text("department")?,
            location: text("location")?,
            job_title: text("job_title")?,
            phone: text("phone")?,
        },
    }))
}

/// Whether an account other than `except` already uses this (normalised) address.
pub async fn email_taken<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    email: &str,
    except: Option<i64>,
) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE LOWER(email) = $1 AND id <> $2)")
        .bind(email)
        .bind(except.unwrap_or(-1))
        .fetch_one(db)
        .await
}

pub async fn update_user<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    id: i64,
    u: &ValidUser,
) -> sqlx::Result<()> {
    sqlx::query(
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
    .execute(db)
    .await?;
    Ok(())
}

pub async fn set_user_active<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    id: i64,
    active: bool,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
        .bind(active)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn set_password_hash<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    id: i64,
    hash: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Ends every session of a person (deactivated, or a new password set).
pub async fn end_sessions<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    user_id: i64,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}

/// The team a person leads, if any.
pub async fn team_led_by<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    user_id: i64,
) -> sqlx::Result<Option<(i64, String)>> {
    sqlx::query_as("SELECT id, name FROM teams WHERE lead_id = $1")
        .bind(user_id)
        .fetch_optional(db)
        .await
}

pub async fn count_active_admins<'e>(
    db: impl Executor<'e, Database = Sqlite>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin' AND active")
        .fetch_one(db)
        .await
}

// ------------------------------------------------------------------------------------------
// Password links

pub async fn insert_reset<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    token_hash: &str,
    user_id: i64,
    created_by: i64,
    now: i64,
    expires_at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO password_resets (token_hash, user_id, created_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(created_by)
    .bind(now)
    .bind(expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// Makes every unused link of a person unusable.
pub async fn revoke_resets<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    user_id: i64,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE password_resets SET expires_at = $1 WHERE user_id = $2 AND used_at IS NULL AND expires_at > $1",
    )
    .bind(now)
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(())
}

/// The person behind a live link: (id, name, email); the account active.
pub async fn live_reset<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    token_hash: &str,
    now: i64,
) -> sqlx::Result<Option<(i64, String, String)>> {
    sqlx::query_as(
        "SELECT u.id, u.name, u.email FROM password_resets r JOIN users u ON u.id = r.user_id
         LEFT JOIN organizations o ON o.id = u.org_id
         WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > $2
           AND u.active AND COALESCE(o.active, TRUE)",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(db)
    .await
}

/// Marks a link used; false when somebody used it first.
pub async fn use_reset<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    token_hash: &str,
    now: i64,
) -> sqlx::Result<bool> {
    Ok(sqlx::query(
        "UPDATE password_resets SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1",
    )
    .bind(now)
    .bind(token_hash)
    .execute(db)
    .await?
    .rows_affected()
        == 1)
}

// ------------------------------------------------------------------------------------------
// Teams

pub struct TeamFacts {
    pub id: i64,
    pub name: String,
    pub lead_id: Option<i64>,
}

pub async fn team_facts<'e>(
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

pub async fn team_name_taken<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    name: &str,
    except: Option<i64>,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM teams WHERE LOWER(name) = LOWER($1) AND id <> $2)",
    )
    .bind(name)
    .bind(except.unwrap_or(-1))
    .fetch_one(db)
    .await
}

pub async fn rename_team<'e>(
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

/// Active members (analysts and seniors) of a team.
pub async fn team_members<'e>(
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

pub async fn set_user_team<'e>(
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

pub async fn clear_team_orgs<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    team_id: i64,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM team_orgs WHERE team_id = $1")
        .bind(team_id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn team_orgs<'e>(
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
    Ok(rows
        .into_iter()
        .map(|(id, name, code)| Choice {
            id,
            label: format!("{name} ({code})"),
        })
        .collect())
}

/// Active users with one of `roles`: (id, name, role, tier, team name).
pub async fn staff_with_roles(
    conn: &mut SqliteConnection,
    roles: &[Role],
) -> sqlx::Result<Vec<(i64, String, String, Option<i64>, Option<String>)>> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT u.id, u.name, u.role, u.tier, t.name FROM users u LEFT JOIN teams t ON t.id = u.team_id
         WHERE u.active AND u.role IN (",
    );
    let mut list = qb.separated(", ");
    for r in roles {
        list.push_bind(r.as_str());
    }
    qb.push(") ORDER BY u.name");
    qb.build_query_as().fetch_all(conn).await
}

/// (id, role, active) of each of `ids` that exists.
pub async fn roles_of(
    conn: &mut SqliteConnection,
    ids: &[i64],
) -> sqlx::Result<Vec<(i64, String, bool)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut qb = QueryBuilder::<Sqlite>::new("SELECT id, role, active FROM users WHERE id IN ");
    super::push_ids(&mut qb, ids);
    qb.build_query_as().fetch_all(conn).await
}

// ------------------------------------------------------------------------------------------
// Categories

/// Every category with its number of tickets. Cost: one range of `tickets_by_category` per
/// category (migration 0016).
pub async fn category_rows<'e>(
    db: impl Executor<'e, Database = Sqlite>,
) -> sqlx::Result<Vec<CategoryRow>> {
    let rows: Vec<(i64, String, Option<String>, bool, i64)> = sqlx::query_as(
        "SELECT c.id, c.name, c.default_priority, c.active,
                (SELECT COUNT(*) FROM tickets t WHERE t.category_id = c.id)
         FROM categories c ORDER BY c.active DESC, c.name",
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, p, active, tickets)| CategoryRow {
            id,
            name,
            default_priority: p.and_then(|p| p.parse::<Priority>().ok()),
            active,
            tickets,
        })
        .collect())
}

pub async fn category_name_taken<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    name: &str,
    except: Option<i64>,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM categories WHERE LOWER(name) = LOWER($1) AND id <> $2)",
    )
    .bind(name)
    .bind(except.unwrap_or(-1))
    .fetch_one(db)
    .await
}

pub async fn update_category<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    id: i64,
    name: &str,
    default_priority: Option<Priority>,
    active: bool,
) -> sqlx::Result<bool> {
    Ok(sqlx::query(
        "UPDATE categories SET name = $1, default_priority = $2, active = $3 WHERE id = $4",
    )
    .bind(name)
    .bind(default_priority.map(Priority::as_str))
    .bind(active)
    .bind(id)
    .execute(db)
    .await?
    .rows_affected()
        == 1)
}

// ------------------------------------------------------------------------------------------
// Canned responses

pub async fn canned<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    only_active: bool,
) -> sqlx::Result<Vec<CannedResponse>> {
    let rows: Vec<(i64, String, String, bool, i64)> = sqlx::query_as(
        "SELECT id, title, body, active, updated_at FROM canned_responses
         WHERE active OR NOT $1 ORDER BY active DESC, title",
    )
    .bind(only_active)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, title, body, active, updated_at)| CannedResponse {
            id,
            title,
            body,
            active,
            updated_at,
        })
        .collect())
}

pub async fn canned_one<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    id: i64,
) -> sqlx::Result<Option<CannedResponse>> {
    let row: Option<(i64, String, String, bool, i64)> = sqlx::query_as(
        "SELECT id, title, body, active, updated_at FROM canned_responses WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    Ok(
        row.map(|(id, title, body, active, updated_at)| CannedResponse {
            id,
            title,
            body,
            active,
            updated_at,
        }),
    )
}

pub async fn canned_title_taken<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    title: &str,
    except: Option<i64>,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM canned_responses WHERE LOWER(title) = LOWER($1) AND id <> $2)",
    )
    .bind(title)
    .bind(except.unwrap_or(-1))
    .fetch_one(db)
    .await
}

pub async fn insert_canned<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    title: &str,
    body: &str,
    active: bool,
    now: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO canned_responses (title, body, active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $4) RETURNING id",
    )
    .bind(title)
    .bind(body)
    .bind(active)
    .bind(now)
    .fetch_one(db)
    .await
}

pub async fn update_canned<'e>(
    db: impl Executor<'e, Database = Sqlite>,
    id: i64,
    title: &str,
    body: &str,
    active: bool,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE canned_responses SET title = $1, body = $2, active = $3, updated_at = $4 WHERE id = $5",
    )
    .bind(title)
    .bind(body)
    .bind(active)
    .bind(now)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}
