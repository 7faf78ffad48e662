//! The ops dashboard (leads and managers).

use super::wire::FormArgs;
use crate::model::dashboard::{Dashboard, Volume};
use crate::model::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend::{dashboard, request};

#[server(prefix = "/api", endpoint = "dashboard", protocol = FormArgs)]
pub async fn get_dashboard() -> Result<Dashboard, AppError> {
    let actor = request::actor()?;
    dashboard::dashboard(&request::state()?, &actor).await
}

/// Arrivals over the last day and week, for one client (by code) or all of them.
#[server(prefix = "/api", endpoint = "dashboard_volume", protocol = FormArgs)]
pub async fn get_volume(client: Option<String>) -> Result<Volume, AppError> {
    let actor = request::actor()?;
    dashboard::volume(&request::state()?, &actor, client.as_deref()).await
}
