//! The clinic tablet in kiosk mode (issue 28, item 3). Staff open a checked-in visit's packet
//! (a scheduling write, as sending forms is) and read out a six-digit code; the tablet types it
//! and becomes a reader of the one policy (`Reader::Kiosk`) for that patient and that packet
//! only, as the portal's form use cases narrowed by [`crate::portal::KioskScope`]. The code is
//! kept as a keyed digest; the session apart from staff and portal sessions; every step is on
//! the trail, the tablet's as "patient #id (clinic tablet)".

use crate::portal::{hex, patient_actor, KioskScope, PortalPatient};
use crate::{Actor, App, AppError};
use carekeep_crypto::token::{new_token, random_bytes, token_hash};
use carekeep_domain::audit::{Action, AuditActor, AuditEvent, Origin, Outcome};
use carekeep_domain::forms::kiosk as rule;
use carekeep_domain::forms::Status as FormStatus;
use carekeep_domain::portal::code::{normalize, Check};
use carekeep_domain::portal::PortalRelation;
use carekeep_domain::records::appointment::Status;
use carekeep_domain::DataClass;
use carekeep_store::kiosk::{self as store, KioskRow, NewKiosk};
use carekeep_store::Conn;
use time::OffsetDateTime;

/// A code staff read out to the patient (shown once; only its digest is kept).
#[derive(Clone, Debug)]
pub struct KioskCode {
    pub code: String,
    pub expires_at: OffsetDateTime,
}

/// Where the tablet stands for a visit, for the staff page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KioskState {
    /// A code waits to be typed until then.
    CodeWaiting(OffsetDateTime),
    /// The tablet is in the patient's hands.
    InUse,
}

/// The tablet unlocked: the cookie's token (given once) and the tablet as a caller.
#[derive(Debug)]
pub struct KioskStarted {
    pub token: String,
    pub patient: PortalPatient,
}

fn six_digits() -> String {
    let n = u64::from_le_bytes(random_bytes::<8>()) % 1_000_000;
    format!("{n:06}")
}

fn tablet_actor(patient: i64, relation: PortalRelation) -> AuditActor {
    let mut a = patient_actor(patient, relation);
    a.name = a.name.replace("(portal)", "(clinic tablet)");
    a
}

fn nobody() -> AuditActor {
    AuditActor {
        user_id: None,
        name: "clinic tablet (no code matched)".into(),
        roles: Vec::new(),
    }
}

impl App {
    fn kiosk_digest(&self, code: &str) -> String {
        hex(&self.blind_index().digest("kiosk_code", code))
    }

    /// Who signs on the tablet: the patient, or a representative on file who may act today.
    async fn kiosk_relation(&self, conn: &mut Conn, patient: i64, person: Option<i64>) -> Result<PortalRelation, ()> {
        match person {
            None => Ok(PortalRelation::SelfPatient),
            Some(person) => match self.representative_relation(conn, patient, person).await {
                Ok(Some((r @ PortalRelation::Representative { suspended: false, .. }, _))) => Ok(r),
                _ => Err(()),
            },
        }
    }

