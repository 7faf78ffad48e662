//! Administration: organizations with their calendar and SLA policy, users, teams, categories and
//! canned responses, one-time password links, the CSV import of a client's users, and the audit
//! log that records every change. Each change is one transaction that also writes its audit row;
//! every function asks the policy first and refuses before touching anything.

use super::auth::{new_token, token_hash};
use super::db::is_unique_violation;
use super::password;
use super::policy::Actor;
use super::repo::admin as repo;
use super::repo::{audit, desk, orgs, sla as sla_repo, teams, users};
use super::state::AppState;
use crate::model::admin::*;
use crate::model::sla::parse_time_zone;
use crate::model::time::HOUR;
use crate::model::user::validate_new_password;
use crate::model::{AppError, AppResult, Role};
use serde::Serialize;
use sqlx::SqliteConnection;

const USER_PAGE: i64 = 200;
const AUDIT_PAGE: i64 = 50;
/// Stored for accounts that have never set a password: no password verifies against it.
const NO_PASSWORD: &str = "!no-password-set";

fn invalid(message: String) -> AppError {
    AppError::Invalid(message)
}

fn json<T: Serialize>(value: &T) -> Option<String> {
    serde_json::to_string(value).ok()
}

/// Records one change in the audit log, inside the change's transaction.
#[allow(clippy::too_many_arguments)]
async fn record<B: Serialize, A: Serialize>(
    conn: &mut SqliteConnection,
    actor_id: i64,
    now: i64,
    action: &str,
    entity: &str,
    entity_id: Option<i64>,
    summary: &str,
    before: Option<&B>,
    after: Option<&A>,
) -> AppResult<()> {
    let (before, after) = (before.and_then(json), after.and_then(json));
    audit::insert(
        conn,
        &audit::NewEntry {
            at: now,
            actor_id,
            action,
            entity,
            entity_id,
            summary,
            before: before.as_deref(),
            after: after.as_deref(),
        },
    )
    .await?;
    Ok(())
}

/// A unique index caught what the checks before it missed (two administrators at once).
fn unique_or(err: sqlx::Error, message: impl FnOnce() -> String) -> AppError {
    if is_unique_violation(&err) {
        AppError::Conflict(message())
    } else {
        err.into()
    }
}

// ---------------------------------------------------------------------------------------------
// Choices

pub async fn choices(state: &AppState, actor: &Actor) -> AppResult<AdminChoices> {
    actor.require_admin()?;
    let mut conn = state.pool.acquire().await?;
    let teams = teams::list(&mut *conn)
        .await?
        .into_iter()
        .map(|(id, label)| Choice { id, label })
        .collect();
    Ok(AdminChoices {
        teams,
        orgs: repo::org_choices(&mut *conn).await?,
        time_zones: chrono_tz::TZ_VARIANTS
            .iter()
            .map(|tz| tz.name().to_string())
            .collect(),
    })
}

// ---------------------------------------------------------------------------------------------
// Organizations

pub async fn list_orgs(state: &AppState, actor: &Actor) -> AppResult<Vec<OrgRow>> {
    actor.require_admin()?;
    let mut conn = state.pool.acquire().await?;
    Ok(repo::org_rows(&mut conn).await?)
}

async fn load_org(conn: &mut SqliteConnection, id: i64) -> AppResult<Option<OrgEdit>> {
    let Some(policy) = sla_repo::load(conn, id).await? else {
        return Ok(None);
    };
    let (code, name) = orgs::code_and_name(&mut *conn, id)
        .await?
        .ok_or(AppError::Internal)?;
    let active = repo::org_active(&mut *conn, id).await?.unwrap_or(false);
    let mut targets = policy.targets;
    targets.sort_by_key(|t| t.priority);
    let days = policy.working_days;
    Ok(Some(OrgEdit {
        id,
        active,
        draft: OrgDraft {
            code,
            name,
            time_zone: policy.time_zone,
            hours_start: format_hhmm(policy.hours_start),
            hours_end: format_hhmm(policy.hours_end),
            working_days: std::array::from_fn(|d| days.contains(char::from(b'1' + d as u8))),
            warn_percent: policy.warn_percent,
            targets,
            holidays: repo::org_holidays(&mut *conn, id).await?,
            teams: repo::org_teams(&mut *conn, id).await?,
        },
    }))
}

