//! `/api/v1/auth/*` and `/api/v1/me`.

use super::types::*;
use super::ApiJson;
use crate::client::client_ip;
use crate::error::{ErrorBody, WebError};
use crate::session::{ApiEnrolling, ApiUser};
use crate::state::AppState;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use carekeep_app::{AppError, LoginInput};
use carekeep_domain::{Capability, DataClass};

/// Sign in with username, password and TOTP code.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = LoginResponse),
        (status = 401, description = "Wrong username, password or code", body = ErrorBody),
        (status = 403, description = "The account must enrol in MFA first", body = EnrollmentRequired),
        (status = 422, description = "Malformed request", body = ErrorBody),
        (status = 429, description = "Locked out or rate limited", body = ErrorBody),
    ))]
pub async fn login(
    State(state): State<AppState>,
    parts: Parts,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Response, WebError> {
    let ip = client_ip(&parts, &state.trusted_proxies());
    if let Err(wait) = state.limiter.check(ip, state.app.now()) {
        return Err(WebError::api(AppError::LockedOut { retry_after_secs: wait }));
    }
    let outcome = state
        .app
        .login(LoginInput {
            username: &req.username,
            password: &req.password,
            code: req.totp.as_deref().unwrap_or(""),
            origin: crate::client::origin(&parts, &state.trusted_proxies()),
        })
        .await
        .map_err(WebError::api)?;
    let expires_at = rfc3339(outcome.principal.expires_at);
    if !outcome.principal.mfa_verified {
        let body = EnrollmentRequired {
            error: "mfa_enrollment_required",
            message: AppError::MfaEnrollmentRequired.to_string(),
            enrollment_token: outcome.token,
            expires_at,
        };
        return Ok((StatusCode::FORBIDDEN, Json(body)).into_response());
    }
    Ok(Json(LoginResponse {
        token: outcome.token,
        expires_at,
    })
    .into_response())
}

/// End this session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Signed out"), (status = 401, body = ErrorBody)))]
pub async fn logout(State(state): State<AppState>, ApiEnrolling(p): ApiEnrolling) -> Result<StatusCode, WebError> {
    state.app.logout(&p.actor()).await.map_err(WebError::api)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who is signed in, and what they may see.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = MeResponse), (status = 401, body = ErrorBody)))]
pub async fn me(State(state): State<AppState>, ApiEnrolling(p): ApiEnrolling) -> Json<MeResponse> {
    let policy = state.app.policy();
    let data_access = DataClass::ALL
        .into_iter()
        .filter_map(|c| {
            let a = policy.access(p.data_roles(), c);
            let label = if a.can_write() {
                "read_write"
            } else if a.can_read() {
                "read"
            } else {
                return None;
            };
            Some((c.as_str().to_owned(), label.to_owned()))
        })
        .collect();
    let capabilities = Capability::ALL
        .into_iter()
        .filter(|c| policy.has_capability(&p.roles, *c))
        .map(|c| c.as_str().to_owned())
        .collect();
    Json(MeResponse {
        id: p.user_id.0,
        username: p.username,
        display_name: p.display_name,
        roles: p.roles.iter().map(|r| r.to_string()).collect(),
        mfa_verified: p.mfa_verified,
        data_access,
        capabilities,
        session_expires_at: rfc3339(p.expires_at),
    })
}

/// Start MFA enrolment: a new TOTP secret to add to an authenticator app.
#[utoipa::path(post, path = "/api/v1/auth/mfa/enroll", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = MfaEnrollment), (status = 409, description = "Already enrolled", body = ErrorBody)))]
pub async fn mfa_enroll(
    State(state): State<AppState>,
    ApiEnrolling(p): ApiEnrolling,
) -> Result<Json<MfaEnrollment>, WebError> {
    let e = state.app.start_enrollment(&p.actor()).await.map_err(WebError::api)?;
    Ok(Json(MfaEnrollment {
        secret: e.secret_base32,
        otpauth_uri: e.otpauth_uri,
    }))
}

/// Confirm MFA enrolment with a current code; returns the recovery codes, once.
#[utoipa::path(post, path = "/api/v1/auth/mfa/confirm", tag = "auth", security(("bearer" = [])), request_body = CodeRequest,
    responses((status = 200, body = RecoveryCodes), (status = 422, body = ErrorBody)))]
pub async fn mfa_confirm(
    State(state): State<AppState>,
    ApiEnrolling(p): ApiEnrolling,
    ApiJson(req): ApiJson<CodeRequest>,
) -> Result<Json<RecoveryCodes>, WebError> {
    let enrolled = state
        .app
        .confirm_enrollment(&p.actor(), &req.code)
        .await
        .map_err(WebError::api)?;
    Ok(Json(RecoveryCodes {
        recovery_codes: enrolled.recovery_codes,
    }))
}

/// Replace the caller's recovery codes.
#[utoipa::path(post, path = "/api/v1/auth/mfa/recovery-codes", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = RecoveryCodes), (status = 401, body = ErrorBody)))]
pub async fn recovery_codes(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
) -> Result<Json<RecoveryCodes>, WebError> {
    let codes = state
        .app
        .regenerate_recovery_codes(&p.actor())
        .await
        .map_err(WebError::api)?;
    Ok(Json(RecoveryCodes { recovery_codes: codes }))
}
