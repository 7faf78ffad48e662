//! Integration tokens: made by an administrator for a dedicated service user with a role and a
//! scope, revoked by one; both audited.

use super::change::{AdminChange, Audit};
use crate::backend::api_tokens::mint;
use crate::backend::policy::Actor;
use crate::backend::repo::api_tokens::{self, NewToken};
use crate::backend::repo::{orgs, teams, users};
use crate::backend::state::AppState;
use crate::model::admin::AuditAction;
use crate::model::api_token::{
    expiry, valid_name, ApiTokenRow, IssuedToken, NewIntegration, TokenKind,
};
use crate::model::{AppError, AppResult, Role};
use serde_json::json;

/// Makes an integration token and its service user, as one audited administration change.
pub async fn create_integration(
    state: &AppState,
    actor: &Actor,
    input: &NewIntegration,
) -> AppResult<IssuedToken> {
    let mut change = AdminChange::begin(state, actor).await?;
    let name = valid_name(&input.name).map_err(AppError::Invalid)?;
    let expires_at = expiry(change.now, input.expires_in_days).map_err(AppError::Invalid)?;
    if input.role == Role::Admin {
        return Err(AppError::invalid(
            "An integration cannot act as an administrator.",
        ));
    }
    let org_id = match (input.org_id, input.role.is_client()) {
        (Some(org), true) => match orgs::active(&mut change.tx, org).await? {
            Some(true) => Some(org),
            Some(false) => return Err(AppError::invalid("That organization is deactivated.")),
            None => return Err(AppError::invalid("That organization does not exist.")),
        },
        (None, true) => {
            return Err(AppError::invalid(
                "A client role needs the organization it belongs to.",
            ))
        }
        (_, false) => None,
    };
    let team_id = match input.team_id {
        Some(team) if !input.role.is_client() => {
            teams::name(&mut change.tx, team)
                .await?
                .ok_or_else(|| AppError::invalid("That team does not exist."))?;
            Some(team)
        }
        _ => None,
    };
    let (token, prefix, hash) = mint();
    let email = format!("integration-{prefix}@api.invalid");
    let user_id = users::insert(
        &mut change.tx,
        &users::NewUser {
            email: &email,
            name: &format!("{name} (integration)"),
            role: input.role,
            org_id,
            team_id,
            tier: (!input.role.is_client()).then_some(1),
            department: None,
            location: None,
            job_title: Some("API integration"),
            phone: None,
            // service users never sign in
            password_hash: crate::backend::password::NO_PASSWORD,
            created_at: change.now,
        },
    )
    .await?;
    let id = api_tokens::insert(
        &mut change.tx,
        &NewToken {
            user_id,
            name: &name,
            kind: TokenKind::Integration,
            scope: Some(input.scope),
            token_hash: &hash,
            prefix: &prefix,
            created_at: change.now,
            expires_at,
        },
    )
    .await?;
    let audit = Audit::new(
        AuditAction::ApiTokenCreate,
        id,
        format!("Created integration token {name} (fl_{prefix}_…)"),
    )
    .after(&json!({
        "name": name,
        "prefix": prefix,
        "scope": input.scope.as_str(),
        "role": input.role.as_str(),
        "service_user_id": user_id,
        "expires_at": expires_at,
    }));
    change.commit(audit).await?;
    Ok(IssuedToken { id, token, prefix })
}

pub async fn list_integrations(state: &AppState, actor: &Actor) -> AppResult<Vec<ApiTokenRow>> {
    actor.require_admin()?;
    let mut conn = state.pool.acquire().await?;
    Ok(api_tokens::list(&mut conn, TokenKind::Integration, None).await?)
}

/// Revokes an integration token, as an audited administration change.
pub async fn revoke_integration(state: &AppState, actor: &Actor, id: i64) -> AppResult<()> {
    let mut change = AdminChange::begin(state, actor).await?;
    let now = change.now;
    if !api_tokens::revoke(&mut change.tx, id, TokenKind::Integration, None, now).await? {
        return Err(AppError::not_found("That integration token"));
    }
    change
        .commit(Audit::new(
            AuditAction::ApiTokenRevoke,
            id,
            "Revoked an integration token",
        ))
        .await
}
