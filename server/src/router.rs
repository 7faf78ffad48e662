//! The HTTP surface: Leptos pages and server functions, health check, static files, and the
//! layers around them.

use crate::shell::{page_context, shell};
use crate::{security, session};
use app::backend::AppState;
use app::ui::App;
use axum::extract::DefaultBodyLimit;
use axum::extract::State;
use axum::handler::Handler;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{middleware, Extension, Json, Router};
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::sync::OnceLock;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

/// Requests larger than this are refused with 413 before any handler reads them. The largest
/// legitimate body is a CSV of users for import (up to 1 MB, sent as JSON); attachments have
/// their own route and limit. Never above axum's own 2 MB extractor limit, which would answer
/// a larger body with a 500 instead.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// The app's routes, listed once per process. Leptos lists them by rendering the app with every
/// resource's loading switched off, and that switch is one flag for the whole process: a page
/// rendered meanwhile (by another server in the same process, as the tests run them) would wait
/// for its data forever.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The paths of the app's pages in axum's syntax (`/tickets/{number}`), from the same list the
/// router serves: suites that must visit every page read it here (listing the routes again in
/// the same process could stall a page rendered meanwhile, see `route_list`).
pub fn page_paths() -> Vec<String> {
    route_list()
        .iter()
        .map(|route| route.path().to_string())
        .collect()
}

pub fn build(state: AppState) -> Router {
    let routes = route_list();
    let options = state.leptos_options.clone();
    // uploads carry a whole file: their own limit (twice the largest file, so that an oversized
    // file still gets a message in words from the handler), the same session and checks
    let upload_limit = usize::try_from(state.settings.max_attachment_bytes.saturating_mul(2))
        .unwrap_or(usize::MAX);
    let uploads = Router::new()
        .route("/api/attachments", post(crate::files::upload))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            session::attach_user,
        ))
        .layer(middleware::from_fn(security::reject_cross_site))
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(upload_limit));
    let http_metrics = std::sync::Arc::new(crate::metrics::HttpMetrics::default());
    let mut router = Router::new()
        .route("/healthz", get(healthz))
        .route(
            "/metrics",
            get(crate::metrics::endpoint).layer(Extension(http_metrics.clone())),
        )
        .route("/api/live", get(crate::live::stream))
        .route("/reports/summary.csv", get(crate::exports::summary))
        .route("/reports/volume.csv", get(crate::exports::volume))
        .route("/reports/backlog.csv", get(crate::exports::backlog))
        .route("/reports/heatmap.csv", get(crate::exports::heat_map))
        .route("/reports/priority.csv", get(crate::exports::by_priority))
        .route("/reports/channel.csv", get(crate::exports::by_channel))
        .route("/reports/category.csv", get(crate::exports::by_category))
        .route("/reports/recurring.csv", get(crate::exports::recurring))
        .route("/reports/scorecards.csv", get(crate::exports::scorecards))
        .route("/attachments/{id}", get(crate::files::download))
        .route("/mail/{id}", get(crate::files::original_mail))
        .leptos_routes_with_context(&state, routes, page_context, move || shell(options.clone()))
        // The site's files (WASM, JS and CSS under /pkg, what public/ holds) are served without
        // Leptos, then the not-found page. Leptos' own file handler answers a file in a child of
        // whatever Leptos owner is current on the thread, which is often a page being rendered
        // meanwhile (a render makes its root owner the thread's current one and leaves it
        // there), and applies that page's response options: a WASM download once came back
        // with another page's 422 status.
        // The files are served precompressed and with their cache policy (assets.rs).
        .fallback_service(
            tower::ServiceBuilder::new()
                .layer(middleware::from_fn(crate::assets::cache_control))
                .service(
                    crate::assets::files(&state.leptos_options.site_root)
                        .call_fallback_on_method_not_allowed(true)
                        .fallback(
                            leptos_axum::file_and_error_handler_with_context::<AppState, _>(
                                page_context,
                                shell,
                            )
                            .with_state(state.clone()),
                        ),
                ),
        )
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::page_policy_guard,
        ))
        .layer(middleware::from_fn(security::server_fn_status))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            session::attach_user,
        ))
        .layer(middleware::from_fn(security::reject_cross_site))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(middleware::from_fn(security::refuse_announced_oversize))
        .merge(uploads)
        // bearer tokens only: outside the session and cross-site layers above
        .merge(crate::api_v1::router(state.clone()));
    for layer in security::header_layers() {
        router = router.layer(layer);
    }
    router
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn_with_state(
            http_metrics,
            crate::metrics::track,
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(crate::telemetry::request_span)
                .on_request(())
                .on_response(crate::telemetry::log_response)
                .on_failure(()),
        )
        .with_state(state)
}

/// Healthy when the database answers.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    let database = app::backend::db::ping(&state.pool).await;
    if let Err(err) = &database {
        tracing::error!(error = %err, "health check: the database does not answer");
    }
    let live = state.live.hears_others();
    let status = match (database.is_ok(), live) {
        (true, true) => "ok",
        (false, _) => "database unavailable",
        (true, false) => "live events from other instances unavailable",
    };
    let code = if status == "ok" {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = serde_json::json!({
        "status": status,
        "database": if database.is_ok() { "ok" } else { "unavailable" },
        "live_events": if live { "ok" } else { "unavailable" },
    });
    (code, Json(body))
}
