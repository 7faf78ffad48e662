//! HTTP-level protections: security headers, refusal of cross-site writes, and the mapping of the
//! app's error type onto HTTP status codes for server functions.

use app::backend::AppState;
use app::model::AppError;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;
use std::time::Duration;
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
        tracing::warn!(
            path = %crate::telemetry::loggable_path(req.uri().path()),
            "refused a cross-site write"
        );
        return error_response(&AppError::Forbidden(
            "This request came from another site and was refused.".into(),
        ));
    }
    next.run(req).await
}

/// Oversized bodies up to this size are read and thrown away before the 413 goes out.
const MAX_DRAINED_BYTES: usize = 8 * crate::router::MAX_BODY_BYTES;

/// How long a refused body may take to arrive before the 413 goes out anyway.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// A body announced larger than the limit gets the 413 in the app's error shape, with words; the
/// limit layer behind this one still cuts off a body that turns out larger than announced.
pub async fn refuse_announced_oversize(req: Request, next: Next) -> Response {
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let Some(announced) = announced.filter(|&n| n > crate::router::MAX_BODY_BYTES) else {
        return next.run(req).await;
    };
    // A connection closed while the client is still sending is reset, and a reset makes the
    // client's system throw away the 413 it has already received: the sender sees "connection
    // reset" instead of the message. So a body of a plausible size is read to its end first.
    if announced <= MAX_DRAINED_BYTES {
        let mut body = req.into_body().into_data_stream();
        let drained = tokio::time::timeout(DRAIN_TIMEOUT, async {
            while let Some(Ok(_)) = body.next().await {}
        })
        .await;
        if drained.is_err() {
            tracing::warn!(
                announced,
                "an oversized body was still arriving; answered without it"
            );
        }
    }
    let mut res = error_response(&AppError::PayloadTooLarge(
        "The request is too large.".into(),
    ));
    res.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    res
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

/// Largest page read back to give it its policy.
const MAX_PAGE_BYTES: usize = 4 * 1024 * 1024;

/// A rendered page always leaves with its nonce-based policy. Rendering normally sets it (see
/// `app::backend::csp`); a page without it would have every script refused by the browser and
/// never become interactive, so here the policy is derived from the nonce its scripts carry,
/// and the miss is logged.
pub async fn page_policy_guard(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let path = crate::telemetry::loggable_path(req.uri().path()).into_owned();
    let res = next.run(req).await;
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html || res.headers().contains_key(header::CONTENT_SECURITY_POLICY) {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_PAGE_BYTES).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Some(nonce) = page_nonce(&bytes) {
        let policy = app::backend::csp::page_policy(nonce, &state.leptos_options);
        if let Ok(value) = HeaderValue::from_str(&policy) {
            tracing::warn!(%path, "a page was rendered without its security policy; derived it");
            parts.headers.insert(header::CONTENT_SECURITY_POLICY, value);
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The nonce of the first script of a page, if it is a plain token.
fn page_nonce(html: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(html).ok()?;
    let start = text.find("nonce=\"")? + "nonce=\"".len();
    let len = text[start..].find('"')?;
    let nonce = &text[start..start + len];
    let plain = !nonce.is_empty()
        && nonce
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '-' | '_'));
    plain.then_some(nonce)
}

/// An error as JSON with its status, in the shape server functions use.
pub fn error_response(err: &AppError) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_string(err).unwrap_or_else(|_| r#"{"kind":"internal"}"#.into());
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_page_nonce_is_read_only_when_it_is_a_plain_token() {
        assert_eq!(
            super::page_nonce(b"<script nonce=\"abc+/=\">x</script>"),
            Some("abc+/=")
        );
        assert_eq!(super::page_nonce(b"<script nonce=\"a'b\">"), None);
        assert_eq!(super::page_nonce(b"<p>no scripts</p>"), None);
    }
}
