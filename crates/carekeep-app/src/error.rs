//! `AppError`: every way a use case can fail, in terms a front end can map to a response.
//! Messages of the 4xx kinds say what to fix and never contain PHI or secrets.

use carekeep_crypto::CryptoError;
use carekeep_store::StoreError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum AppError {
    /// Bad input; the message says what to fix.
    #[error("{0}")]
    Invalid(String),
    /// Login failed. One message for every cause, so it never reveals which usernames exist.
    #[error("the username, password or authenticator code is not right")]
    BadCredentials,
    /// Too many failures for this username.
    #[error("too many failed attempts; try again in {retry_after_secs} seconds")]
    LockedOut { retry_after_secs: i64 },
    /// The session ended (idle logoff, revocation) or the token is not valid.
    #[error("not signed in, or the session has ended; sign in again")]
    Unauthenticated,
    /// No session was offered at all.
    #[error("sign in first")]
    SignInRequired,
    /// The account must enrol in MFA before it can do anything else (164.312(d)).
    #[error("this account must set up two-step verification (an authenticator app) before it can be used")]
    MfaEnrollmentRequired,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Emergency mode (164.308(a)(7)(ii)(C)): this copy serves reads only.
    #[error("Carekeep is in read-only emergency mode: look things up here, record changes on paper until the primary is back")]
    ReadOnly,
    #[error("{0}")]
    Conflict(String),
    /// Something broke inside; the detail is for the log only.
    #[error("internal error")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound("record"),
            StoreError::Conflict => AppError::Conflict("that conflicts with an existing record".into()),
            StoreError::Refused(why) => AppError::Conflict(why),
            StoreError::MissingReference => AppError::Invalid(
                "it refers to a record that does not exist (a vendor, person or patient id): choose one from the list"
                    .into(),
            ),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<CryptoError> for AppError {
    fn from(e: CryptoError) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(e: tokio::task::JoinError) -> Self {
        AppError::Internal(e.to_string())
    }
}
