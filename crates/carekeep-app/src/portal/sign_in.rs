//! Sign-in without a password: the contact and date of birth typed, a six-digit code sent
//! to the contact on file (mail through the SMTP relay, a text through the SMS gateway, both
//! behind the BAA gate), then the code typed. The answer, the work and the per-contact count
//! are the same whether or not anyone matches: a code row is written either way, and the
//! send happens after the answer, on its own task (164.312(d)).

use super::{hex, patient_actor, PortalPatient};
use crate::mail::Content;
use crate::permit::{Job, Permit};
use crate::{App, AppError};
use carekeep_crypto::token::{constant_time_eq, new_token, random_bytes, token_hash};
use carekeep_domain::audit::{Action, AuditActor, AuditEvent, Origin, Outcome};
use carekeep_domain::portal::code::{self, Check, ContactKey};
use carekeep_domain::portal::PortalRelation;
use carekeep_domain::records::patient::Contact;
use carekeep_domain::DataClass;
use carekeep_store::portal as store;
use carekeep_store::records::{self as records_store, CtColumn};
use time::Duration;

/// A code was asked for: the challenge (kept in the browser) that the typed code answers.
#[derive(Debug)]
pub struct CodeSent {
    pub challenge: String,
}

/// A signed-in portal session: the cookie's token (shown once) and the session.
#[derive(Debug)]
pub struct PortalSignedIn {
    pub token: String,
    pub patient: PortalPatient,
}

fn unknown_actor() -> AuditActor {
    AuditActor {
        user_id: None,
        name: "portal (no patient matched)".into(),
        roles: Vec::new(),
    }
}

fn six_digits() -> String {
    let n = u64::from_le_bytes(random_bytes::<8>()) % 1_000_000;
    format!("{n:06}")
}

impl App {
    fn code_digest(&self, challenge_hash: &str, code: &str) -> String {
        hex(&self
            .blind_index()
            .digest("portal_code", &format!("{challenge_hash}:{code}")))
    }

    /// Step one: the contact and date of birth. Always answers with a challenge (unless the
    /// typing is not a contact or a date, or the contact has had its codes this hour, which
    /// is said the same way whether or not anyone matches).
    pub async fn portal_request_code(
        &self,
        contact: &str,
        date_of_birth: &str,
        origin: Origin,
    ) -> Result<CodeSent, AppError> {
        let key = ContactKey::parse(contact).ok_or_else(|| {
            AppError::Invalid("type your email address or your mobile number, as the clinic has it".into())
        })?;
        let dob = match date_of_birth.trim() {
            "" => None,
            d => carekeep_domain::records::patient::parse_date(d).ok(),
        }
        .ok_or_else(|| AppError::Invalid("type the date of birth as month, day and year, like 04/23/1980".into()))?;
        let now = self.now();
        let contact_digest = hex(&self.blind_index().digest("portal_contact", &key.key()));
        let mut tx = self.store().begin().await?;
        let sent = store::codes_since(tx.conn(), &contact_digest, now - Duration::hours(1)).await?;
        // The patients born that day whose contact on file is the one typed: opened for the
        // comparison only (`Job::PortalSignIn`); a candidate that does not match is shown to no one.
        let dob_digest = self.blind_index().digest("dob", &dob.to_string());
        let candidates = records_store::lookup_index(tx.conn(), "dob", &dob_digest, 200).await?;
        let matching = Permit::for_job(Job::PortalSignIn);
        let mut matches = Vec::new();
        for id in candidates {
            let row = records_store::patient_by_id(tx.conn(), id).await?;
            let c: Contact = self.open_json(&matching, CtColumn::PatientContact, row.id, &row.contact_ct)?;
            if key.matches(&c.email, &c.phone) {
                let on_file = match key {
                    ContactKey::Email(_) => c.email.trim().to_owned(),
                    ContactKey::Phone(_) => c.phone.trim().to_owned(),
                };
                matches.push((id, PortalRelation::SelfPatient, on_file));
            }
        }
        // A personal representative: their own mobile number and the patient's birth date.
        matches.extend(self.representative_matches(tx.conn(), &key, dob).await?);
        // Two records with the same contact and birth date (twins on a parent's phone): fail
        // closed, as if none matched, rather than open the wrong one.
        let (found, relation, on_file) = match matches.as_slice() {
            [(id, relation, to)] => (Some(*id), *relation, Some(to.clone())),
            _ => (None, PortalRelation::SelfPatient, None),
        };
        let event_for = |action: Action, reason: &str| {
            let actor = match found {
                Some(id) => patient_actor(id, relation),
                None => unknown_actor(),
            };
            let mut e = AuditEvent::new(now, actor, action, Outcome::Failure, origin.clone());
            if let Some(id) = found {
                e.patients = vec![id];
                e.resource_type = "Patient".into();
                e.resource_id = id.to_string();
                e.data_classes = vec![DataClass::Contact];
            }
            e.reason = reason.to_owned();
            e
        };
        if !code::may_send(&sent, now) {
            let e = event_for(
                Action::LoginFailed,
                "portal: too many sign-in codes asked for this contact in an hour",
            );
            self.record(&mut tx, &e).await?;
            tx.commit().await?;
            return Err(AppError::Invalid(
                "too many codes were asked for in the last hour: please wait an hour, or call the clinic".into(),
            ));
        }
        let challenge = new_token();
        let challenge_hash = token_hash(&challenge);
        let code = six_digits();
        let channel = match key {
            ContactKey::Email(_) => "email",
            ContactKey::Phone(_) => "text",
        };
        store::insert_code(
            tx.conn(),
            &store::NewCode {
                patient_id: found,
                contact_digest: &contact_digest,
                challenge_hash: &challenge_hash,
                code_digest: &self.code_digest(&challenge_hash, &code),
                channel,
                expires_at: now + code::VALID_FOR,
            },
            now,
        )
        .await?;
        self.mark_code_representative(tx.conn(), &challenge_hash, relation)
            .await?;
        let mut e = match found {
            Some(_) => {
                let mut e = event_for(Action::PhiRead, "");
                e.outcome = Outcome::Success;
                e.reason = format!("portal sign-in code sent by {channel} to the contact on file");
                e
            }
            None => event_for(
                Action::LoginFailed,
                "portal: a sign-in code was asked for a contact and date of birth that match no single patient",
            ),
        };
        e.at = now;
        self.record(&mut tx, &e).await?;
        tx.commit().await?;
        // The send runs after the answer, on its own task, for a match and a miss alike: the
        // answer's timing does not tell whether anyone matched.
        let app = self.clone();
        let to = on_file;
        tokio::spawn(async move {
            app.send_portal_code(to, channel, &code).await;
        });
        Ok(CodeSent { challenge })
    }

