//! Staff account administration (164.308(a)(3)(ii)(C) termination procedures,
//! 164.308(a)(4)(ii)(C) access establishment and modification). Every change that alters what
//! an account may do ends that account's sessions at once, so it takes effect immediately.

use crate::setup::display_or;
use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::monitoring::role_definition_reason;
use carekeep_domain::{password, username, Capability, RoleName, UserId};
use carekeep_store::{sessions, users};
use serde::Serialize;
use time::OffsetDateTime;

/// A staff account as administrators see it. No secrets.
#[derive(Clone, Debug, Serialize)]
pub struct UserView {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<RoleName>,
    pub mfa_enrolled: bool,
    pub mfa_required: bool,
    pub disabled: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A new account.
#[derive(Debug)]
pub struct NewUserInput<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
    pub roles: &'a [String],
}

/// The role that holds security responsibility (164.308(a)(2)).
pub(crate) const COMPLIANCE_ROLE: &str = "compliance_officer";

impl App {
    fn view(&self, u: users::UserRow) -> UserView {
        let mfa_required = self.policy().requires_mfa(&u.roles);
        UserView {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            mfa_enrolled: u.totp_secret.is_some(),
            mfa_required,
            disabled: u.disabled_at.is_some(),
            created_at: u.created_at,
            roles: u.roles,
        }
    }

    fn parse_roles(&self, names: &[String]) -> Result<Vec<RoleName>, AppError> {
        if names.is_empty() {
            return Err(AppError::Invalid("give the account at least one role".into()));
        }
        let policy = self.policy();
        let mut out = Vec::new();
        for n in names {
            let role = RoleName::new(n.trim())
                .ok()
                .filter(|r| policy.role(r).is_some())
                .ok_or_else(|| {
                    let known: Vec<String> = policy.roles().map(|r| r.name.to_string()).collect();
                    AppError::Invalid(format!(
                        "unknown role '{}'; the roles are: {}",
                        n.trim(),
                        known.join(", ")
                    ))
                })?;
            if !out.contains(&role) {
                out.push(role);
            }
        }
        out.sort();
        Ok(out)
    }

    /// The clinic's roles, for choosing an account's roles.
    pub async fn list_roles(&self, actor: &Actor<'_>) -> Result<Vec<carekeep_domain::RoleDef>, AppError> {
        self.require(actor, Capability::AdministerUsers).await?;
        Ok(self.policy().roles().cloned().collect())
    }

    pub async fn list_users(&self, actor: &Actor<'_>) -> Result<Vec<UserView>, AppError> {
        self.require(actor, Capability::AdministerUsers).await?;
        let mut conn = self.store().read().await?;
        Ok(users::all(&mut conn).await?.into_iter().map(|u| self.view(u)).collect())
    }

    pub async fn get_user(&self, actor: &Actor<'_>, id: UserId) -> Result<UserView, AppError> {
        self.require(actor, Capability::AdministerUsers).await?;
        let mut conn = self.store().read().await?;
        Ok(self.view(users::by_id(&mut conn, id).await.map_err(not_found)?))
    }

    /// The account behind a username, for the command line.
    pub async fn find_user(&self, actor: &Actor<'_>, name: &str) -> Result<UserView, AppError> {
        self.require(actor, Capability::AdministerUsers).await?;
        let key = username::normalize(name).map_err(|e| AppError::Invalid(e.to_string()))?;
        let mut conn = self.store().read().await?;
        users::by_key(&mut conn, &key)
            .await?
            .map(|u| self.view(u))
            .ok_or(AppError::NotFound("user"))
    }

