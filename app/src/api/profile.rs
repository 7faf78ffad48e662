//! The signed-in person's own preferences.

use super::wire::Form;
use crate::model::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend::{repo::users, request};

/// Whether the signed-in person mutes mail that is not essential.
#[server(prefix = "/api", endpoint = "mute_setting", protocol = Form)]
pub async fn get_mute() -> Result<bool, AppError> {
    let actor = request::actor()?;
    Ok(users::mute_non_essential(&request::state()?.pool, actor.id).await?)
}

#[server(prefix = "/api", endpoint = "set_mute", protocol = Form)]
pub async fn set_mute(mute: bool) -> Result<(), AppError> {
    let actor = request::actor()?;
    users::set_mute_non_essential(&request::state()?.pool, actor.id, mute).await?;
    Ok(())
}
