//! The tablet's side: the code typed, the session behind its cookie (ended when idle, when the
//! visit is no longer checked in or the signer may no longer act), handed back when done.

use super::{nobody, spent_of, tablet_actor, KioskStarted};
use crate::portal::{KioskScope, PortalPatient};
use crate::{Actor, App, AppError};
use carekeep_crypto::token::{new_token, token_hash};
use carekeep_domain::audit::{Action, AuditEvent, Origin, Outcome};
use carekeep_domain::forms::kiosk as rule;
use carekeep_domain::portal::code::{normalize, Check};
use carekeep_domain::portal::PortalRelation;
use carekeep_domain::records::appointment::Status;
use carekeep_store::kiosk::{self as store, KioskRow};

impl App {
    /// The tablet types a code. Right and live: the tablet's session. Wrong: a try counted
    /// against every waiting code. Used, expired or spent: said plainly.
    pub async fn kiosk_start(&self, typed: &str, origin: Origin) -> Result<KioskStarted, AppError> {
        let now = self.now();
        let code = normalize(typed)
            .ok_or_else(|| AppError::Invalid("Type the 6 digits of the code from the front desk.".into()))?;
        let mut tx = self.store().begin().await?;
        let found = store::by_code(tx.conn(), &self.kiosk_digest(&code)).await?;
        let answer = rule::check_code(
            now,
            found
                .as_ref()
                .map(|k| (k.code_expires_at, k.started_at.is_some() || k.ended, k.wrong_tries)),
        );
        let relation = match &found {
            Some(k) => self.kiosk_relation(tx.conn(), k.patient_id, k.person_id).await,
            None => Err(()),
        };
        let mut event = AuditEvent::new(now, nobody(), Action::LoginFailed, Outcome::Failure, origin.clone());
        let (k, relation) = match (answer, found, relation) {
            (Check::Accepted, Some(k), Ok(relation)) => (k, relation),
            (Check::Wrong, _, _) | (Check::Accepted, None, _) => {
                store::wrong_try(tx.conn(), now).await?;
                event.reason = "clinic tablet: wrong code".into();
                self.record(&mut tx, &event).await?;
                tx.commit().await?;
                return Err(AppError::Invalid(
                    "That code is not right. Check it and type it again, or ask the front desk.".into(),
                ));
            }
            (_, Some(k), relation) => {
                event.actor = tablet_actor(k.patient_id, relation.unwrap_or(PortalRelation::SelfPatient));
                event.patients = vec![k.patient_id];
                event.reason = "clinic tablet: a used, expired or spent code".into();
                self.record(&mut tx, &event).await?;
                tx.commit().await?;
                let words = if k.ended && k.started_at.is_none() {
                    "This code no longer works: the front desk made a new one or ended it. Ask the front desk for the new code."
                } else {
                    rule::spent_words(now, &spent_of(&k))
                };
                return Err(AppError::Invalid(words.into()));
            }
            (Check::Spent, None, _) => return Err(AppError::Invalid(rule::spent_words(now, &None).into())),
        };
        let token = new_token();
        let csrf = new_token();
        if !store::start(tx.conn(), k.id, &token_hash(&token), &csrf, now).await? {
            return Err(AppError::Invalid(rule::spent_words(now, &None).into()));
        }
        event.actor = tablet_actor(k.patient_id, relation);
        event.patients = vec![k.patient_id];
        event.action = Action::LoginSucceeded;
        event.outcome = Outcome::Success;
        event.reason = format!(
            "clinic tablet: opened with the code from the front desk (appointment {})",
            k.appointment_id
        );
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(KioskStarted {
            token,
            patient: PortalPatient {
                session_id: k.id,
                patient_id: k.patient_id,
                relation,
                csrf_token: csrf,
                origin,
                kiosk: Some(KioskScope {
                    kiosk_id: k.id,
                    appointment_id: k.appointment_id,
                }),
            },
        })
    }

    /// The tablet behind a cookie, if its session is live; an idle one, or one whose visit is
    /// no longer checked in or whose signer may no longer act, is ended and the ending audited
    /// (164.312(a)(2)(iii)).
    pub async fn kiosk_session(&self, token: &str, origin: Origin) -> Result<PortalPatient, AppError> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let Some(k) = store::session(tx.conn(), &token_hash(token)).await? else {
            return Err(AppError::Unauthenticated);
        };
        let relation = self.kiosk_relation(tx.conn(), k.patient_id, k.person_id).await;
        let visit = carekeep_store::records::appointment_by_id(tx.conn(), k.appointment_id).await;
        let checked_in = visit.is_ok_and(|v| v.status == Status::CheckedIn.as_str());
        let live = matches!((k.started_at, k.last_seen_at), (Some(s), Some(l)) if rule::session_live(now, s, l));
        if !live || !checked_in || relation.is_err() {
            let why = if !live {
                "clinic tablet: ended after 5 idle minutes"
            } else if !checked_in {
                "clinic tablet: ended: the visit is no longer checked in"
            } else {
                "clinic tablet: ended: the signer may no longer act for the patient"
            };
            self.end_tablet(
                &mut tx,
                &k,
                relation.unwrap_or(PortalRelation::SelfPatient),
                why,
                origin,
            )
            .await?;
            tx.commit().await?;
            return Err(AppError::Unauthenticated);
        }
        store::touch(tx.conn(), k.id, now).await?;
        tx.commit().await?;
        Ok(PortalPatient {
            session_id: k.id,
            patient_id: k.patient_id,
            relation: relation.unwrap_or(PortalRelation::SelfPatient),
            csrf_token: k.csrf_token.clone().unwrap_or_default(),
            origin,
            kiosk: Some(KioskScope {
                kiosk_id: k.id,
                appointment_id: k.appointment_id,
            }),
        })
    }

    async fn end_tablet(
        &self,
        tx: &mut carekeep_store::Tx,
        k: &KioskRow,
        relation: PortalRelation,
        why: &str,
        origin: Origin,
    ) -> Result<(), AppError> {
        if store::end(tx.conn(), k.id, why, self.now()).await? {
            let mut e = AuditEvent::new(
                self.now(),
                tablet_actor(k.patient_id, relation),
                Action::SessionEnded,
                Outcome::Success,
                origin,
            );
            e.patients = vec![k.patient_id];
            e.reason = why.into();
            self.record(tx, &e).await?;
        }
        Ok(())
    }

    /// The tablet is handed back (the patient's "I am done", or the packet's last form sent).
    pub async fn kiosk_hand_back(&self, actor: &Actor<'_>, why: &str) -> Result<(), AppError> {
        let Actor::Patient(pp) = actor else {
            return Err(AppError::Forbidden("this is the clinic tablet's".into()));
        };
        let Some(scope) = pp.kiosk else {
            return Err(AppError::NotFound("page"));
        };
        let mut tx = self.store().begin().await?;
        let row = KioskRow {
            id: scope.kiosk_id,
            patient_id: pp.patient_id,
            appointment_id: scope.appointment_id,
            person_id: None,
            code_expires_at: self.now(),
            wrong_tries: 0,
            csrf_token: None,
            started_at: None,
            last_seen_at: None,
            ended: false,
        };
        self.end_tablet(&mut tx, &row, pp.relation, why, pp.origin.clone())
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether every form of the tablet's packet is signed and sent (then the session ends).
    pub async fn kiosk_packet_done(&self, actor: &Actor<'_>) -> Result<bool, AppError> {
        let forms = self.portal_forms(actor).await?;
        Ok(forms.forms.iter().all(|f| f.status.done()))
    }
}
