//! Login, sessions and automatic logoff.
//!
//! 164.312(d) person or entity authentication (password plus TOTP), 164.312(a)(2)(iii)
//! automatic logoff (idle and absolute limits checked on every request, server-side),
//! 164.308(a)(5)(ii)(C) log-in monitoring (failures counted, lockout with growing delay).

mod account;
pub mod hash_gate;
pub mod invite;
pub mod mfa;
pub mod settings;
pub mod setup;
pub mod staff;
pub mod users;

use crate::seal::NotPhi;
use crate::{App, AppError};
use carekeep_crypto::keys::Binding;
use carekeep_crypto::{recovery, token, totp};
use carekeep_domain::audit::{Action, AuditActor, AuditEvent, Origin, Outcome};
use carekeep_domain::session::SessionState;
use carekeep_domain::{lockout, username, Capability, RoleName, UserId};
use carekeep_store::sessions::{self, NewSession, SessionRow};
use carekeep_store::throttle;
use carekeep_store::users as accounts;
use time::OffsetDateTime;

/// What a login form or the API sends.
#[derive(Debug)]
pub struct LoginInput<'a> {
    pub username: &'a str,
    pub password: &'a str,
    /// A six-digit authenticator code or a recovery code; empty when the account has no MFA yet.
    pub code: &'a str,
    pub origin: Origin,
}

/// A successful login.
#[derive(Debug)]
pub struct LoginOutcome {
    /// The bearer token / cookie value. Shown once; only its hash is stored.
    pub token: String,
    pub principal: Principal,
}

/// A signed-in person, as established from a live session on this request.
#[derive(Clone, Debug)]
pub struct Principal {
    pub session_id: i64,
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<RoleName>,
    /// False only while an account that must have MFA has not enrolled yet: such a session
    /// may do nothing but enrol.
    pub mfa_verified: bool,
    /// The clinic requires training before PHI access and this person has not completed it
    /// since their hire: their roles still grant their duties, but no patient data.
    pub training_hold: bool,
    pub csrf_token: String,
    pub expires_at: OffsetDateTime,
    pub idle_seconds: i64,
    /// Where this request came from; the front end fills it in.
    pub origin: Origin,
}

impl Principal {
    /// This person as the caller of a use case.
    pub fn actor(&self) -> Actor<'_> {
        Actor::User(self)
    }

    /// The person as the audit trail records them.
    pub fn audit_actor(&self) -> AuditActor {
        AuditActor {
            user_id: Some(self.user_id),
            name: self.username.clone(),
            roles: self.roles.clone(),
        }
    }

    /// The roles that decide which patient data this person may see: none while a training
    /// hold is on.
    pub fn data_roles(&self) -> &[RoleName] {
        if self.training_hold {
            &[]
        } else {
            &self.roles
        }
    }

    /// Acting for a person without a session: demo seeding, scheduled work on their behalf.
    pub(crate) fn acting_for(user: accounts::UserRow, origin: Origin, now: OffsetDateTime) -> Principal {
        Principal {
            session_id: 0,
            user_id: user.id,
            username: user.username,
            display_name: user.display_name,
            roles: user.roles,
            mfa_verified: true,
            training_hold: false,
            csrf_token: String::new(),
            expires_at: now,
            idle_seconds: 0,
            origin,
        }
    }

    /// Refuses an enrolment-only session anything but enrolment.
    pub fn require_full(&self) -> Result<&Self, AppError> {
        if self.mfa_verified {
            Ok(self)
        } else {
            Err(AppError::MfaEnrollmentRequired)
        }
    }
}

