//! Enrolling in TOTP MFA and recovery codes (164.312(d)).

use crate::auth::{totp_binding, unix_u64};
use crate::seal::NotPhi;
use crate::Actor;
use crate::{App, AppError};
use carekeep_crypto::keys::Binding;
use carekeep_crypto::{recovery, token, totp};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::UserId;
use carekeep_store::{sessions, users, Tx};

/// What the enrolment page shows: the secret as a QR code and as text to type.
#[derive(Debug)]
pub struct Enrollment {
    pub secret_base32: String,
    pub otpauth_uri: String,
    pub qr_svg: String,
}

fn pending_binding(user: UserId) -> Binding<'static> {
    Binding {
        table: "users",
        column: "totp_pending",
        row: user.0,
    }
}

/// A confirmed enrolment.
#[derive(Debug)]
pub struct Enrolled {
    /// The ten single-use recovery codes, shown once.
    pub recovery_codes: Vec<String>,
    /// The session's new CSRF token.
    pub csrf_token: String,
}

impl App {
    /// Starts (or shows again) an enrolment for the caller.
    pub async fn start_enrollment(&self, actor: &Actor<'_>) -> Result<Enrollment, AppError> {
        let p = actor.person()?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let user = users::by_id(tx.conn(), p.user_id).await?;
        if user.totp_secret.is_some() {
            return Err(AppError::Conflict(
                "two-step verification is already set up; the owner can reset it if the phone is lost".into(),
            ));
        }
        let secret = match &user.totp_pending {
            Some(sealed) => totp::TotpSecret::from_bytes(
                self.sealer()
                    .open_not_phi(NotPhi::SignInSecret, pending_binding(p.user_id), sealed)?
                    .to_vec(),
            ),
            None => {
                let s = totp::TotpSecret::generate();
                let sealed = self.sealer().seal(pending_binding(p.user_id), s.as_bytes())?;
                users::set_totp_pending(tx.conn(), p.user_id, &sealed, now).await?;
                s
            }
        };
        tx.commit().await?;
        let uri = totp::otpauth_uri(&secret, &format!("Carekeep {}", self.clinic_name()), &user.username);
        Ok(Enrollment {
            secret_base32: secret.to_base32(),
            qr_svg: totp::qr_svg(&uri)?,
            otpauth_uri: uri,
        })
    }

    /// Confirms the enrolment with a code from the app; returns the ten recovery codes, shown
    /// once. The session that confirmed becomes a full session, with a new CSRF token: a token
    /// seen while the session could do nothing must not carry over to one that can do
    /// everything its roles allow.
    pub async fn confirm_enrollment(&self, actor: &Actor<'_>, code: &str) -> Result<Enrolled, AppError> {
        let p = actor.person()?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let user = users::by_id(tx.conn(), p.user_id).await?;
        let sealed = user
            .totp_pending
            .ok_or_else(|| AppError::Invalid("start the set-up first: no code is waiting to be confirmed".into()))?;
        let secret = totp::TotpSecret::from_bytes(
            self.sealer()
                .open_not_phi(NotPhi::SignInSecret, pending_binding(p.user_id), &sealed)?
                .to_vec(),
        );
        let step = totp::verify(&secret, code, unix_u64(now), None).ok_or_else(|| {
            AppError::Invalid("that code is not right; type the six digits your authenticator app shows now".into())
        })?;
        let codes = enroll(self, &mut tx, p.user_id, &secret, i64::try_from(step).unwrap_or(0)).await?;
        let csrf_token = token::new_token();
        sessions::set_mfa_verified(tx.conn(), p.session_id, &csrf_token).await?;
        let event = self
            .event(&p.actor(), Action::MfaEnrolled, Outcome::Success)
            .with_target(p.user_id);
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        tracing::info!(user_id = %p.user_id, "mfa enrolled");
        Ok(Enrolled {
            recovery_codes: codes,
            csrf_token,
        })
    }

    /// Replaces the caller's recovery codes.
    pub async fn regenerate_recovery_codes(&self, actor: &Actor<'_>) -> Result<Vec<String>, AppError> {
        let p = actor.person()?;
        p.require_full()?;
        let codes = recovery::generate();
        let hashes: Vec<String> = codes.iter().map(|c| recovery::hash(c)).collect();
        let mut tx = self.store().begin().await?;
        users::replace_recovery_codes(tx.conn(), p.user_id, &hashes).await?;
        let event = self
            .event(&p.actor(), Action::RecoveryCodesIssued, Outcome::Success)
            .with_target(p.user_id);
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(codes)
    }

    /// How many unused recovery codes the caller has.
    pub async fn recovery_codes_left(&self, actor: &Actor<'_>) -> Result<i64, AppError> {
        let p = actor.person()?;
        let mut conn = self.store().read().await?;
        Ok(users::unused_recovery_codes(&mut conn, p.user_id).await?)
    }
}

/// Makes `secret` the user's MFA secret and issues recovery codes. Also used by the demo,
/// which enrols its users with known secrets.
pub(crate) async fn enroll(
    app: &App,
    tx: &mut Tx,
    user: UserId,
    secret: &totp::TotpSecret,
    step: i64,
) -> Result<Vec<String>, AppError> {
    let now = app.now();
    let sealed = app.sealer().seal(totp_binding(user), secret.as_bytes())?;
    users::confirm_totp(tx.conn(), user, &sealed, step, now).await?;
    let codes = recovery::generate();
    let hashes: Vec<String> = codes.iter().map(|c| recovery::hash(c)).collect();
    users::replace_recovery_codes(tx.conn(), user, &hashes).await?;
    Ok(codes)
}