    /// Creates an account. One per person: the username is unique case-insensitively.
    pub async fn create_user(&self, actor: &Actor<'_>, input: &NewUserInput<'_>) -> Result<UserView, AppError> {
        self.require(actor, Capability::AdministerUsers).await?;
        let key = username::normalize(input.username).map_err(|e| AppError::Invalid(format!("username: {e}")))?;
        let roles = self.parse_roles(input.roles)?;
        password::check(input.password, input.username).map_err(|e| AppError::Invalid(format!("password: {e}")))?;
        let hash = self.hash_password(input.password).await?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let id = users::insert(
            tx.conn(),
            &users::NewUser {
                username: input.username.trim(),
                username_key: &key,
                display_name: display_or(input.display_name, input.username),
                password_hash: &hash,
            },
            now,
        )
        .await
        .map_err(|e| match e {
            carekeep_store::StoreError::Conflict => AppError::Conflict(format!(
                "the username '{}' is taken (usernames ignore case)",
                input.username.trim()
            )),
            other => other.into(),
        })?;
        users::set_roles(tx.conn(), id, &roles, now).await?;
        let user = users::by_id(tx.conn(), id).await?;
        let event = self
            .event(actor, Action::UserCreated, Outcome::Success)
            .with_target(id)
            .with_reason(&roles_text(&roles));
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        tracing::info!(user_id = %id, "user created");
        Ok(self.view(user))
    }

    /// Disables or re-enables an account. Disabling ends its sessions at once.
    pub async fn set_user_disabled(&self, actor: &Actor<'_>, id: UserId, disabled: bool) -> Result<UserView, AppError> {
        let me = self.require(actor, Capability::AdministerUsers).await?;
        if disabled && me.is_some_and(|p| p.user_id == id) {
            return Err(AppError::Invalid("you cannot disable your own account".into()));
        }
        let now = self.now();
        let mut tx = self.store().begin().await?;
        users::by_id(tx.conn(), id).await.map_err(not_found)?;
        users::set_disabled(tx.conn(), id, disabled.then_some(now), now).await?;
        if disabled {
            sessions::end_all_for_user(tx.conn(), id, "account_disabled", now).await?;
        }
        self.keep_an_administrator(tx.conn()).await?;
        let user = users::by_id(tx.conn(), id).await?;
        let action = if disabled {
            Action::UserDisabled
        } else {
            Action::UserEnabled
        };
        self.record(&mut tx, &self.event(actor, action, Outcome::Success).with_target(id))
            .await?;
        tx.commit().await?;
        tracing::info!(user_id = %id, disabled, "user access changed");
        Ok(self.view(user))
    }

    /// Replaces an account's roles and ends its sessions (all but the caller's own when they
    /// change their own roles).
    pub async fn set_user_roles(&self, actor: &Actor<'_>, id: UserId, roles: &[String]) -> Result<UserView, AppError> {
        self.require(actor, Capability::AdministerUsers).await?;
        let roles = self.parse_roles(roles)?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let before = users::by_id(tx.conn(), id).await.map_err(not_found)?;
        users::set_roles(tx.conn(), id, &roles, now).await?;
        // A new security officer is a significant change for the risk assessment (164.308(a)(2)).
        let officer = |rs: &[RoleName]| rs.iter().any(|r| r.as_str() == COMPLIANCE_ROLE);
        if officer(&before.roles) != officer(&roles) {
            self.flag_sra_review(
                &mut tx,
                carekeep_domain::program::sra::lifecycle::Change::SecurityOfficer,
                &before.username,
            )
            .await?;
        }
        // Everyone's roles are read again on each request (`sessions::live_with_user`), so the
        // change applies at once; the person's other sessions end, but one changing their own
        // roles stays signed in on this one (issue 25: it re-checks and stays).
        match actor.principal() {
            Some(p) if p.user_id == id => {
                sessions::end_all_for_user_but(tx.conn(), id, p.session_id, "roles_changed", now).await?;
            }
            _ => {
                sessions::end_all_for_user(tx.conn(), id, "roles_changed", now).await?;
            }
        }
        self.keep_an_administrator(tx.conn()).await?;
        let user = users::by_id(tx.conn(), id).await?;
        let event = self
            .event(actor, Action::UserRolesChanged, Outcome::Success)
            .with_target(id)
            .with_reason(&roles_text(&roles));
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        tracing::info!(user_id = %id, "user roles changed");
        if actor.principal().is_some_and(|p| p.user_id == id) {
            self.flag_self_escalation().await;
        }
        Ok(self.view(user))
    }

