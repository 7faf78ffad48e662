//! The one error type of the application. Every server function returns it; each variant knows its
//! HTTP status, and its message is written for the person in front of the screen.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use leptos::server_fn::{Bytes, Encodes};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", content = "message", rename_all = "snake_case")]
pub enum AppError {
    /// The request itself is malformed (bad encoding, wrong types, missing fields).
    #[error("{0}")]
    BadRequest(String),
    /// Nobody is signed in, or the session has expired.
    #[error("{0}")]
    Unauthenticated(String),
    /// Signed in, but this person may not do or see this.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// Somebody else changed the record first (stale version) or the record is in a state that
    /// does not allow this action.
    #[error("{0}")]
    Conflict(String),
    /// Well-formed but invalid input: a field fails validation or the transition is not allowed.
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    TooManyRequests(String),
    /// Our fault. Details go to the log, never to the user.
    #[error("Something went wrong on our side. Please try again in a moment.")]
    Internal,
    /// The browser could not reach the server (client side only).
    #[error("Could not reach the server. Check your connection and try again.")]
    Network,
}

/// The longest message an error carries to the browser. Messages are for people, and some quote
/// what was sent: a whole oversized field would come back with them (and an answer that large
/// cannot be read back for its status, see the server's `server_fn_status`).
pub const MAX_MESSAGE_CHARS: usize = 500;

impl AppError {
    /// The same error, its message cut to [`MAX_MESSAGE_CHARS`].
    pub fn clipped(&self) -> AppError {
        let clip = |m: &String| match m.char_indices().nth(MAX_MESSAGE_CHARS) {
            Some((at, _)) => format!("{}…", &m[..at]),
            None => m.clone(),
        };
        match self {
            AppError::BadRequest(m) => AppError::BadRequest(clip(m)),
            AppError::Unauthenticated(m) => AppError::Unauthenticated(clip(m)),
            AppError::Forbidden(m) => AppError::Forbidden(clip(m)),
            AppError::NotFound(m) => AppError::NotFound(clip(m)),
            AppError::Conflict(m) => AppError::Conflict(clip(m)),
            AppError::Invalid(m) => AppError::Invalid(clip(m)),
            AppError::PayloadTooLarge(m) => AppError::PayloadTooLarge(clip(m)),
            AppError::TooManyRequests(m) => AppError::TooManyRequests(clip(m)),
            AppError::Internal => AppError::Internal,
            AppError::Network => AppError::Network,
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            AppError::BadRequest(_) => 400,
            AppError::Unauthenticated(_) => 401,
            AppError::Forbidden(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::Conflict(_) => 409,
            AppError::PayloadTooLarge(_) => 413,
            AppError::Invalid(_) => 422,
            AppError::TooManyRequests(_) => 429,
            AppError::Internal => 500,
            AppError::Network => 503,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        AppError::Invalid(message.into())
    }

    pub fn sign_in_required() -> Self {
        AppError::Unauthenticated("Please sign in to continue.".into())
    }

    pub fn forbidden() -> Self {
        AppError::Forbidden("You do not have access to this.".into())
    }

    pub fn not_found(what: &str) -> Self {
        AppError::NotFound(format!("{what} was not found."))
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(detail) => {
                AppError::BadRequest(format!("The request could not be read: {detail}"))
            }
            ServerFnErrorErr::MissingArg(arg) => {
                AppError::BadRequest(format!("The request is missing the field \"{arg}\"."))
            }
            // on the server this is a request body that could not be read or decoded (bad UTF-8,
            // bad JSON, or over the size limit while streaming), never our fault; in the browser it
            // is an answer from us that could not be read, which is
            ServerFnErrorErr::Deserialization(detail) if cfg!(feature = "ssr") => {
                if detail.contains("length limit exceeded") {
                    AppError::PayloadTooLarge("The request is too large.".into())
                } else {
                    AppError::BadRequest(format!("The request could not be read: {detail}"))
                }
            }
            ServerFnErrorErr::Request(_) => AppError::Network,
            _ => AppError::Internal,
        }
    }

    fn ser(&self) -> Bytes {
        // a plain enum of strings always encodes; Internal is the fallback all the same
        JsonEncoding::encode(&self.clipped())
            .unwrap_or_else(|_| Bytes::from_static(br#"{"kind":"internal"}"#))
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_maps_to_its_status() {
        assert_eq!(AppError::BadRequest("x".into()).status(), 400);
        assert_eq!(AppError::sign_in_required().status(), 401);
        assert_eq!(AppError::forbidden().status(), 403);
        assert_eq!(AppError::not_found("Ticket").status(), 404);
        assert_eq!(AppError::Conflict("x".into()).status(), 409);
        assert_eq!(AppError::PayloadTooLarge("x".into()).status(), 413);
        assert_eq!(AppError::invalid("x").status(), 422);
        assert_eq!(AppError::TooManyRequests("x".into()).status(), 429);
        assert_eq!(AppError::Internal.status(), 500);
    }

    #[test]
    fn round_trips_through_json_with_its_message() {
        let err = AppError::Conflict("HD-1001 was claimed by Ana".into());
        let json = serde_json::to_string(&err).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"conflict","message":"HD-1001 was claimed by Ana"}"#
        );
        let back: AppError = serde_json::from_str(&json).unwrap();
        assert_eq!(back, err);
        let internal = serde_json::to_string(&AppError::Internal).unwrap();
        assert_eq!(internal, r#"{"kind":"internal"}"#);
    }

    #[test]
    fn messages_sent_are_clipped() {
        let long = AppError::BadRequest("é".repeat(MAX_MESSAGE_CHARS * 4));
        let sent: AppError = serde_json::from_slice(&long.ser()).unwrap();
        assert_eq!(sent.to_string().chars().count(), MAX_MESSAGE_CHARS + 1);
        assert_eq!(AppError::de(AppError::Internal.ser()), AppError::Internal);
    }

    #[test]
    #[cfg(feature = "ssr")]
    fn unreadable_request_bodies_are_refused_not_failures() {
        let err = AppError::from_server_fn_error(ServerFnErrorErr::Deserialization(
            "expected value at line 1 column 1".into(),
        ));
        assert_eq!(err.status(), 400);
        let err = AppError::from_server_fn_error(ServerFnErrorErr::Deserialization(
            "length limit exceeded".into(),
        ));
        assert_eq!(err.status(), 413);
    }

    #[test]
    fn framework_errors_become_plain_bad_requests() {
        let err = AppError::from_server_fn_error(ServerFnErrorErr::MissingArg("email".into()));
        assert_eq!(err.status(), 400);
        assert!(err.to_string().contains("email"));
        let err = AppError::from_server_fn_error(ServerFnErrorErr::ServerError("db".into()));
        assert_eq!(err, AppError::Internal);
    }
}