    /// Whether the clinic has any way to send a sign-in code (a text gateway or a mail relay).
    /// A clinic-wide fact, the same for every visitor, so saying it tells nothing of a patient.
    pub async fn portal_codes_can_be_sent(&self) -> bool {
        self.settings().reminders.sms.is_some() || self.mail_in_effect().await.ok().flatten().is_some()
    }

    /// Sends the code through the relay or the gateway, behind the BAA gate; with no address
    /// (no patient matched) it goes through the gate and stops there. Failures are logged
    /// without the address or the code.
    async fn send_portal_code(&self, to: Option<String>, channel: &str, code: &str) {
        let text = format!(
            "Your sign-in code for {} is {code}. It works for 10 minutes. If you did not ask for it, you can ignore this message.",
            self.clinic_name()
        );
        let result = match channel {
            "email" => match (&self.mail_in_effect().await.ok().flatten(), to) {
                (Some(_), Some(to)) => self.send_mail(&to, "Your sign-in code", &text, Content::Phi).await,
                (Some(m), None) => self.integration_gate("SMTP relay", &m.vendor, true).await,
                (None, _) => Err(AppError::Invalid("no SMTP relay is configured".into())),
            },
            _ => match &self.settings().reminders.sms {
                Some(s) => match self.integration_gate("SMS gateway", &s.vendor, true).await {
                    Ok(()) => match to {
                        Some(to) => self.send_sms(&to, &text).await,
                        None => Ok(()),
                    },
                    Err(e) => Err(e),
                },
                None => Err(AppError::Invalid("no SMS gateway is configured".into())),
            },
        };
        if let Err(e) = result {
            tracing::warn!(channel, error = %e, "a portal sign-in code was not sent");
        }
    }

