//! Sign-in and sign-out as the server functions see them: the steps of `auth` with the
//! request's cookies and address.

use super::auth::{self, Cookie, SignInOutcome, SignedIn};
use super::request;
use super::state::AppState;
use crate::model::second_factor::{SignInStep, CHALLENGE_SECS, TRUSTED_DEVICE_DAYS};
use crate::model::AppResult;

pub async fn with_password(email: &str, password: &str) -> AppResult<SignInStep> {
    let state = request::state()?;
    let client = request::client_info(&state.settings);
    match auth::sign_in(&state, email, password, &client).await? {
        SignInOutcome::SignedIn(signed_in) => {
            let path = signed_in.me.role.landing().path().to_string();
            hand_over_session(&state, &signed_in).await?;
            Ok(SignInStep::Landed { path })
        }
        SignInOutcome::Challenged { token, step } => {
            request::set_cookie(&Cookie::Challenge.set(&token, CHALLENGE_SECS, &state.settings));
            Ok(step)
        }
    }
}

pub async fn with_code(code: &str, trust_browser: bool) -> AppResult<SignInStep> {
    let state = request::state()?;
    let Some(challenge) = request::cookie(Cookie::Challenge, &state.settings) else {
        return Err(auth::challenge_expired());
    };
    let client = request::client_info(&state.settings);
    let answered = auth::answer_challenge(&state, &challenge, code, trust_browser, &client).await?;
    request::set_cookie(&Cookie::Challenge.clear(&state.settings));
    if let Some(token) = &answered.trusted_browser {
        let max_age = TRUSTED_DEVICE_DAYS * 86_400;
        request::set_cookie(&Cookie::TrustedBrowser.set(token, max_age, &state.settings));
    }
    hand_over_session(&state, &answered.signed_in).await?;
    Ok(answered.step)
}

/// Gives the browser its new session. A fresh session id at every sign-in: a planted cookie
/// never becomes a signed-in session. Only once signed in: a refused attempt leaves whoever
/// was signed in signed in.
async fn hand_over_session(state: &AppState, signed_in: &SignedIn) -> AppResult<()> {
    if let Some(old) = request::session_token(&state.settings) {
        auth::sign_out(state, &old).await?;
    }
    request::set_cookie(&auth::session_cookie(&signed_in.token, state));
    Ok(())
}

pub async fn sign_out() -> AppResult<()> {
    let state = request::state()?;
    if let Some(token) = request::session_token(&state.settings) {
        auth::sign_out(&state, &token).await?;
    }
    request::set_cookie(&Cookie::Session.clear(&state.settings));
    request::set_cookie(&Cookie::Challenge.clear(&state.settings));
    Ok(())
}
