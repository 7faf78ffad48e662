//! Users: create (with a one-time password link), edit, deactivate (never delete: the timeline
//! keeps their name), and the password links themselves.

use super::*;

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
    let mut tx = crate::backend::db::begin_write(&state.pool).await?;
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

pub(super) async fn insert_user(
    conn: &mut SqliteConnection,
    v: &ValidUser,
    now: i64,
) -> AppResult<i64> {
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
    let mut tx = crate::backend::db::begin_write(&state.pool).await?;
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
    let mut tx = crate::backend::db::begin_write(&state.pool).await?;
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
    let mut tx = crate::backend::db::begin_write(&state.pool).await?;
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
    let mut tx = crate::backend::db::begin_write(&state.pool).await?;
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
