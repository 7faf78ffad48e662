//! HTTP-level protections: security headers, refusal of cross-site writes, and the mapping of the
//! app's error type onto HTTP status codes for server functions.

use app::model::AppError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;
use tower_http::set_header::SetResponseHeaderLayer;

/// Largest server-function error body we read back to find its status.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Headers every response carries. Pages set their own nonce-based Content-Security-Policy when
/// they render; everything else (assets, API answers) gets a policy that allows nothing.
pub fn header_layers() -> Vec<SetResponseHeaderLayer<HeaderValue>> {
    vec![
        SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'; base-uri 'none'"),
        ),
        SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ),
        SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ),
        SetResponseHeaderLayer::overriding(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
        ),
        SetResponseHeaderLayer::overriding(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ),
    ]
}

fn is_write(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether a write request comes from another site. Browsers always send `Sec-Fetch-Site` or
/// `Origin` on a POST; requests with neither (curl, scripts) are not a cross-site browser attack.
pub fn is_cross_site(req: &Request) -> bool {
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        if site != "same-origin" && site != "none" {
            return true;
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
            return true;
        };
        let origin = origin.to_str().unwrap_or("null");
        let same = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"))
            == Some(host);
        if !same {
            return true;
        }
    }
    false
}

pub async fn reject_cross_site(req: Request, next: Next) -> Response {
    if is_write(req.method()) && is_cross_site(&req) {
        tracing::warn!(path = %req.uri().path(), "refused a cross-site write");
        return error_response(&AppError::Forbidden(
            "This request came from another site and was refused.".into(),
        ));
    }
    next.run(req).await
}

/// Server functions answer errors with status 500; this gives each the status its error names.
pub async fn server_fn_status(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !res.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_ERROR_BODY)
        .await
        .unwrap_or_default();
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if parts.status.is_server_error() {
            tracing::error!(error = %err, "server function failed");
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// An error as JSON with its status, in the shape server functions use.
pub fn error_response(err: &AppError) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_string(err).unwrap_or_else(|_| r#"{"kind":"internal"}"#.into());
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}