    /// Step two: the code typed. Right and live: a new portal session. Wrong: one try counted
    /// (five and the code dies). Used, expired or dead: a new code is needed.
    pub async fn portal_verify_code(
        &self,
        challenge: &str,
        typed: &str,
        origin: Origin,
    ) -> Result<PortalSignedIn, AppError> {
        let now = self.now();
        let spent = || AppError::Invalid("this code can no longer be used: ask for a new code".into());
        let challenge_hash = token_hash(challenge);
        let mut tx = self.store().begin().await?;
        let Ok(row) = store::code_by_challenge(tx.conn(), &challenge_hash).await else {
            return Err(spent());
        };
        let normalized = code::normalize(typed)
            .ok_or_else(|| AppError::Invalid("type the 6 digits of the code we sent you".into()))?;
        // A representative's standing is checked again (fail closed): one that ended since
        // the code was sent is answered as a wrong code.
        let relation = self.code_relation(tx.conn(), row.id, row.patient_id).await?;
        let right = row.patient_id.is_some()
            && relation.is_ok()
            && constant_time_eq(
                self.code_digest(&challenge_hash, &normalized).as_bytes(),
                row.code_digest.as_bytes(),
            );
        let actor = match row.patient_id {
            Some(id) => match relation {
                Ok(r) => patient_actor(id, r),
                Err(()) => super::representative::former_representative_actor(id),
            },
            None => unknown_actor(),
        };
        let relation = relation.unwrap_or(PortalRelation::SelfPatient);
        let mut event = AuditEvent::new(now, actor, Action::LoginFailed, Outcome::Failure, origin.clone());
        event.patients = row.patient_id.into_iter().collect();
        let answer = code::check(now, row.expires_at, row.used, row.wrong_tries, right);
        let patient = match (answer, row.patient_id) {
            (Check::Accepted, Some(patient)) if store::use_code(tx.conn(), row.id, now).await? => patient,
            (Check::Wrong, _) => {
                store::wrong_try(tx.conn(), row.id).await?;
                event.reason = "portal: wrong sign-in code".into();
                self.record(&mut tx, &event).await?;
                tx.commit().await?;
                return Err(AppError::Invalid(
                    "that code is not right: check the message we sent and type it again".into(),
                ));
            }
            _ => {
                event.reason = "portal: a used, expired or spent sign-in code".into();
                self.record(&mut tx, &event).await?;
                tx.commit().await?;
                return Err(spent());
            }
        };
        let token = new_token();
        let csrf = new_token();
        let session_id = store::insert_session(tx.conn(), &token_hash(&token), patient, &csrf, now).await?;
        self.mark_session_representative(tx.conn(), session_id, relation)
            .await?;
        event.action = Action::LoginSucceeded;
        event.outcome = Outcome::Success;
        event.reason = "portal: signed in with a one-time code".into();
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(PortalSignedIn {
            token,
            patient: PortalPatient {
                session_id,
                patient_id: patient,
                relation,
                csrf_token: csrf,
                origin,
                kiosk: None,
            },
        })
    }

    /// The portal session behind a cookie, if live (15 idle minutes, two hours at most); an
    /// idle one is ended and the ending audited (164.312(a)(2)(iii)).
    pub async fn portal_session(&self, token: &str, origin: Origin) -> Result<PortalPatient, AppError> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let row = store::session(tx.conn(), &token_hash(token))
            .await
            .map_err(|_| AppError::Unauthenticated)?;
        let relation = self.session_relation(tx.conn(), row.id, row.patient_id).await?;
        if !code::session_live(now, row.created_at, row.last_seen_at) || relation.is_err() {
            store::end_session(tx.conn(), row.id, now).await?;
            let mut e = AuditEvent::new(
                now,
                match relation {
                    Ok(r) => patient_actor(row.patient_id, r),
                    Err(()) => super::representative::former_representative_actor(row.patient_id),
                },
                Action::SessionEnded,
                Outcome::Success,
                origin,
            );
            e.reason = match relation {
                Ok(_) => "portal: signed out after 15 idle minutes",
                Err(()) => "portal: signed out: the representative may no longer act for the patient",
            }
            .into();
            self.record(&mut tx, &e).await?;
            tx.commit().await?;
            return Err(AppError::Unauthenticated);
        }
        store::touch_session(tx.conn(), row.id, now).await?;
        tx.commit().await?;
        Ok(PortalPatient {
            session_id: row.id,
            patient_id: row.patient_id,
            relation: relation.unwrap_or(PortalRelation::SelfPatient),
            csrf_token: row.csrf_token,
            origin,
            kiosk: None,
        })
    }

    /// Signs the patient out (audited).
    pub async fn portal_sign_out(&self, actor: &crate::Actor<'_>) -> Result<(), AppError> {
        let pp = super::portal_patient(actor)?;
        let mut tx = self.store().begin().await?;
        store::end_session(tx.conn(), pp.session_id, self.now()).await?;
        let e = AuditEvent::new(
            self.now(),
            pp.audit_actor(),
            Action::Logout,
            Outcome::Success,
            pp.origin.clone(),
        );
        self.record(&mut tx, &e).await?;
        tx.commit().await?;
        Ok(())
    }
}
