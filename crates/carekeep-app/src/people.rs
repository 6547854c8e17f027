//! People acting for the patient (issue 27 item 4): persons involved in care (164.510(b)),
//! personal representatives (164.502(g)) with their sealed document, a clinician's (g)(5)
//! suspension, care a minor consented to alone ((g)(3)), and the front desk's phone screen
//! (164.514(h) checks, the disclosure log).
//!
//! The rows are part of the patient's `contact` class (where the emergency contact already
//! lives): the one policy decides who reads and writes them (front desk and clinicians write,
//! billing reads, the others see nothing), through `open_patient` like every chart read. A
//! (g)(5) suspension and an own-consent marking are clinical judgments: they need the chart's
//! `clinical` write. Every view, search and change is audited; names, phones, words, the
//! document and the suspension's reason are sealed.

use crate::auth::Actor;
use crate::permit::Permit;
use crate::rights::binding;
use crate::{App, AppError, Principal};
use carekeep_domain::audit::{Action, AuditEvent, Outcome};
use carekeep_domain::people::{
    self as rule, Agreement, CallerKind, Check, Involved, Item, PatientStatus, RepBasis, Representative, Sees, Topic,
};
use carekeep_domain::records::patient::{display_phone, normalize_phone, parse_date, Identity};
use carekeep_domain::DataClass;
use carekeep_store::people::{self as store, PersonRow};
use carekeep_store::records::CtColumn;
use carekeep_store::rights::{self as rights_store, DisclosureRow};
use serde::{Deserialize, Serialize};
use time::Date;

/// The age of majority the rules use. Who is a minor is state law (164.502(g)(3)); 18 is the
/// age in most states (Alabama and Nebraska say 19, Mississippi 21): a clinic setting is the
/// next step.
pub const AGE_OF_MAJORITY: u8 = 18;

/// A person involved in care or a representative, as typed.
#[derive(Clone, Debug, Default)]
pub struct PersonInput {
    /// `involved` or `representative`.
    pub kind: String,
    pub name: String,
    pub relationship: String,
    pub phone: String,
    /// Representative: their email, to sign in to the portal by email (optional).
    pub email: String,
    /// Involved: topic codes ticked (appointments, billing, results, involvement).
    pub topics: Vec<String>,
    /// Involved: what they may be told, in the patient's words; representative: the limits the
    /// document sets.
    pub words: String,
    /// Involved: written, oral or did_not_object.
    pub agreed: String,
    pub agreed_on: String,
    /// Representative: the basis code.
    pub basis: String,
    pub starts_on: String,
    pub ends_on: String,
    /// Representative: the document, as uploaded.
    pub document_name: String,
    pub document: Vec<u8>,
}

/// What is sealed in `care_people.details_ct`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Details {
    name: String,
    relationship: String,
    phone: String,
    words: String,
    #[serde(default)]
    document_name: String,
    /// A representative's email (added for the portal's sign-in by email; older rows have none).
    #[serde(default)]
    email: String,
}

/// One person as the chart card and the phone screen show them.
#[derive(Clone, Debug)]
pub struct PersonView {
    pub id: i64,
    pub representative: bool,
    pub name: String,
    pub relationship: String,
    /// As people read it, `(555) 201-3344`.
    pub phone: String,
    /// A representative's email, if any.
    pub email: String,
    pub words: String,
    /// Involved: how the patient agreed, in words, and when (`YYYY-MM-DD`).
    pub agreed: String,
    pub agreed_on: String,
    /// Representative: the basis in words and the paragraph behind it.
    pub basis: String,
    pub basis_cites: String,
    pub starts_on: String,
    pub ends_on: String,
    pub has_document: bool,
    pub revoked_on: String,
    pub suspended_on: String,
    /// Who recorded the (g)(5) judgment.
    pub suspended_by: String,
    /// The judgment's reason, for readers of the clinical class only (else empty).
    pub suspension_reason: String,
    /// The standing in one sentence.
    pub standing: String,
    /// Anything at all may be shared with them today.
    pub may_be_told: bool,
    pub may: Vec<String>,
    pub may_not: Vec<String>,
}