/// Who is acting: a signed-in person, or the machine's administrator at the command line
/// (who already holds the data folder and its keys).
///
/// Every use case takes its caller as this one type; it borrows the session's principal, so
/// handing it on costs nothing.
#[derive(Clone, Copy, Debug)]
pub enum Actor<'a> {
    User(&'a Principal),
    Cli,
    /// A patient signed in to the portal (issue 27): never staff, never a capability; only
    /// what the chart's policy gives a portal reader of their own record.
    Patient(&'a crate::portal::PortalPatient),
}

impl<'a> Actor<'a> {
    /// The signed-in person, if it is one (not the command line).
    pub fn principal(&self) -> Option<&'a Principal> {
        match self {
            Actor::User(p) => Some(p),
            Actor::Cli | Actor::Patient(_) => None,
        }
    }

    /// The signed-in person, for use cases only a person can ask for (their own account,
    /// a chart opened for care): the command line is refused.
    pub fn person(&self) -> Result<&'a Principal, AppError> {
        self.principal()
            .ok_or_else(|| AppError::Forbidden("this needs a signed-in person, not the command line".into()))
    }

    pub fn audit_actor(&self) -> AuditActor {
        match self {
            Actor::Cli => AuditActor {
                user_id: None,
                name: "cli".into(),
                roles: Vec::new(),
            },
            Actor::User(p) => p.audit_actor(),
            Actor::Patient(pp) => pp.audit_actor(),
        }
    }

    pub fn origin(&self) -> Origin {
        match self {
            Actor::Cli => Origin {
                source_ip: "local".into(),
                user_agent: "carekeep command line".into(),
                request_id: String::new(),
            },
            Actor::User(p) => p.origin.clone(),
            Actor::Patient(pp) => pp.origin.clone(),
        }
    }

    pub(crate) fn require(&self, app: &App, cap: Capability) -> Result<Option<&'a Principal>, AppError> {
        match self {
            Actor::Cli => Ok(None),
            // Fail closed: no capability is a patient's.
            Actor::Patient(_) => Err(AppError::Forbidden("this is for the clinic's staff".into())),
            Actor::User(p) => {
                p.require_full()?;
                if app.policy().has_capability(&p.roles, cap) {
                    Ok(Some(p))
                } else {
                    // In words staff read ("Run the compliance program"), never the code.
                    Err(AppError::Forbidden(format!(
                        "your role does not allow this: it is for staff who may {}",
                        cap.words().to_lowercase()
                    )))
                }
            }
        }
    }
}

impl Actor<'_> {
    /// Whether the actor's roles allow `cap`, asked to decide what to show (not a refusal:
    /// nothing is recorded).
    pub(crate) fn may(&self, app: &App, cap: Capability) -> bool {
        self.require(app, cap).is_ok()
    }
}

