//! One staff list (issue 25, item 3): a person is one record, the account (name, login, roles)
//! and its line on the workforce roster (hire date, job title, work email) made together, so no
//! one is typed twice; training and acknowledgements stay attached to the roster line.
//! 164.308(a)(4)(ii)(C) access establishment; 164.308(a)(5) and 164.530(b) training.
//!
//! A new person is invited one of three ways: the one-time link mailed through the clinic's
//! SMTP relay (only while the relay's vendor has a BAA in force, through the BAA gate), a
//! printed one-time set-up code, or the link shown to the owner once. Links and codes are both
//! invitations: only their SHA-256 is kept, each works once and lasts 72 hours, and a new one
//! closes the person's earlier one.

use crate::mail::Content;
use crate::{Actor, App, AppError};
use carekeep_crypto::token::new_code;
use carekeep_domain::program::invite::{expires_at, format_code, CODE_ALPHABET, CODE_LENGTH};
use carekeep_domain::program::Standing;
use carekeep_domain::{Capability, RoleName, UserId};
use carekeep_store::users;
use carekeep_store::workforce::{self as roster, PersonRow};
use time::OffsetDateTime;

use super::users::NewUserInput;

/// How the owner hands the invitation over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handover {
    /// The link, mailed to the person's work address.
    Email,
    /// A one-time code on a printed sheet.
    Code,
    /// The link, shown once to the owner to pass on.
    Link,
    /// The owner types a first password (the older way; no invitation).
    Password,
}

impl Handover {
    pub fn parse(s: &str) -> Handover {
        match s {
            "email" => Handover::Email,
            "code" => Handover::Code,
            "password" => Handover::Password,
            _ => Handover::Link,
        }
    }
}

/// A new person: the account and the roster line at once.
#[derive(Clone, Debug, Default)]
pub struct NewStaff {
    pub display_name: String,
    pub username: String,
    pub job_title: String,
    /// As typed, like 04/23/2026; empty is today.
    pub hired_on: String,
    pub email: String,
    pub roles: Vec<String>,
    /// Only for `Handover::Password`.
    pub password: String,
}

/// What the owner gets back: the secret to hand over, shown only this once.
#[derive(Clone, Debug)]
pub struct Handed {
    pub user_id: UserId,
    pub display_name: String,
    pub username: String,
    /// The link's token (the page makes the address).
    pub token: Option<String>,
    /// The set-up code as printed (`XXXX-XXXX-XXXX-XXXX`).
    pub code: Option<String>,
    /// The work address the link was mailed to.
    pub emailed_to: Option<String>,
    /// Why mailing failed, in words for the owner (the link is shown instead).
    pub mail_failed: Option<String>,
    pub expires_at: OffsetDateTime,
}

/// One line of the staff list.
#[derive(Clone, Debug)]
pub struct StaffLine {
    pub user_id: UserId,
    pub display_name: String,
    pub username: String,
    pub roles: Vec<RoleName>,
    pub job_title: String,
    /// `YYYY-MM-DD`; empty when the account has no roster line.
    pub hired_on: String,
    pub email: String,
    /// The roster line's id (0 when none).
    pub person_id: i64,
    /// Invited and not set up yet: not a gap anywhere.
    pub invited: bool,
    pub disabled: bool,
    pub mfa_enrolled: bool,
    pub mfa_required: bool,
    /// done, due_soon, gap, or left; empty for invited people.
    pub training: &'static str,
}

/// Why the relay cannot carry an invitation, in the owner's words.
fn relay_words(e: &AppError) -> String {
    match e {
        AppError::Forbidden(m) => format!("the email relay cannot be used yet: {m}"),
        _ => "the email relay did not accept the message".into(),
    }
}

impl App {
    /// The relay may carry invitations: configured, tied to its vendor record, and that
    /// vendor's BAA in force (the BAA gate, 164.502(e)(1), 164.308(b)(1)). The owner asked for
    /// the relay under a BAA before staff mail goes through it, as patients' mail will.
    pub async fn invitation_mail_ready(&self) -> Result<(), AppError> {
        let Some(settings) = self.mail_in_effect().await? else {
            return Err(AppError::Invalid(
                "this clinic has no email relay set up, so Carekeep cannot email the invitation: choose a printed set-up code or the link instead".into(),
            ));
        };
        self.integration_gate("email relay", &settings.vendor, true)
            .await
            .map_err(|e| AppError::Invalid(relay_words(&e)))
    }

