//! The signed-in person's own preferences.

use super::wire::FormArgs;
use crate::model::api_token::{ApiTokenRow, IssuedToken};
use crate::model::second_factor::{EnrolmentOffer, SecondFactorStatus};
use crate::model::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend::{api_tokens, repo::users, request, second_factor};

/// Whether the signed-in person mutes mail that is not essential.
#[server(prefix = "/api", endpoint = "mute_setting", protocol = FormArgs)]
pub async fn get_mute() -> Result<bool, AppError> {
    let actor = request::actor()?;
    Ok(users::mute_non_essential(&mut request::state()?.pool.acquire().await?, actor.id).await?)
}

#[server(prefix = "/api", endpoint = "set_mute", protocol = FormArgs)]
pub async fn set_mute(mute: bool) -> Result<(), AppError> {
    let actor = request::actor()?;
    users::set_mute_non_essential(&mut request::state()?.pool.acquire().await?, actor.id, mute)
        .await?;
    Ok(())
}

/// The signed-in person's second factor and trusted browsers.
#[server(prefix = "/api", endpoint = "second_factor", protocol = FormArgs)]
pub async fn get_second_factor() -> Result<SecondFactorStatus, AppError> {
    second_factor::status(&request::state()?, &request::actor()?).await
}

/// Starts setting up a second factor: a new secret for the authenticator app.
#[server(prefix = "/api", endpoint = "start_second_factor", protocol = FormArgs)]
pub async fn start_second_factor() -> Result<EnrolmentOffer, AppError> {
    second_factor::start_enrolment(&request::state()?, &request::actor()?).await
}

/// Finishes setting up with the app's first code; answers the recovery codes, shown once.
#[server(prefix = "/api", endpoint = "finish_second_factor", protocol = FormArgs)]
pub async fn finish_second_factor(code: String) -> Result<Vec<String>, AppError> {
    second_factor::finish_enrolment(&request::state()?, &request::actor()?, &code).await
}

/// New recovery codes for a current code; the old ones stop working.
#[server(prefix = "/api", endpoint = "renew_recovery_codes", protocol = FormArgs)]
pub async fn renew_recovery_codes(code: String) -> Result<Vec<String>, AppError> {
    second_factor::renew_recovery_codes(&request::state()?, &request::actor()?, &code).await
}

#[server(prefix = "/api", endpoint = "turn_off_second_factor", protocol = FormArgs)]
pub async fn turn_off_second_factor(code: String) -> Result<(), AppError> {
    second_factor::turn_off(&request::state()?, &request::actor()?, &code).await
}

#[server(prefix = "/api", endpoint = "forget_trusted_browsers", protocol = FormArgs)]
pub async fn forget_trusted_browsers() -> Result<(), AppError> {
    second_factor::forget_browsers(&request::state()?, &request::actor()?).await
}

/// The signed-in person's own API tokens, newest first.
#[server(prefix = "/api", endpoint = "api_tokens", protocol = FormArgs)]
pub async fn get_api_tokens() -> Result<Vec<ApiTokenRow>, AppError> {
    api_tokens::list_personal(&request::state()?, &request::actor()?).await
}

/// A new personal token, expiring after `expires_in_days` (never without); its secret is in
/// this answer only.
#[server(prefix = "/api", endpoint = "create_api_token", protocol = FormArgs)]
pub async fn create_api_token(
    name: String,
    expires_in_days: Option<i64>,
) -> Result<IssuedToken, AppError> {
    api_tokens::create_personal(
        &request::state()?,
        &request::actor()?,
        &name,
        expires_in_days,
    )
    .await
}

/// Revokes one of the signed-in person's own tokens: scripts using it stop at their next call.
#[server(prefix = "/api", endpoint = "revoke_api_token", protocol = FormArgs)]
pub async fn revoke_api_token(id: i64) -> Result<(), AppError> {
    api_tokens::revoke_personal(&request::state()?, &request::actor()?, id).await
}