impl App {
    /// The capability check of every use case that is not the chart's: refused by role, the
    /// attempt is recorded before the refusal is answered (164.308(a)(1)(ii)(D): attempts
    /// beyond one's access are for the compliance officer to review, like the chart's).
    pub(crate) async fn require<'a>(
        &self,
        actor: &Actor<'a>,
        cap: Capability,
    ) -> Result<Option<&'a Principal>, AppError> {
        match actor.require(self, cap) {
            Err(AppError::Forbidden(why)) => {
                let event = self
                    .event(actor, Action::AccessDenied, Outcome::Denied)
                    .with_reason(&format!("needs {}", cap.as_str()));
                self.append_event(event).await?;
                Err(AppError::Forbidden(why))
            }
            other => other,
        }
    }

    /// A page's own check before it shows a form only `cap` may send (so no one types into a
    /// form they cannot save): refused by role, recorded like every refusal.
    pub async fn require_capability(&self, actor: &Actor<'_>, cap: Capability) -> Result<(), AppError> {
        self.require(actor, cap).await.map(|_| ())
    }

    /// Checks credentials and opens a session.
    pub async fn login(&self, input: LoginInput<'_>) -> Result<LoginOutcome, AppError> {
        let now = self.now();
        // An ill-formed username still costs a hash, so timing reveals nothing.
        let Ok(key) = username::normalize(input.username) else {
            self.verify_password(input.password, None).await?;
            return Err(AppError::BadCredentials);
        };
        // Counted before any hash, so a burst of guesses cannot all pass a check made before
        // the first of them is recorded.
        let count = self.admit_attempt(&key, now, &input.origin).await?;
        let user = {
            let mut conn = self.store().read().await?;
            accounts::by_key(&mut conn, &key).await?
        };
        let phc = user.as_ref().map(|u| u.password_hash.clone());
        let password_ok = self.verify_password(input.password, phc).await?;
        let user = match user {
            Some(u) if password_ok && u.disabled_at.is_none() => u,
            Some(u) if password_ok => {
                return self
                    .fail_login(count, now, Some(&u), &input.origin, "account disabled")
                    .await
            }
            other => {
                return self
                    .fail_login(count, now, other.as_ref(), &input.origin, "wrong password")
                    .await
            }
        };

        let mut tx = self.store().begin().await?;
        let mfa_verified = match &user.totp_secret {
            Some(sealed) => {
                let code = input.code.trim();
                let ok = if recovery::looks_like_code(code) {
                    accounts::use_recovery_code(tx.conn(), user.id, &recovery::hash(code), now).await?
                } else {
                    let secret = totp::TotpSecret::from_bytes(
                        self.sealer()
                            .open_not_phi(NotPhi::SignInSecret, totp_binding(user.id), sealed)?
                            .to_vec(),
                    );
                    let last = user.totp_last_step.and_then(|s| u64::try_from(s).ok());
                    match totp::verify(&secret, code, unix_u64(now), last) {
                        Some(step) => {
                            accounts::advance_totp_step(tx.conn(), user.id, i64::try_from(step).unwrap_or(i64::MAX))
                                .await?
                        }
                        None => false,
                    }
                };
                if !ok {
                    drop(tx);
                    return self
                        .fail_login(count, now, Some(&user), &input.origin, "wrong authenticator code")
                        .await;
                }
                true
            }
            // Not enrolled: a session that may only enrol, if the roles demand MFA.
            None => !self.policy().requires_mfa(&user.roles),
        };
        // Attempts counted while this one was hashed may have locked the account since.
        if !lockout::may_issue_session(count, throttle::get(tx.conn(), &key).await?, now) {
            drop(tx);
            return self.refuse_locked(&key, now, &input.origin).await;
        }
        throttle::clear(tx.conn(), &key).await?;
        let token = token::new_token();
        let csrf = token::new_token();
        let session_id = sessions::insert(
            tx.conn(),
            &NewSession {
                token_hash: &token::token_hash(&token),
                user_id: user.id,
                csrf_token: &csrf,
                mfa_verified,
                source_ip: &input.origin.source_ip,
                user_agent: truncate(&input.origin.user_agent, 300),
            },
            now,
        )
        .await?;
        let event = login_event(now, Some(&user), Action::LoginSucceeded, &input.origin).with_reason(if mfa_verified {
            ""
        } else {
            "enrolment-only session: MFA not set up"
        });
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        tracing::info!(user_id = %user.id, session_id, mfa_verified, "login succeeded");
        let training_hold = self.training_hold(user.id).await?;
        let lifetime = self.settings().lifetime;
        Ok(LoginOutcome {
            token,
            principal: Principal {
                session_id,
                user_id: user.id,
                username: user.username,
                display_name: user.display_name,
                roles: user.roles,
                mfa_verified,
                training_hold,
                csrf_token: csrf,
                expires_at: lifetime.expires_at(now, now),
                idle_seconds: lifetime.idle.whole_seconds(),
                origin: input.origin,
            },
        })
    }

    /// Counts a sign-in attempt as a failure before it is evaluated, or refuses it without a
    /// hash while the username is locked. A compare-and-set, retried when another attempt
    /// counted first: at most [`lockout::FREE_FAILURES`] attempts are evaluated per lock
    /// window whatever the concurrency, on either database and across processes.
    async fn admit_attempt(&self, key: &str, now: OffsetDateTime, origin: &Origin) -> Result<u32, AppError> {
        // Each retry follows another attempt's count; once five are counted the answer is a
        // lock, so the loop ends long before this bound.
        for _ in 0..64 {
            let mut tx = self.store().begin().await?;
            let recorded = throttle::get(tx.conn(), key).await?;
            match lockout::admit(recorded, now) {
                lockout::Admission::Evaluate { count } => {
                    if throttle::count_attempt(tx.conn(), key, recorded.map(|r| r.0), count, now).await? {
                        tx.commit().await?;
                        return Ok(count);
                    }
                }
                lockout::Admission::Locked { .. } => {
                    drop(tx);
                    return self.refuse_locked(key, now, origin).await;
                }
            }
        }
        tracing::warn!("sign-in attempts for one username kept colliding; refused as locked");
        Err(AppError::LockedOut { retry_after_secs: 1 })
    }

    /// Refuses an attempt while the username is locked (recorded, not counted).
    async fn refuse_locked<T>(&self, key: &str, now: OffsetDateTime, origin: &Origin) -> Result<T, AppError> {
        let mut tx = self.store().begin().await?;
        let recorded = throttle::get(tx.conn(), key).await?;
        let user = accounts::by_key(tx.conn(), key).await?;
        let event = login_event(now, user.as_ref(), Action::LoginFailed, origin).with_reason("account locked");
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        let until = recorded.and_then(|(failures, last)| lockout::locked_until(failures, last, now));
        Err(AppError::LockedOut {
            retry_after_secs: until.map_or(1, |until| (until - now).whole_seconds().max(1)),
        })
    }

    /// Records an evaluated attempt that failed; it was already counted as failure `failures`.
    async fn fail_login<T>(
        &self,
        failures: u32,
        now: OffsetDateTime,
        user: Option<&accounts::UserRow>,
        origin: &Origin,
        why: &str,
    ) -> Result<T, AppError> {
        let mut tx = self.store().begin().await?;
        self.record(
            &mut tx,
            &login_event(now, user, Action::LoginFailed, origin).with_reason(why),
        )
        .await?;
        let locked = lockout::locked_until(failures, now, now);
        if locked.is_some() {
            let reason = format!("{failures} failures in a row");
            self.record(
                &mut tx,
                &login_event(now, user, Action::LockedOut, origin).with_reason(&reason),
            )
            .await?;
        }
        tx.commit().await?;
        tracing::warn!(failures, "login failed");
        if let Some(until) = locked {
            return Err(AppError::LockedOut {
                retry_after_secs: (until - now).whole_seconds().max(1),
            });
        }
        Err(AppError::BadCredentials)
    }

    /// Resolves a session token to the person behind it, applying automatic logoff. With
    /// `touch`, the request counts as activity; a status poll does not.
    pub async fn authenticate(&self, token: &str, touch: bool) -> Result<Principal, AppError> {
        let now = self.now();
        let hash = token::token_hash(token);
        let (session, user) = self
            .store()
            .reader()
            .live_with_user(&hash)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let training_hold = self.training_hold(session.user_id).await?;
        let lifetime = self.settings().lifetime;
        let reason = match lifetime.state(session.created_at, session.last_seen_at, now) {
            SessionState::Active if user.disabled_at.is_some() => Some("account_disabled"),
            SessionState::Active => None,
            SessionState::IdleExpired => Some("idle_timeout"),
            SessionState::AbsoluteExpired => Some("absolute_timeout"),
        };
        if let Some(reason) = reason {
            let mut tx = self.store().begin().await?;
            if sessions::end(tx.conn(), session.id, None, reason, now).await? {
                let origin = Origin {
                    source_ip: session.source_ip.clone(),
                    user_agent: session.user_agent.clone(),
                    request_id: String::new(),
                };
                let event = login_event(now, Some(&user), Action::SessionEnded, &origin).with_reason(reason);
                self.record(&mut tx, &event).await?;
            }
            tx.commit().await?;
            tracing::info!(user_id = %user.id, session_id = session.id, reason, "session ended");
            return Err(AppError::Unauthenticated);
        }
        let mut last_seen = session.last_seen_at;
        if touch && lifetime.needs_touch(session.last_seen_at, now) {
            let mut tx = self.store().begin().await?;
            sessions::touch(tx.conn(), session.id, now).await?;
            tx.commit().await?;
            last_seen = now;
        }
        let mut p = principal(
            &session,
            user,
            lifetime.expires_at(session.created_at, last_seen),
            lifetime.idle.whole_seconds(),
        );
        p.training_hold = training_hold;
        Ok(p)
    }

    /// Ends the caller's session.
    pub async fn logout(&self, actor: &Actor<'_>) -> Result<(), AppError> {
        let p = actor.person()?;
        let mut tx = self.store().begin().await?;
        sessions::end(tx.conn(), p.session_id, Some(p.user_id), "logout", self.now()).await?;
        let event = self.event(&p.actor(), Action::Logout, Outcome::Success);
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        tracing::info!(user_id = %p.user_id, session_id = p.session_id, "logout");
        Ok(())
    }

    /// The caller's own live sessions.
    pub async fn my_sessions(&self, actor: &Actor<'_>) -> Result<Vec<SessionRow>, AppError> {
        let p = actor.person()?;
        let mut conn = self.store().read().await?;
        Ok(sessions::live_for_user(&mut conn, p.user_id).await?)
    }

    /// Ends one of the caller's own sessions.
    pub async fn end_my_session(&self, actor: &Actor<'_>, session_id: i64) -> Result<(), AppError> {
        let p = actor.person()?;
        let mut tx = self.store().begin().await?;
        let ended = sessions::end(tx.conn(), session_id, Some(p.user_id), "ended_by_user", self.now()).await?;
        if ended {
            let event = self
                .event(&p.actor(), Action::SessionEnded, Outcome::Success)
                .with_reason("ended by the user from another session");
            self.record(
                &mut tx,
                &AuditEvent {
                    resource_type: "session".into(),
                    resource_id: session_id.to_string(),
                    ..event
                },
            )
            .await?;
        }
        tx.commit().await?;
        if ended {
            Ok(())
        } else {
            Err(AppError::NotFound("session"))
        }
    }
}

