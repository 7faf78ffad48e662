//! Categories with their default priorities, and canned responses for analysts.

use super::*;

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
    let mut tx = crate::backend::db::begin_write(&state.pool).await?;
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
    let mut tx = crate::backend::db::begin_write(&state.pool).await?;
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