    /// Staff open the visit's packet on the clinic tablet: a code for ten minutes, the visit's
    /// earlier openings ended (one tablet per visit). Refused unless the visit is checked in
    /// and a form of its packet waits.
    pub async fn open_kiosk(
        &self,
        actor: &Actor<'_>,
        appointment: i64,
        signer: Option<i64>,
    ) -> Result<KioskCode, AppError> {
        let p = actor.person()?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let visit = carekeep_store::records::appointment_by_id(tx.conn(), appointment)
            .await
            .map_err(|_| AppError::NotFound("appointment"))?;
        let opened = self.open_patient(tx.conn(), p, visit.patient_id).await?;
        let mut tx = self
            .require_write(tx, p, &opened, DataClass::Scheduling, Action::PhiCreate)
            .await?;
        let status = Status::parse(&visit.status).map_err(|_| AppError::NotFound("appointment"))?;
        rule::may_open(status).map_err(|w| AppError::Invalid(w.into()))?;
        // The visit's own packet and any open form reused for it.
        let waiting = carekeep_store::forms::responses_for_appointments(tx.conn(), &[appointment])
            .await?
            .iter()
            .any(|r| !FormStatus::parse(&r.status).is_some_and(FormStatus::done));
        if !waiting {
            return Err(AppError::Invalid(
                "No forms wait for this visit: send the forms first, from the patient's chart.".into(),
            ));
        }
        if self.kiosk_relation(tx.conn(), visit.patient_id, signer).await.is_err() {
            return Err(AppError::Invalid(
                "This person may not sign for the patient today: choose the patient or another representative.".into(),
            ));
        }
        for k in store::open_for_visit(tx.conn(), appointment).await? {
            store::end(tx.conn(), k.id, "a new code was made", now).await?;
        }
        // A new code never shares its digest with one still waiting (the tablet finds a code
        // by its digest alone).
        let mut code = six_digits();
        let mut tries = 0;
        while store::live_code_exists(tx.conn(), &self.kiosk_digest(&code), now).await? {
            tries += 1;
            if tries > 20 {
                return Err(AppError::Internal("no free kiosk code".into()));
            }
            code = six_digits();
        }
        let expires_at = now + rule::CODE_VALID_FOR;
        let id = store::insert(
            tx.conn(),
            &NewKiosk {
                patient_id: visit.patient_id,
                appointment_id: appointment,
                person_id: signer,
                code_digest: &self.kiosk_digest(&code),
                code_expires_at: expires_at,
                opened_by: p.user_id.0,
            },
            now,
        )
        .await?;
        let mut event = self.phi_event(
            p,
            Action::PhiCreate,
            Outcome::Success,
            vec![visit.patient_id],
            ("KioskSession", id.to_string()),
            vec![DataClass::Scheduling],
        );
        event.reason = format!(
            "the visit's forms opened on the clinic tablet (appointment {appointment}; a code for {} minutes)",
            rule::CODE_VALID_FOR.whole_minutes()
        );
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(KioskCode { code, expires_at })
    }

    /// Staff end the tablet's session for a visit (and any code waiting). The count ended.
    pub async fn end_kiosk(&self, actor: &Actor<'_>, appointment: i64) -> Result<usize, AppError> {
        let p = actor.person()?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let visit = carekeep_store::records::appointment_by_id(tx.conn(), appointment)
            .await
            .map_err(|_| AppError::NotFound("appointment"))?;
        let opened = self.open_patient(tx.conn(), p, visit.patient_id).await?;
        let mut tx = self
            .require_write(tx, p, &opened, DataClass::Scheduling, Action::PhiUpdate)
            .await?;
        let mut ended = 0;
        for k in store::open_for_visit(tx.conn(), appointment).await? {
            if store::end(tx.conn(), k.id, "ended by staff", now).await? {
                ended += 1;
            }
        }
        let mut event = self.phi_event(
            p,
            Action::PhiUpdate,
            Outcome::Success,
            vec![visit.patient_id],
            ("KioskSession", appointment.to_string()),
            vec![DataClass::Scheduling],
        );
        event.reason = format!("the clinic tablet's session ended by staff (appointment {appointment})");
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(ended)
    }

    /// Whether a code waits or the tablet is in use for this visit (no PHI: for the staff
    /// page, after the page's own audited read of the appointment).
    pub async fn kiosk_state(&self, actor: &Actor<'_>, appointment: i64) -> Result<Option<KioskState>, AppError> {
        actor.person()?;
        let now = self.now();
        let mut conn = self.store().read().await?;
        let rows = store::open_for_visit(&mut conn, appointment).await?;
        Ok(rows.iter().rev().find_map(|k| match (k.started_at, k.last_seen_at) {
            (Some(started), Some(seen)) if rule::session_live(now, started, seen) => Some(KioskState::InUse),
            (None, _) if k.code_expires_at > now && k.wrong_tries < rule::WRONG_TRIES => {
                Some(KioskState::CodeWaiting(k.code_expires_at))
            }
            _ => None,
        }))
    }

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

/// A spent code's facts for its words.
fn spent_of(k: &KioskRow) -> Option<(OffsetDateTime, bool, i64)> {
    Some((k.code_expires_at, k.started_at.is_some() || k.ended, k.wrong_tries))
}
