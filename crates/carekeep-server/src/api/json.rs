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
        axum::Json::<T>::from_request(req, state)
            .await
            .map(|axum::Json(v)| ApiJson(v))
            .map_err(|rejection| {
                WebError::api(AppError::Invalid(format!(
                    "request body (schema {}): {}",
                    T::name(),
                    rejection.body_text()
                )))
            })
    }
}
