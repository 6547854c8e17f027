//! Registering, finding and reading patients; restriction and break glass.

use super::view::*;
use super::{rfc3339, Opened};
use crate::permit::{Job, Permit};
use crate::{Actor, App, AppError, Principal};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::records::break_glass;
use carekeep_domain::records::chart_access::{may_break_glass, ChartAccess};
use carekeep_domain::records::patient::{
    check_contact, check_date_of_birth, check_name, display_phone, Contact, ContactMethod, Identity, Sex,
};
use carekeep_domain::records::search::{self, Query};
use carekeep_domain::{Capability, DataClass, UserId};
use carekeep_store::chart_rows::{ChartRows, Part};
use carekeep_store::records::{self as store, CtColumn, PatientRow};
use carekeep_store::{users, Conn};

/// Blind-index kinds.
const NAME: &str = "name_prefix";
const DOB: &str = "dob";
const IDENT: &str = "ident";

/// An identifier as its index holds it: system and value, unambiguously joined.
fn identifier_key(system: &str, value: &str) -> String {
    format!("{}|{system}|{value}", system.len())
}
const PHONE: &str = "phone";

/// Search answers at most this many patients: enough to pick from as one types.
const SEARCH_LIMIT: i64 = 25;

/// A registration as typed.
#[derive(Debug, Default)]
pub struct NewPatient {
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: String,
    pub sex: String,
    pub contact: Contact,
}

/// A search's matches.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SearchResult {
    pub patients: Vec<PatientSummary>,
}

pub(crate) fn identity_view(i: &Identity) -> IdentityView {
    IdentityView {
        given_name: i.given_name.clone(),
        family_name: i.family_name.clone(),
        date_of_birth: i.date_of_birth.to_string(),
        sex: i.sex.as_str().to_owned(),
        record_number: i.record_number.clone(),
        display_name: match i.names.first() {
            Some(n) if n.given.is_empty() && n.family.is_empty() && !n.text.is_empty() => n.text.clone(),
            _ => i.full_name(),
        },
        birth_date_as_known: i.birth_date_text(),
        recorded: recorded_lines(i),
        whole: Some(Box::new(i.clone())),
    }
}

/// An imported identity's extra facts, one line each, for the chart.
fn recorded_lines(i: &Identity) -> Vec<String> {
    use carekeep_domain::records::detail::Deceased;
    let mut out = Vec::new();
    for n in &i.names {
        let usage = if n.usage.is_empty() { "name" } else { n.usage.as_str() };
        out.push(format!("Name ({usage}): {}", n.display()));
    }
    for id in &i.identifiers {
        let kind = [id.kind_text.as_str(), id.kind.as_str(), "Identifier"]
            .into_iter()
            .find(|s| !s.is_empty())
            .unwrap_or_default();
        out.push(format!("{kind}: {} ({})", id.value, id.system));
    }
    match &i.deceased {
        Some(Deceased::Yes) => out.push("Deceased".into()),
        Some(Deceased::On(d)) => out.push(format!("Deceased {d}")),
        None => {}
    }
    if !i.marital_status.is_empty() {
        out.push(format!("Marital status: {}", i.marital_status));
    }
    out
}

fn contact_view(c: &Contact) -> ContactView {
    ContactView {
        phone: c.phone.clone(),
        phone_display: display_phone(&c.phone),
        email: c.email.clone(),
        address: c.address.clone(),
        emergency_contact: c.emergency_contact.clone(),
        preferred: c.preferred.as_str().to_owned(),
        address_parts: c.address_parts.clone(),
    }
}

impl App {
    /// Patients whose index holds this identifier (system and value).
    pub(crate) async fn patients_with_identifier(
        &self,
        conn: &mut Conn,
        system: &str,
        value: &str,
    ) -> Result<Vec<i64>, AppError> {
        let digest = self.blind_index().digest(IDENT, &identifier_key(system, value));
        Ok(store::lookup_index(conn, IDENT, &digest, 20).await?)
    }

