//! Maintenance windows: planned work during which an organization's monitoring alerts open no
//! ticket and page nobody. Team leads, managers and administrators plan them (they silence
//! paging); the staff who serve an organization see them, and its latest alerts.

use super::alerts::served_org;
use super::queue::visible_clients;
use crate::backend::policy::{Actor, TicketScope};
use crate::backend::repo::alerts::{self, NewWindow};
use crate::backend::repo::orgs;
use crate::backend::state::AppState;
use crate::model::alert::{validate_window, MaintenanceWindow, Monitoring, RECENT_ALERTS};
use crate::model::time::parse_datetime_utc;
use crate::model::{AppError, AppResult, Page, Role};

fn may_plan(actor: &Actor) -> bool {
    matches!(actor.role, Role::Lead | Role::Manager | Role::Admin)
}

/// The organizations whose windows `actor` sees: administrators every one, staff those they
/// serve.
async fn window_scope(state: &AppState, actor: &Actor) -> AppResult<TicketScope> {
    if actor.role == Role::Admin {
        Ok(TicketScope::All)
    } else if actor.is_staff() {
        actor.ticket_scope(&state.pool).await
    } else {
        Err(AppError::Forbidden(
            "Maintenance windows are the desk's to see and plan.".into(),
        ))
    }
}

/// The organizations `actor` may plan windows for, or why they plan none. Worked out before a
/// change's write transaction begins, which must not wait on another connection.
async fn planner_scope(state: &AppState, actor: &Actor) -> AppResult<TicketScope> {
    if !may_plan(actor) {
        return Err(AppError::Forbidden(
            "Team leads, managers and administrators plan maintenance windows.".into(),
        ));
    }
    window_scope(state, actor).await
}

/// The organization's maintenance windows still to come or running.
pub async fn maintenance_windows(
    state: &AppState,
    actor: &Actor,
    code: &str,
) -> AppResult<Vec<MaintenanceWindow>> {
    let scope = window_scope(state, actor).await?;
    let mut conn = state.pool.acquire().await?;
    let org_id = served_org(&mut conn, &scope, code).await?;
    Ok(alerts::windows(&mut conn, Some(&[org_id]), state.now()).await?)
}

/// The on-call page's monitoring: the latest alerts and every window running or to come in the
/// viewer's scope, and what they may plan for.
pub async fn monitoring(state: &AppState, actor: &Actor) -> AppResult<Monitoring> {
    actor.require_page(Page::OnCall)?;
    let scope = window_scope(state, actor).await?;
    let now = state.now();
    let mut conn = state.pool.acquire().await?;
    let orgs = scope.orgs();
    let alerts = alerts::recent(&mut conn, orgs.as_deref(), RECENT_ALERTS).await?;
    let windows = alerts::windows(&mut conn, orgs.as_deref(), now).await?;
    let orgs = if may_plan(actor) {
        visible_clients(&mut conn, &scope)
            .await?
            .into_iter()
            .map(|(_, code, name)| (code, name))
            .collect()
    } else {
        Vec::new()
    };
    Ok(Monitoring {
        now,
        alerts,
        windows,
        orgs,
    })
}

/// Plans a maintenance window for organization `code`.
pub async fn plan_maintenance(
    state: &AppState,
    actor: &Actor,
    code: &str,
    starts_at: i64,
    ends_at: i64,
    reason: &str,
) -> AppResult<MaintenanceWindow> {
    let now = state.now();
    let scope = planner_scope(state, actor).await?;
    let mut tx = crate::backend::db::begin_write(&state.pool).await?;
    let org_id = served_org(&mut tx, &scope, code).await?;
    let reason = validate_window(starts_at, ends_at, reason, now)
        .map_err(|refusal| AppError::Invalid(refusal.message))?;
    let (org_code, org_name) = orgs::code_and_name(&mut tx, org_id)
        .await?
        .ok_or(AppError::Internal)?;
    let window = NewWindow {
        org_id,
        starts_at,
        ends_at,
        reason: &reason,
        created_by: actor.id,
        created_at: now,
    };
    let id = alerts::insert_window(&mut tx, &window).await?;
    tx.commit().await?;
    Ok(MaintenanceWindow {
        id,
        org_code,
        org_name,
        starts_at,
        ends_at,
        reason,
    })
}

/// [`plan_maintenance`] from the on-call page's form: UTC date-times like 2026-11-23T18:00.
pub async fn plan_maintenance_from_form(
    state: &AppState,
    actor: &Actor,
    code: &str,
    starts: &str,
    ends: &str,
    reason: &str,
) -> AppResult<()> {
    let starts_at = parse_datetime_utc(starts).map_err(AppError::Invalid)?;
    let ends_at = parse_datetime_utc(ends).map_err(AppError::Invalid)?;
    plan_maintenance(state, actor, code, starts_at, ends_at, reason).await?;
    Ok(())
}

/// Ends a running window now, or cancels one still to come.
pub async fn end_maintenance(
    state: &AppState,
    actor: &Actor,
    code: &str,
    id: i64,
) -> AppResult<()> {
    let scope = planner_scope(state, actor).await?;
    let mut tx = crate::backend::db::begin_write(&state.pool).await?;
    let org_id = served_org(&mut tx, &scope, code).await?;
    if !alerts::end_window(&mut tx, org_id, id, state.now()).await? {
        return Err(AppError::not_found("That maintenance window"));
    }
    tx.commit().await?;
    Ok(())
}
