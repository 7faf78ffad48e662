//! Every API request's body is read whole before anything answers it, up to a bound.
//!
//! hyper keeps a connection open only if the request body was read to its end; an answer given
//! early (a 401, a 404, a DELETE that ignores its body) closes it while the client is still
//! sending, and the reset can discard the answer on its way (hyperium/hyper#2384): the client
//! sees a dropped connection instead of a 4xx. Reading the body first, as nginx does, lets every
//! refusal arrive. A body over `MAX_BODY_BYTES` is read (and dropped) up to `DRAIN_BYTES` so its
//! 413 arrives too; past that the answer goes out with `Connection: close`.

use super::error::ApiError;
use super::MAX_BODY_BYTES;
use app::model::AppError;
use axum::body::{Body, HttpBody};
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;

/// The most a refused body is read before the connection is given up instead.
const DRAIN_BYTES: usize = 4 * MAX_BODY_BYTES;

fn too_large() -> ApiError {
    AppError::PayloadTooLarge(format!(
        "The request body is too large: at most {} KB.",
        MAX_BODY_BYTES / 1024
    ))
    .into()
}

fn closing(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// Middleware: reads the body whole, then hands the request on with it in memory.
pub async fn read_whole(request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    if body.is_end_stream() {
        return next.run(Request::from_parts(parts, body)).await;
    }
    let declared = body.size_hint().exact();
    if declared.is_some_and(|len| len > DRAIN_BYTES as u64) {
        return closing(too_large().into_response());
    }
    let mut chunks = body.into_data_stream();
    let mut kept = Vec::new();
    let mut read = 0usize;
    while let Some(chunk) = chunks.next().await {
        let Ok(data) = chunk else {
            let refused = AppError::BadRequest("The request body could not be read.".into());
            return closing(ApiError::from(refused).into_response());
        };
        read += data.len();
        if read > DRAIN_BYTES {
            return closing(too_large().into_response());
        }
        if read <= MAX_BODY_BYTES {
            kept.extend_from_slice(&data);
        }
    }
    if read > MAX_BODY_BYTES {
        return too_large().into_response();
    }
    next.run(Request::from_parts(parts, Body::from(kept))).await
}