    /// Patients whose index holds this date of birth.
    pub(crate) async fn patients_born(&self, conn: &mut Conn, dob: time::Date) -> Result<Vec<i64>, AppError> {
        let digest = self.blind_index().digest(DOB, &dob.to_string());
        Ok(store::lookup_index(conn, DOB, &digest, 200).await?)
    }

    fn check_identity(
        &self,
        given: &str,
        family: &str,
        dob: &str,
        sex: &str,
        mrn: String,
    ) -> Result<Identity, AppError> {
        let today = self.clinic_zone().local(self.now()).date();
        Ok(Identity::new(
            check_name("first name", given)?,
            check_name("last name", family)?,
            check_date_of_birth(carekeep_domain::records::patient::parse_date(dob)?, today)?,
            Sex::parse(sex)?,
            mrn,
        ))
    }

    pub(crate) async fn index_identity(&self, conn: &mut Conn, id: i64, i: &Identity) -> Result<(), AppError> {
        let key = self.blind_index();
        let mut entries: Vec<(&str, Vec<u8>)> = Vec::new();
        for part in [&i.given_name, &i.family_name] {
            for prefix in search::prefixes(part) {
                entries.push((NAME, key.digest(NAME, &prefix)));
            }
        }
        entries.push((DOB, key.digest(DOB, &i.date_of_birth.to_string())));
        // Identifiers from other systems, so an import finds the chart it matches.
        for x in &i.identifiers {
            entries.push((IDENT, key.digest(IDENT, &identifier_key(&x.system, &x.value))));
        }
        store::replace_index(conn, id, &[NAME, DOB, IDENT], &entries).await?;
        Ok(())
    }

    pub(crate) async fn index_contact(&self, conn: &mut Conn, id: i64, c: &Contact) -> Result<(), AppError> {
        let entries: Vec<(&str, Vec<u8>)> = if c.phone.is_empty() {
            Vec::new()
        } else {
            vec![(PHONE, self.blind_index().digest(PHONE, &c.phone))]
        };
        store::replace_index(conn, id, &[PHONE], &entries).await?;
        Ok(())
    }

    /// Registers a patient (needs write access to identity and contact).
    pub async fn register_patient(&self, actor: &Actor<'_>, input: NewPatient) -> Result<PatientView, AppError> {
        let p = actor.person()?;
        let grant = self.grant_registration(p).await?;
        let mut identity = self.check_identity(
            &input.given_name,
            &input.family_name,
            &input.date_of_birth,
            &input.sex,
            String::new(),
        )?;
        let contact = check_contact(input.contact)?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let id = store::insert_patient(tx.conn(), now).await?;
        identity.record_number = format!("MRN-{id:06}");
        self.put_json(tx.conn(), &grant, CtColumn::PatientIdentity, id, &identity)
            .await?;
        self.put_json(tx.conn(), &grant, CtColumn::PatientContact, id, &contact)
            .await?;
        self.index_identity(tx.conn(), id, &identity).await?;
        self.index_contact(tx.conn(), id, &contact).await?;
        let event = self.phi_event(
            p,
            Action::PhiCreate,
            Outcome::Success,
            vec![id],
            ("Patient", id.to_string()),
            vec![DataClass::Identity, DataClass::Contact],
        );
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        self.patient(&p.actor(), id).await
    }

    /// Changes a patient's name, date of birth or sex (the record number stays).
    pub async fn update_identity(
        &self,
        actor: &Actor<'_>,
        id: i64,
        given: &str,
        family: &str,
        dob: &str,
        sex: &str,
    ) -> Result<PatientView, AppError> {
        let p = actor.person()?;
        let mut tx = self.store().begin().await?;
        let opened = self.open_patient(tx.conn(), p, id).await?;
        let (mut tx, grant) = self
            .grant_write(tx, p, &opened, DataClass::Identity, Action::PhiUpdate)
            .await?;
        let event = self.phi_event(
            p,
            Action::PhiUpdate,
            Outcome::Success,
            vec![id],
            ("Patient", id.to_string()),
            vec![DataClass::Identity],
        );
        // The update's own event covers reading the record number it keeps.
        let permit = self.permit_in(&mut tx, &event).await?;
        let old: Identity = self.open_json(&permit, CtColumn::PatientIdentity, id, &opened.row().identity_ct)?;
        let mut identity = self.check_identity(given, family, dob, sex, old.record_number)?;
        // A correction at the desk keeps what another system's record carried; a birth date
        // known only in part stays so until the date itself is changed.
        if identity.date_of_birth == old.date_of_birth {
            identity.birth_precision = old.birth_precision;
        }
        identity.names = old.names;
        identity.identifiers = old.identifiers;
        identity.deceased = old.deceased;
        identity.marital_status = old.marital_status;
        self.put_json(tx.conn(), &grant, CtColumn::PatientIdentity, id, &identity)
            .await?;
        self.index_identity(tx.conn(), id, &identity).await?;
        store::touch_patient(tx.conn(), id, self.now()).await?;
        tx.commit().await?;
        self.patient(&p.actor(), id).await
    }