    /// Adds a person: their account with its roles and their roster line, then hands over
    /// the invitation the owner chose. Everything typed is checked before anything is made.
    pub async fn add_staff(
        &self,
        actor: &Actor<'_>,
        input: &NewStaff,
        how: Handover,
        base_url: &str,
    ) -> Result<Handed, AppError> {
        self.require(actor, Capability::AdministerUsers).await?;
        let name = crate::input::line("full name", &input.display_name, 120, true)?;
        let hired = crate::input::date("hire date", &input.hired_on, false)?.unwrap_or_else(|| self.clinic_today());
        let email = work_email(&input.email)?;
        let job_title = crate::input::line("job title", &input.job_title, 120, false)?;
        if how == Handover::Email {
            self.invitation_mail_ready().await?;
            if email.is_none() {
                return Err(AppError::Invalid(
                    "the work email is needed to email the invitation (or choose a printed set-up code)".into(),
                ));
            }
        }
        let user = if how == Handover::Password {
            self.create_user(
                actor,
                &NewUserInput {
                    username: &input.username,
                    display_name: &name,
                    password: &input.password,
                    roles: &input.roles,
                },
            )
            .await?
        } else {
            self.invite_account(actor, &input.username, &name, &input.roles).await?
        };
        let mut tx = self.store().begin().await?;
        let row = PersonRow {
            id: 0,
            name: user.display_name.clone(),
            job_title,
            user_id: Some(user.id.0),
            hired_on: hired.to_string(),
            left_on: None,
            offboarded: false,
            email: email.clone(),
        };
        let person = match roster::person_by_user(tx.conn(), user.id.0).await? {
            Some(p) => p.id,
            None => roster::save_person(tx.conn(), &row, self.now()).await?,
        };
        let mut event = self
            .event(
                actor,
                carekeep_domain::audit::Action::ProgramChanged,
                carekeep_domain::audit::Outcome::Success,
            )
            .with_reason(&format!(
                "workforce member {person}: hired {}, with login {}",
                row.hired_on, user.id
            ));
        event.resource_type = "Workforce".into();
        event.resource_id = person.to_string();
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        let mut handed = Handed {
            user_id: user.id,
            display_name: user.display_name,
            username: user.username,
            token: None,
            code: None,
            emailed_to: None,
            mail_failed: None,
            expires_at: expires_at(self.now()),
        };
        if how != Handover::Password {
            self.hand_over(actor, &mut handed, how, email.as_deref(), base_url, true)
                .await?;
        }
        Ok(handed)
    }

    /// A fresh invitation for a person not set up yet (the first lost or expired), handed
    /// over the way the owner chooses; the earlier link or code stops working.
    pub async fn resend_invitation(
        &self,
        actor: &Actor<'_>,
        id: UserId,
        how: Handover,
        base_url: &str,
    ) -> Result<Handed, AppError> {
        self.require_pending(actor, id).await?;
        let (user, email) = {
            let mut conn = self.store().read().await?;
            let user = users::by_id(&mut conn, id)
                .await
                .map_err(|_| AppError::NotFound("user"))?;
            let email = roster::person_by_user(&mut conn, id.0).await?.and_then(|p| p.email);
            (user, email)
        };
        if how == Handover::Email {
            self.invitation_mail_ready().await?;
            if email.is_none() {
                return Err(AppError::Invalid(
                    "there is no work email for this person on the staff list: add it, or choose a printed set-up code"
                        .into(),
                ));
            }
        }
        let mut handed = Handed {
            user_id: id,
            display_name: user.display_name,
            username: user.username,
            token: None,
            code: None,
            emailed_to: None,
            mail_failed: None,
            expires_at: expires_at(self.now()),
        };
        let how = if how == Handover::Password { Handover::Link } else { how };
        self.hand_over(actor, &mut handed, how, email.as_deref(), base_url, false)
            .await?;
        Ok(handed)
    }

