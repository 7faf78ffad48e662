//! Puts the signed-in user on each request, from the session cookie, for server functions and
//! page rendering to read (see `app::backend::request`).

use app::backend::auth::{resolve_session, token_from_cookie_header};
use app::backend::request::SessionUser;
use app::backend::AppState;
use axum::extract::{Request, State};
use axum::http::header::COOKIE;
use axum::middleware::Next;
use axum::response::Response;

pub async fn attach_user(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    // static assets never need to know who asks
    if !req.uri().path().starts_with("/pkg/") {
        let token = req
            .headers()
            .get(COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(|header| token_from_cookie_header(header, &state.settings))
            .map(str::to_string);
        if let Some(token) = token {
            match resolve_session(&state, &token).await {
                Ok(Some(me)) => {
                    req.extensions_mut().insert(SessionUser(me));
                }
                Ok(None) => {}
                Err(err) => tracing::warn!(error = %err, "could not resolve the session"),
            }
        }
    }
    next.run(req).await
}

/// The signed-in person of a plain axum handler (downloads, uploads, exports), as the session
/// layer left them in the request's extensions.
pub type SignedIn = Option<axum::Extension<app::backend::request::SessionUser>>;

/// The actor of a plain handler's request, or 401.
pub fn actor_of(user: SignedIn) -> Result<app::backend::policy::Actor, app::model::AppError> {
    user.map(|axum::Extension(app::backend::request::SessionUser(me))| {
        app::backend::policy::Actor::from(&me)
    })
    .ok_or_else(app::model::AppError::sign_in_required)
}