    /// Changes a patient's contact details.
    pub async fn update_contact(&self, actor: &Actor<'_>, id: i64, contact: Contact) -> Result<PatientView, AppError> {
        let p = actor.person()?;
        let mut tx = self.store().begin().await?;
        let opened = self.open_patient(tx.conn(), p, id).await?;
        let (mut tx, grant) = self
            .grant_write(tx, p, &opened, DataClass::Contact, Action::PhiUpdate)
            .await?;
        let mut contact = check_contact(contact)?;
        let event = self.phi_event(
            p,
            Action::PhiUpdate,
            Outcome::Success,
            vec![id],
            ("Patient", id.to_string()),
            vec![DataClass::Contact],
        );
        // The update's own event covers reading the address parts an imported record
        // carried: kept while the address they spell is unchanged.
        let permit = self.permit_in(&mut tx, &event).await?;
        let old: Contact = self.open_json(&permit, CtColumn::PatientContact, id, &opened.row().contact_ct)?;
        if contact.address_parts.is_none() && old.address == contact.address {
            contact.address_parts = old.address_parts;
        }
        self.put_json(tx.conn(), &grant, CtColumn::PatientContact, id, &contact)
            .await?;
        self.index_contact(tx.conn(), id, &contact).await?;
        store::touch_patient(tx.conn(), id, self.now()).await?;
        tx.commit().await?;
        self.patient(&p.actor(), id).await
    }

    /// A patient as `p` may see them: every readable class, nothing else. Audited as one
    /// read naming the classes shown; refused (and audited) if nothing is readable.
    pub async fn patient(&self, actor: &Actor<'_>, id: i64) -> Result<PatientView, AppError> {
        let p = actor.person()?;
        let mut reader = self.store().reader();
        let (opened, rows) = self.open_chart_to_read(&mut reader, p, id).await?;
        if !opened.access().reads_any() {
            drop(reader);
            return Err(self
                .refuse(
                    p,
                    Action::PhiRead,
                    id,
                    DataClass::Identity,
                    "your roles do not allow reading patient records".into(),
                )
                .await);
        }
        drop(reader);
        let classes: Vec<DataClass> = opened.access().read.iter().copied().collect();
        let mut event = self.phi_event(
            p,
            Action::PhiRead,
            Outcome::Success,
            vec![id],
            ("Patient", id.to_string()),
            classes,
        );
        if opened.access().via_break_glass {
            event.reason = "break glass".into();
        }
        let permit = self.permit(event).await?;
        let view = self.build_view(&permit, rows, p.data_roles(), &opened)?;
        permit.confirm().await?;
        Ok(view)
    }

