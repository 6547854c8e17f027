//! Inviting staff (issue 25, item 3; 164.308(a)(4)(ii)(C) access establishment): the owner
//! makes the account with its roles and no usable password, and gets a one-time link valid 72
//! hours (`carekeep-domain::program::invite`). The person opens it, chooses a password, then
//! signs in and enrols an authenticator on the ordinary enrolment pages (164.312(d)).

use crate::{Actor, App, AppError};
use carekeep_crypto::token::{new_token, token_hash};
use carekeep_domain::audit::{Action, AuditActor, AuditEvent, Origin, Outcome};
use carekeep_domain::program::invite::{expires_at, state, InviteState};
use carekeep_domain::{password, Capability, UserId};
use carekeep_store::{invitations, sessions, users};

use super::users::{NewUserInput, UserView};

/// A new invitation: the account and the token, shown once (only its hash is kept).
#[derive(Debug)]
pub struct Invited {
    pub user: UserView,
    pub token: String,
}

/// What the invitation's page shows.
#[derive(Clone, Debug)]
pub struct InvitationView {
    pub clinic: String,
    pub display_name: String,
    pub username: String,
    pub state: InviteState,
}

impl App {
    /// Makes an account for a new person, with no usable password, and its invitation.
    pub async fn invite_user(
        &self,
        actor: &Actor<'_>,
        username: &str,
        display_name: &str,
        roles: &[String],
    ) -> Result<Invited, AppError> {
        let user = self.invite_account(actor, username, display_name, roles).await?;
        let token = new_token();
        self.issue_invitation_with(actor, user.id, &token, "invitation made (valid 72 hours)")
            .await?;
        Ok(Invited { user, token })
    }

    /// The account of a person to invite: their roles and a password no one knows, so nothing
    /// signs in until they choose their own through a link or code.
    pub(crate) async fn invite_account(
        &self,
        actor: &Actor<'_>,
        username: &str,
        display_name: &str,
        roles: &[String],
    ) -> Result<UserView, AppError> {
        self.require(actor, Capability::AdministerUsers).await?;
        let unusable = format!("{}{}", new_token(), new_token());
        self.create_user(
            actor,
            &NewUserInput {
                username,
                display_name,
                password: &unusable,
                roles,
            },
        )
        .await
    }

    /// A fresh link for an account not set up yet (the first one lost or expired). Earlier
    /// open links for the account stop working.
    pub async fn reinvite_user(&self, actor: &Actor<'_>, id: UserId) -> Result<String, AppError> {
        self.require_pending(actor, id).await?;
        let token = new_token();
        self.issue_invitation_with(actor, id, &token, "invitation made again (valid 72 hours)")
            .await?;
        Ok(token)
    }

    /// Refuses a new invitation for an account that is set up already.
    pub(crate) async fn require_pending(&self, actor: &Actor<'_>, id: UserId) -> Result<(), AppError> {
        self.require(actor, Capability::AdministerUsers).await?;
        let pending = {
            let mut conn = self.store().read().await?;
            invitations::pending_user_ids(&mut conn).await?
        };
        if !pending.contains(&id) {
            return Err(AppError::Conflict(
                "this person has already set up their account; reset their password instead".into(),
            ));
        }
        Ok(())
    }

    /// Stores the hash of a link's token or a set-up code (never the secret) for 72 hours.
    pub(crate) async fn issue_invitation_with(
        &self,
        actor: &Actor<'_>,
        id: UserId,
        secret: &str,
        reason: &str,
    ) -> Result<(), AppError> {
        let by = actor.principal().map(|p| p.user_id).ok_or(AppError::Unauthenticated)?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        invitations::add(tx.conn(), id, &token_hash(secret), expires_at(now), by, now).await?;
        let event = self
            .event(actor, Action::UserCreated, Outcome::Success)
            .with_target(id)
            .with_reason(reason);
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The invitation's page. An unknown token is "not found", whatever it looks like.
    pub async fn invitation(&self, token: &str) -> Result<InvitationView, AppError> {
        let mut conn = self.store().read().await?;
        let inv = invitations::by_hash(&mut conn, &token_hash(token))
            .await
            .map_err(|_| AppError::NotFound("invitation"))?;
        let user = users::by_id(&mut conn, inv.user_id)
            .await
            .map_err(|_| AppError::NotFound("invitation"))?;
        let st = if user.disabled_at.is_some() {
            InviteState::Expired
        } else {
            state(self.now(), inv.expires_at, inv.used_at.is_some())
        };
        Ok(InvitationView {
            clinic: self.clinic_name().to_owned(),
            display_name: user.display_name,
            username: user.username,
            state: st,
        })
    }

    /// The invited person chooses a password: once, within 72 hours. Their authenticator is
    /// enrolled at first sign-in, as for every account that needs one.
    pub async fn accept_invitation(
        &self,
        token: &str,
        new_password: &str,
        origin: Origin,
    ) -> Result<InvitationView, AppError> {
        let view = self.invitation(token).await?;
        if view.state != InviteState::Open {
            return Ok(view);
        }
        password::check(new_password, &view.username).map_err(|e| AppError::Invalid(format!("password: {e}")))?;
        let hash = self.hash_password(new_password).await?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let inv = invitations::by_hash(tx.conn(), &token_hash(token))
            .await
            .map_err(|_| AppError::NotFound("invitation"))?;
        if state(now, inv.expires_at, inv.used_at.is_some()) != InviteState::Open
            || !invitations::use_it(tx.conn(), inv.id, now).await?
        {
            return self.invitation(token).await;
        }
        users::set_password(tx.conn(), inv.user_id, &hash, now).await?;
        sessions::end_all_for_user(tx.conn(), inv.user_id, "password_reset", now).await?;
        let actor = AuditActor {
            user_id: Some(inv.user_id),
            name: view.username.clone(),
            roles: Vec::new(),
        };
        let mut event = AuditEvent::new(now, actor, Action::PasswordReset, Outcome::Success, origin);
        event.reason = "password chosen through an invitation".into();
        let event = event.with_target(inv.user_id);
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        tracing::info!(user_id = %inv.user_id, "invitation accepted");
        Ok(InvitationView {
            state: InviteState::Used,
            ..view
        })
    }

    /// The invited person types the printed set-up code and chooses a password: the same
    /// one-time, 72-hour invitation as a link. A code that cannot be one, or is unknown, is
    /// refused at the field (the page counts every try against the link limit). Also says
    /// whether the password was saved by this call (a code used before reads "used").
    pub async fn accept_setup_code(
        &self,
        typed: &str,
        new_password: &str,
        origin: Origin,
    ) -> Result<(InvitationView, bool), AppError> {
        let unknown = || {
            AppError::Invalid(
                "that set-up code is not right: type it as printed on the sheet, like 7KQM-3XRT-9HBD-W2NC".into(),
            )
        };
        let code = carekeep_domain::program::invite::normalize_code(typed).ok_or_else(unknown)?;
        let before = match self.invitation(&code).await {
            Ok(v) => v,
            Err(AppError::NotFound(_)) => return Err(unknown()),
            Err(e) => return Err(e),
        };
        if before.state != InviteState::Open {
            return Ok((before, false));
        }
        let after = self.accept_invitation(&code, new_password, origin).await?;
        let saved = after.state == InviteState::Used;
        Ok((after, saved))
    }

    /// The accounts invited and not yet set up: shown as "invited", not as gaps.
    pub async fn pending_invitations(&self) -> Result<Vec<UserId>, AppError> {
        let mut conn = self.store().read().await?;
        Ok(invitations::pending_user_ids(&mut conn).await?)
    }
}
