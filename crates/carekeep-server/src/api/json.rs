//! A JSON body extractor whose rejection is a JSON 4xx that says what is wrong, naming the
//! schema of the OpenAPI document the body must follow (the type the handler takes, so a test
//! can hold each operation's documented body against it).

use crate::error::WebError;
use axum::extract::{FromRequest, Request};
use carekeep_app::AppError;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + ToSchema> FromRequest<S> for ApiJson<T> {
    type Rejection = WebError;
    async fn from_request(req: Request, state: &S) -> Result<Self, WebError> {
        let refused =
            |why: String| WebError::api(AppError::Invalid(format!("request body (schema {}): {why}", T::name())));
        // Read as JSON first so every string's line breaks become LF (carekeep_app::input)
        // before the handler's type sees them: a CRLF pasted into a field counts once.
        let axum::Json(mut value) = axum::Json::<serde_json::Value>::from_request(req, state)
            .await
            .map_err(|rejection| refused(rejection.body_text()))?;
        carekeep_app::input::json(&mut value);
        serde_json::from_value::<T>(value)
            .map(ApiJson)
            .map_err(|e| refused(format!("Failed to deserialize the JSON body into the target type: {e}")))
    }
}