    /// The view of `opened` from its chart's rows (loaded with [`chart_parts`]).
    pub(crate) fn build_view(
        &self,
        permit: &Permit,
        rows: ChartRows,
        roles: &[carekeep_domain::RoleName],
        opened: &Opened,
    ) -> Result<PatientView, AppError> {
        let a = &opened.access();
        let id = opened.row().id;
        let identity = match a.reads(DataClass::Identity) {
            true => Some(identity_view(&self.open_json(
                permit,
                CtColumn::PatientIdentity,
                id,
                &opened.row().identity_ct,
            )?)),
            false => None,
        };
        let contact = match a.reads(DataClass::Contact) {
            true => Some(contact_view(&self.open_json(
                permit,
                CtColumn::PatientContact,
                id,
                &opened.row().contact_ct,
            )?)),
            false => None,
        };
        let names = &rows.staff_names;
        let scheduling = match a.reads(DataClass::Scheduling) {
            true => Some(self.scheduling_view(permit, &rows.appointments, names)?),
            false => None,
        };
        let clinical = match a.reads(DataClass::Clinical) {
            true => Some(self.clinical_view(permit, &rows, names)?),
            false => None,
        };
        let (coding, billing, invoice_status) = self.invoice_views(permit, &rows, a)?;
        let npp = self.npp_status(&rows.npp_acks);
        let honour = self.standing_requests(permit, &rows.granted_requests)?;
        Ok(PatientView {
            id,
            identity,
            contact,
            scheduling,
            clinical,
            coding,
            billing,
            invoice_status,
            access: AccessNote {
                restricted: opened.row().restricted,
                withheld_clinical: a.withheld_by_restriction.contains(&DataClass::Clinical),
                may_break_glass: may_break_glass(&self.policy(), roles),
                break_glass_until: opened.glass_until().map(rfc3339),
                writes: a.write.iter().map(|c| c.as_str()).collect(),
                npp,
                honour,
            },
        })
    }

    /// Identity (and contact, if readable) of each row, as the policy allows for each.
    fn summaries(&self, permit: &Permit, p: &Principal, rows: &[PatientRow]) -> Result<Vec<PatientSummary>, AppError> {
        let policy = self.policy();
        rows.iter()
            .map(|row| {
                let a = self.list_access(&policy, p, row);
                Ok(PatientSummary {
                    id: row.id,
                    identity: match a.reads(DataClass::Identity) {
                        true => Some(identity_view(&self.open_json(
                            permit,
                            CtColumn::PatientIdentity,
                            row.id,
                            &row.identity_ct,
                        )?)),
                        false => None,
                    },
                    contact: match a.reads(DataClass::Contact) {
                        true => Some(contact_view(&self.open_json(
                            permit,
                            CtColumn::PatientContact,
                            row.id,
                            &row.contact_ct,
                        )?)),
                        false => None,
                    },
                    restricted: row.restricted,
                })
            })
            .collect()
    }

    async fn require_identity_reader(&self, p: &Principal) -> Result<(), AppError> {
        p.require_full()?;
        if self.policy().access(p.data_roles(), DataClass::Identity).can_read() {
            Ok(())
        } else {
            Err(self
                .refused_by_role(
                    p,
                    vec![DataClass::Identity],
                    "your roles do not allow looking up patients",
                )
                .await)
        }
    }

    fn shown_classes(&self, p: &Principal) -> Vec<DataClass> {
        let policy = self.policy();
        [DataClass::Identity, DataClass::Contact]
            .into_iter()
            .filter(|c| policy.access(p.data_roles(), *c).can_read())
            .collect()
    }

