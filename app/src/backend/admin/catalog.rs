//! Categories with their default priorities, and canned responses for analysts.

use super::change::{AdminChange, Audit};
use super::{invalid, unique_or};
use crate::backend::policy::Actor;
use crate::backend::repo;
use crate::backend::state::AppState;
use crate::model::admin::{AuditAction, CannedDraft, CannedResponse, CategoryDraft, CategoryRow};
use crate::model::{AppError, AppResult};

pub async fn list_categories(state: &AppState, actor: &Actor) -> AppResult<Vec<CategoryRow>> {
    actor.require_admin()?;
    Ok(repo::categories::rows(&mut state.pool.acquire().await?).await?)
}

pub async fn save_category(
    state: &AppState,
    actor: &Actor,
    id: Option<i64>,
    draft: &CategoryDraft,
) -> AppResult<i64> {
    let mut c = AdminChange::begin(state, actor).await?;
    let v = draft.validate().map_err(invalid)?;
    if repo::categories::name_taken(&mut c.tx, &v.name, id).await? {
        return Err(AppError::Conflict(format!(
            "There is already a category called {}.",
            v.name
        )));
    }
    let all = repo::categories::rows(&mut c.tx).await?;
    let before = id.and_then(|id| all.into_iter().find(|c| c.id == id));
    let cat_id = match id {
        Some(id) => {
            if before.is_none() {
                return Err(AppError::NotFound(format!("There is no category {id}.")));
            }
            repo::categories::update(&mut c.tx, id, &v.name, v.default_priority, v.active).await?;
            id
        }
        None => {
            let new_id = repo::categories::insert(&mut c.tx, &v.name, v.default_priority)
                .await
                .map_err(|e| unique_or(e, || format!("The name {} is taken.", v.name)))?;
            if !v.active {
                repo::categories::update(&mut c.tx, new_id, &v.name, v.default_priority, false)
                    .await?;
            }
            new_id
        }
    };
    let actions = (AuditAction::CategoryCreate, AuditAction::CategoryUpdate);
    let what = format!("category {}", v.name);
    c.commit(Audit::saved(actions, cat_id, &what, before.as_ref()).after(&v))
        .await?;
    Ok(cat_id)
}

// ---------------------------------------------------------------------------------------------
// Canned responses

pub async fn list_canned(state: &AppState, actor: &Actor) -> AppResult<Vec<CannedResponse>> {
    actor.require_admin()?;
    Ok(repo::canned::list(&mut state.pool.acquire().await?, false).await?)
}

/// The active canned responses, for staff writing a reply.
pub async fn canned_for_staff(state: &AppState, actor: &Actor) -> AppResult<Vec<CannedResponse>> {
    actor.require_staff()?;
    Ok(repo::canned::list(&mut state.pool.acquire().await?, true).await?)
}

pub async fn save_canned(
    state: &AppState,
    actor: &Actor,
    id: Option<i64>,
    draft: &CannedDraft,
) -> AppResult<i64> {
    let mut c = AdminChange::begin(state, actor).await?;
    let v = draft.validate().map_err(invalid)?;
    if repo::canned::title_taken(&mut c.tx, &v.title, id).await? {
        return Err(AppError::Conflict(format!(
            "There is already a canned response called {}.",
            v.title
        )));
    }
    let before = match id {
        Some(id) => Some(
            repo::canned::one(&mut c.tx, id)
                .await?
                .ok_or_else(|| AppError::NotFound(format!("There is no canned response {id}.")))?,
        ),
        None => None,
    };
    let canned_id = match id {
        Some(id) => {
            repo::canned::update(&mut c.tx, id, &v.title, &v.body, v.active, c.now).await?;
            id
        }
        None => repo::canned::insert(&mut c.tx, &v.title, &v.body, v.active, c.now)
            .await
            .map_err(|e| unique_or(e, || format!("The title {} is taken.", v.title)))?,
    };
    let actions = (AuditAction::CannedCreate, AuditAction::CannedUpdate);
    let what = format!("canned response {}", v.title);
    c.commit(Audit::saved(actions, canned_id, &what, before.as_ref()).after(&v))
        .await?;
    Ok(canned_id)
}