/// The card: the people, the patient's status for the rules, the own-consent items, the calls.
#[derive(Clone, Debug, Default)]
pub struct PeopleView {
    pub patient_name: String,
    pub people: Vec<PersonView>,
    /// "a minor", "an adult", "deceased": why a representative's basis fits or not.
    pub patient_status: String,
    pub minor: bool,
    /// Appointments and notes marked as care the minor consented to alone.
    pub own_consent: Vec<(String, i64)>,
    pub calls: Vec<CallView>,
}

/// One answered call.
#[derive(Clone, Debug)]
pub struct CallView {
    pub id: i64,
    pub at: time::OffsetDateTime,
    pub person: String,
    pub checks: Vec<&'static str>,
    pub shared: String,
    pub by: String,
    pub disclosure_id: Option<i64>,
}

/// A call to record from the phone screen.
#[derive(Clone, Debug, Default)]
pub struct CallInput {
    pub person: i64,
    pub checks: Vec<String>,
    pub shared: String,
}

fn iso(d: Option<Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

fn stored_date(s: &Option<String>) -> Option<Date> {
    s.as_deref().and_then(|d| parse_date(d).ok())
}

fn item_of(kind: &str, id: i64) -> Option<Item> {
    match kind {
        "appointment" => Some(Item::Appointment(id)),
        "note" => Some(Item::Note(id)),
        _ => None,
    }
}

/// The rule's view of a representative row.
fn representative(r: &PersonRow) -> Option<Representative> {
    Some(Representative {
        basis: RepBasis::parse(&r.basis)?,
        starts_on: stored_date(&r.starts_on)?,
        ends_on: stored_date(&r.ends_on),
        suspended_on: stored_date(&r.suspended_on),
    })
}

fn involved(r: &PersonRow) -> Option<Involved> {
    Some(Involved {
        topics: Topic::parse_list(&r.topics),
        agreed: Agreement::parse(&r.agreed)?,
        agreed_on: stored_date(&r.agreed_on)?,
        revoked_on: stored_date(&r.revoked_on),
    })
}

impl App {
    fn people_event(
        &self,
        p: &Principal,
        action: Action,
        patient: i64,
        resource: (&str, String),
        what: &str,
    ) -> AuditEvent {
        let mut e = self.phi_event(
            p,
            action,
            Outcome::Success,
            vec![patient],
            resource,
            vec![DataClass::Identity, DataClass::Contact],
        );
        e.reason = what.to_owned();
        e
    }

    /// The patient's status for the representative rules, and their name, from their identity.
    fn patient_status(
        &self,
        permit: &Permit,
        row: &carekeep_store::records::PatientRow,
    ) -> Result<(PatientStatus, String), AppError> {
        let i: Identity = self.open_json(permit, CtColumn::PatientIdentity, row.id, &row.identity_ct)?;
        Ok((
            PatientStatus {
                minor: rule::is_minor(i.date_of_birth, self.clinic_today(), AGE_OF_MAJORITY),
                emancipated: false,
                deceased: i.deceased.is_some(),
            },
            i.full_name(),
        ))
    }

    fn person_view(
        &self,
        permit: &Permit,
        r: &PersonRow,
        status: PatientStatus,
        own: &[Item],
        names: &std::collections::HashMap<i64, String>,
    ) -> Result<PersonView, AppError> {
        let d: Details = self.open_sealed(permit, "care_people", "details_ct", r.id, &r.details_ct)?;
        let today = self.clinic_today();
        let rep = r.kind == "representative";
        let (standing, may_be_told, may, may_not) = if rep {
            match representative(r) {
                Some(x) => {
                    let sees = rule::what_representative_sees(&x, status, own, today);
                    let (may, may_not) = sees_in_words(&sees);
                    (sees.standing.words(), sees.standing.may_act(), may, may_not)
                }
                None => (
                    "The stored basis or dates cannot be read: treat as may not be told.".to_owned(),
                    false,
                    Vec::new(),
                    Vec::new(),
                ),
            }
        } else {
            match involved(r) {
                Some(x) => {
                    let t = rule::what_involved_may_be_told(&x, today);
                    (t.standing, t.may_be_told, t.may, t.may_not)
                }
                None => (
                    "The stored agreement cannot be read: treat as may not be told.".to_owned(),
                    false,
                    Vec::new(),
                    Vec::new(),
                ),
            }
        };
        let basis = RepBasis::parse(&r.basis);
        Ok(PersonView {
            id: r.id,
            representative: rep,
            name: d.name,
            relationship: d.relationship,
            phone: display_phone(&d.phone),
            email: d.email,
            words: d.words,
            agreed: Agreement::parse(&r.agreed)
                .map(Agreement::words)
                .unwrap_or_default()
                .into(),
            agreed_on: r.agreed_on.clone().unwrap_or_default(),
            basis: basis.map(RepBasis::words).unwrap_or_default().into(),
            basis_cites: basis.map(RepBasis::cites).unwrap_or_default().into(),
            starts_on: r.starts_on.clone().unwrap_or_default(),
            ends_on: r.ends_on.clone().unwrap_or_default(),
            has_document: !r.document_type.is_empty(),
            revoked_on: r.revoked_on.clone().unwrap_or_default(),
            suspended_on: r.suspended_on.clone().unwrap_or_default(),
            suspended_by: r.suspended_by.and_then(|u| names.get(&u).cloned()).unwrap_or_default(),
            suspension_reason: String::new(),
            standing,
            may_be_told,
            may,
            may_not,
        })
    }

    /// Opens the patient for `p` and refuses (recorded) unless the policy lets them read the
    /// contact class; hands back what the views need.
    async fn open_people(
        &self,
        p: &Principal,
        patient: i64,
        action: Action,
    ) -> Result<
        (
            carekeep_store::records::PatientRow,
            Vec<PersonRow>,
            Vec<Item>,
            Vec<(String, i64)>,
            bool,
        ),
        AppError,
    > {
        let mut conn = self.store().read().await?;
        let opened = self.open_patient(&mut conn, p, patient).await?;
        let rows = store::for_patient(&mut conn, patient).await?;
        let own_rows = store::own_consent(&mut conn, patient).await?;
        drop(conn);
        self.require_read(p, &opened, DataClass::Contact, action).await?;
        let own = own_rows.iter().filter_map(|(k, i)| item_of(k, *i)).collect();
        Ok((
            opened.row().clone(),
            rows,
            own,
            own_rows,
            opened.access().reads(DataClass::Clinical),
        ))
    }

    /// The chart card: everyone acting for the patient, with what each may be told today, and
    /// the answered calls. One audited read (identity and contact).
    pub async fn people(&self, actor: &Actor<'_>, patient: i64) -> Result<PeopleView, AppError> {
        let p = actor.person()?;
        let (row, rows, own, own_rows, clinician) = self.open_people(p, patient, Action::PhiRead).await?;
        let (calls, names) = {
            let mut conn = self.store().read().await?;
            (
                store::calls(&mut conn, patient).await?,
                carekeep_store::users::display_names(&mut conn).await?,
            )
        };
        // A (g)(5) judgment's reason is a clinical record: opened for readers of the clinical
        // class only, and then the event names that class too.
        let judgments = clinician && rows.iter().any(|r| !r.suspension_ct.is_empty());
        let mut event = self.people_event(
            p,
            Action::PhiRead,
            patient,
            ("CarePeople", patient.to_string()),
            "people acting for the patient viewed",
        );
        if judgments {
            event.data_classes.push(DataClass::Clinical);
        }
        let permit = self.permit(event).await?;
        let (status, patient_name) = self.patient_status(&permit, &row)?;
        let mut people = Vec::new();
        for r in &rows {
            let mut v = self.person_view(&permit, r, status, &own, &names)?;
            if judgments && !r.suspension_ct.is_empty() {
                v.suspension_reason =
                    self.open_sealed(&permit, "care_people", "suspension_ct", r.id, &r.suspension_ct)?;
            }
            people.push(v);
        }
        let mut call_views = Vec::new();
        for c in &calls {
            let shared: String = self.open_sealed(&permit, "caller_checks", "shared_ct", c.id, &c.shared_ct)?;
            call_views.push(CallView {
                id: c.id,
                at: c.at,
                person: people
                    .iter()
                    .find(|x| x.id == c.person_id)
                    .map(|x| x.name.clone())
                    .unwrap_or_default(),
                checks: c.checks.split(',').filter_map(Check::parse).map(Check::words).collect(),
                shared,
                by: names.get(&c.by_user).cloned().unwrap_or_default(),
                disclosure_id: c.disclosure_id,
            });
        }
        permit.confirm().await?;
        Ok(PeopleView {
            patient_name,
            people,
            patient_status: status_words(status).into(),
            minor: status.minor,
            own_consent: own_rows,
            calls: call_views,
        })
    }

    /// Adds a person involved in care or a representative (with their document, sealed).
    pub async fn add_person(&self, actor: &Actor<'_>, patient: i64, input: PersonInput) -> Result<i64, AppError> {
        let p = actor.person()?;
        let today = self.clinic_today();
        let details = Details {
            name: crate::input::line("name", &input.name, 200, true)?,
            relationship: crate::input::line("relationship", &input.relationship, 100, false)?,
            phone: match input.phone.trim() {
                "" => String::new(),
                ph => normalize_phone(ph).map_err(|e| AppError::Invalid(e.0))?,
            },
            words: crate::input::text("words", &input.words, 2000, false)?,
            document_name: crate::input::line("file name", &input.document_name, 200, false)?,
            email: match input.email.trim() {
                "" => String::new(),
                e => match carekeep_domain::portal::code::ContactKey::parse(e) {
                    Some(carekeep_domain::portal::code::ContactKey::Email(e)) => e,
                    _ => {
                        return Err(AppError::Invalid(
                            "type the email address in full, like name@example.com".into(),
                        ))
                    }
                },
            },
        };
        let mut row = PersonRow {
            patient_id: patient,
            created_by: p.user_id.0,
            ..PersonRow::default()
        };
        let mut document = None;
        match input.kind.as_str() {
            "involved" => {
                let topics: Vec<Topic> = input.topics.iter().filter_map(|t| Topic::parse(t)).collect();
                if topics.is_empty() {
                    return Err(AppError::Invalid(
                        "tick at least one topic they may be told about".into(),
                    ));
                }
                let agreed = Agreement::parse(&input.agreed)
                    .ok_or_else(|| AppError::Invalid("choose how the patient agreed".into()))?;
                let on = crate::input::date("date the patient agreed", &input.agreed_on, true)?.unwrap_or(today);
                if on > today {
                    return Err(AppError::Invalid("the date the patient agreed is in the future".into()));
                }
                row.kind = "involved".into();
                row.topics = Topic::list_text(&topics);
                row.agreed = agreed.as_str().into();
                row.agreed_on = iso(Some(on));
            }
            "representative" => {
                let basis = RepBasis::parse(&input.basis)
                    .ok_or_else(|| AppError::Invalid("choose the basis of the representative's authority".into()))?;
                let starts = crate::input::date("start date of the document", &input.starts_on, true)?.unwrap_or(today);
                let ends = crate::input::date("end date of the document", &input.ends_on, false)?;
                if ends.is_some_and(|e| e < starts) {
                    return Err(AppError::Invalid(
                        "the end date of the document is before its start date".into(),
                    ));
                }
                if input.document.is_empty() {
                    return Err(AppError::Invalid(
                        "upload the document that gives the authority (a PDF or a photo of it)".into(),
                    ));
                }
                let max = self.settings().records.attachment_max_bytes;
                if input.document.len() > max {
                    return Err(AppError::Invalid(format!(
                        "the document must be at most {} MiB",
                        max / (1024 * 1024)
                    )));
                }
                let content_type = carekeep_domain::files::sniff(&input.document).ok_or_else(|| {
                    AppError::Invalid("the document must be a PDF, or a JPEG, PNG or WebP photo".into())
                })?;
                let bytes = carekeep_domain::files::metadata::strip(content_type, &input.document)?;
                row.kind = "representative".into();
                row.basis = basis.as_str().into();
                row.starts_on = iso(Some(starts));
                row.ends_on = iso(ends);
                document = Some((content_type, bytes));
            }
            _ => {
                return Err(AppError::Invalid(
                    "choose a person involved in care or a representative".into(),
                ))
            }
        }
        let mut tx = self.store().begin().await?;
        let opened = self.open_patient(tx.conn(), p, patient).await?;
        let (mut tx, _grant) = self
            .grant_write(tx, p, &opened, DataClass::Contact, Action::PhiCreate)
            .await?;
        let id = store::insert(tx.conn(), &row, self.now()).await?;
        let ct = self.seal(&details, binding("care_people", "details_ct", id))?;
        store::set_details(tx.conn(), id, &ct).await?;
        if row.kind == "representative" {
            self.index_representative(tx.conn(), id, &details.phone, &details.email)
                .await?;
        }
        if let Some((content_type, bytes)) = document {
            let ct = self.sealer().seal(binding("care_people", "document_ct", id), &bytes)?;
            store::set_document(tx.conn(), id, content_type, &ct).await?;
        }
        let what = if row.kind == "involved" {
            "person involved in care added"
        } else {
            "personal representative added"
        };
        let event = self.people_event(p, Action::PhiCreate, patient, ("CarePerson", id.to_string()), what);
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Loads one of the patient's people for a change, under the policy's write of `class`.
    async fn change_person(
        &self,
        p: &Principal,
        patient: i64,
        person: i64,
        class: DataClass,
    ) -> Result<(carekeep_store::Tx, PersonRow), AppError> {
        let mut tx = self.store().begin().await?;
        let opened = self.open_patient(tx.conn(), p, patient).await?;
        let (mut tx, _) = self.grant_write(tx, p, &opened, class, Action::PhiUpdate).await?;
        let row = store::by_id(tx.conn(), person)
            .await
            .ok()
            .filter(|r| r.patient_id == patient)
            .ok_or(AppError::NotFound("person"))?;
        Ok((tx, row))
    }

    /// The patient withdrew their agreement: the row stays, marked revoked today.
    pub async fn revoke_person(&self, actor: &Actor<'_>, patient: i64, person: i64) -> Result<(), AppError> {
        let p = actor.person()?;
        let (mut tx, row) = self.change_person(p, patient, person, DataClass::Contact).await?;
        if row.kind != "involved" {
            return Err(AppError::Conflict(
                "only a person involved in care is revoked this way".into(),
            ));
        }
        if !store::revoke(tx.conn(), person, &self.clinic_today().to_string(), p.user_id.0).await? {
            return Err(AppError::Conflict("this agreement was already withdrawn".into()));
        }
        let event = self.people_event(
            p,
            Action::PhiUpdate,
            patient,
            ("CarePerson", person.to_string()),
            "agreement withdrawn",
        );
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A clinician's (g)(5) judgment: a reasonable belief of abuse, neglect or danger, and that
    /// treating the person as the representative is not in the patient's best interest. Needs
    /// the chart's clinical write; the reason is sealed.
    pub async fn suspend_representative(
        &self,
        actor: &Actor<'_>,
        patient: i64,
        person: i64,
        reason: &str,
    ) -> Result<(), AppError> {
        let p = actor.person()?;
        let reason = crate::input::text("reason", reason, 2000, true)?;
        if reason.chars().count() < 10 {
            return Err(AppError::Invalid(
                "the reason needs at least a sentence (10 characters or more)".into(),
            ));
        }
        let (mut tx, row) = self.change_person(p, patient, person, DataClass::Clinical).await?;
        if row.kind != "representative" {
            return Err(AppError::Conflict("only a representative is suspended".into()));
        }
        if !store::suspend(tx.conn(), person, &self.clinic_today().to_string(), p.user_id.0).await? {
            return Err(AppError::Conflict("this representative is already suspended".into()));
        }
        let ct = self.seal(&reason, binding("care_people", "suspension_ct", person))?;
        store::set_suspension_reason(tx.conn(), person, &ct).await?;
        let mut event = self.people_event(
            p,
            Action::PhiUpdate,
            patient,
            ("CarePerson", person.to_string()),
            "representative suspended (164.502(g)(5))",
        );
        event.data_classes = vec![DataClass::Contact, DataClass::Clinical];
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Marks an appointment or a note of the patient as care the minor consented to alone
    /// (164.502(g)(3)(i)): a clinical judgment, under the chart's clinical write.
    pub async fn mark_own_consent(&self, actor: &Actor<'_>, patient: i64, item: &str) -> Result<(), AppError> {
        let p = actor.person()?;
        let (kind, id) = item
            .split_once('-')
            .and_then(|(k, i)| Some((k, i.parse::<i64>().ok()?)))
            .filter(|(k, _)| ["appointment", "note"].contains(k))
            .ok_or_else(|| AppError::Invalid("choose the visit or note the minor consented to alone".into()))?;
        let mut tx = self.store().begin().await?;
        let opened = self.open_patient(tx.conn(), p, patient).await?;
        let (mut tx, _) = self
            .grant_write(tx, p, &opened, DataClass::Clinical, Action::PhiUpdate)
            .await?;
        let belongs = match kind {
            "note" => carekeep_store::records::encounter_by_id(tx.conn(), id)
                .await
                .is_ok_and(|e| e.patient_id == patient),
            _ => carekeep_store::records::appointment_by_id(tx.conn(), id)
                .await
                .is_ok_and(|a| a.patient_id == patient),
        };
        if !belongs {
            return Err(AppError::Invalid(
                "choose the visit or note the minor consented to alone".into(),
            ));
        }
        if !store::mark_own_consent(tx.conn(), patient, kind, id, p.user_id.0, self.now()).await? {
            return Err(AppError::Conflict("this is already marked".into()));
        }
        let mut event = self.people_event(
            p,
            Action::PhiUpdate,
            patient,
            (if kind == "note" { "Encounter" } else { "Appointment" }, id.to_string()),
            "marked as care the minor consented to alone (164.502(g)(3))",
        );
        event.data_classes = vec![DataClass::Clinical];
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A representative's document: its content type, bytes and file name; audited as a file
    /// view before the bytes are returned.
    pub async fn representative_document(
        &self,
        actor: &Actor<'_>,
        patient: i64,
        person: i64,
    ) -> Result<(String, Vec<u8>, String), AppError> {
        let p = actor.person()?;
        let (_, rows, _, _, _) = self.open_people(p, patient, Action::AttachmentView).await?;
        let row = rows
            .into_iter()
            .find(|r| r.id == person && !r.document_type.is_empty())
            .ok_or(AppError::NotFound("document"))?;
        let ct = {
            let mut conn = self.store().read().await?;
            store::document(&mut conn, person)
                .await?
                .ok_or(AppError::NotFound("document"))?
        };
        let mut event = self.people_event(
            p,
            Action::AttachmentView,
            patient,
            ("CarePersonDocument", person.to_string()),
            "representative's document viewed",
        );
        event.data_classes = vec![DataClass::Contact];
        let permit = self.permit(event).await?;
        let d: Details = self.open_sealed(&permit, "care_people", "details_ct", row.id, &row.details_ct)?;
        let bytes = self
            .sealer()
            .open(&permit, binding("care_people", "document_ct", person), &ct)?;
        permit.confirm().await?;
        Ok((row.document_type, bytes.to_vec(), d.document_name))
    }

    /// What a representative sees of the patient's record today: the rule's answer over the
    /// stored basis, dates, suspension, the patient's status and the own-consent markings.
    /// The portal (issue 27c) asks this when a representative signs in. Audited.
    pub async fn what_representative_sees(
        &self,
        actor: &Actor<'_>,
        patient: i64,
        person: i64,
    ) -> Result<Sees, AppError> {
        let p = actor.person()?;
        let (row, rows, own, _, _) = self.open_people(p, patient, Action::PhiRead).await?;
        let r = rows
            .iter()
            .find(|r| r.id == person && r.kind == "representative")
            .ok_or(AppError::NotFound("representative"))?;
        let rep = representative(r).ok_or_else(|| AppError::Internal("stored representative".into()))?;
        let permit = self
            .permit(self.people_event(
                p,
                Action::PhiRead,
                patient,
                ("CarePerson", person.to_string()),
                "what the representative sees",
            ))
            .await?;
        let (status, _) = self.patient_status(&permit, &row)?;
        permit.confirm().await?;
        Ok(rule::what_representative_sees(&rep, status, &own, self.clinic_today()))
    }

    /// The phone screen's search: the patient's people whose name matches what the caller
    /// said (typed in a POST body, never in an address), in `people`. Audited as a search.
    pub async fn find_caller(&self, actor: &Actor<'_>, patient: i64, typed: &str) -> Result<PeopleView, AppError> {
        let p = actor.person()?;
        let typed = crate::input::line("caller's name", typed, 200, true)?;
        let (row, rows, own, _, _) = self.open_people(p, patient, Action::PhiSearch).await?;
        let names = {
            let mut conn = self.store().read().await?;
            carekeep_store::users::display_names(&mut conn).await?
        };
        let permit = self
            .permit(self.people_event(
                p,
                Action::PhiSearch,
                patient,
                ("CarePeople", patient.to_string()),
                "caller looked up",
            ))
            .await?;
        let (status, patient_name) = self.patient_status(&permit, &row)?;
        let mut found = Vec::new();
        for r in &rows {
            let v = self.person_view(&permit, r, status, &own, &names)?;
            if rule::name_matches(&typed, &v.name) {
                found.push(v);
            }
        }
        permit.confirm().await?;
        Ok(PeopleView {
            patient_name,
            people: found,
            patient_status: status_words(status).into(),
            minor: status.minor,
            ..PeopleView::default()
        })
    }

    /// Records a call: who was on the line, how they were checked (164.514(h)) and what was
    /// shared (sealed). What was shared goes into the disclosure log on its basis (164.510(b)
    /// or, for a representative, to the individual), which keeps it out of the accounting
    /// (164.528(a)(1)(v), (ii)). Refused when the person may not be told anything today.
    pub async fn record_call(&self, actor: &Actor<'_>, patient: i64, call: CallInput) -> Result<i64, AppError> {
        let p = actor.person()?;
        let shared = crate::input::text("what was shared", &call.shared, 2000, true)?;
        let checks: Vec<Check> = call.checks.iter().filter_map(|c| Check::parse(c)).collect();
        let (row, rows, own, _, _) = self.open_people(p, patient, Action::PhiCreate).await?;
        let person = rows
            .iter()
            .find(|r| r.id == call.person)
            .ok_or(AppError::NotFound("person"))?;
        let kind = if person.kind == "representative" {
            CallerKind::Representative
        } else {
            CallerKind::Involved
        };
        rule::checks_suffice(kind, &checks, !person.document_type.is_empty())
            .map_err(|m| AppError::Invalid(m.into()))?;
        let mut tx = self.store().begin().await?;
        let opened = self.open_patient(tx.conn(), p, patient).await?;
        let (mut tx, _) = self
            .grant_write(tx, p, &opened, DataClass::Contact, Action::PhiCreate)
            .await?;
        let event = self.people_event(
            p,
            Action::PhiCreate,
            patient,
            ("CallerCheck", call.person.to_string()),
            "phone call answered",
        );
        let permit = self.permit_in(&mut tx, &event).await?;
        let (status, _) = self.patient_status(&permit, &row)?;
        let names = carekeep_store::users::display_names(tx.conn()).await?;
        let view = self.person_view(&permit, person, status, &own, &names)?;
        if !view.may_be_told {
            return Err(AppError::Conflict(format!(
                "{} may not be told anything: {}",
                view.name, view.standing
            )));
        }
        let today = self.clinic_today();
        let basis = rule::disclosure_basis(kind);
        let disclosure = rights_store::append_disclosure(
            tx.conn(),
            &DisclosureRow {
                patient_id: patient,
                disclosed_on: today.to_string(),
                basis: basis.as_str().into(),
                ..DisclosureRow::default()
            },
            Some(p.user_id.0),
            self.now(),
        )
        .await?;
        let entry = crate::rights::DisclosureInput {
            disclosed_on: today.to_string(),
            recipient: format!(
                "{}{}",
                view.name,
                if view.relationship.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", view.relationship)
                }
            ),
            recipient_address: view.phone.clone(),
            description: shared.clone(),
            purpose: if kind == CallerKind::Representative {
                "Phone call with the patient's personal representative (45 CFR 164.502(g))".into()
            } else {
                "Phone call with a person involved in the patient's care (45 CFR 164.510(b))".into()
            },
            basis: basis.as_str().into(),
            corrects: None,
            authorization_id: None,
        };
        let ct = self.seal(&entry, binding("disclosures", "entry_ct", disclosure))?;
        rights_store::seal_disclosure(tx.conn(), disclosure, &ct).await?;
        let checks_text = checks.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(",");
        let id = store::insert_call(
            tx.conn(),
            patient,
            call.person,
            &checks_text,
            Some(disclosure),
            p.user_id.0,
            self.now(),
        )
        .await?;
        let ct = self.seal(&shared, binding("caller_checks", "shared_ct", id))?;
        store::set_call_shared(tx.conn(), id, &ct).await?;
        tx.commit().await?;
        Ok(id)
    }
}

/// A representative's answer as the phone screen lists it.
fn sees_in_words(s: &Sees) -> (Vec<String>, Vec<String>) {
    if !s.standing.may_act() {
        return (
            Vec::new(),
            vec!["Anything at all, including whether the patient is seen here: say you cannot discuss whether anyone is a patient.".into()],
        );
    }
    let may = vec![s.words.clone()];
    let may_not = if s.excluded.is_empty() {
        Vec::new()
    } else {
        vec![format!(
            "{} {}",
            s.excluded
                .iter()
                .map(|i| match i {
                    Item::Appointment(id) => format!("Appointment {id}"),
                    Item::Note(id) => format!("Note {id}"),
                })
                .collect::<Vec<_>>()
                .join(", "),
            s.excluded_why
        )]
    };
    (may, may_not)
}

fn status_words(s: PatientStatus) -> &'static str {
    match (s.deceased, s.minor) {
        (true, _) => "The patient has died.",
        (false, true) => "The patient is a minor.",
        (false, false) => "The patient is an adult.",
    }
}
