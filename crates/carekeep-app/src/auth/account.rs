//! A person's own account: changing one's password and signing out everywhere. A password is
//! changed with the current one and a code from the authenticator, so a session left open on a
//! shared front-desk computer cannot be used to take the account (164.308(a)(5)(ii)(D),
//! password management). Either way every session of the account ends, this one included:
//! whoever else held one is out, and the person signs in again with the new password.

use crate::auth::{totp_binding, unix_u64};
use crate::seal::NotPhi;
use crate::{Actor, App, AppError};
use carekeep_crypto::{recovery, totp};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::password;
use carekeep_store::{sessions, users};

impl App {
    /// Changes the caller's own password after checking the current one and a code (or a
    /// recovery code) from their authenticator; ends all their sessions.
    pub async fn change_own_password(
        &self,
        actor: &Actor<'_>,
        current: &str,
        code: &str,
        new: &str,
    ) -> Result<(), AppError> {
        let p = actor.person()?;
        let now = self.now();
        let user = {
            let mut conn = self.store().read().await?;
            users::by_id(&mut conn, p.user_id).await?
        };
        let actor = p.actor();
        if !self.verify_password(current, Some(user.password_hash.clone())).await? {
            let event = self
                .event(&actor, Action::PasswordReset, Outcome::Failure)
                .with_target(p.user_id)
                .with_reason("own password change: wrong current password");
            let mut tx = self.store().begin().await?;
            self.record(&mut tx, &event).await?;
            tx.commit().await?;
            return Err(AppError::Invalid("the current password is not right".into()));
        }
        if new == current {
            return Err(AppError::Invalid(
                "the new password must differ from the current one".into(),
            ));
        }
        password::check(new, &user.username).map_err(|e| AppError::Invalid(format!("the new password: {e}")))?;
        let hash = self.hash_password(new).await?;
        let mut tx = self.store().begin().await?;
        if let Some(sealed) = &user.totp_secret {
            let code = code.trim();
            let ok = if recovery::looks_like_code(code) {
                users::use_recovery_code(tx.conn(), user.id, &recovery::hash(code), now).await?
            } else {
                let secret = totp::TotpSecret::from_bytes(
                    self.sealer()
                        .open_not_phi(NotPhi::SignInSecret, totp_binding(user.id), sealed)?
                        .to_vec(),
                );
                let last = user.totp_last_step.and_then(|s| u64::try_from(s).ok());
                match totp::verify(&secret, code, unix_u64(now), last) {
                    Some(step) => {
                        users::advance_totp_step(tx.conn(), user.id, i64::try_from(step).unwrap_or(i64::MAX)).await?
                    }
                    None => false,
                }
            };
            if !ok {
                return Err(AppError::Invalid(
                    "the code is not right: use the 6 digits your authenticator app shows now".into(),
                ));
            }
        }
        users::set_password(tx.conn(), p.user_id, &hash, now).await?;
        sessions::end_all_for_user(tx.conn(), p.user_id, "password_changed", now).await?;
        let event = self
            .event(&actor, Action::PasswordReset, Outcome::Success)
            .with_target(p.user_id)
            .with_reason("changed by the account holder; every session ended");
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        tracing::info!(user_id = %p.user_id, "own password changed");
        Ok(())
    }

    /// Ends every session of the caller's account, on every computer.
    pub async fn sign_out_everywhere(&self, actor: &Actor<'_>) -> Result<(), AppError> {
        let p = actor.person()?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        sessions::end_all_for_user(tx.conn(), p.user_id, "signed_out_everywhere", now).await?;
        let event = self
            .event(&p.actor(), Action::SessionEnded, Outcome::Success)
            .with_target(p.user_id)
            .with_reason("signed out everywhere by the account holder");
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        tracing::info!(user_id = %p.user_id, "signed out everywhere");
        Ok(())
    }
}
