//! Small helpers that server functions use to reach the shared state and the signed-in person.

use super::auth::{self, ClientInfo};
use super::policy::Actor;
use super::state::AppState;
use crate::model::{AppError, AppResult, Me};
use http::request::Parts;
use http::{header, HeaderValue};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use std::net::SocketAddr;

/// The signed-in user, put on each request by the server's session layer.
#[derive(Debug, Clone)]
pub struct SessionUser(pub Me);

pub fn state() -> AppResult<AppState> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        AppError::Internal
    })
}

fn parts() -> Option<Parts> {
    use_context::<Parts>()
}

pub fn current_user() -> Option<Me> {
    parts().and_then(|p| p.extensions.get::<SessionUser>().map(|s| s.0.clone()))
}

/// The signed-in person, or 401.
pub fn actor() -> AppResult<Actor> {
    current_user()
        .map(|me| Actor::from(&me))
        .ok_or_else(AppError::sign_in_required)
}

pub fn session_token() -> Option<String> {
    let parts = parts()?;
    let cookies = parts.headers.get(header::COOKIE)?.to_str().ok()?;
    auth::token_from_cookie_header(cookies).map(str::to_string)
}

pub fn client_info() -> ClientInfo {
    let Some(parts) = parts() else {
        return ClientInfo::default();
    };
    ClientInfo {
        ip: parts
            .extensions
            .get::<axum::extract::ConnectInfo<SocketAddr>>()
            .map(|ci| ci.0.ip().to_string()),
        user_agent: parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
    }
}

pub fn set_cookie(value: &str) {
    if let (Some(res), Ok(value)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(value),
    ) {
        res.append_header(header::SET_COOKIE, value);
    }
}
