//! The API's one error shape, `{"error": {"code", "message", "field"?}}`, from the app's
//! `AppError` (with its status) and from request bodies that cannot be read.

use app::model::AppError;
use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Serialize;
use utoipa::ToSchema;

/// An error as the API answers it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable: `bad_request`, `unauthenticated`, `forbidden`, `not_found`,
    /// `conflict`, `invalid`, `payload_too_large`, `too_many_requests`, `internal`.
    #[schema(example = "conflict")]
    pub code: String,
    /// For people; may change between versions.
    pub message: String,
    /// The request field the error is about, when it is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

#[derive(Debug)]
pub struct ApiError {
    pub error: AppError,
    pub field: Option<String>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn on_field(error: AppError, field: &str) -> ApiError {
        ApiError {
            error,
            field: Some(field.to_string()),
        }
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        ApiError { error, field: None }
    }
}

fn code(error: &AppError) -> &'static str {
    match error {
        AppError::BadRequest(_) => "bad_request",
        AppError::Unauthenticated(_) => "unauthenticated",
        AppError::Forbidden(_) => "forbidden",
        AppError::NotFound(_) => "not_found",
        AppError::Conflict(_) => "conflict",
        AppError::Invalid(_) => "invalid",
        AppError::PayloadTooLarge(_) => "payload_too_large",
        AppError::TooManyRequests(_) => "too_many_requests",
        AppError::Internal | AppError::Network => "internal",
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let error = self.error.clipped();
        let status =
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = ErrorBody {
            error: ErrorDetail {
                code: code(&error).to_string(),
                message: error.to_string(),
                field: self.field,
            },
        };
        (status, Json(body)).into_response()
    }
}

/// The field serde names in a message like "unknown field `colour`, expected ..." or "missing
/// field `problem`".
fn field_in(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(message[start..start + len].to_string())
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let detail = rejection.body_text();
        let error = match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => {
                AppError::PayloadTooLarge("The request body is too large.".into())
            }
            StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::BadRequest(
                "Send the body as JSON, with Content-Type: application/json.".into(),
            ),
            StatusCode::UNPROCESSABLE_ENTITY => {
                AppError::Invalid(format!("The request body does not fit: {detail}"))
            }
            _ => AppError::BadRequest(format!("The request body could not be read: {detail}")),
        };
        let field = match &rejection {
            JsonRejection::JsonDataError(_) => field_in(&detail),
            _ => None,
        };
        ApiError { error, field }
    }
}

/// A JSON body whose rejections answer in the API's error shape.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Json(value) = Json::<T>::from_request(req, state).await?;
        Ok(ApiJson(value))
    }
}

/// A JSON body that may be left out (a change that needs nothing but `If-Match`).
pub struct ApiJsonOrEmpty<T>(pub T);

impl<T, S> FromRequest<S> for ApiJsonOrEmpty<T>
where
    T: DeserializeOwned + Default,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            ApiError::from(match rejection.status() {
                StatusCode::PAYLOAD_TOO_LARGE => {
                    AppError::PayloadTooLarge("The request body is too large.".into())
                }
                _ => AppError::BadRequest("The request body could not be read.".into()),
            })
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(ApiJsonOrEmpty(T::default()));
        }
        let Json(value) = Json::<T>::from_bytes(&bytes)?;
        Ok(ApiJsonOrEmpty(value))
    }
}

/// Query parameters whose rejections answer in the API's error shape.
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => {
                let detail = rejection.body_text();
                Err(ApiError {
                    field: field_in(&detail),
                    error: AppError::BadRequest(detail),
                })
            }
        }
    }
}

/// Answers any path under `/api/v1` that names no operation.
pub async fn no_such_route() -> ApiError {
    AppError::NotFound("No such API operation: see /api/v1/openapi.json.".into()).into()
}

#[cfg(test)]
mod tests {
    use super::field_in;

    #[test]
    fn finds_the_field_serde_names() {
        assert_eq!(
            field_in("unknown field `colour`, expected one of `problem`").as_deref(),
            Some("colour")
        );
        assert_eq!(
            field_in("missing field `problem` at line 1").as_deref(),
            Some("problem")
        );
        assert_eq!(field_in("expected a number"), None);
    }
}
