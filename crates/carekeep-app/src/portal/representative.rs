//! A personal representative signs in to the portal for the patient (issue 27, items 2 and 4;
//! 164.502(g)). They type THEIR mobile number or email (as on their representative record, found
//! through its blind index, `care_people_phone` or `care_people_email`) and the PATIENT's date
//! of birth; the code goes to that phone or address. Their standing is 27b's `representative_may_act`, checked when the code is
//! asked for, when it is typed and each time the session is loaded: a (g)(5) suspension, an
//! expired document or a basis that no longer fits ends it (fail closed). What they see is
//! `what_representative_sees`: a minor's parent or guardian does not see the care the minor
//! consented to alone (164.502(g)(3)(i)), on a page or in a copy.

use super::PortalPatient;
use crate::permit::{Job, Permit};
use crate::records::view::PatientView;
use crate::{App, AppError};
use carekeep_domain::people::{self as rule, Item, PatientStatus, RepBasis, Representative};
use carekeep_domain::portal::code::ContactKey;
use carekeep_domain::portal::PortalRelation;
use carekeep_domain::records::patient::{parse_date, Identity};
use carekeep_store::people as people_store;
use carekeep_store::portal_representative as store;
use carekeep_store::records::{self as records_store, CtColumn};
use carekeep_store::Conn;
use serde::Deserialize;
use time::Date;

/// The two fields of `care_people.details_ct` the sign-in needs.
#[derive(Deserialize, Default)]
struct Reachable {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
}

/// The blind index a typed contact is looked up in, and the digest's domain.
fn index_of(key: &ContactKey) -> (store::Contact, &'static str) {
    match key {
        ContactKey::Phone(_) => (store::Contact::Phone, "portal_rep_phone"),
        ContactKey::Email(_) => (store::Contact::Email, "portal_rep_email"),
    }
}

/// What the portal says to a minor's parent or guardian when some care is left out.
pub const OWN_CONSENT_WORDS: &str = "Some of this patient's care is theirs alone: care a minor \
     agreed to on their own is not shown to a parent or guardian here (45 CFR 164.502(g)(3)). \
     The patient can see it themself, or the clinic can tell you more.";

/// The trail's actor for a representative whose standing ended after the code was sent or the
/// session began (their failed code or their ended session): still "representative of", never
/// the patient.
pub(super) fn former_representative_actor(patient: i64) -> carekeep_domain::audit::AuditActor {
    carekeep_domain::audit::AuditActor {
        user_id: None,
        name: format!("representative of patient #{patient} (portal)"),
        roles: Vec::new(),
    }
}

fn stored_date(s: &Option<String>) -> Option<Date> {
    s.as_deref().and_then(|d| parse_date(d).ok())
}

impl App {
    /// The digest `typed` is kept under in `which` index (None: not that kind of contact).
    fn rep_contact_digest(&self, which: store::Contact, typed: &str) -> Option<Vec<u8>> {
        let key = ContactKey::parse(typed)?;
        let (index, domain) = index_of(&key);
        (index == which).then(|| self.blind_index().digest(domain, &key.key()).to_vec())
    }

    /// Indexes a representative's phone and email (called when one is added; empty: none).
    pub(crate) async fn index_representative(
        &self,
        conn: &mut Conn,
        person: i64,
        phone: &str,
        email: &str,
    ) -> Result<(), AppError> {
        for (which, typed) in [(store::Contact::Phone, phone), (store::Contact::Email, email)] {
            store::set_digest(conn, which, person, self.rep_contact_digest(which, typed).as_deref()).await?;
        }
        Ok(())
    }

    /// Indexes the representatives added before an index existed (at the first sign-in by
    /// that kind of contact after the upgrade; each row once). Their details are opened for
    /// that only.
    async fn index_old_representatives(&self, conn: &mut Conn, which: store::Contact) -> Result<(), AppError> {
        let job = Permit::for_job(Job::PortalSignIn);
        for (id, ct) in store::unindexed(conn, which, 500).await? {
            let r = if ct.is_empty() {
                Reachable::default()
            } else {
                self.open_sealed::<Reachable>(&job, "care_people", "details_ct", id, &ct)?
            };
            let typed = match which {
                store::Contact::Phone => &r.phone,
                store::Contact::Email => &r.email,
            };
            store::set_digest(conn, which, id, self.rep_contact_digest(which, typed).as_deref()).await?;
        }
        Ok(())
    }

