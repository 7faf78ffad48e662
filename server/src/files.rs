//! Attached files over HTTP. Uploads are the raw bytes of one file
//! (`POST /api/attachments?ticket=1042&name=screenshot.png`), with their own size limit;
//! downloads (`GET /attachments/{id}`, and received mail's originals at `GET /mail/{id}`) are
//! always served as a download with a content type that no browser renders, whatever the file
//! holds.

use crate::session::{actor_of, SignedIn};
use app::backend::{admin, attachments, AppState};
use app::model::AppResult;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct UploadParams {
    ticket: i64,
    name: String,
    /// For the desk only (staff).
    #[serde(default)]
    internal: bool,
}

pub async fn upload(
    State(state): State<AppState>,
    Query(params): Query<UploadParams>,
    user: SignedIn,
    body: Bytes,
) -> Response {
    let result = match actor_of(user) {
        Ok(actor) => {
            attachments::attach(
                &state,
                &actor,
                params.ticket,
                &params.name,
                &body,
                params.internal,
            )
            .await
        }
        Err(err) => Err(err),
    };
    match result {
        Ok(id) => Json(serde_json::json!({ "id": id })).into_response(),
        Err(err) => crate::security::error_response(&err),
    }
}

/// `filename*` in RFC 5987 form, so any name survives the header intact.
fn disposition(name: &str) -> String {
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

pub async fn download(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    user: SignedIn,
) -> Response {
    let result = match actor_of(user) {
        Ok(actor) => attachments::download(&state, &actor, id).await,
        Err(err) => Err(err),
    };
    as_download(result)
}

/// The original of a received message (`GET /mail/{id}`), as an .eml file: for staff who may
/// see the ticket it became, and for those who decide on held mail.
pub async fn original_mail(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    user: SignedIn,
) -> Response {
    let result = match actor_of(user) {
        Ok(actor) => admin::original(&state, &actor, id).await,
        Err(err) => Err(err),
    };
    as_download(result)
}

/// A file handed out as a download that no browser renders, whatever it holds.
fn as_download(result: AppResult<(String, Vec<u8>)>) -> Response {
    match result {
        Ok((name, bytes)) => (
            [
                (header::CONTENT_TYPE, "application/octet-stream".to_string()),
                (header::CONTENT_DISPOSITION, disposition(&name)),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
                (
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'none'; sandbox".to_string(),
                ),
                (header::CACHE_CONTROL, "private, no-store".to_string()),
            ],
            bytes,
        )
            .into_response(),
        Err(err) => crate::security::error_response(&err),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn download_names_are_encoded_for_the_header() {
        assert_eq!(
            super::disposition("rapport été.pdf"),
            "attachment; filename=\"rapport _t_.pdf\"; filename*=UTF-8''rapport%20%C3%A9t%C3%A9.pdf"
        );
    }
}
