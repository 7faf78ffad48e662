//! An organization's mail domains: mail from a stranger at one of them opens a ticket for that
//! organization (and a client account for the stranger). A domain belongs to one at most.

use super::change::{AdminChange, Audit};
use super::{invalid, unique_or};
use crate::backend::db::Conn;
use crate::backend::policy::Actor;
use crate::backend::repo::{held_mail as repo, orgs};
use crate::backend::state::AppState;
use crate::model::admin::{clean_domain, AuditAction};
use crate::model::{AppError, AppResult};
use serde_json::json;

pub async fn mail_domains(state: &AppState, actor: &Actor, org_id: i64) -> AppResult<Vec<String>> {
    actor.require_admin()?;
    let mut conn = state.pool.acquire().await?;
    org_label(&mut conn, org_id).await?;
    Ok(repo::domains_of(&mut conn, org_id).await?)
}

/// "Northwind (NWL)", or 404.
async fn org_label(conn: &mut Conn, org_id: i64) -> AppResult<String> {
    let (code, name) = orgs::code_and_name(conn, org_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("There is no organization {org_id}.")))?;
    Ok(format!("{name} ({code})"))
}

/// Adds a mail domain to an organization; returns it as stored.
pub async fn add_mail_domain(
    state: &AppState,
    actor: &Actor,
    org_id: i64,
    raw: &str,
) -> AppResult<String> {
    actor.require_admin()?;
    remember_domain(state, actor.id, org_id, raw).await
}

/// The domain `raw` names if it is free or already the organization's; why not otherwise.
pub(super) async fn free_domain(conn: &mut Conn, org_id: i64, raw: &str) -> AppResult<String> {
    let domain = clean_domain(raw).map_err(invalid)?;
    match repo::owner_of(conn, &domain).await? {
        Some(owner) if owner != org_id => Err(AppError::Conflict(format!(
            "{domain} already belongs to {}; remove it there first.",
            org_label(conn, owner).await?
        ))),
        _ => Ok(domain),
    }
}

/// Adds the domain for a caller that checked its own permission (a lead deciding where a
/// stranger's mail goes remembers the stranger's domain).
pub(super) async fn remember_domain(
    state: &AppState,
    actor_id: i64,
    org_id: i64,
    raw: &str,
) -> AppResult<String> {
    let mut c = AdminChange::begin_by(state, actor_id).await?;
    let org = org_label(&mut c.tx, org_id).await?;
    let domain = free_domain(&mut c.tx, org_id, raw).await?;
    if repo::owner_of(&mut c.tx, &domain).await? == Some(org_id) {
        return Ok(domain);
    }
    repo::add_domain(&mut c.tx, &domain, org_id, c.now)
        .await
        .map_err(|e| {
            unique_or(e, || {
                format!("{domain} was just given to another organization.")
            })
        })?;
    let summary = format!("Added the mail domain {domain} to {org}");
    c.commit(
        Audit::new(AuditAction::OrgMailDomainAdd, org_id, summary)
            .after(&json!({ "domain": domain })),
    )
    .await?;
    Ok(domain)
}

pub async fn remove_mail_domain(
    state: &AppState,
    actor: &Actor,
    org_id: i64,
    domain: &str,
) -> AppResult<()> {
    let mut c = AdminChange::begin(state, actor).await?;
    let org = org_label(&mut c.tx, org_id).await?;
    let domain = domain.trim().to_ascii_lowercase();
    if !repo::remove_domain(&mut c.tx, &domain, org_id).await? {
        return Err(AppError::NotFound(format!(
            "{org} has no mail domain {domain}."
        )));
    }
    let summary = format!("Removed the mail domain {domain} from {org}");
    c.commit(
        Audit::new(AuditAction::OrgMailDomainRemove, org_id, summary)
            .before(&json!({ "domain": domain })),
    )
    .await
}
