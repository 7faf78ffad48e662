//! Users: create (with a one-time password link), edit, deactivate (never delete: the timeline
//! keeps their name), and the password links themselves.

use super::change::{AdminChange, Audit};
use super::toggle::{self, toggle, Found};
use super::{invalid, unique_or};
use crate::backend::auth::{new_token, token_hash};
use crate::backend::db::Conn;
use crate::backend::password;
use crate::backend::policy::Actor;
use crate::backend::repo;
use crate::backend::state::AppState;
use crate::model::admin::{
    AuditAction, PasswordLink, ResetInfo, UserDraft, UserEdit, UserFilter, UserRow, ValidUser,
    RESET_LINK_HOURS,
};
use crate::model::time::HOUR;
use crate::model::user::validate_new_password;
use crate::model::{AppError, AppResult, Role};

const USER_PAGE: i64 = 200;

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
    Ok(repo::users::rows(&mut conn, filter, USER_PAGE).await?)
}

fn user_not_found(id: i64) -> AppError {
    AppError::NotFound(format!("There is no user {id}."))
}

pub async fn user(state: &AppState, actor: &Actor, id: i64) -> AppResult<UserEdit> {
    actor.require_admin()?;
    let mut conn = state.pool.acquire().await?;
    load_user(&mut conn, id).await
}

async fn load_user(conn: &mut Conn, id: i64) -> AppResult<UserEdit> {
    repo::users::edit(conn, id)
        .await?
        .ok_or_else(|| user_not_found(id))
}

/// Checks what the model cannot: the address is free, the organization and team exist.
async fn check_user(
    conn: &mut Conn,
    draft: &UserDraft,
    except: Option<i64>,
) -> AppResult<ValidUser> {
    let v = draft.validate().map_err(invalid)?;
    if repo::users::email_taken(&mut *conn, v.email.as_str(), except).await? {
        return Err(AppError::Conflict(format!(
            "An account with the address {} already exists.",
            v.email
        )));
    }
    if let Some(org) = v.org_id {
        match repo::orgs::active(&mut *conn, org).await? {
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
        if repo::teams::name(&mut *conn, team).await?.is_none() {
            return Err(invalid("That team does not exist.".into()));
        }
    }
    Ok(v)
}

async fn new_link(
    conn: &mut Conn,
    actor: &Actor,
    user_id: i64,
    user_name: &str,
    now: i64,
) -> AppResult<PasswordLink> {
    let token = new_token();
    let expires_at = now + RESET_LINK_HOURS * HOUR;
    repo::password_resets::revoke(&mut *conn, user_id, now).await?;
    repo::password_resets::insert(
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
    let mut c = AdminChange::begin(state, actor).await?;
    let v = check_user(&mut c.tx, draft, None).await?;
    let id = insert_user(&mut c.tx, &v, c.now).await?;
    let after = load_user(&mut c.tx, id).await?;
    let link = new_link(&mut c.tx, actor, id, &v.name, c.now).await?;
    let summary = format!(
        "Created {} {} <{}>",
        v.role.label().to_lowercase(),
        v.name,
        v.email
    );
    c.commit(Audit::new(AuditAction::UserCreate, id, summary).after(&after))
        .await?;
    Ok(link)
}

pub(super) async fn insert_user(conn: &mut Conn, v: &ValidUser, now: i64) -> AppResult<i64> {
    repo::users::insert(
        conn,
        &repo::users::NewUser {
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
            password_hash: crate::backend::password::NO_PASSWORD,
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
    let mut c = AdminChange::begin(state, actor).await?;
    let before = load_user(&mut c.tx, id).await?;
    let v = check_user(&mut c.tx, draft, Some(id)).await?;
    if id == actor.id && v.role != Role::Admin {
        return Err(AppError::Conflict(
            "You cannot take the administrator role from yourself; ask another administrator."
                .into(),
        ));
    }
    if let Some((team, team_name)) = repo::teams::led_by(&mut c.tx, id).await? {
        if v.role != Role::Lead || v.team_id != Some(team) {
            return Err(AppError::Conflict(format!(
                "{} leads team {team_name}; choose another lead for the team first.",
                before.draft.name
            )));
        }
    }
    repo::users::update(&mut c.tx, id, &v)
        .await
        .map_err(|e| unique_or(e, || format!("The address {} is taken.", v.email)))?;
    let after = load_user(&mut c.tx, id).await?;
    let summary = format!("Changed user {} <{}>", v.name, v.email);
    c.commit(
        Audit::new(AuditAction::UserUpdate, id, summary)
            .before(&before)
            .after(&after),
    )
    .await
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
    let load = async |conn: &mut Conn| {
        let was = load_user(conn, id).await?;
        let what = format!("{} <{}>", was.draft.name, was.draft.email);
        Ok(Found::new(was.draft.name, was.active, what))
    };
    let write = async |c: &mut AdminChange, name: &String| {
        if !active {
            if let Some((_, team_name)) = repo::teams::led_by(&mut c.tx, id).await? {
                return Err(AppError::Conflict(format!(
                    "{name} leads team {team_name}; choose another lead for the team first."
                )));
            }
            repo::sessions::delete_for_user(&mut c.tx, id).await?;
            repo::password_resets::revoke(&mut c.tx, id, c.now).await?;
        }
        Ok(repo::users::set_active(&mut c.tx, id, active).await?)
    };
    toggle(state, actor, &toggle::USER, id, active, load, write).await?;
    Ok(())
}

/// A new one-time link for a person to set their password; earlier links stop working.
pub async fn password_link(state: &AppState, actor: &Actor, id: i64) -> AppResult<PasswordLink> {
    let mut c = AdminChange::begin(state, actor).await?;
    let user = load_user(&mut c.tx, id).await?;
    if !user.active {
        return Err(AppError::Conflict(format!(
            "{} is deactivated; reactivate the account first.",
            user.draft.name
        )));
    }
    let link = new_link(&mut c.tx, actor, id, &user.draft.name, c.now).await?;
    let summary = format!(
        "Created a password link for {} <{}>",
        user.draft.name, user.draft.email
    );
    c.commit(
        Audit::new(AuditAction::UserPasswordLink, id, summary)
            .after(&serde_json::json!({ "expires_at": link.expires_at })),
    )
    .await?;
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
    let (_, name, email) = repo::password_resets::live(
        &mut state.pool.acquire().await?,
        &token_hash(token),
        state.now(),
    )
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
    let (user_id, name, email) =
        repo::password_resets::live(&mut state.pool.acquire().await?, &hash_of, now)
            .await?
            .ok_or_else(dead_link)?;
    let pw = new_password.to_string();
    let hash = tokio::task::spawn_blocking(move || password::hash(&pw))
        .await
        .map_err(|_| AppError::Internal)?
        .map_err(|_| AppError::Internal)?;
    // the link is the permission: whoever holds it changes their own password
    let mut c = AdminChange::begin_by(state, user_id).await?;
    if !repo::password_resets::use_up(&mut c.tx, &hash_of, c.now).await? {
        return Err(dead_link());
    }
    repo::users::set_password_hash(&mut c.tx, user_id, &hash).await?;
    repo::sessions::delete_for_user(&mut c.tx, user_id).await?;
    repo::password_resets::revoke(&mut c.tx, user_id, c.now).await?;
    let summary = format!("{name} <{email}> set a new password with a one-time link");
    c.commit(Audit::new(AuditAction::UserPasswordSet, user_id, summary))
        .await
}