    /// The patient's status for 27b's rules, opened for the comparison only.
    fn portal_rep_patient_status(
        &self,
        job: &Permit,
        row: &records_store::PatientRow,
    ) -> Result<(PatientStatus, Date), AppError> {
        let i: Identity = self.open_json(job, CtColumn::PatientIdentity, row.id, &row.identity_ct)?;
        Ok((
            PatientStatus {
                minor: rule::is_minor(i.date_of_birth, self.clinic_today(), crate::people::AGE_OF_MAJORITY),
                emancipated: false,
                deceased: i.deceased.is_some(),
            },
            i.date_of_birth,
        ))
    }

    /// Who `person` is to `patient` today: a representative's relation (possibly one that may
    /// not act), or None when the row is not this patient's representative.
    pub(crate) async fn representative_relation(
        &self,
        conn: &mut Conn,
        patient: i64,
        person: i64,
    ) -> Result<Option<(PortalRelation, Date)>, AppError> {
        let Ok(row) = people_store::by_id(conn, person).await else {
            return Ok(None);
        };
        if row.kind != "representative" || row.patient_id != patient || row.revoked_on.is_some() {
            return Ok(None);
        }
        let Some(rep) = (|| {
            Some(Representative {
                basis: RepBasis::parse(&row.basis)?,
                starts_on: stored_date(&row.starts_on)?,
                ends_on: stored_date(&row.ends_on),
                suspended_on: stored_date(&row.suspended_on),
            })
        })() else {
            return Ok(None);
        };
        let prow = records_store::patient_by_id(conn, patient).await?;
        let (status, born) = self.portal_rep_patient_status(&Permit::for_job(Job::PortalSignIn), &prow)?;
        Ok(Some((
            PortalRelation::representative(person, &rep, status, self.clinic_today()),
            born,
        )))
    }

    /// The representatives with this phone or email who act today for a patient born on
    /// `dob`: `(patient, person, relation, the contact on file)`. One that may not act is left
    /// out, so the answer is the one an unknown contact gets.
    pub(super) async fn representative_matches(
        &self,
        conn: &mut Conn,
        key: &ContactKey,
        dob: Date,
    ) -> Result<Vec<(i64, PortalRelation, String)>, AppError> {
        let (which, domain) = index_of(key);
        self.index_old_representatives(conn, which).await?;
        let digest = self.blind_index().digest(domain, &key.key());
        let job = Permit::for_job(Job::PortalSignIn);
        let mut out = Vec::new();
        for person in store::by_digest(conn, which, &digest, 50).await? {
            let row = people_store::by_id(conn, person).await?;
            let Some((relation, born)) = self.representative_relation(conn, row.patient_id, person).await? else {
                continue;
            };
            let stands = matches!(relation, PortalRelation::Representative { suspended: false, .. });
            if born != dob || !stands {
                continue;
            }
            let r: Reachable = self.open_sealed(&job, "care_people", "details_ct", person, &row.details_ct)?;
            if key.matches(&r.email, &r.phone) {
                let on_file = match key {
                    ContactKey::Phone(_) => &r.phone,
                    ContactKey::Email(_) => &r.email,
                };
                out.push((row.patient_id, relation, on_file.trim().to_owned()));
            }
        }
        Ok(out)
    }

    /// Marks a code or a session as a representative's.
    pub(super) async fn mark_code_representative(
        &self,
        conn: &mut Conn,
        challenge_hash: &str,
        relation: PortalRelation,
    ) -> Result<(), AppError> {
        if let PortalRelation::Representative { person, .. } = relation {
            store::set_code_person(conn, challenge_hash, person).await?;
        }
        Ok(())
    }

