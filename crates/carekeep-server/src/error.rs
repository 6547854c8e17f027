//! `WebError`: the one place an `AppError` becomes an HTTP response, as JSON for the API or
//! as a page. 4xx messages say what to fix; a 5xx says only "internal error" with the request
//! id, and the detail goes to the log (see `middleware::request_id`).

pub use crate::respond::{Explained, InternalDetail};
use crate::urls;
use crate::web::chrome::ErrorPage;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use carekeep_app::AppError;
use serde::Serialize;

/// Which front end failed: the answer's form follows.
#[derive(Clone, Copy, Debug)]
pub enum Surface {
    Api,
    Page,
    /// A patient-facing page (the portal, a confirm link): its error page leads back to
    /// `/portal`, since `/` is not routed on the patients' listener.
    Portal,
}

#[derive(Debug)]
pub struct WebError {
    pub error: AppError,
    pub surface: Surface,
}

impl WebError {
    pub fn api(error: AppError) -> Self {
        WebError {
            error,
            surface: Surface::Api,
        }
    }
    pub fn page(error: AppError) -> Self {
        WebError {
            error,
            surface: Surface::Page,
        }
    }
    pub fn portal(error: AppError) -> Self {
        WebError {
            error,
            surface: Surface::Portal,
        }
    }
}

/// A JSON error body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A stable machine-readable code, e.g. `bad_credentials`.
    pub error: &'static str,
    /// What went wrong and what to do, in plain words.
    pub message: String,
}

/// Status, code and message for each error: one match, no catch-all arm.
fn classify(e: &AppError) -> (StatusCode, &'static str, String) {
    let msg = e.to_string();
    match e {
        AppError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid", msg),
        AppError::BadCredentials => (StatusCode::UNAUTHORIZED, "bad_credentials", msg),
        AppError::LockedOut { .. } => (StatusCode::TOO_MANY_REQUESTS, "locked_out", msg),
        AppError::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated", msg),
        AppError::SignInRequired => (StatusCode::UNAUTHORIZED, "unauthenticated", msg),
        AppError::MfaEnrollmentRequired => (StatusCode::FORBIDDEN, "mfa_enrollment_required", msg),
        AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", msg),
        AppError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found", msg),
        AppError::Conflict(_) => (StatusCode::CONFLICT, "conflict", msg),
        AppError::ReadOnly => (StatusCode::SERVICE_UNAVAILABLE, "read_only", msg),
        AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error".into()),
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, code, message) = classify(&self.error);
        let mut response = match (self.surface, &self.error) {
            (Surface::Page, AppError::Unauthenticated) => urls::login().with("ended", 1).redirect(),
            (Surface::Page, AppError::SignInRequired) => urls::login().redirect(),
            (Surface::Page, AppError::MfaEnrollmentRequired) => urls::mfa_setup().redirect(),
            (Surface::Page, _) => (status, ErrorPage::new(status, &message)).into_response(),
            (Surface::Portal, _) => (status, ErrorPage::new(status, &message).for_patients()).into_response(),
            (Surface::Api, _) => (status, Json(ErrorBody { error: code, message })).into_response(),
        };
        if let AppError::LockedOut { retry_after_secs } = &self.error {
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        if matches!(self.error, AppError::ReadOnly) {
            response.extensions_mut().insert(Explained);
        }
        if let AppError::Internal(detail) = self.error {
            response.extensions_mut().insert(InternalDetail(detail));
        }
        response
    }
}