fn org_not_found(id: i64) -> AppError {
    AppError::NotFound(format!("There is no organization {id}."))
}

pub async fn org(state: &AppState, actor: &Actor, id: i64) -> AppResult<OrgEdit> {
    actor.require_admin()?;
    let mut conn = state.pool.acquire().await?;
    load_org(&mut conn, id)
        .await?
        .ok_or_else(|| org_not_found(id))
}

/// Checks what the model cannot: the time zone exists, the code is free, the teams exist.
async fn check_org(
    conn: &mut SqliteConnection,
    draft: &OrgDraft,
    except: Option<i64>,
) -> AppResult<ValidOrg> {
    let valid = draft.validate().map_err(invalid)?;
    parse_time_zone(&valid.time_zone).map_err(invalid)?;
    if repo::org_code_taken(&mut *conn, &valid.code, except).await? {
        return Err(AppError::Conflict(format!(
            "Another organization already uses the short code {}.",
            valid.code
        )));
    }
    if repo::count_existing(conn, "teams", &valid.teams).await? != valid.teams.len() as i64 {
        return Err(invalid("One of the chosen teams does not exist.".into()));
    }
    Ok(valid)
}

async fn write_org_details(conn: &mut SqliteConnection, id: i64, v: &ValidOrg) -> AppResult<()> {
    let days = v.hours.days_string();
    repo::update_org(
        &mut *conn,
        id,
        &repo::OrgSettings {
            code: &v.code,
            name: &v.name,
            time_zone: &v.time_zone,
            hours_start: i64::from(v.hours.start_min),
            hours_end: i64::from(v.hours.end_min),
            working_days: &days,
            warn_percent: v.warn_percent,
        },
    )
    .await
    .map_err(|e| unique_or(e, || format!("The short code {} is taken.", v.code)))?;
    for target in &v.targets {
        sla_repo::set_target(&mut *conn, id, target).await?;
    }
    repo::clear_holidays(&mut *conn, id).await?;
    for (day, name) in &v.holidays {
        sla_repo::add_holiday(&mut *conn, id, day, name).await?;
    }
    repo::clear_org_teams(&mut *conn, id).await?;
    for team in &v.teams {
        teams::serve_org(&mut *conn, *team, id).await?;
    }
    Ok(())
}

