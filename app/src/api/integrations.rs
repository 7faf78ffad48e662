//! Integration tokens: made by an administrator for a service user with a role and a scope, shown
//! once, revoked by one. Administrators only (the backend checks).

use super::wire::{FormArgs, JsonArgs};
use crate::model::api_token::{ApiTokenRow, IssuedToken, NewIntegration};
use crate::model::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend::{admin, request};

#[server(prefix = "/api", endpoint = "admin/integrations", protocol = FormArgs)]
pub async fn list_integrations() -> Result<Vec<ApiTokenRow>, AppError> {
    admin::list_integrations(&request::state()?, &request::actor()?).await
}

/// Makes the token and its service user; the token's secret is in this answer only.
#[server(prefix = "/api", endpoint = "admin/create_integration", protocol = JsonArgs)]
pub async fn create_integration(integration: NewIntegration) -> Result<IssuedToken, AppError> {
    admin::create_integration(&request::state()?, &request::actor()?, &integration).await
}

#[server(prefix = "/api", endpoint = "admin/revoke_integration", protocol = FormArgs)]
pub async fn revoke_integration(id: i64) -> Result<(), AppError> {
    admin::revoke_integration(&request::state()?, &request::actor()?, id).await
}