    /// Finds patients by the first letters of a name, a full date of birth or a phone number,
    /// through the blind indexes. Every patient in the answer is audited as searched.
    pub async fn search_patients(&self, actor: &Actor<'_>, q: &str) -> Result<SearchResult, AppError> {
        let p = actor.person()?;
        self.require_identity_reader(p).await?;
        let query = search::parse(q).map_err(|e| AppError::Invalid(e.to_string()))?;
        let key = self.blind_index();
        let (kind, digest, confirm) = match &query {
            Query::NamePrefix(name) => {
                let prefix = search::lookup_prefix(name);
                let confirm = (name.chars().count() > search::MAX_PREFIX).then(|| name.clone());
                (NAME, key.digest(NAME, &prefix), confirm)
            }
            Query::DateOfBirth(d) => (DOB, key.digest(DOB, &d.to_string()), None),
            Query::Phone(digits) => (PHONE, key.digest(PHONE, digits), None),
        };
        let mut conn = self.store().read().await?;
        let ids = store::lookup_index(&mut conn, kind, &digest, SEARCH_LIMIT * 4).await?;
        let mut rows = store::patients_by_ids(&mut conn, &ids).await?;
        drop(conn);
        rows.sort_by_key(|r| std::cmp::Reverse(r.last_seen_at.unwrap_or(r.created_at)));
        if let Some(folded) = confirm {
            let mut kept = Vec::new();
            // A candidate that does not match is shown to no one; those that do are in the event.
            let matching = Permit::for_job(Job::MatchSearch);
            for row in rows {
                let i: Identity = self.open_json(&matching, CtColumn::PatientIdentity, row.id, &row.identity_ct)?;
                if search::name_matches(&i.given_name, &folded) || search::name_matches(&i.family_name, &folded) {
                    kept.push(row);
                }
            }
            rows = kept;
        }
        rows.truncate(usize::try_from(SEARCH_LIMIT).unwrap_or(25));
        let event = self.phi_event(
            p,
            Action::PhiSearch,
            Outcome::Success,
            rows.iter().map(|r| r.id).collect(),
            ("Patient", String::new()),
            self.shown_classes(p),
        );
        let permit = self.permit(event).await?;
        let patients = self.summaries(&permit, p, &rows)?;
        permit.confirm().await?;
        Ok(SearchResult { patients })
    }

    /// A page of patients, most recently seen first. Every patient listed is audited.
    pub async fn list_patients(&self, actor: &Actor<'_>, page: i64, per_page: i64) -> Result<PatientPage, AppError> {
        let p = actor.person()?;
        self.require_identity_reader(p).await?;
        let page = page.max(1);
        let per_page = per_page.clamp(1, 100);
        let mut conn = self.store().read().await?;
        let rows = store::recent_patients(&mut conn, per_page, (page - 1) * per_page).await?;
        let total = store::count_patients(&mut conn).await?;
        drop(conn);
        let patients = match rows.is_empty() {
            true => Vec::new(),
            false => {
                let event = self.phi_event(
                    p,
                    Action::PhiRead,
                    Outcome::Success,
                    rows.iter().map(|r| r.id).collect(),
                    ("PatientList", page.to_string()),
                    self.shown_classes(p),
                );
                let permit = self.permit(event).await?;
                let patients = self.summaries(&permit, p, &rows)?;
                permit.confirm().await?;
                patients
            }
        };
        Ok(PatientPage {
            patients,
            page,
            per_page,
            total,
        })
    }