    async fn hand_over(
        &self,
        actor: &Actor<'_>,
        handed: &mut Handed,
        how: Handover,
        email: Option<&str>,
        base_url: &str,
        first: bool,
    ) -> Result<(), AppError> {
        if how == Handover::Code {
            let code = new_code(CODE_ALPHABET, CODE_LENGTH);
            self.issue_invitation_with(actor, handed.user_id, &code, "set-up code made (valid 72 hours)")
                .await?;
            handed.code = Some(format_code(&code));
            return Ok(());
        }
        let token = if first {
            let token = carekeep_crypto::token::new_token();
            self.issue_invitation_with(actor, handed.user_id, &token, "invitation made (valid 72 hours)")
                .await?;
            token
        } else {
            self.reinvite_user(actor, handed.user_id).await?
        };
        if let (Handover::Email, Some(to)) = (how, email) {
            let link = format!("{base_url}/invite/{token}");
            let body = invitation_body(&handed.display_name, &handed.username, self.clinic_name(), &link);
            let subject = format!("Your Carekeep account at {}", self.clinic_name());
            match self.send_mail(to, &subject, &body, Content::Phi).await {
                Ok(()) => handed.emailed_to = Some(to.to_owned()),
                Err(e) => {
                    // The relay's own words can quote the address: not logged, not shown.
                    tracing::warn!(user_id = %handed.user_id, "an invitation could not be mailed; the link is shown instead");
                    handed.mail_failed = Some(relay_words(&e));
                }
            }
        }
        handed.token = Some(token);
        Ok(())
    }

    /// The one staff list: every account with its roster line, "invited" until set up.
    pub async fn staff_list(&self, actor: &Actor<'_>) -> Result<Vec<StaffLine>, AppError> {
        self.require(actor, Capability::AdministerUsers).await?;
        let mut conn = self.store().read().await?;
        let accounts = users::all(&mut conn).await?;
        let people = roster::people(&mut conn).await?;
        let records = roster::training(&mut conn).await?;
        let pending = carekeep_store::invitations::pending_user_ids(&mut conn).await?;
        drop(conn);
        let today = self.clinic_today();
        let policy = self.policy();
        Ok(accounts
            .into_iter()
            .map(|u| {
                let p = people.iter().find(|p| p.user_id == Some(u.id.0));
                let invited = pending.contains(&u.id);
                let training = match p {
                    _ if invited => "",
                    None => "gap",
                    Some(p) => {
                        let mine: Vec<_> = records.iter().filter(|t| t.person_id == p.id).collect();
                        match self.training_standing(p, &mine, today) {
                            None => "left",
                            Some((_, Standing::Done)) => "done",
                            Some((_, Standing::DueSoon)) => "due_soon",
                            Some((_, Standing::Gap)) => "gap",
                        }
                    }
                };
                StaffLine {
                    user_id: u.id,
                    mfa_required: policy.requires_mfa(&u.roles),
                    mfa_enrolled: u.totp_secret.is_some(),
                    disabled: u.disabled_at.is_some(),
                    display_name: u.display_name,
                    username: u.username,
                    roles: u.roles,
                    job_title: p.map(|p| p.job_title.clone()).unwrap_or_default(),
                    hired_on: p.map(|p| p.hired_on.clone()).unwrap_or_default(),
                    email: p.and_then(|p| p.email.clone()).unwrap_or_default(),
                    person_id: p.map_or(0, |p| p.id),
                    invited,
                    training,
                }
            })
            .collect())
    }
}

fn work_email(s: &str) -> Result<Option<String>, AppError> {
    match s.trim() {
        "" => Ok(None),
        e if e.len() <= 254 && e.parse::<lettre::Address>().is_ok() => Ok(Some(e.to_owned())),
        _ => Err(AppError::Invalid(
            "the work email must look like name@clinic.example".into(),
        )),
    }
}

/// The invitation's message: the clinic, the person's username and the link. It names no
/// patient and nothing about the clinic's records.
fn invitation_body(name: &str, username: &str, clinic: &str, link: &str) -> String {
    format!(
        "Hello {name},\n\n{clinic} has made you a Carekeep account. Your username is {username}.\n\n\
         Open this link within 72 hours to choose your password (it works once):\n\n{link}\n\n\
         Then sign in and set up an authenticator app on your phone. If you did not expect this \
         message, tell the clinic's owner and do not open the link.\n"
    )
}