    /// The relation a code was asked with, checked again now (the standing may have ended
    /// since): `Err` when a representative's code no longer opens anything (fail closed).
    pub(super) async fn code_relation(
        &self,
        conn: &mut Conn,
        code_id: i64,
        patient: Option<i64>,
    ) -> Result<Result<PortalRelation, ()>, AppError> {
        match (store::code_person(conn, code_id).await?, patient) {
            (None, _) => Ok(Ok(PortalRelation::SelfPatient)),
            (Some(person), Some(patient)) => Ok(match self.representative_relation(conn, patient, person).await? {
                Some((r @ PortalRelation::Representative { suspended: false, .. }, _)) => Ok(r),
                _ => Err(()),
            }),
            (Some(_), None) => Ok(Err(())),
        }
    }

    pub(super) async fn mark_session_representative(
        &self,
        conn: &mut Conn,
        session: i64,
        relation: PortalRelation,
    ) -> Result<(), AppError> {
        if let PortalRelation::Representative { person, .. } = relation {
            store::set_session_person(conn, session, person).await?;
        }
        Ok(())
    }

    /// The relation of a live session, worked out again from the representative's row at each
    /// request: `Err` when a representative's session no longer opens anything.
    pub(super) async fn session_relation(
        &self,
        conn: &mut Conn,
        session: i64,
        patient: i64,
    ) -> Result<Result<PortalRelation, ()>, AppError> {
        match store::session_person(conn, session).await? {
            None => Ok(Ok(PortalRelation::SelfPatient)),
            Some(person) => Ok(match self.representative_relation(conn, patient, person).await? {
                Some((r @ PortalRelation::Representative { suspended: false, .. }, _)) => Ok(r),
                _ => Err(()),
            }),
        }
    }

    /// The items the portal leaves out for this caller (empty for the patient themself and
    /// for a representative the (g)(3) exception does not touch).
    pub(crate) async fn portal_left_out(&self, conn: &mut Conn, pp: &PortalPatient) -> Result<Vec<Item>, AppError> {
        if !carekeep_domain::records::chart_access::leaves_out_minor_own_consent(pp.relation) {
            return Ok(Vec::new());
        }
        let own: Vec<Item> = people_store::own_consent(conn, pp.patient_id)
            .await?
            .into_iter()
            .filter_map(|(kind, id)| match kind.as_str() {
                "appointment" => Some(Item::Appointment(id)),
                "note" => Some(Item::Note(id)),
                _ => None,
            })
            .collect();
        Ok(own)
    }

    /// Whether a form asked for a visit left out is left out too (a minor's own-consent
    /// visit's forms say that the visit happened, 164.502(g)(3)(i)).
    pub(crate) fn form_left_out(appointment: Option<i64>, left_out: &[Item]) -> bool {
        appointment.is_some_and(|a| left_out.contains(&Item::Appointment(a)))
    }

    /// The words the portal shows when something is left out.
    pub(crate) fn portal_left_out_words(left_out: &[Item]) -> Option<&'static str> {
        (!left_out.is_empty()).then_some(OWN_CONSENT_WORDS)
    }

    /// Takes the left-out items out of a copy delivered through the portal.
    pub(crate) fn leave_out_of_copy(view: &mut PatientView, left_out: &[Item]) {
        if left_out.is_empty() {
            return;
        }
        if let Some(s) = view.scheduling.as_mut() {
            s.appointments.retain(|a| !left_out.contains(&Item::Appointment(a.id)));
        }
        if let Some(c) = view.clinical.as_mut() {
            // The history has no ids: an entry at the time of a note left out goes too.
            let gone: Vec<String> = c
                .encounters
                .iter()
                .filter(|e| left_out.contains(&Item::Note(e.id)))
                .map(|e| e.at.clone())
                .collect();
            c.encounters.retain(|e| !left_out.contains(&Item::Note(e.id)));
            c.forms.retain(|f| !Self::form_left_out(f.appointment_id, left_out));
            c.history.retain(|h| !gone.contains(&h.at));
        }
    }
}