/// A sign-in event. A username that names no account is recorded as unknown: people type
/// passwords into the username box, and the audit trail must not keep them.
fn login_event(now: OffsetDateTime, user: Option<&accounts::UserRow>, action: Action, origin: &Origin) -> AuditEvent {
    let actor = match user {
        Some(u) => AuditActor {
            user_id: Some(u.id),
            name: u.username.clone(),
            roles: u.roles.clone(),
        },
        None => AuditActor {
            user_id: None,
            name: "(unknown account)".into(),
            roles: Vec::new(),
        },
    };
    let outcome = if action == Action::LoginSucceeded {
        Outcome::Success
    } else {
        Outcome::Failure
    };
    AuditEvent::new(now, actor, action, outcome, origin.clone())
}

fn principal(s: &SessionRow, user: accounts::UserRow, expires_at: OffsetDateTime, idle_seconds: i64) -> Principal {
    Principal {
        session_id: s.id,
        user_id: user.id,
        username: user.username,
        display_name: user.display_name,
        roles: user.roles,
        mfa_verified: s.mfa_verified,
        training_hold: false,
        csrf_token: s.csrf_token.clone(),
        expires_at,
        idle_seconds,
        origin: Origin::default(),
    }
}

/// Where a user's TOTP secret sits, bound into its ciphertext.
pub(crate) fn totp_binding(user: UserId) -> Binding<'static> {
    Binding {
        table: "users",
        column: "totp_secret",
        row: user.0,
    }
}

pub(crate) fn unix_u64(t: OffsetDateTime) -> u64 {
    u64::try_from(t.unix_timestamp()).unwrap_or(0)
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}
