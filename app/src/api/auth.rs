use super::wire::FormArgs;
use crate::model::second_factor::SignInStep;
use crate::model::{AppError, Me};
use leptos::prelude::*;

/// The signed-in user, or `None` for a visitor.
#[server(prefix = "/api", endpoint = "me", protocol = FormArgs)]
pub async fn get_me() -> Result<Option<Me>, AppError> {
    Ok(crate::backend::request::current_user())
}

/// Signs in with a password: lands, or asks for the second factor (or for setting one up).
#[server(prefix = "/api", endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<SignInStep, AppError> {
    crate::backend::sign_in::with_password(&email, &password).await
}

/// The second step of a sign-in: the code from the authenticator app or a recovery code.
/// `trust_browser` is a checkbox: present (any value) when ticked.
#[server(prefix = "/api", endpoint = "sign_in_code")]
pub async fn sign_in_code(
    code: String,
    trust_browser: Option<String>,
) -> Result<SignInStep, AppError> {
    crate::backend::sign_in::with_code(&code, trust_browser.is_some()).await
}

#[server(prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    crate::backend::sign_in::sign_out().await
}
