use super::wire::Form;
use crate::model::{AppError, Me};
use leptos::prelude::*;

/// The signed-in user, or `None` for a visitor.
#[server(prefix = "/api", endpoint = "me", protocol = Form)]
pub async fn get_me() -> Result<Option<Me>, AppError> {
    Ok(crate::backend::request::current_user())
}

/// Signs in and returns the path of the page this person should land on.
#[server(prefix = "/api", endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<String, AppError> {
    use crate::backend::{auth, request};
    let state = request::state()?;
    let client = request::client_info(&state.settings.trusted_proxies);
    let signed_in = auth::sign_in(&state, &email, &password, &client).await?;
    // a fresh session id at every sign-in: a planted cookie never becomes a signed-in session.
    // Only once signed in: a refused attempt leaves whoever was signed in signed in.
    if let Some(old) = request::session_token(&state.settings) {
        auth::sign_out(&state, &old).await?;
    }
    request::set_cookie(&auth::session_cookie(&signed_in.token, &state));
    Ok(signed_in.me.role.landing().path().to_string())
}

#[server(prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::backend::{auth, request};
    let state = request::state()?;
    if let Some(token) = request::session_token(&state.settings) {
        auth::sign_out(&state, &token).await?;
    }
    request::set_cookie(&auth::cleared_cookie(&state));
    Ok(())
}
