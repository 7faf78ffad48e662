//! Who calls `/api/v1`: a bearer token (`Authorization: Bearer fl_...`) and nothing else, so
//! cookies never authenticate here (and CSRF does not apply); each token within its scope and
//! its rate limit.

use super::error::ApiError;
use app::backend::api_tokens::{authenticate, TokenHolder};
use app::backend::policy::Actor;
use app::backend::AppState;
use app::model::api_token::TokenScope;
use app::model::AppError;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The caller of an API request, as the auth layer leaves it for the handlers.
#[derive(Clone)]
pub struct Caller {
    pub actor: Actor,
    pub token_id: i64,
}

/// The paths that answer without a token: the description of the API.
pub fn is_public(path: &str) -> bool {
    matches!(path, "/api/v1/openapi.json" | "/api/v1/docs")
}

/// What a scope lets through: `tickets:create` only raises tickets (by hand or from monitoring
/// alerts), `read` only reads.
fn scope_allows(scope: Option<TokenScope>, method: &Method, path: &str) -> bool {
    match scope {
        None | Some(TokenScope::Write) => true,
        Some(TokenScope::Read) => matches!(*method, Method::GET | Method::HEAD),
        Some(TokenScope::TicketsCreate) => {
            *method == Method::POST && matches!(path, "/api/v1/tickets" | "/api/v1/alerts")
        }
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Requests per token per minute: a fixed window of 60 seconds on the app's clock (so tests
/// move it), counted in this process.
#[derive(Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<i64, (i64, u32)>>,
}

/// Where a token stands in its window after one more request.
struct Allowance {
    limit: u32,
    remaining: u32,
    reset_secs: i64,
    allowed: bool,
}

const WINDOW_SECS: i64 = 60;

impl RateLimiter {
    fn take(&self, token_id: i64, now: i64, limit: u32) -> Allowance {
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // forget finished windows now and then, so the map holds the tokens in use
        if windows.len() > 10_000 {
            windows.retain(|_, (start, _)| now - *start < WINDOW_SECS);
        }
        let window_start = now - now.rem_euclid(WINDOW_SECS);
        let entry = windows.entry(token_id).or_insert((window_start, 0));
        if entry.0 != window_start {
            *entry = (window_start, 0);
        }
        let allowed = entry.1 < limit;
        if allowed {
            entry.1 += 1;
        }
        Allowance {
            limit,
            remaining: limit - entry.1,
            reset_secs: window_start + WINDOW_SECS - now,
            allowed,
        }
    }
}

#[derive(Clone)]
pub struct AuthState {
    pub app: AppState,
    pub limiter: Arc<RateLimiter>,
}

fn unauthenticated() -> ApiError {
    AppError::Unauthenticated(
        "Send a valid API token: Authorization: Bearer fl_... (cookies do not work here).".into(),
    )
    .into()
}

fn set_rate_headers(headers: &mut HeaderMap, a: &Allowance) {
    for (name, value) in [
        ("ratelimit-limit", i64::from(a.limit)),
        ("ratelimit-remaining", i64::from(a.remaining)),
        ("ratelimit-reset", a.reset_secs),
    ] {
        headers.insert(name, HeaderValue::from(value));
    }
}

pub async fn require_token(
    State(auth): State<AuthState>,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    if is_public(&path) {
        return next.run(req).await;
    }
    let holder = match bearer(req.headers()) {
        Some(token) => authenticate(&auth.app, token).await,
        None => return unauthenticated().into_response(),
    };
    let TokenHolder {
        token_id,
        scope,
        actor,
    } = match holder {
        Ok(Some(holder)) => holder,
        Ok(None) => return unauthenticated().into_response(),
        Err(err) => return ApiError::from(err).into_response(),
    };
    let allowance = auth
        .limiter
        .take(token_id, auth.app.now(), auth.app.settings.api_rate_per_min);
    let mut response = if !allowance.allowed {
        let mut response = ApiError::from(AppError::TooManyRequests(format!(
            "This token made {} requests this minute; try again in {} seconds.",
            allowance.limit, allowance.reset_secs
        )))
        .into_response();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(allowance.reset_secs));
        response
    } else if !scope_allows(scope, req.method(), &path) {
        ApiError::from(AppError::Forbidden(format!(
            "This token's scope ({}) does not allow this operation.",
            scope.map(TokenScope::as_str).unwrap_or_default()
        )))
        .into_response()
    } else {
        req.extensions_mut().insert(Caller { actor, token_id });
        next.run(req).await
    };
    set_rate_headers(response.headers_mut(), &allowance);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_allows_its_limit_then_resets() {
        let limiter = RateLimiter::default();
        let start = 1_800_000_040 - 1_800_000_040 % 60;
        for n in 0..3 {
            let a = limiter.take(7, start + n, 3);
            assert!(a.allowed);
            assert_eq!(a.remaining, 2 - n as u32);
        }
        let refused = limiter.take(7, start + 10, 3);
        assert!(!refused.allowed);
        assert_eq!(refused.reset_secs, 50);
        assert!(limiter.take(8, start + 10, 3).allowed, "per token");
        assert!(limiter.take(7, start + 60, 3).allowed, "a new window");
    }

    #[test]
    fn scopes_let_through_what_they_name() {
        let create = Some(TokenScope::TicketsCreate);
        assert!(scope_allows(create, &Method::POST, "/api/v1/tickets"));
        assert!(scope_allows(create, &Method::POST, "/api/v1/alerts"));
        assert!(!scope_allows(create, &Method::GET, "/api/v1/tickets"));
        assert!(!scope_allows(
            create,
            &Method::POST,
            "/api/v1/tickets/1/reply"
        ));
        let read = Some(TokenScope::Read);
        assert!(scope_allows(read, &Method::GET, "/api/v1/tickets/1"));
        assert!(!scope_allows(read, &Method::POST, "/api/v1/tickets"));
        assert!(scope_allows(None, &Method::POST, "/api/v1/tickets/1/claim"));
    }
}
