//! The public REST API, `/api/v1`: JSON over bearer tokens, outside the session and CSRF layers
//! of the pages. Every operation is registered once, through utoipa-axum, so the router and the
//! OpenAPI document (`/api/v1/openapi.json`, read as HTML at `/api/v1/docs`) list the same ones.

mod alerts;
pub mod auth;
mod body;
mod directory;
mod docs;
pub mod error;
mod schema;
mod tickets;
mod webhooks;

use app::backend::AppState;
use axum::extract::DefaultBodyLimit;
use axum::routing::any;
use axum::{middleware, Router};
use std::sync::Arc;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi as Document;
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

/// The largest request body the API reads (a ticket's text is at most 64 KB).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

pub const PREFIX: &str = "/api/v1";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Frontline API",
        version = "1",
        description = "The help desk's public API. Authenticate with `Authorization: Bearer \
            fl_...` (a personal token from your profile page, or an integration token from an \
            administrator); a token acts as its user and sees and does no more than they may. \
            Errors are `{\"error\": {\"code\", \"message\", \"field\"?}}`. Changes to a ticket \
            take its `version` (or `If-Match`); a stale one gets 409. Requests per token per \
            minute are limited (429 with `Retry-After`; `RateLimit-*` headers on every answer)."
    ),
    modifiers(&BearerToken),
    security(("token" = []))
)]
struct ApiDoc;

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The operations and their document, before state and layers.
fn operations() -> (Router<AppState>, Document) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest(
            PREFIX,
            OpenApiRouter::new()
                .merge(tickets::routes())
                .merge(alerts::routes())
                .merge(webhooks::routes())
                .merge(directory::routes()),
        )
        .split_for_parts()
}

/// The API's document, as served at `/api/v1/openapi.json`.
pub fn document() -> Document {
    operations().1
}

/// `/api/v1/*`: the operations, the document and its reference page, behind the token layer.
pub fn router(state: AppState) -> Router<AppState> {
    let (operations, document) = operations();
    let document = Arc::new(document);
    let auth = auth::AuthState {
        app: state,
        limiter: Arc::default(),
    };
    operations
        .merge(docs::routes(document))
        .route("/api/v1/{*rest}", any(error::no_such_route))
        .route("/api/v1", any(error::no_such_route))
        .layer(middleware::from_fn_with_state(auth, auth::require_token))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(body::read_whole))
}
