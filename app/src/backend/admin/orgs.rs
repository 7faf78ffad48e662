//! Organizations: their details, business-hours calendar, holidays, SLA policy per priority,
//! the teams that serve them, and deactivation (its users can no longer sign in; tickets stay).

use super::change::{AdminChange, Audit};
use super::toggle::{self, toggle, Found};
use super::{invalid, unique_or};
use crate::backend::db::Conn;
use crate::backend::policy::Actor;
use crate::backend::repo;
use crate::backend::state::AppState;
use crate::model::admin::{format_hhmm, AuditAction, OrgDraft, OrgEdit, OrgRow, ValidOrg};
use crate::model::sla::parse_time_zone;
use crate::model::{AppError, AppResult};

pub async fn list_orgs(state: &AppState, actor: &Actor) -> AppResult<Vec<OrgRow>> {
    actor.require_admin()?;
    let mut conn = state.pool.acquire().await?;
    Ok(repo::orgs::rows(&mut conn).await?)
}

async fn load_org(conn: &mut Conn, id: i64) -> AppResult<Option<OrgEdit>> {
    let Some(policy) = repo::sla::load(conn, id).await? else {
        return Ok(None);
    };
    let (code, name) = repo::orgs::code_and_name(&mut *conn, id)
        .await?
        .ok_or(AppError::Internal)?;
    let active = repo::orgs::active(&mut *conn, id).await?.unwrap_or(false);
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
            holidays: repo::sla::holidays(&mut *conn, id).await?,
            teams: repo::teams::serving(&mut *conn, id).await?,
        },
    }))
}

fn org_not_found(id: i64) -> AppError {
    AppError::NotFound(format!("There is no organization {id}."))
}

pub async fn org(state: &AppState, actor: &Actor, id: i64) -> AppResult<OrgEdit> {
    actor.require_admin()?;
    let mut conn = state.pool.acquire().await?;
    existing_org(&mut conn, id).await
}

async fn existing_org(conn: &mut Conn, id: i64) -> AppResult<OrgEdit> {
    load_org(conn, id).await?.ok_or_else(|| org_not_found(id))
}

/// Checks what the model cannot: the time zone exists, the code is free, the teams exist.
async fn check_org(conn: &mut Conn, draft: &OrgDraft, except: Option<i64>) -> AppResult<ValidOrg> {
    let valid = draft.validate().map_err(invalid)?;
    parse_time_zone(&valid.time_zone).map_err(invalid)?;
    if repo::orgs::code_taken(&mut *conn, &valid.code, except).await? {
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

async fn write_org_details(conn: &mut Conn, id: i64, v: &ValidOrg) -> AppResult<()> {
    let days = v.hours.days_string();
    repo::orgs::update(
        &mut *conn,
        id,
        &repo::orgs::Settings {
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
        repo::sla::set_target(&mut *conn, id, target).await?;
    }
    repo::sla::clear_holidays(&mut *conn, id).await?;
    for (day, name) in &v.holidays {
        repo::sla::add_holiday(&mut *conn, id, day, name).await?;
    }
    repo::teams::stop_serving(&mut *conn, id).await?;
    for team in &v.teams {
        repo::teams::serve_org(&mut *conn, *team, id).await?;
    }
    Ok(())
}

pub async fn create_org(state: &AppState, actor: &Actor, draft: &OrgDraft) -> AppResult<i64> {
    let mut c = AdminChange::begin(state, actor).await?;
    let v = check_org(&mut c.tx, draft, None).await?;
    let days = v.hours.days_string();
    let id = repo::orgs::insert(
        &mut c.tx,
        &repo::orgs::NewOrg {
            code: &v.code,
            name: &v.name,
            time_zone: &v.time_zone,
            hours_start: i64::from(v.hours.start_min),
            hours_end: i64::from(v.hours.end_min),
            working_days: &days,
            created_at: c.now,
        },
    )
    .await
    .map_err(|e| unique_or(e, || format!("The short code {} is taken.", v.code)))?;
    write_org_details(&mut c.tx, id, &v).await?;
    let after = existing_org(&mut c.tx, id).await?;
    let summary = format!("Created organization {} ({})", v.name, v.code);
    c.commit(Audit::new(AuditAction::OrgCreate, id, summary).after(&after))
        .await?;
    Ok(id)
}

pub async fn update_org(
    state: &AppState,
    actor: &Actor,
    id: i64,
    draft: &OrgDraft,
) -> AppResult<()> {
    let mut c = AdminChange::begin(state, actor).await?;
    let before = existing_org(&mut c.tx, id).await?;
    let v = check_org(&mut c.tx, draft, Some(id)).await?;
    write_org_details(&mut c.tx, id, &v).await?;
    let after = existing_org(&mut c.tx, id).await?;
    let calendar = |d: &OrgDraft| {
        (
            d.time_zone.clone(),
            d.hours_start.clone(),
            d.hours_end.clone(),
            d.working_days,
            d.holidays.clone(),
        )
    };
    if calendar(&before.draft) != calendar(&after.draft) {
        // business-hours times in its reports were counted in the old calendar
        repo::reports::mark_org_days(&mut c.tx, id).await?;
    }
    let summary = format!("Changed organization {} ({})", v.name, v.code);
    c.commit(
        Audit::new(AuditAction::OrgUpdate, id, summary)
            .before(&before)
            .after(&after),
    )
    .await
}

/// Deactivates (or reactivates) an organization. Its users can no longer sign in and signed-in
/// users are refused from their next request; its tickets stay.
pub async fn set_org_active(
    state: &AppState,
    actor: &Actor,
    id: i64,
    active: bool,
) -> AppResult<()> {
    let load = async |conn: &mut Conn| {
        let was = repo::orgs::active(&mut *conn, id)
            .await?
            .ok_or_else(|| org_not_found(id))?;
        let (code, name) = repo::orgs::code_and_name(conn, id)
            .await?
            .ok_or(AppError::Internal)?;
        Ok(Found::new((), was, format!("organization {name} ({code})")))
    };
    let write = async |c: &mut AdminChange, _: &()| {
        Ok(repo::orgs::set_active(&mut c.tx, id, active).await?)
    };
    toggle(state, actor, &toggle::ORG, id, active, load, write).await?;
    Ok(())
}
