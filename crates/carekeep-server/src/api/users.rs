//! `/api/v1/users` and `/api/v1/roles`: staff account administration (owner).

use super::types::*;
use super::ApiJson;
use crate::error::{ErrorBody, WebError};
use crate::session::ApiUser;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use carekeep_app::users::NewUserInput;

use carekeep_domain::UserId;

/// All staff accounts.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = Vec<UserJson>), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, ApiUser(p): ApiUser) -> Result<Json<Vec<UserJson>>, WebError> {
    let users = state.app.list_users(&p.actor()).await.map_err(WebError::api)?;
    Ok(Json(users.into_iter().map(UserJson::from).collect()))
}

/// Add a staff account.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", security(("bearer" = [])), request_body = CreateUserRequest,
    responses((status = 201, body = UserJson), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiJson(req): ApiJson<CreateUserRequest>,
) -> Result<(StatusCode, Json<UserJson>), WebError> {
    let input = NewUserInput {
        username: &req.username,
        display_name: &req.display_name,
        password: &req.password,
        roles: &req.roles,
    };
    let user = state.app.create_user(&p.actor(), &input).await.map_err(WebError::api)?;
    Ok((StatusCode::CREATED, Json(user.into())))
}

/// One staff account.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path, description = "User id")),
    responses((status = 200, body = UserJson), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<UserJson>, WebError> {
    Ok(Json(
        state
            .app
            .get_user(&p.actor(), UserId(id))
            .await
            .map_err(WebError::api)?
            .into(),
    ))
}

/// Replace an account's roles (ends its sessions).
#[utoipa::path(put, path = "/api/v1/users/{id}/roles", tag = "users", security(("bearer" = [])), request_body = RolesRequest,
    params(("id" = i64, Path, description = "User id")),
    responses((status = 200, body = UserJson), (status = 422, body = ErrorBody)))]
pub async fn set_roles(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<RolesRequest>,
) -> Result<Json<UserJson>, WebError> {
    Ok(Json(
        state
            .app
            .set_user_roles(&p.actor(), UserId(id), &req.roles)
            .await
            .map_err(WebError::api)?
            .into(),
    ))
}

/// Disable an account (ends its sessions; never deletes it).
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path, description = "User id")),
    responses((status = 200, body = UserJson), (status = 422, body = ErrorBody)))]
pub async fn disable(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<UserJson>, WebError> {
    Ok(Json(
        state
            .app
            .set_user_disabled(&p.actor(), UserId(id), true)
            .await
            .map_err(WebError::api)?
            .into(),
    ))
}

/// Enable a disabled account.
#[utoipa::path(post, path = "/api/v1/users/{id}/enable", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path, description = "User id")),
    responses((status = 200, body = UserJson), (status = 404, body = ErrorBody)))]
pub async fn enable(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<UserJson>, WebError> {
    Ok(Json(
        state
            .app
            .set_user_disabled(&p.actor(), UserId(id), false)
            .await
            .map_err(WebError::api)?
            .into(),
    ))
}

/// Set a new password (ends the account's sessions).
#[utoipa::path(post, path = "/api/v1/users/{id}/reset-password", tag = "users", security(("bearer" = [])), request_body = PasswordRequest,
    params(("id" = i64, Path, description = "User id")),
    responses((status = 204, description = "Changed"), (status = 422, body = ErrorBody)))]
pub async fn reset_password(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<PasswordRequest>,
) -> Result<StatusCode, WebError> {
    state
        .app
        .reset_password(&p.actor(), UserId(id), &req.password)
        .await
        .map_err(WebError::api)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove an account's MFA so it enrols again (ends its sessions).
#[utoipa::path(post, path = "/api/v1/users/{id}/reset-mfa", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path, description = "User id")),
    responses((status = 204, description = "Reset"), (status = 404, body = ErrorBody)))]
pub async fn reset_mfa(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    state
        .app
        .reset_mfa(&p.actor(), UserId(id))
        .await
        .map_err(WebError::api)?;
    Ok(StatusCode::NO_CONTENT)
}

/// The clinic's roles and what each may read or write.
#[utoipa::path(get, path = "/api/v1/roles", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = Vec<RoleJson>), (status = 403, body = ErrorBody)))]
pub async fn roles(State(state): State<AppState>, ApiUser(p): ApiUser) -> Result<Json<Vec<RoleJson>>, WebError> {
    let roles = state.app.list_roles(&p.actor()).await.map_err(WebError::api)?;
    Ok(Json(roles.into_iter().map(role_json).collect()))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct RoleRequest {
    pub description: String,
    /// Data class to `read` or `read_write`, e.g. `{"identity": "read", "scheduling": "read_write"}`.
    #[serde(default)]
    pub grants: std::collections::BTreeMap<String, String>,
    /// e.g. `["manage_program"]`.
    #[serde(default)]
    pub capabilities: Vec<String>,
}

/// Define a clinic role, or change one the clinic defined (the defaults cannot change).
#[utoipa::path(put, path = "/api/v1/roles/{name}", tag = "users", security(("bearer" = [])), request_body = RoleRequest,
    params(("name" = String, Path, description = "Role name: 2 to 40 lowercase letters, digits or _")),
    responses((status = 200, body = RoleJson), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn define_role(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(name): Path<String>,
    ApiJson(req): ApiJson<RoleRequest>,
) -> Result<Json<RoleJson>, WebError> {
    let mut grants = Vec::new();
    for (class, access) in &req.grants {
        let short = match access.as_str() {
            "read" => "r",
            "read_write" => "rw",
            other => {
                return Err(WebError::api(carekeep_app::AppError::Invalid(format!(
                    "access '{other}' for {class}: use read or read_write"
                ))))
            }
        };
        grants.push(format!("{class}={short}"));
    }
    let r = state
        .app
        .define_role(
            &p.actor(),
            &name,
            &req.description,
            &grants.join(","),
            &req.capabilities.join(","),
        )
        .await
        .map_err(WebError::api)?;
    Ok(Json(role_json(r)))
}

pub(crate) fn role_json(r: carekeep_domain::RoleDef) -> RoleJson {
    RoleJson {
        grants: r
            .grants
            .iter()
            .filter(|(_, a)| a.can_read())
            .map(|(c, a)| {
                (
                    c.as_str().to_owned(),
                    if a.can_write() { "read_write" } else { "read" }.to_owned(),
                )
            })
            .collect(),
        capabilities: r.capabilities.iter().map(|c| c.as_str().to_owned()).collect(),
        name: r.name.to_string(),
        description: r.description,
        builtin: r.builtin,
    }
}