    /// Sets a new password and ends the account's sessions.
    pub async fn reset_password(&self, actor: &Actor<'_>, id: UserId, new_password: &str) -> Result<(), AppError> {
        self.require(actor, Capability::AdministerUsers).await?;
        let now = self.now();
        let user = {
            let mut conn = self.store().read().await?;
            users::by_id(&mut conn, id).await.map_err(not_found)?
        };
        password::check(new_password, &user.username).map_err(|e| AppError::Invalid(format!("password: {e}")))?;
        let hash = self.hash_password(new_password).await?;
        let mut tx = self.store().begin().await?;
        users::set_password(tx.conn(), id, &hash, now).await?;
        sessions::end_all_for_user(tx.conn(), id, "password_reset", now).await?;
        self.record(
            &mut tx,
            &self
                .event(actor, Action::PasswordReset, Outcome::Success)
                .with_target(id),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(user_id = %id, "password reset");
        Ok(())
    }

    /// Removes an account's MFA (a lost phone); it must enrol again at next login.
    pub async fn reset_mfa(&self, actor: &Actor<'_>, id: UserId) -> Result<(), AppError> {
        self.require(actor, Capability::AdministerUsers).await?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        users::by_id(tx.conn(), id).await.map_err(not_found)?;
        users::clear_mfa(tx.conn(), id, now).await?;
        sessions::end_all_for_user(tx.conn(), id, "mfa_reset", now).await?;
        self.record(
            &mut tx,
            &self.event(actor, Action::MfaReset, Outcome::Success).with_target(id),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(user_id = %id, "mfa reset");
        Ok(())
    }

    /// Refuses a change that would leave no enabled account able to administer users.
    async fn keep_an_administrator(&self, conn: &mut carekeep_store::Conn) -> Result<(), AppError> {
        let policy = self.policy();
        let any = users::all(conn)
            .await?
            .iter()
            .any(|u| u.disabled_at.is_none() && policy.has_capability(&u.roles, Capability::AdministerUsers));
        if any {
            Ok(())
        } else {
            Err(AppError::Invalid(
                "this would leave the clinic with no enabled account that can administer users".into(),
            ))
        }
    }
}

fn roles_text(roles: &[RoleName]) -> String {
    let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    format!("roles: {}", names.join(", "))
}

fn not_found(e: carekeep_store::StoreError) -> AppError {
    match e {
        carekeep_store::StoreError::NotFound => AppError::NotFound("user"),
        other => other.into(),
    }
}

impl App {
    /// Defines a clinic role, or changes one the clinic defined, in the same terms as the
    /// defaults: data classes with `r` or `rw`, and capabilities (164.308(a)(4)(ii)(B)-(C)
    /// access authorization, establishment and modification). The default roles stay as
    /// PRODUCT.md section 2 sets them. Takes effect on the next request of everyone holding it.
    pub async fn define_role(
        &self,
        actor: &Actor<'_>,
        name: &str,
        description: &str,
        grants: &str,
        capabilities: &str,
    ) -> Result<carekeep_domain::RoleDef, AppError> {
        self.require(actor, Capability::AdministerUsers).await?;
        let role = carekeep_domain::RoleDef::parse(name.trim(), description.trim(), grants, capabilities, false)
            .map_err(|e| AppError::Invalid(e.to_string()))?;
        if self.policy().role(&role.name).is_some_and(|r| r.builtin) {
            return Err(AppError::Conflict(format!(
                "'{}' is a default role and cannot be changed; define a new role instead",
                role.name
            )));
        }
        if role.description.is_empty() || role.description.chars().count() > 200 {
            return Err(AppError::Invalid("describe the role in 1 to 200 characters".into()));
        }
        let mut tx = self.store().begin().await?;
        carekeep_store::roles::upsert(tx.conn(), &role).await?;
        let event = self
            .event(actor, Action::SettingChanged, Outcome::Success)
            .with_reason(&role_definition_reason(
                role.name.as_str(),
                &role.grants_text(),
                &role.capabilities_text(),
            ));
        self.record(&mut tx, &event).await?;
        let roles = carekeep_store::roles::all(tx.conn()).await?;
        tx.commit().await?;
        self.replace_policy(carekeep_domain::Policy::new(roles));
        if actor.principal().is_some_and(|p| p.roles.contains(&role.name)) {
            self.flag_self_escalation().await;
        }
        Ok(role)
    }
}