pub async fn create_org(state: &AppState, actor: &Actor, draft: &OrgDraft) -> AppResult<i64> {
    actor.require_admin()?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let v = check_org(&mut tx, draft, None).await?;
    let days = v.hours.days_string();
    let id = orgs::insert(
        &mut *tx,
        &orgs::NewOrg {
            code: &v.code,
            name: &v.name,
            time_zone: &v.time_zone,
            hours_start: i64::from(v.hours.start_min),
            hours_end: i64::from(v.hours.end_min),
            working_days: &days,
            created_at: now,
        },
    )
    .await
    .map_err(|e| unique_or(e, || format!("The short code {} is taken.", v.code)))?;
    write_org_details(&mut tx, id, &v).await?;
    let after = load_org(&mut tx, id).await?;
    record::<(), _>(
        &mut tx,
        actor.id,
        now,
        "organization.create",
        "organization",
        Some(id),
        &format!("Created organization {} ({})", v.name, v.code),
        None,
        after.as_ref(),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update_org(
    state: &AppState,
    actor: &Actor,
    id: i64,
    draft: &OrgDraft,
) -> AppResult<()> {
    actor.require_admin()?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let before = load_org(&mut tx, id)
        .await?
        .ok_or_else(|| org_not_found(id))?;
    let v = check_org(&mut tx, draft, Some(id)).await?;
    write_org_details(&mut tx, id, &v).await?;
    let after = load_org(&mut tx, id).await?;
    record(
        &mut tx,
        actor.id,
        now,
        "organization.update",
        "organization",
        Some(id),
        &format!("Changed organization {} ({})", v.name, v.code),
        Some(&before),
        after.as_ref(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deactivates (or reactivates) an organization. Its users can no longer sign in and signed-in
/// users are refused from their next request; its tickets stay.
pub async fn set_org_active(
    state: &AppState,
    actor: &Actor,
    id: i64,
    active: bool,
) -> AppResult<()> {
    actor.require_admin()?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let was = repo::org_active(&mut *tx, id)
        .await?
        .ok_or_else(|| org_not_found(id))?;
    if was == active {
        return Ok(());
    }
    repo::set_org_active(&mut *tx, id, active).await?;
    let (code, name) = orgs::code_and_name(&mut *tx, id)
        .await?
        .ok_or(AppError::Internal)?;
    record(
        &mut tx,
        actor.id,
        now,
        if active {
            "organization.reactivate"
        } else {
            "organization.deactivate"
        },
        "organization",
        Some(id),
        &format!(
            "{} organization {name} ({code})",
            if active { "Reactivated" } else { "Deactivated" }
        ),
        Some(&serde_json::json!({ "active": was })),
        Some(&serde_json::json!({ "active": active })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Users

pub async fn list_users(
    state: &AppState,
    actor: &Actor,
    filter: &UserFilter,
) -> AppResult<Vec<UserRow>> {
    actor.require_admin()?;
    if filter.q.chars().count() > 200 {
        return Err(invalid("Search with at most 200 characters.".into()));
    }
    let mut conn = state.pool.acquire().await?;
    Ok(repo::user_rows(&mut conn, filter, USER_PAGE).await?)
}

fn user_not_found(id: i64) -> AppError {
    AppError::NotFound(format!("There is no user {id}."))
}

pub async fn user(state: &AppState, actor: &Actor, id: i64) -> AppResult<UserEdit> {
    actor.require_admin()?;
    repo::user_edit(&state.pool, id)
        .await?
        .ok_or_else(|| user_not_found(id))
}

/// Checks what the model cannot: the address is free, the organization and team exist.
async fn check_user(
    conn: &mut SqliteConnection,
    draft: &UserDraft,
    except: Option<i64>,
) -> AppResult<ValidUser> {
    let v = draft.validate().map_err(invalid)?;
    if repo::email_taken(&mut *conn, v.email.as_str(), except).await? {
        return Err(AppError::Conflict(format!(
            "An account with the address {} already exists.",
            v.email
        )));
    }
    if let Some(org) = v.org_id {
        match repo::org_active(&mut *conn, org).await? {
            None => return Err(invalid("That organization does not exist.".into())),
            Some(false) => {
                return Err(invalid(
                    "That organization is deactivated; reactivate it first.".into(),
                ))
            }
            Some(true) => {}
        }
    }
    if let Some(team) = v.team_id {
        if teams::name(&mut *conn, team).await?.is_none() {
            return Err(invalid("That team does not exist.".into()));
        }
    }
    Ok(v)
}

async fn new_link(
    conn: &mut SqliteConnection,
    actor: &Actor,
    user_id: i64,
    user_name: &str,
    now: i64,
) -> AppResult<PasswordLink> {
    let token = new_token();
    let expires_at = now + RESET_LINK_HOURS * HOUR;
    repo::revoke_resets(&mut *conn, user_id, now).await?;
    repo::insert_reset(
        &mut *conn,
        &token_hash(&token),
        user_id,
        actor.id,
        now,
        expires_at,
    )
    .await?;
    Ok(PasswordLink {
        user_id,
        user_name: user_name.to_string(),
        path: format!("/reset/{token}"),
        expires_at,
    })
}

/// Creates an account without a password, and the one-time link with which its owner sets one.
pub async fn create_user(
    state: &AppState,
    actor: &Actor,
    draft: &UserDraft,
) -> AppResult<PasswordLink> {
    actor.require_admin()?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let v = check_user(&mut tx, draft, None).await?;
    let id = insert_user(&mut tx, &v, now).await?;
    let after = repo::user_edit(&mut *tx, id).await?;
    record::<(), _>(
        &mut tx,
        actor.id,
        now,
        "user.create",
        "user",
        Some(id),
        &format!(
            "Created {} {} <{}>",
            v.role.label().to_lowercase(),
            v.name,
            v.email
        ),
        None,
        after.as_ref(),
    )
    .await?;
    let link = new_link(&mut tx, actor, id, &v.name, now).await?;
    tx.commit().await?;
    Ok(link)
}

async fn insert_user(conn: &mut SqliteConnection, v: &ValidUser, now: i64) -> AppResult<i64> {
    users::insert(
        conn,
        &users::NewUser {
            email: v.email.as_str(),
            name: &v.name,
            role: v.role,
            org_id: v.org_id,
            team_id: v.team_id,
            tier: v.tier,
            department: v.department.as_deref(),
            location: v.location.as_deref(),
            job_title: v.job_title.as_deref(),
            phone: v.phone.as_deref(),
            password_hash: NO_PASSWORD,
            created_at: now,
        },
    )
    .await
    .map_err(|e| {
        unique_or(e, || {
            format!("An account with the address {} already exists.", v.email)
        })
    })
}

pub async fn update_user(
    state: &AppState,
    actor: &Actor,
    id: i64,
    draft: &UserDraft,
) -> AppResult<()> {
    actor.require_admin()?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let before = repo::user_edit(&mut *tx, id)
        .await?
        .ok_or_else(|| user_not_found(id))?;
    let v = check_user(&mut tx, draft, Some(id)).await?;
    if id == actor.id && v.role != Role::Admin {
        return Err(AppError::Conflict(
            "You cannot take the administrator role from yourself; ask another administrator."
                .into(),
        ));
    }
    if let Some((team, team_name)) = repo::team_led_by(&mut *tx, id).await? {
        if v.role != Role::Lead || v.team_id != Some(team) {
            return Err(AppError::Conflict(format!(
                "{} leads team {team_name}; choose another lead for the team first.",
                before.draft.name
            )));
        }
    }
    repo::update_user(&mut *tx, id, &v)
        .await
        .map_err(|e| unique_or(e, || format!("The address {} is taken.", v.email)))?;
    let after = repo::user_edit(&mut *tx, id).await?;
    record(
        &mut tx,
        actor.id,
        now,
        "user.update",
        "user",
        Some(id),
        &format!("Changed user {} <{}>", v.name, v.email),
        Some(&before),
        after.as_ref(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deactivates (never deletes) or reactivates an account. A deactivated person's sessions end.
pub async fn set_user_active(
    state: &AppState,
    actor: &Actor,
    id: i64,
    active: bool,
) -> AppResult<()> {
    actor.require_admin()?;
    if id == actor.id && !active {
        return Err(AppError::Conflict(
            "You cannot deactivate your own account.".into(),
        ));
    }
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let before = repo::user_edit(&mut *tx, id)
        .await?
        .ok_or_else(|| user_not_found(id))?;
    if before.active == active {
        return Ok(());
    }
    if !active {
        if let Some((_, team_name)) = repo::team_led_by(&mut *tx, id).await? {
            return Err(AppError::Conflict(format!(
                "{} leads team {team_name}; choose another lead for the team first.",
                before.draft.name
            )));
        }
        repo::end_sessions(&mut *tx, id).await?;
        repo::revoke_resets(&mut *tx, id, now).await?;
    }
    repo::set_user_active(&mut *tx, id, active).await?;
    record(
        &mut tx,
        actor.id,
        now,
        if active {
            "user.reactivate"
        } else {
            "user.deactivate"
        },
        "user",
        Some(id),
        &format!(
            "{} {} <{}>",
            if active { "Reactivated" } else { "Deactivated" },
            before.draft.name,
            before.draft.email
        ),
        Some(&serde_json::json!({ "active": before.active })),
        Some(&serde_json::json!({ "active": active })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A new one-time link for a person to set their password; earlier links stop working.
pub async fn password_link(state: &AppState, actor: &Actor, id: i64) -> AppResult<PasswordLink> {
    actor.require_admin()?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let user = repo::user_edit(&mut *tx, id)
        .await?
        .ok_or_else(|| user_not_found(id))?;
    if !user.active {
        return Err(AppError::Conflict(format!(
            "{} is deactivated; reactivate the account first.",
            user.draft.name
        )));
    }
    let link = new_link(&mut tx, actor, id, &user.draft.name, now).await?;
    record::<(), _>(
        &mut tx,
        actor.id,
        now,
        "user.password_link",
        "user",
        Some(id),
        &format!(
            "Created a password link for {} <{}>",
            user.draft.name, user.draft.email
        ),
        None,
        Some(&serde_json::json!({ "expires_at": link.expires_at })),
    )
    .await?;
    tx.commit().await?;
    Ok(link)
}

fn dead_link() -> AppError {
    AppError::NotFound(
        "This link has expired or was already used. Ask your administrator for a new one.".into(),
    )
}

fn well_formed_token(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Who a password link is for (nobody needs to be signed in).
pub async fn reset_info(state: &AppState, token: &str) -> AppResult<ResetInfo> {
    if !well_formed_token(token) {
        return Err(dead_link());
    }
    let (_, name, email) = repo::live_reset(&state.pool, &token_hash(token), state.now())
        .await?
        .ok_or_else(dead_link)?;
    Ok(ResetInfo { name, email })
}

/// Sets a new password through a one-time link; the link is used up and every session ends.
pub async fn reset_password(state: &AppState, token: &str, new_password: &str) -> AppResult<()> {
    if !well_formed_token(token) {
        return Err(dead_link());
    }
    validate_new_password(new_password).map_err(invalid)?;
    let now = state.now();
    let hash_of = token_hash(token);
    let (user_id, name, email) = repo::live_reset(&state.pool, &hash_of, now)
        .await?
        .ok_or_else(dead_link)?;
    let pw = new_password.to_string();
    let hash = tokio::task::spawn_blocking(move || password::hash(&pw))
        .await
        .map_err(|_| AppError::Internal)?
        .map_err(|_| AppError::Internal)?;
    let mut tx = state.pool.begin().await?;
    if !repo::use_reset(&mut *tx, &hash_of, now).await? {
        return Err(dead_link());
    }
    repo::set_password_hash(&mut *tx, user_id, &hash).await?;
    repo::end_sessions(&mut *tx, user_id).await?;
    repo::revoke_resets(&mut *tx, user_id, now).await?;
    record::<(), ()>(
        &mut tx,
        user_id,
        now,
        "user.password_set",
        "user",
        Some(user_id),
        &format!("{name} <{email}> set a new password with a one-time link"),
        None,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// CSV import

async fn read_import_rows(
    conn: &mut SqliteConnection,
    org_id: i64,
    csv: &str,
) -> AppResult<Vec<(ImportRow, Option<ValidUser>)>> {
    if csv.len() > MAX_IMPORT_BYTES {
        return Err(AppError::PayloadTooLarge(
            "The file is larger than 1 MB. Split it into smaller files.".into(),
        ));
    }
    match repo::org_active(&mut *conn, org_id).await? {
        None => return Err(invalid("That organization does not exist.".into())),
        Some(false) => {
            return Err(invalid(
                "That organization is deactivated; reactivate it first.".into(),
            ))
        }
        Some(true) => {}
    }
    let mut rows = read_import(csv, org_id).map_err(invalid)?;
    for (row, valid) in rows.iter_mut() {
        if let Some(v) = valid {
            if repo::email_taken(&mut *conn, v.email.as_str(), None).await? {
                row.error = Some(format!(
                    "An account with the address {} already exists.",
                    v.email
                ));
                *valid = None;
            }
        }
    }
    Ok(rows)
}

/// What an import would do, row by row; nothing is written.
pub async fn preview_import(
    state: &AppState,
    actor: &Actor,
    org_id: i64,
    csv: &str,
) -> AppResult<ImportPreview> {
    actor.require_admin()?;
    let mut conn = state.pool.acquire().await?;
    let rows = read_import_rows(&mut conn, org_id, csv).await?;
    let ready = rows.iter().all(|(_, v)| v.is_some());
    Ok(ImportPreview {
        rows: rows.into_iter().map(|(r, _)| r).collect(),
        ready,
    })
}

/// Creates every user of the file in one transaction, or none when any row has a problem.
/// They set their passwords through links an administrator makes from the user list.
pub async fn import_users(
    state: &AppState,
    actor: &Actor,
    org_id: i64,
    csv: &str,
) -> AppResult<usize> {
    actor.require_admin()?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let rows = read_import_rows(&mut tx, org_id, csv).await?;
    let bad = rows.iter().filter(|(_, v)| v.is_none()).count();
    if bad > 0 {
        return Err(invalid(format!(
            "Nothing was imported: {bad} of {} rows have a problem. Fix them and try again.",
            rows.len()
        )));
    }
    let mut emails = Vec::new();
    for (_, v) in &rows {
        if let Some(v) = v {
            insert_user(&mut tx, v, now).await?;
            emails.push(v.email.to_string());
        }
    }
    let (code, name) = orgs::code_and_name(&mut *tx, org_id)
        .await?
        .ok_or(AppError::Internal)?;
    record::<(), _>(
        &mut tx,
        actor.id,
        now,
        "user.import",
        "organization",
        Some(org_id),
        &format!("Imported {} users into {name} ({code})", emails.len()),
        None,
        Some(&emails),
    )
    .await?;
    tx.commit().await?;
    Ok(emails.len())
}

// ---------------------------------------------------------------------------------------------
// Teams

async fn team_row(conn: &mut SqliteConnection, id: i64) -> AppResult<Option<TeamRow>> {
    let Some(f) = repo::team_facts(&mut *conn, id).await? else {
        return Ok(None);
    };
    let lead = match f.lead_id {
        Some(lead) => users::name(&mut *conn, lead)
            .await?
            .map(|name| crate::model::UserRef { id: lead, name }),
        None => None,
    };
    Ok(Some(TeamRow {
        id: f.id,
        name: f.name,
        lead,
        members: repo::team_members(&mut *conn, id).await?,
        orgs: repo::team_orgs(&mut *conn, id).await?,
    }))
}

pub async fn list_teams(state: &AppState, actor: &Actor) -> AppResult<Vec<TeamRow>> {
    actor.require_admin()?;
    let mut conn = state.pool.acquire().await?;
    let mut rows = Vec::new();
    for (id, _) in teams::list(&mut *conn).await? {
        if let Some(row) = team_row(&mut conn, id).await? {
            rows.push(row);
        }
    }
    Ok(rows)
}

pub async fn team_choices(state: &AppState, actor: &Actor) -> AppResult<TeamChoices> {
    actor.require_admin()?;
    let mut conn = state.pool.acquire().await?;
    let leads = repo::staff_with_roles(&mut conn, &[Role::Lead])
        .await?
        .into_iter()
        .map(|(id, name, ..)| Choice { id, label: name })
        .collect();
    let analysts = repo::staff_with_roles(&mut conn, &[Role::Analyst, Role::Senior])
        .await?
        .into_iter()
        .map(|(id, name, _, tier, team)| Choice {
            id,
            label: format!(
                "{name} (tier {}{})",
                tier.unwrap_or(1),
                team.map(|t| format!(", team {t}")).unwrap_or_default()
            ),
        })
        .collect();
    Ok(TeamChoices {
        leads,
        analysts,
        orgs: repo::org_choices(&mut *conn).await?,
    })
}

/// Creates (no `id`) or changes a team: its name, lead, members and the organizations it serves.
pub async fn save_team(
    state: &AppState,
    actor: &Actor,
    id: Option<i64>,
    draft: &TeamDraft,
) -> AppResult<i64> {
    actor.require_admin()?;
    let v = draft.validate().map_err(invalid)?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let before = match id {
        Some(id) => Some(
            team_row(&mut tx, id)
                .await?
                .ok_or_else(|| AppError::NotFound(format!("There is no team {id}.")))?,
        ),
        None => None,
    };
    if repo::team_name_taken(&mut *tx, &v.name, id).await? {
        return Err(AppError::Conflict(format!(
            "There is already a team called {}.",
            v.name
        )));
    }
    let lead = repo::roles_of(&mut tx, &[v.lead_id]).await?;
    match lead.first() {
        Some((_, role, true)) if role == Role::Lead.as_str() => {}
        Some(_) => {
            return Err(invalid(
                "The chosen lead is not an active team lead; give them the team lead role first."
                    .into(),
            ))
        }
        None => return Err(invalid("The chosen lead does not exist.".into())),
    }
    if let Some((other, other_name)) = repo::team_led_by(&mut *tx, v.lead_id).await? {
        if Some(other) != id {
            return Err(AppError::Conflict(format!(
                "That person already leads team {other_name}."
            )));
        }
    }
    let members = repo::roles_of(&mut tx, &v.members).await?;
    if members.len() != v.members.len()
        || members
            .iter()
            .any(|(_, role, active)| !active || !matches!(role.as_str(), "analyst" | "senior"))
    {
        return Err(invalid(
            "Team members must be active analysts or senior analysts.".into(),
        ));
    }
    if repo::count_existing(&mut tx, "organizations", &v.orgs).await? != v.orgs.len() as i64 {
        return Err(invalid(
            "One of the chosen organizations does not exist.".into(),
        ));
    }
    let team_id = match id {
        Some(id) => {
            repo::rename_team(&mut *tx, id, &v.name)
                .await
                .map_err(|e| unique_or(e, || format!("The name {} is taken.", v.name)))?;
            id
        }
        None => teams::insert(&mut *tx, &v.name, now)
            .await
            .map_err(|e| unique_or(e, || format!("The name {} is taken.", v.name)))?,
    };
    teams::set_lead(&mut *tx, team_id, v.lead_id).await?;
    repo::set_user_team(&mut *tx, v.lead_id, Some(team_id)).await?;
    repo::clear_members(&mut *tx, team_id).await?;
    for m in &v.members {
        repo::set_user_team(&mut *tx, *m, Some(team_id)).await?;
    }
    repo::clear_team_orgs(&mut *tx, team_id).await?;
    for org in &v.orgs {
        teams::serve_org(&mut *tx, team_id, *org).await?;
    }
    let after = team_row(&mut tx, team_id).await?;
    record(
        &mut tx,
        actor.id,
        now,
        if id.is_some() {
            "team.update"
        } else {
            "team.create"
        },
        "team",
        Some(team_id),
        &format!(
            "{} team {}",
            if id.is_some() { "Changed" } else { "Created" },
            v.name
        ),
        before.as_ref(),
        after.as_ref(),
    )
    .await?;
    tx.commit().await?;
    Ok(team_id)
}

// ---------------------------------------------------------------------------------------------
// Categories

pub async fn list_categories(state: &AppState, actor: &Actor) -> AppResult<Vec<CategoryRow>> {
    actor.require_admin()?;
    Ok(repo::category_rows(&state.pool).await?)
}

pub async fn save_category(
    state: &AppState,
    actor: &Actor,
    id: Option<i64>,
    draft: &CategoryDraft,
) -> AppResult<i64> {
    actor.require_admin()?;
    let v = draft.validate().map_err(invalid)?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    if repo::category_name_taken(&mut *tx, &v.name, id).await? {
        return Err(AppError::Conflict(format!(
            "There is already a category called {}.",
            v.name
        )));
    }
    let all = repo::category_rows(&mut *tx).await?;
    let before = id.and_then(|id| all.into_iter().find(|c| c.id == id));
    let cat_id = match id {
        Some(id) => {
            if before.is_none() {
                return Err(AppError::NotFound(format!("There is no category {id}.")));
            }
            repo::update_category(&mut *tx, id, &v.name, v.default_priority, v.active).await?;
            id
        }
        None => {
            let new_id = desk::insert_category(&mut *tx, &v.name, v.default_priority)
                .await
                .map_err(|e| unique_or(e, || format!("The name {} is taken.", v.name)))?;
            if !v.active {
                repo::update_category(&mut *tx, new_id, &v.name, v.default_priority, false).await?;
            }
            new_id
        }
    };
    record(
        &mut tx,
        actor.id,
        now,
        if id.is_some() {
            "category.update"
        } else {
            "category.create"
        },
        "category",
        Some(cat_id),
        &format!(
            "{} category {}",
            if id.is_some() { "Changed" } else { "Created" },
            v.name
        ),
        before.as_ref(),
        Some(&v),
    )
    .await?;
    tx.commit().await?;
    Ok(cat_id)
}

// ---------------------------------------------------------------------------------------------
// Canned responses

pub async fn list_canned(state: &AppState, actor: &Actor) -> AppResult<Vec<CannedResponse>> {
    actor.require_admin()?;
    Ok(repo::canned(&state.pool, false).await?)
}

/// The active canned responses, for staff writing a reply.
pub async fn canned_for_staff(state: &AppState, actor: &Actor) -> AppResult<Vec<CannedResponse>> {
    actor.require_staff()?;
    Ok(repo::canned(&state.pool, true).await?)
}

pub async fn save_canned(
    state: &AppState,
    actor: &Actor,
    id: Option<i64>,
    draft: &CannedDraft,
) -> AppResult<i64> {
    actor.require_admin()?;
    let v = draft.validate().map_err(invalid)?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    if repo::canned_title_taken(&mut *tx, &v.title, id).await? {
        return Err(AppError::Conflict(format!(
            "There is already a canned response called {}.",
            v.title
        )));
    }
    let before = match id {
        Some(id) => Some(
            repo::canned_one(&mut *tx, id)
                .await?
                .ok_or_else(|| AppError::NotFound(format!("There is no canned response {id}.")))?,
        ),
        None => None,
    };
    let canned_id = match id {
        Some(id) => {
            repo::update_canned(&mut *tx, id, &v.title, &v.body, v.active, now).await?;
            id
        }
        None => repo::insert_canned(&mut *tx, &v.title, &v.body, v.active, now)
            .await
            .map_err(|e| unique_or(e, || format!("The title {} is taken.", v.title)))?,
    };
    record(
        &mut tx,
        actor.id,
        now,
        if id.is_some() {
            "canned.update"
        } else {
            "canned.create"
        },
        "canned_response",
        Some(canned_id),
        &format!(
            "{} canned response {}",
            if id.is_some() { "Changed" } else { "Created" },
            v.title
        ),
        before.as_ref(),
        Some(&v),
    )
    .await?;
    tx.commit().await?;
    Ok(canned_id)
}

// ---------------------------------------------------------------------------------------------
// Audit log

pub async fn audit_page(
    state: &AppState,
    actor: &Actor,
    before: Option<i64>,
) -> AppResult<AuditPage> {
    actor.require_admin()?;
    let entries = audit::page(&state.pool, before, AUDIT_PAGE + 1).await?;
    let more = entries.len() as i64 > AUDIT_PAGE;
    let entries: Vec<AuditEntry> = entries.into_iter().take(AUDIT_PAGE as usize).collect();
    Ok(AuditPage {
        older: if more {
            entries.last().map(|e| e.id)
        } else {
            None
        },
        entries,
        now: state.now(),
    })
}
