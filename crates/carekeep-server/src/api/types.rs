//! Request and response bodies of the JSON API.

use carekeep_app::users::UserView;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

pub fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// The six-digit code from the authenticator app, or a recovery code. Omit only for an
    /// account that has not enrolled yet.
    #[serde(default)]
    pub totp: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// When the session ends if unused (idle timeout), RFC 3339.
    pub expires_at: String,
}

/// Answer to a login by an account that must enrol in MFA first: the token works only for
/// `/api/v1/auth/mfa/*`, `/api/v1/me` and logout.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnrollmentRequired {
    pub error: &'static str,
    pub message: String,
    pub enrollment_token: String,
    pub expires_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<String>,
    /// False while the account still has to enrol in MFA.
    pub mfa_verified: bool,
    /// What the person may do with each data class: `read` or `read_write` (absent: nothing).
    pub data_access: BTreeMap<String, String>,
    pub capabilities: Vec<String>,
    pub session_expires_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MfaEnrollment {
    /// Base32 secret, for typing into an authenticator app.
    pub secret: String,
    pub otpauth_uri: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CodeRequest {
    pub code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryCodes {
    /// Ten single-use codes, shown only now.
    pub recovery_codes: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionJson {
    pub id: i64,
    pub created_at: String,
    pub last_seen_at: String,
    pub source_ip: String,
    pub user_agent: String,
    pub current: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserJson {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<String>,
    pub mfa_enrolled: bool,
    pub mfa_required: bool,
    pub disabled: bool,
    pub created_at: String,
}

impl From<UserView> for UserJson {
    fn from(u: UserView) -> Self {
        UserJson {
            id: u.id.0,
            username: u.username,
            display_name: u.display_name,
            roles: u.roles.iter().map(|r| r.to_string()).collect(),
            mfa_enrolled: u.mfa_enrolled,
            mfa_required: u.mfa_required,
            disabled: u.disabled,
            created_at: rfc3339(u.created_at),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateUserRequest {
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    pub password: String,
    pub roles: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RolesRequest {
    pub roles: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordRequest {
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoleJson {
    pub name: String,
    pub description: String,
    /// Data class to `read` or `read_write`.
    pub grants: BTreeMap<String, String>,
    pub capabilities: Vec<String>,
    pub builtin: bool,
}