    /// Marks a patient restricted to the named providers, or lifts it. A privacy decision, so
    /// it is the owner's or the compliance officer's (manage_program).
    pub async fn set_restriction(
        &self,
        actor: &Actor<'_>,
        id: i64,
        restricted: bool,
        providers: &[UserId],
    ) -> Result<(), AppError> {
        let p = actor.person()?;
        p.require_full()?;
        if !self.policy().has_capability(&p.roles, Capability::ManageProgram) {
            return Err(self
                .refused_by_role(
                    p,
                    vec![DataClass::Clinical],
                    "only the owner or the compliance officer may restrict a chart",
                )
                .await);
        }
        let policy = self.policy();
        let mut tx = self.store().begin().await?;
        store::patient_by_id(tx.conn(), id)
            .await
            .map_err(|_| AppError::NotFound("patient"))?;
        for user in providers {
            let u = users::by_id(tx.conn(), *user)
                .await
                .map_err(|_| AppError::Invalid(format!("there is no staff account {}", user.0)))?;
            if !policy.access(&u.roles, DataClass::Clinical).can_read() {
                return Err(AppError::Invalid(format!(
                    "{} has no clinical role, so cannot be named on a chart",
                    u.display_name
                )));
            }
        }
        if restricted && providers.is_empty() {
            return Err(AppError::Invalid(
                "name at least one provider who may open a restricted chart".into(),
            ));
        }
        let ids: Vec<i64> = providers.iter().map(|u| u.0).collect();
        store::set_restriction(tx.conn(), id, restricted, &ids).await?;
        let mut event = self.phi_event(
            p,
            Action::PhiUpdate,
            Outcome::Success,
            vec![id],
            ("Patient.restriction", id.to_string()),
            Vec::new(),
        );
        event.reason = if restricted {
            format!(
                "restricted to staff {}",
                ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
            )
        } else {
            "restriction lifted".into()
        };
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Breaks glass into a restricted chart (164.312(a)(2)(ii) emergency access): a clinical
    /// role, a stated reason, a time limit, and a loud audit event the compliance officer
    /// reviews. Returns when the access ends.
    ///
    /// `kind` is one of `break_glass::REASONS` (or empty, for a reason in one's own words in
    /// `reason`). Breaking glass again while the access is live is refused: access beyond the
    /// grant's end is a new grant, asked for when it ends, and reported on its own.
    pub async fn break_glass(&self, actor: &Actor<'_>, id: i64, kind: &str, reason: &str) -> Result<String, AppError> {
        let p = actor.person()?;
        let mut tx = self.store().begin().await?;
        let opened = self.open_patient(tx.conn(), p, id).await?;
        if !may_break_glass(&self.policy(), p.data_roles()) {
            drop(tx);
            return Err(self
                .refuse(
                    p,
                    Action::BreakGlass,
                    id,
                    DataClass::Clinical,
                    "only clinical staff may use emergency access to a chart".into(),
                )
                .await);
        }
        if !opened.row().restricted || opened.access().reads(DataClass::Clinical) && !opened.access().via_break_glass {
            return Err(AppError::Invalid(
                "you can already open this chart; emergency access is not needed".into(),
            ));
        }
        let reason = break_glass::reason(kind, reason)?;
        let now = self.now();
        let live = store::break_glass_until(tx.conn(), p.user_id.0, id, now).await?;
        if let Err(until) = break_glass::may_break_again(live, now) {
            return Err(AppError::Conflict(format!(
                "your emergency access to this chart is open until {}; when it ends, break glass again for a new grant (it is reported on its own)",
                rfc3339(until)
            )));
        }
        let until = now + time::Duration::minutes(self.settings().records.break_glass_minutes);
        let glass = store::insert_break_glass(tx.conn(), p.user_id.0, id, now, until).await?;
        self.put_json(
            tx.conn(),
            &self.grant_glass_reason(&opened),
            CtColumn::BreakGlassReason,
            glass,
            &reason,
        )
        .await?;
        let mut event = self.phi_event(
            p,
            Action::BreakGlass,
            Outcome::Success,
            vec![id],
            ("Patient", id.to_string()),
            vec![DataClass::Clinical],
        );
        // The reason may describe the patient's condition: the trail holds a reference to the
        // sealed reason, which the audit views open for those who read the trail.
        event.reason = crate::audit::view::sealed_grant_reference(glass);
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(rfc3339(until))
    }
}

/// Builds a `Contact` from form or API fields.
pub fn contact_input(
    phone: &str,
    email: &str,
    address: &str,
    emergency: &str,
    preferred: &str,
) -> Result<Contact, AppError> {
    Ok(Contact {
        phone: phone.to_owned(),
        email: email.to_owned(),
        address: address.to_owned(),
        emergency_contact: emergency.to_owned(),
        preferred: ContactMethod::parse(preferred)?,
        address_parts: None,
    })
}

/// The chart tables a view needs for what `a` may read: nothing of a class the policy withholds
/// is even loaded.
pub(crate) fn chart_parts(a: &ChartAccess) -> Vec<Part> {
    let mut parts = vec![Part::StaffNames];
    if a.reads(DataClass::Identity) {
        parts.extend([Part::NppAcks, Part::GrantedRequests]);
    }
    if a.reads(DataClass::Scheduling) {
        parts.push(Part::Appointments);
    }
    if a.reads(DataClass::Clinical) {
        parts.extend([Part::Encounters, Part::Addenda, Part::Entries, Part::Attachments]);
    }
    if a.reads(DataClass::Coding) || a.reads(DataClass::Billing) || a.reads(DataClass::InvoiceStatus) {
        parts.push(Part::Invoices);
    }
    if a.reads(DataClass::Billing) {
        parts.push(Part::Payments);
    }
    parts
}
