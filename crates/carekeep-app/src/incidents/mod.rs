//! The incident log and the breach engine around it (164.308(a)(6), 164.400-164.414,
//! 164.530(j)). Anyone on staff reports; the compliance officer (handle_incidents) determines
//! whether it is a breach, scopes it from the audit trail, and works the obligations the domain
//! computes. Free text that may name patients is encrypted; every change is audited.

use crate::permit::{Job, Permit};
use crate::{Actor, App, AppError, Principal};
use carekeep_crypto::keys::Binding;
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::incidents::determination::{self, Conclusion, Exclusion, FourFactors, Safeguard};
use carekeep_domain::incidents::obligations::{self, Facts, Kind, LawEnforcementDelay, Obligation};
use carekeep_domain::incidents::{letters, states};
use carekeep_domain::program::dates::{standing, Standing};
use carekeep_domain::program::sra::lifecycle::Change;
use carekeep_domain::records::patient::parse_date;
use carekeep_domain::{Capability, DataClass};
use carekeep_store::incidents::{self as store, IncidentRow};
use carekeep_store::records::{self as records_store, CtColumn};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use time::{Date, OffsetDateTime};

/// What a report needs: anyone on staff, from any page.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ReportInput {
    /// A few words, e.g. "Laptop stolen from car".
    pub title: String,
    /// What happened (may name patients: stored encrypted).
    pub what_happened: String,
    /// `YYYY-MM-DD`, if known.
    pub occurred_on: String,
    /// `YYYY-MM-DD`: the first day anyone on staff knew (today when empty).
    pub discovered_on: String,
    /// Who knew first; the reporter when empty.
    pub discovered_by: String,
    /// Systems and vendors involved.
    pub systems: String,
    /// A vendor (business associate) involved.
    pub vendor_id: Option<i64>,
    /// Whether patient information may be involved (assumed yes unless said otherwise).
    pub phi_involved: Option<bool>,
    /// What kind of incident: lost_device, misdirected, email_misdirected, credential_phished,
    /// malware, snooping, vendor, improper_disposal or other (blank: other).
    pub kind: String,
}

/// The determination and the facts the deadlines depend on.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DeterminationInput {
    pub phi_involved: bool,
    /// none, encrypted or destroyed.
    pub safeguard: String,
    pub key_compromised: bool,
    /// unintentional_workforce, inadvertent_authorized, could_not_retain, or empty.
    pub exclusion: String,
    pub exclusion_reason: String,
    pub nature_and_extent: String,
    pub unauthorized_person: String,
    pub acquired_or_viewed: String,
    pub mitigation: String,
    pub low_probability: bool,
    /// `YYYY-MM-DD`; moving it earlier moves every clock.
    pub discovered_on: String,
    pub discovered_by: String,
    pub occurred_on: String,
    pub affected: u32,
    /// `ST=N,ST=N`.
    pub by_state: String,
    pub unreachable: u32,
    /// written, oral, or empty.
    pub law_enforcement: String,
    pub law_enforcement_stated_on: String,
    pub law_enforcement_until: String,
    pub law_enforcement_official: String,
    pub business_associate: bool,
    /// open or closed.
    pub status: String,
    /// Letter text: the steps individuals should take (164.404(c)(1)(C)).
    pub steps_for_individuals: String,
    /// What the clinic is doing (164.404(c)(1)(D)).
    pub what_we_are_doing: String,
    /// How to reach the clinic: a toll-free number, email, website or postal address (164.404(c)(1)(E)).
    pub contact_for_questions: String,
}

/// The encrypted part of the determination.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
struct Sealed {
    exclusion_reason: String,
    factors: FourFactors,
    steps_for_individuals: String,
    what_we_are_doing: String,
    contact_for_questions: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ObligationView {
    /// individuals, hhs, hhs_annual_log, media, substitute_notice, business_associate_to_covered_entity.
    pub kind: String,
    /// ISO date.
    pub due_on: String,
    /// For media: the State or jurisdiction.
    pub state: Option<String>,
    pub cfr: String,
    pub title: String,
    pub contents: Vec<String>,
    pub done: bool,
    pub done_on: String,
    /// done, due_soon or gap (overdue), or open.
    pub standing: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct IncidentSummary {
    pub id: i64,
    pub title: String,
    pub status: String,
    pub discovered_on: String,
    /// no_phi, secured, excluded, low_probability, breach; `undetermined` until assessed.
    pub conclusion: String,
    pub affected: i64,
    /// The next open obligation's due date.
    pub next_due: String,
    /// The kind's code and its words.
    pub kind: String,
    pub kind_label: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ScopeView {
    pub patients: usize,
    /// Residents per State (postal code; `unknown` where the address names none).
    pub by_state: Vec<(String, usize)>,
    /// Data classes exposed, with how many patients each.
    pub classes: Vec<(String, usize)>,
    /// The same in words ("medical record"), for people.
    pub involved: Vec<(String, usize)>,
}

/// A search of the audit trail for an incident's scope: whose events, in which window, and
/// optionally one action (`phi.read`, `phi.print`...) and one data class.
#[derive(Clone, Debug)]
pub struct ScopeSearch {
    pub username: String,
    pub from: OffsetDateTime,
    pub to: OffsetDateTime,
    pub action: Option<Action>,
    pub class: Option<DataClass>,
}

impl ScopeSearch {
    /// Parses the optional narrowing from what a form or a request carries ("" for any).
    pub fn narrowed(mut self, action: &str, class: &str) -> Result<ScopeSearch, AppError> {
        self.action = match action.trim() {
            "" | "any" => None,
            a => Some(
                a.parse::<Action>()
                    .ok()
                    .filter(|a| a.code().starts_with("phi."))
                    .ok_or_else(|| AppError::Invalid("choose the action from the list".into()))?,
            ),
        };
        self.class = match class.trim() {
            "" | "any" => None,
            c => Some(
                c.parse::<DataClass>()
                    .map_err(|_| AppError::Invalid("choose the kind of information from the list".into()))?,
            ),
        };
        Ok(self)
    }

    /// Whether one audit event is part of what this search finds: a successful use of patient
    /// information, of the action and class asked for.
    pub fn matches(&self, action: &str, outcome: &str, classes: &str) -> bool {
        action.starts_with("phi.")
            && outcome == "success"
            && self.action.is_none_or(|a| a.code() == action)
            && self
                .class
                .is_none_or(|c| classes.split(',').any(|x| x.trim() == c.as_str()))
    }
}

/// A patient an audit search would add, shown for review before the search is adopted.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ScopeCandidate {
    pub patient_id: i64,
    /// The patient's name; "Patient N" where the reader's roles do not show names.
    pub name: String,
    /// What the events showed, in words.
    pub classes: Vec<String>,
    pub already_in_scope: bool,
}

/// Patients named on one page of a scope preview, as many as a page of the patient list: a
/// page a person reads through, and the names opened (and audited) are the page's, never the
/// whole answer's.
pub const PREVIEW_PAGE: usize = 25;

/// One page of what an audit search would add to the scope. Adopting the search adds every
/// patient it finds (`total`), not only the page.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ScopePreview {
    /// Every patient the search finds.
    pub total: usize,
    /// Of those, how many are in the scope already.
    pub already_in_scope: usize,
    /// Where this page starts among them (0 for the first), in record-number order.
    pub offset: usize,
    /// This page's patients, at most the page's size.
    pub patients: Vec<ScopeCandidate>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct IncidentView {
    #[serde(flatten)]
    pub summary: IncidentSummary,
    pub what_happened: String,
    pub occurred_on: String,
    pub discovered_by: String,
    pub systems: String,
    pub vendor_id: Option<i64>,
    pub determination: DeterminationInput,
    pub conclusion_text: String,
    /// `(when, who, what)`.
    pub timeline: Vec<(String, String, String)>,
    pub scope: ScopeView,
    /// Why the affected count differs from the scope, when it does.
    pub affected_note: Option<String>,
    pub obligations: Vec<ObligationView>,
    pub notices_sent: usize,
    /// `(id, file name)`.
    pub attachments: Vec<(i64, String)>,
}

/// An incident's free text that may name a patient or their condition, sealed together in
/// `incidents.details_ct` (the narrative has `summary_ct` of its own).
#[derive(Debug, Default, Deserialize, Serialize)]
struct Details {
    title: String,
    discovered_by: String,
    systems: String,
}

impl Details {
    fn of(row: &IncidentRow) -> Details {
        Details {
            title: row.title.clone(),
            discovered_by: row.discovered_by.clone(),
            systems: row.systems.clone(),
        }
    }
}

impl App {
    /// Every incident, newest first, its free text opened.
    pub(crate) async fn incident_rows(
        &self,
        permit: &Permit,
        conn: &mut carekeep_store::Conn,
    ) -> Result<Vec<IncidentRow>, AppError> {
        store::all(conn)
            .await?
            .into_iter()
            .map(|row| self.opened_incident(permit, row))
            .collect()
    }

    /// One incident, its free text opened.
    pub(crate) async fn incident_row(
        &self,
        permit: &Permit,
        conn: &mut carekeep_store::Conn,
        id: i64,
    ) -> Result<IncidentRow, AppError> {
        let row = store::by_id(conn, id)
            .await
            .map_err(|_| AppError::NotFound("incident"))?;
        self.opened_incident(permit, row)
    }

    /// Whether an incident exists, without opening its text.
    async fn incident_exists(&self, conn: &mut carekeep_store::Conn, id: i64) -> Result<(), AppError> {
        store::by_id(conn, id)
            .await
            .map(|_| ())
            .map_err(|_| AppError::NotFound("incident"))
    }

    /// An incident's obligations done: `(kind, state, done on, note)`, notes opened.
    async fn done_obligations(
        &self,
        permit: &Permit,
        conn: &mut carekeep_store::Conn,
        id: i64,
    ) -> Result<Vec<(String, String, String, String)>, AppError> {
        store::done_obligations(conn, id)
            .await?
            .into_iter()
            .map(|d| {
                let note = match &d.note_ct {
                    Some(ct) => {
                        let column = obligation_note_column(&d.kind, &d.state);
                        let at = Binding {
                            table: "incident_obligations",
                            column: &column,
                            row: d.incident_id,
                        };
                        String::from_utf8_lossy(&self.sealer().open(permit, at, ct)?).into_owned()
                    }
                    None => d.note,
                };
                Ok((d.kind, d.state, d.done_on, note))
            })
            .collect()
    }

    /// An obligation's row is its (incident, kind, state): the note is bound to all three.
    async fn seal_obligation_note(
        &self,
        conn: &mut carekeep_store::Conn,
        (incident, kind, state): (i64, &str, &str),
        note: &str,
    ) -> Result<(), AppError> {
        let column = obligation_note_column(kind, state);
        let at = Binding {
            table: "incident_obligations",
            column: &column,
            row: incident,
        };
        let sealed = self.sealer().seal(at, note.as_bytes())?;
        store::set_obligation_note(conn, (incident, kind, state), &sealed).await?;
        Ok(())
    }

    fn attachment_name(&self, permit: &Permit, aid: i64, name: store::NameCell) -> Result<String, AppError> {
        self.open_text(permit, "name_ct", aid, name)
    }

    /// A sealed text column, or the plain one on rows written before it was sealed.
    fn open_text(
        &self,
        permit: &Permit,
        column: &'static str,
        row: i64,
        (plain, ct): (String, Option<Vec<u8>>),
    ) -> Result<String, AppError> {
        match ct {
            Some(ct) => {
                Ok(String::from_utf8_lossy(&self.sealer().open(permit, binding(column, row), &ct)?).into_owned())
            }
            None => Ok(plain),
        }
    }

    fn opened_incident(&self, permit: &Permit, mut row: IncidentRow) -> Result<IncidentRow, AppError> {
        if let Some(ct) = row.details_ct.take() {
            let plain = self.sealer().open(permit, binding("details_ct", row.id), &ct)?;
            let d: Details = serde_json::from_slice(&plain)
                .map_err(|e| AppError::Internal(format!("stored incident details: {e}")))?;
            (row.title, row.discovered_by, row.systems) = (d.title, d.discovered_by, d.systems);
        }
        Ok(row)
    }

    async fn seal_incident_details(
        &self,
        conn: &mut carekeep_store::Conn,
        id: i64,
        d: &Details,
    ) -> Result<(), AppError> {
        let plain = zeroize::Zeroizing::new(serde_json::to_vec(d).map_err(|e| AppError::Internal(e.to_string()))?);
        let ct = self.sealer().seal(binding("details_ct", id), &plain)?;
        store::set_details(conn, id, &ct).await?;
        Ok(())
    }

    /// Seals the free text of incidents written before it was sealed, and empties the plain
    /// columns; run at start. Returns how many were sealed.
    pub(crate) async fn seal_legacy_incident_text(&self) -> Result<usize, AppError> {
        let (rows, notes, names) = {
            let mut conn = self.store().read().await?;
            (
                store::unsealed(&mut conn).await?,
                store::unsealed_notes(&mut conn).await?,
                store::unsealed_names(&mut conn).await?,
            )
        };
        let count = rows.len() + notes.len() + names.len();
        if count == 0 {
            return Ok(0);
        }
        let mut tx = self.store().begin().await?;
        for row in &rows {
            self.seal_incident_details(tx.conn(), row.id, &Details::of(row)).await?;
        }
        for d in &notes {
            self.seal_obligation_note(tx.conn(), (d.incident_id, &d.kind, &d.state), &d.note)
                .await?;
        }
        for (aid, name) in &names {
            let sealed = self.sealer().seal(binding("name_ct", *aid), name.as_bytes())?;
            store::set_attachment_name(tx.conn(), *aid, &sealed).await?;
        }
        tx.commit().await?;
        Ok(count)
    }
}

/// Why the number entered as affected differs from the patients in scope, when it does: the
/// letters go to the scope; HHS and media notices count the number entered (164.408, 164.406).
fn affected_note(affected: i64, in_scope: usize) -> Option<String> {
    let in_scope = i64::try_from(in_scope).unwrap_or(i64::MAX);
    match (affected, in_scope) {
        (_, 0) => None,
        (a, s) if a == s => None,
        (a, s) if a > s => Some(format!(
            "{a} people are entered as affected and {s} patients are in the scope: letters go to the {s}; the notices to HHS and the media count {a}. Add the others to the scope, or note in the timeline who they are (for example people not in Carekeep)."
        )),
        (a, s) => Some(format!(
            "{s} patients are in the scope but {a} is entered as affected: letters go to the {s}. If fewer were really involved, remove the scope and choose it again; otherwise correct the number."
        )),
    }
}

fn obligation_note_column(kind: &str, state: &str) -> String {
    format!("note_ct/{kind}/{state}")
}

fn binding(column: &'static str, row: i64) -> Binding<'static> {
    let table = match column {
        "text_ct" => "incident_actions",
        "name_ct" => "incident_attachments",
        // An attachment's content has been bound to "incidents" since the first version;
        // kept, or stored files would no longer open.
        _ => "incidents",
    };
    Binding { table, column, row }
}

fn date(label: &str, s: &str, required: bool) -> Result<Option<Date>, AppError> {
    crate::input::date(label, s, required)
}

fn text(label: &str, s: &str, max: usize) -> Result<String, AppError> {
    crate::input::text(label, s, max, false)
}

fn safeguard(s: &str) -> Result<Safeguard, AppError> {
    match s.trim() {
        "" | "none" => Ok(Safeguard::None),
        "encrypted" => Ok(Safeguard::Encrypted),
        "destroyed" => Ok(Safeguard::Destroyed),
        _ => Err(AppError::Invalid(
            "the safeguard is none, encrypted or destroyed".into(),
        )),
    }
}

fn exclusion(s: &str) -> Result<Option<Exclusion>, AppError> {
    match s.trim() {
        "" => Ok(None),
        "unintentional_workforce" => Ok(Some(Exclusion::UnintentionalWorkforce)),
        "inadvertent_authorized" => Ok(Some(Exclusion::InadvertentAuthorized)),
        "could_not_retain" => Ok(Some(Exclusion::CouldNotRetain)),
        _ => Err(AppError::Invalid(
            "the exclusion is unintentional_workforce, inadvertent_authorized or could_not_retain".into(),
        )),
    }
}

/// The facts for the obligations engine, from a stored incident.
fn facts_of(i: &IncidentRow) -> Facts {
    let law_enforcement = match (i.le_kind.as_deref(), i.le_stated_on.as_deref(), i.le_until.as_deref()) {
        (Some("written"), _, Some(until)) => parse_date(until)
            .ok()
            .map(|until| LawEnforcementDelay::Written { until }),
        (Some("oral"), Some(on), until) => parse_date(on).ok().map(|stated_on| LawEnforcementDelay::Oral {
            stated_on,
            written_until: until.and_then(|u| parse_date(u).ok()),
        }),
        _ => None,
    };
    Facts {
        discovered: parse_date(&i.discovered_on).ok(),
        affected: u32::try_from(i.affected).unwrap_or(0),
        by_state: obligations::parse_by_state(&i.by_state).unwrap_or_default(),
        unreachable: u32::try_from(i.unreachable).unwrap_or(0),
        law_enforcement,
        business_associate: i.business_associate,
    }
}

/// The obligations with what is done, for the API, the pages and the command line alike.
pub fn obligation_views(
    list: &[Obligation],
    done: &[(String, String, String, String)],
    today: Date,
) -> Vec<ObligationView> {
    list.iter()
        .map(|o| {
            let state = o.state.clone().unwrap_or_default();
            let d = done.iter().find(|(k, s, _, _)| k == o.kind.as_str() && *s == state);
            ObligationView {
                kind: o.kind.as_str().into(),
                due_on: o.due_on.to_string(),
                state: o.state.clone(),
                cfr: o.cfr.into(),
                title: o.title.clone(),
                contents: o.contents.iter().map(|c| (*c).to_owned()).collect(),
                done: d.is_some(),
                done_on: d.map(|x| x.2.clone()).unwrap_or_default(),
                standing: match (d, standing(o.due_on, today)) {
                    (Some(_), _) => "done",
                    (None, Standing::Gap) => "gap",
                    (None, Standing::DueSoon) => "due_soon",
                    (None, Standing::Done) => "open",
                }
                .into(),
            }
        })
        .collect()
}

impl App {
    fn incident_event(&self, actor: &Actor<'_>, id: i64, what: &str) -> carekeep_domain::audit::AuditEvent {
        let mut e = self
            .event(actor, Action::ProgramChanged, Outcome::Success)
            .with_reason(what);
        e.resource_type = "Incident".into();
        e.resource_id = id.to_string();
        e
    }

    /// Anyone on staff reports an incident. The compliance officer sees it at once in their
    /// reminders (and by email when a relay is set up; the mail names no patient).
    pub async fn report_incident(&self, actor: &Actor<'_>, input: ReportInput) -> Result<i64, AppError> {
        let p = actor.person()?;
        p.require_full()?;
        let title = text("title", &input.title, 200)?;
        if title.is_empty() {
            return Err(AppError::Invalid(
                "give it a short title, e.g. 'Laptop stolen from car'".into(),
            ));
        }
        let what = text("description", &input.what_happened, 10_000)?;
        // Every kind takes the same path to the breach determination (164.402).
        let kind = match input.kind.trim() {
            "" => "other",
            k => carekeep_domain::incidents::kinds::parse(k)
                .ok_or_else(|| AppError::Invalid("choose the kind of incident from the list".into()))?,
        };
        let today = self.clinic_today();
        let discovered = date("discovery date", &input.discovered_on, false)?.unwrap_or(today);
        let occurred = date("date it happened", &input.occurred_on, false)?;
        if discovered > today || occurred.is_some_and(|o| o > today) {
            return Err(AppError::Invalid("a date is in the future".into()));
        }
        let discovered_by = match text("name of who knew first", &input.discovered_by, 120)? {
            n if n.is_empty() => p.display_name.clone(),
            n => n,
        };
        let details = Details {
            title,
            discovered_by,
            systems: text("systems", &input.systems, 500)?,
        };
        let mut tx = self.store().begin().await?;
        // Inserted without its free text, then sealed: the row id is part of the binding.
        let id = store::insert(
            tx.conn(),
            &IncidentRow {
                occurred_on: occurred.map(|d| d.to_string()),
                discovered_on: discovered.to_string(),
                reported_by: Some(p.user_id.0),
                vendor_id: input.vendor_id,
                phi_involved: input.phi_involved.unwrap_or(true),
                kind: kind.into(),
                ..IncidentRow::default()
            },
            self.now(),
        )
        .await?;
        let ct = self.sealer().seal(binding("summary_ct", id), what.as_bytes())?;
        store::set_summary(tx.conn(), id, &ct).await?;
        self.seal_incident_details(tx.conn(), id, &details).await?;
        self.record(&mut tx, &self.incident_event(&p.actor(), id, "incident reported"))
            .await?;
        tx.commit().await?;
        if let Err(e) = self.tell_incident_handlers(id).await {
            tracing::warn!(error = %e, incident = id, "could not email the incident handlers");
        }
        Ok(id)
    }

    /// Emails each person who handles incidents that one was reported: its number only.
    async fn tell_incident_handlers(&self, id: i64) -> Result<(), AppError> {
        if self.mail_in_effect().await?.is_none() {
            return Ok(());
        }
        let policy = self.policy();
        let mut conn = self.store().read().await?;
        let people = carekeep_store::workforce::people(&mut conn).await?;
        let users = carekeep_store::users::all(&mut conn).await?;
        drop(conn);
        for u in users
            .iter()
            .filter(|u| u.disabled_at.is_none() && policy.has_capability(&u.roles, Capability::HandleIncidents))
        {
            if let Some(email) = people
                .iter()
                .find(|p| p.user_id == Some(u.id.0))
                .and_then(|p| p.email.clone())
            {
                self.send_mail(
                    &email,
                    &format!("Carekeep: incident {id} reported"),
                    &format!("Incident {id} was reported in Carekeep at {}. Sign in to review it: the breach clock may already be running.\n", self.clinic_name()),
                    crate::mail::Content::NoPhi,
                )
                .await?;
            }
        }
        Ok(())
    }

    /// The log, newest first.
    pub async fn incidents(&self, actor: &Actor<'_>) -> Result<Vec<IncidentSummary>, AppError> {
        self.require(actor, Capability::HandleIncidents).await?;
        // Titles and notes can name a patient: the list is a look, recorded like one incident's.
        let mut event = self.event(actor, Action::ProgramDocumentViewed, Outcome::Success);
        event.resource_type = "IncidentList".into();
        let permit = self.permit(event).await?;
        let mut conn = self.store().read().await?;
        let rows = self.incident_rows(&permit, &mut conn).await?;
        let mut out = Vec::new();
        for i in rows {
            let done = self.done_obligations(&permit, &mut conn, i.id).await?;
            out.push(self.summary(&i, &done));
        }
        drop(conn);
        permit.confirm().await?;
        Ok(out)
    }

    fn summary(&self, i: &IncidentRow, done: &[(String, String, String, String)]) -> IncidentSummary {
        let owed = self.owed(i);
        let views = obligation_views(&owed, done, self.clinic_today());
        IncidentSummary {
            id: i.id,
            title: i.title.clone(),
            status: i.status.clone(),
            discovered_on: i.discovered_on.clone(),
            conclusion: if i.determined_at.is_some() {
                i.conclusion.clone()
            } else {
                "undetermined".into()
            },
            affected: i.affected,
            kind: i.kind.clone(),
            kind_label: carekeep_domain::incidents::kinds::label(&i.kind).into(),
            next_due: views
                .iter()
                .filter(|o| !o.done)
                .map(|o| o.due_on.clone())
                .min()
                .unwrap_or_default(),
        }
    }

    /// What is owed: nothing unless the determination concludes breach. Until it is made, the
    /// breach is presumed (164.402(2)), so the clocks show from the day it is reported.
    fn owed(&self, i: &IncidentRow) -> Vec<Obligation> {
        let notify = i.determined_at.is_none() && i.phi_involved || i.conclusion == Conclusion::Breach.as_str();
        if notify {
            obligations::obligations(&facts_of(i))
        } else {
            Vec::new()
        }
    }

    /// One incident in full. Opening it is audited.
    pub async fn incident(&self, actor: &Actor<'_>, id: i64) -> Result<IncidentView, AppError> {
        self.require(actor, Capability::HandleIncidents).await?;
        let mut event = self.event(actor, Action::ProgramDocumentViewed, Outcome::Success);
        event.resource_type = "Incident".into();
        event.resource_id = id.to_string();
        let permit = self.permit(event).await?;
        let view = self.incident_view(&permit, id).await?;
        permit.confirm().await?;
        Ok(view)
    }

    /// The view under a permit the caller holds (one incident's look, or the binder's).
    pub(crate) async fn incident_view(&self, permit: &Permit, id: i64) -> Result<IncidentView, AppError> {
        let mut conn = self.store().read().await?;
        let i = self.incident_row(permit, &mut conn, id).await?;
        let done = self.done_obligations(permit, &mut conn, id).await?;
        let actions = store::actions(&mut conn, id).await?;
        let scope = store::scope(&mut conn, id).await?;
        let notices = store::notices(&mut conn, id).await?;
        let attachments = store::attachments(&mut conn, id).await?;
        let attachments = attachments
            .into_iter()
            .map(|(aid, name, _)| Ok((aid, self.attachment_name(permit, aid, name)?)))
            .collect::<Result<Vec<_>, AppError>>()?;
        drop(conn);
        let what = if i.summary_ct.is_empty() {
            String::new()
        } else {
            String::from_utf8_lossy(&self.sealer().open(permit, binding("summary_ct", id), &i.summary_ct)?).into_owned()
        };
        let sealed: Sealed = match &i.determination_ct {
            Some(ct) => serde_json::from_slice(&self.sealer().open(permit, binding("determination_ct", id), ct)?)
                .map_err(|e| AppError::Internal(format!("stored determination: {e}")))?,
            None => Sealed::default(),
        };
        let mut timeline = Vec::new();
        for (aid, at, by, ct) in actions {
            let t = self.sealer().open(permit, binding("text_ct", aid), &ct)?;
            timeline.push((
                self.clinic_zone().local(at).date().to_string(),
                by,
                String::from_utf8_lossy(&t).into_owned(),
            ));
        }
        let mut by_state: BTreeMap<String, usize> = BTreeMap::new();
        let mut classes: BTreeMap<String, usize> = BTreeMap::new();
        for (_, cls, st) in &scope {
            *by_state
                .entry(if st.is_empty() { "unknown".into() } else { st.clone() })
                .or_default() += 1;
            for c in cls.split(',').filter(|c| !c.is_empty()) {
                *classes.entry(c.to_owned()).or_default() += 1;
            }
        }
        let conclusion = if i.determined_at.is_some() {
            Conclusion::parse(&i.conclusion)
        } else {
            None
        };
        let determination = DeterminationInput {
            phi_involved: i.phi_involved,
            safeguard: i.safeguard.clone(),
            key_compromised: i.key_compromised,
            exclusion: i.exclusion.clone().unwrap_or_default(),
            exclusion_reason: sealed.exclusion_reason,
            nature_and_extent: sealed.factors.nature_and_extent,
            unauthorized_person: sealed.factors.unauthorized_person,
            acquired_or_viewed: sealed.factors.acquired_or_viewed,
            mitigation: sealed.factors.mitigation,
            low_probability: sealed.factors.low_probability,
            discovered_on: i.discovered_on.clone(),
            discovered_by: i.discovered_by.clone(),
            occurred_on: i.occurred_on.clone().unwrap_or_default(),
            affected: u32::try_from(i.affected).unwrap_or(0),
            by_state: i.by_state.clone(),
            unreachable: u32::try_from(i.unreachable).unwrap_or(0),
            law_enforcement: i.le_kind.clone().unwrap_or_default(),
            law_enforcement_stated_on: i.le_stated_on.clone().unwrap_or_default(),
            law_enforcement_until: i.le_until.clone().unwrap_or_default(),
            law_enforcement_official: i.le_official.clone().unwrap_or_default(),
            business_associate: i.business_associate,
            status: i.status.clone(),
            steps_for_individuals: sealed.steps_for_individuals,
            what_we_are_doing: sealed.what_we_are_doing,
            contact_for_questions: sealed.contact_for_questions,
        };
        Ok(IncidentView {
            summary: self.summary(&i, &done),
            what_happened: what,
            occurred_on: i.occurred_on.clone().unwrap_or_default(),
            discovered_by: i.discovered_by.clone(),
            systems: i.systems.clone(),
            vendor_id: i.vendor_id,
            conclusion_text: conclusion
                .map(|c| c.explain().to_owned())
                .unwrap_or_else(|| "Not assessed yet: a breach is presumed until the assessment shows otherwise (164.402(2)), so the clocks below are running.".into()),
            determination,
            timeline,
            affected_note: affected_note(i.affected, scope.len()),
            scope: ScopeView {
                patients: scope.len(),
                by_state: by_state.into_iter().collect(),
                involved: {
                    let mut involved: Vec<(&String, &usize)> = classes.iter().collect();
                    involved.sort_by_key(|(c, _)| letters::class_rank(c));
                    involved
                        .into_iter()
                        .map(|(c, n)| (letters::class_label(c).to_owned(), *n))
                        .collect()
                },
                classes: classes.into_iter().collect(),
            },
            obligations: obligation_views(&self.owed(&i), &done, self.clinic_today()),
            notices_sent: notices.len(),
            attachments,
        })
    }

    /// Records the determination and the facts; the conclusion is the domain's (164.402).
    pub async fn determine_incident(
        &self,
        actor: &Actor<'_>,
        id: i64,
        d: DeterminationInput,
    ) -> Result<Conclusion, AppError> {
        let me = self.require(actor, Capability::HandleIncidents).await?;
        let today = self.clinic_today();
        let discovered = date("discovery date", &d.discovered_on, true)?.unwrap_or(today);
        let occurred = date("date it happened", &d.occurred_on, false)?;
        if discovered > today {
            return Err(AppError::Invalid("the discovery date is in the future".into()));
        }
        let safeguard = safeguard(&d.safeguard)?;
        let exclusion = exclusion(&d.exclusion)?;
        let by_state = obligations::parse_by_state(&d.by_state).map_err(AppError::Invalid)?;
        let in_states: u32 = by_state.iter().map(|(_, n)| n).sum();
        if in_states > d.affected {
            return Err(AppError::Invalid(format!(
                "the counts by state add up to {in_states}, more than the {} affected",
                d.affected
            )));
        }
        if d.unreachable > d.affected {
            return Err(AppError::Invalid(
                "more people without contact details than affected".into(),
            ));
        }
        let (le_kind, le_stated, le_until) = match d.law_enforcement.trim() {
            "" => (None, None, None),
            "written" => {
                let until = date("end of the law-enforcement delay", &d.law_enforcement_until, true)?;
                (
                    Some("written"),
                    date("statement date", &d.law_enforcement_stated_on, false)?,
                    until,
                )
            }
            "oral" => {
                let on = date("date of the oral statement", &d.law_enforcement_stated_on, true)?;
                // 164.412(b): the official's identity is documented with an oral statement.
                if d.law_enforcement_official.trim().is_empty() {
                    return Err(AppError::Invalid(
                        "record who the official is (name, agency) with an oral statement (164.412(b))".into(),
                    ));
                }
                (
                    Some("oral"),
                    on,
                    date("written confirmation's end date", &d.law_enforcement_until, false)?,
                )
            }
            _ => {
                return Err(AppError::Invalid(
                    "the law-enforcement delay is written, oral, or empty".into(),
                ))
            }
        };
        let factors = FourFactors {
            nature_and_extent: text("factor 1", &d.nature_and_extent, 4000)?,
            unauthorized_person: text("factor 2", &d.unauthorized_person, 4000)?,
            acquired_or_viewed: text("factor 3", &d.acquired_or_viewed, 4000)?,
            mitigation: text("factor 4", &d.mitigation, 4000)?,
            low_probability: d.low_probability,
        };
        if d.low_probability && !factors.complete() {
            return Err(AppError::Invalid(
                "a low probability of compromise must rest on all four factors, each written out (164.402(2))".into(),
            ));
        }
        let exclusion_reason = text("reasons for the exclusion", &d.exclusion_reason, 4000)?;
        if exclusion.is_some() && exclusion_reason.chars().count() < 10 {
            return Err(AppError::Invalid(
                "write why the exclusion applies: the clinic carries the burden of proof (164.414(b))".into(),
            ));
        }
        let conclusion = determination::decide(&determination::Facts {
            phi_involved: d.phi_involved,
            safeguard,
            key_compromised: d.key_compromised,
            exclusion,
            exclusion_reason: exclusion_reason.clone(),
            factors: factors.clone(),
        });
        let status = match d.status.trim() {
            "" | "open" => "open",
            "closed" => "closed",
            _ => return Err(AppError::Invalid("the status is open or closed".into())),
        };
        let sealed = Sealed {
            exclusion_reason,
            factors,
            steps_for_individuals: text("steps for individuals", &d.steps_for_individuals, 4000)?,
            what_we_are_doing: text("what the clinic is doing", &d.what_we_are_doing, 4000)?,
            contact_for_questions: text("contact for questions", &d.contact_for_questions, 1000)?,
        };
        let mut tx = self.store().begin().await?;
        let permit = self
            .permit_in(
                &mut tx,
                &self.incident_event(actor, id, &format!("determination: {}", conclusion.as_str())),
            )
            .await?;
        let mut row = self.incident_row(&permit, tx.conn(), id).await?;
        let was_breach = row.determined_at.is_some() && row.conclusion == Conclusion::Breach.as_str();
        row.discovered_on = discovered.to_string();
        row.discovered_by = text("name of who knew first", &d.discovered_by, 120)?;
        row.occurred_on = occurred.map(|o| o.to_string());
        row.status = status.into();
        row.phi_involved = d.phi_involved;
        row.safeguard = match safeguard {
            Safeguard::None => "none",
            Safeguard::Encrypted => "encrypted",
            Safeguard::Destroyed => "destroyed",
        }
        .into();
        row.key_compromised = d.key_compromised;
        row.exclusion = exclusion.map(|_| d.exclusion.trim().to_owned());
        row.low_probability = d.low_probability;
        row.conclusion = conclusion.as_str().into();
        row.affected = i64::from(d.affected);
        row.by_state = by_state
            .iter()
            .map(|(s, n)| format!("{s}={n}"))
            .collect::<Vec<_>>()
            .join(",");
        row.unreachable = i64::from(d.unreachable);
        row.le_kind = le_kind.map(str::to_owned);
        row.le_stated_on = le_stated.map(|d| d.to_string());
        row.le_until = le_until.map(|d| d.to_string());
        row.le_official = Some(text("official", &d.law_enforcement_official, 200)?).filter(|s| !s.is_empty());
        row.business_associate = d.business_associate;
        let plain =
            zeroize::Zeroizing::new(serde_json::to_vec(&sealed).map_err(|e| AppError::Internal(e.to_string()))?);
        row.determination_ct = Some(self.sealer().seal(binding("determination_ct", id), &plain)?);
        store::update(tx.conn(), &row, self.now()).await?;
        self.seal_incident_details(tx.conn(), id, &Details::of(&row)).await?;
        store::mark_determined(tx.conn(), id, me.map(|p| p.user_id.0), self.now()).await?;
        if conclusion == Conclusion::Breach && !was_breach {
            // 164.308(a)(8): a breach is a significant change for the risk assessment.
            self.flag_sra_review(&mut tx, Change::Breach, &format!("incident {id}"))
                .await?;
        }
        tx.commit().await?;
        Ok(conclusion)
    }

    /// Attaches a file (a police report, a photo, a vendor's letter): PDF or image, stored
    /// encrypted.
    pub async fn attach_to_incident(
        &self,
        actor: &Actor<'_>,
        id: i64,
        name: &str,
        bytes: &[u8],
    ) -> Result<i64, AppError> {
        let me = self.require(actor, Capability::HandleIncidents).await?;
        let max = self.settings().records.attachment_max_bytes;
        let content_type = match carekeep_domain::files::sniff(bytes) {
            Some(t) if bytes.len() <= max => t,
            _ => {
                return Err(AppError::Invalid(format!(
                    "attach a PDF, JPEG, PNG or WebP file of at most {} MiB",
                    max / (1024 * 1024)
                )))
            }
        };
        let name = match text("file name", name, 200)? {
            n if n.is_empty() => "attachment".to_owned(),
            n => n,
        };
        let mut tx = self.store().begin().await?;
        self.incident_exists(tx.conn(), id).await?;
        let aid = store::add_attachment(tx.conn(), id, content_type, me.map(|p| p.user_id.0), self.now()).await?;
        // A file name can name a patient: sealed like the content.
        let sealed = self.sealer().seal(binding("name_ct", aid), name.as_bytes())?;
        store::set_attachment_name(tx.conn(), aid, &sealed).await?;
        let ct = self.sealer().seal(binding("content_ct", aid), bytes)?;
        store::set_attachment_content(tx.conn(), aid, &ct).await?;
        self.record(
            &mut tx,
            &self.incident_event(actor, id, &format!("attachment {aid} added")),
        )
        .await?;
        tx.commit().await?;
        Ok(aid)
    }

    /// An attachment: content type, bytes, file name. Opening it is audited.
    pub async fn incident_attachment(
        &self,
        actor: &Actor<'_>,
        id: i64,
        aid: i64,
    ) -> Result<(String, Vec<u8>, String), AppError> {
        self.require(actor, Capability::HandleIncidents).await?;
        let (name, content_type, ct) = {
            let mut conn = self.store().read().await?;
            store::attachment(&mut conn, id, aid)
                .await
                .map_err(|_| AppError::NotFound("attachment"))?
        };
        let mut event = self
            .event(actor, Action::ProgramDocumentViewed, Outcome::Success)
            .with_reason(&format!("attachment {aid}"));
        event.resource_type = "Incident".into();
        event.resource_id = id.to_string();
        let permit = self.permit(event).await?;
        let name = self.attachment_name(&permit, aid, name)?;
        let bytes = self.sealer().open(&permit, binding("content_ct", aid), &ct)?;
        permit.confirm().await?;
        Ok((content_type, bytes.to_vec(), name))
    }

    /// Adds a step to the timeline (who, when, what).
    pub async fn add_incident_action(&self, actor: &Actor<'_>, id: i64, what: &str) -> Result<(), AppError> {
        self.require(actor, Capability::HandleIncidents).await?;
        let what = text("action", what, 4000)?;
        if what.is_empty() {
            return Err(AppError::Invalid("say what was done".into()));
        }
        let name = actor.audit_actor().name;
        let mut tx = self.store().begin().await?;
        self.incident_exists(tx.conn(), id).await?;
        let by = match actor {
            Actor::User(p) => Some(p.user_id.0),
            Actor::Cli | Actor::Patient(_) => None,
        };
        let aid = store::add_action(tx.conn(), id, by, &name, self.now()).await?;
        let ct = self.sealer().seal(binding("text_ct", aid), what.as_bytes())?;
        store::set_action_text(tx.conn(), aid, &ct).await?;
        self.record(&mut tx, &self.incident_event(actor, id, "action added to the timeline"))
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The patients and data classes an audit search finds: every successful PHI event by the
    /// person searched for in the window, narrowed to one action and one data class when asked.
    async fn search_trail(&self, s: &ScopeSearch) -> Result<BTreeMap<i64, BTreeSet<String>>, AppError> {
        if s.to < s.from {
            return Err(AppError::Invalid("the window ends before it starts".into()));
        }
        let key = carekeep_domain::username::normalize(&s.username).map_err(|e| AppError::Invalid(e.to_string()))?;
        let mut found: BTreeMap<i64, BTreeSet<String>> = BTreeMap::new();
        let mut reader = self.store().reader();
        let user = carekeep_store::users::by_key(reader.conn().await?, &key)
            .await?
            .ok_or_else(|| AppError::Invalid(format!("there is no login '{}'", s.username.trim())))?;
        reader
            .each_patient_use(user.id.0, s.from, s.to, |u| {
                if !s.matches(&u.action, &u.outcome, &u.data_classes) {
                    return;
                }
                for p in u.patient_ids.split(',').filter_map(|p| p.trim().parse::<i64>().ok()) {
                    let entry = found.entry(p).or_default();
                    entry.extend(u.data_classes.split(',').filter(|c| !c.is_empty()).map(str::to_owned));
                }
            })
            .await?;
        Ok(found)
    }

    /// What an audit search would add to the scope, for review before it is adopted: each
    /// patient's name (where the reader's roles show names) and the classes the events showed.
    /// Reading the names is audited.
    pub async fn preview_scope(
        &self,
        actor: &Actor<'_>,
        id: i64,
        s: &ScopeSearch,
        offset: usize,
        limit: Option<usize>,
    ) -> Result<ScopePreview, AppError> {
        let limit = match limit {
            None => PREVIEW_PAGE,
            Some(n @ 1..=200) => n,
            Some(_) => return Err(AppError::Invalid("limit must be from 1 to 200".into())),
        };
        let p = actor.person()?;
        let actor = p.actor();
        self.require(&actor, Capability::HandleIncidents).await?;
        {
            let mut conn = self.store().read().await?;
            self.incident_exists(&mut conn, id).await?;
        }
        let found = self.search_trail(s).await?;
        let in_scope: BTreeSet<i64> = {
            let mut conn = self.store().read().await?;
            store::scope(&mut conn, id)
                .await?
                .iter()
                .map(|(pid, _, _)| *pid)
                .collect()
        };
        let offset = offset.min(found.len());
        let ids: Vec<i64> = found.keys().skip(offset).take(limit).copied().collect();
        let mut rows = {
            let mut conn = self.store().read().await?;
            records_store::patients_by_ids(&mut conn, &ids).await?
        };
        rows.sort_by_key(|r| r.id);
        let patients = self
            .scope_candidates(
                p,
                id,
                &rows,
                &found,
                &in_scope,
                &format!("incident {id}: patients an audit search would add to the scope, for review"),
            )
            .await?;
        Ok(ScopePreview {
            total: found.len(),
            already_in_scope: found.keys().filter(|k| in_scope.contains(k)).count(),
            offset,
            patients,
        })
    }

    /// The patients in an incident's scope, by name (where the reader's roles show names),
    /// with what was involved for each in words, to review and remove one by one. Reading the
    /// names is audited.
    pub async fn scope_patients(&self, actor: &Actor<'_>, id: i64) -> Result<Vec<ScopeCandidate>, AppError> {
        let p = actor.person()?;
        let actor = p.actor();
        self.require(&actor, Capability::HandleIncidents).await?;
        let (rows, scope) = {
            let mut conn = self.store().read().await?;
            self.incident_exists(&mut conn, id).await?;
            let scope = store::scope(&mut conn, id).await?;
            let ids: Vec<i64> = scope.iter().map(|(pid, _, _)| *pid).collect();
            (records_store::patients_by_ids(&mut conn, &ids).await?, scope)
        };
        let classes: BTreeMap<i64, BTreeSet<String>> = scope
            .iter()
            .map(|(pid, c, _)| {
                let set = c.split(',').filter(|c| !c.is_empty()).map(str::to_owned).collect();
                (*pid, set)
            })
            .collect();
        let in_scope: BTreeSet<i64> = classes.keys().copied().collect();
        self.scope_candidates(
            p,
            id,
            &rows,
            &classes,
            &in_scope,
            &format!("incident {id}: the patients in the scope, listed by name"),
        )
        .await
    }

    /// Names `rows` for the scope's pages under one audited read of their identity (only
    /// those the reader's roles show by name), with each one's classes in words.
    async fn scope_candidates(
        &self,
        p: &Principal,
        id: i64,
        rows: &[records_store::PatientRow],
        found: &BTreeMap<i64, BTreeSet<String>>,
        in_scope: &BTreeSet<i64>,
        reason: &str,
    ) -> Result<Vec<ScopeCandidate>, AppError> {
        let actor = p.actor();
        let policy = self.policy();
        let named: Vec<&records_store::PatientRow> = rows
            .iter()
            .filter(|r| self.list_access(&policy, p, r).reads(DataClass::Identity))
            .collect();
        let permit = match named.is_empty() {
            true => None,
            false => {
                let mut e = self.event(&actor, Action::PhiRead, Outcome::Success);
                e.patients = named.iter().map(|r| r.id).collect();
                e.resource_type = "Incident".into();
                e.resource_id = id.to_string();
                e.data_classes = vec![DataClass::Identity];
                e.reason = reason.to_owned();
                Some(self.permit(e).await?)
            }
        };
        let mut out = Vec::new();
        for r in rows {
            let name = match (&permit, named.iter().any(|n| n.id == r.id)) {
                (Some(permit), true) => {
                    let identity: carekeep_domain::records::patient::Identity =
                        self.open_json(permit, CtColumn::PatientIdentity, r.id, &r.identity_ct)?;
                    identity.full_name()
                }
                _ => format!("Patient {}", r.id),
            };
            out.push(ScopeCandidate {
                patient_id: r.id,
                name,
                classes: found
                    .get(&r.id)
                    .map(|c| {
                        let mut c: Vec<&String> = c.iter().collect();
                        c.sort_by_key(|c| letters::class_rank(c));
                        c.into_iter().map(|c| letters::class_label(c).to_owned()).collect()
                    })
                    .unwrap_or_default(),
                already_in_scope: in_scope.contains(&r.id),
            });
        }
        if let Some(permit) = permit {
            permit.confirm().await?;
        }
        Ok(out)
    }

    /// Takes one patient out of an incident's scope (named by mistake, or found not to be
    /// involved): audited naming the patient, and the affected count and the States follow
    /// the scope that remains (164.404(a)(1): each individual whose information was involved).
    pub async fn remove_from_scope(&self, actor: &Actor<'_>, id: i64, patient: i64) -> Result<usize, AppError> {
        self.require(actor, Capability::HandleIncidents).await?;
        let mut tx = self.store().begin().await?;
        let mut row = store::by_id(tx.conn(), id)
            .await
            .map_err(|_| AppError::NotFound("incident"))?;
        if !store::remove_from_scope(tx.conn(), id, patient).await? {
            return Err(AppError::NotFound("patient in the scope"));
        }
        let all = store::scope(tx.conn(), id).await?;
        let mut by_state: BTreeMap<String, u32> = BTreeMap::new();
        for (_, _, st) in all.iter().filter(|(_, _, s)| !s.is_empty()) {
            *by_state.entry(st.clone()).or_default() += 1;
        }
        row.affected = i64::try_from(all.len()).unwrap_or(i64::MAX);
        row.by_state = by_state
            .iter()
            .map(|(s, n)| format!("{s}={n}"))
            .collect::<Vec<_>>()
            .join(",");
        store::update(tx.conn(), &row, self.now()).await?;
        let mut e = self.incident_event(
            actor,
            id,
            &format!("scope: one patient removed; {} in scope", all.len()),
        );
        e.patients = vec![patient];
        self.record(&mut tx, &e).await?;
        tx.commit().await?;
        Ok(all.len())
    }

    /// Adopts what an audit search finds into the scope (after it was previewed): the patients
    /// are added with the classes their events showed, and the affected count follows the scope.
    pub async fn scope_incident(&self, actor: &Actor<'_>, id: i64, s: &ScopeSearch) -> Result<ScopeView, AppError> {
        self.require(actor, Capability::HandleIncidents).await?;
        let found = self.search_trail(s).await?;
        let how = format!("scope from the audit trail: {} patients adopted", found.len());
        self.keep_scope(actor, id, found, &how).await
    }

    /// Adds one patient, named by the person handling the incident (found with the picker),
    /// with what was involved for them.
    pub async fn name_in_scope(
        &self,
        actor: &Actor<'_>,
        id: i64,
        patient: i64,
        classes: &[String],
    ) -> Result<ScopeView, AppError> {
        self.require(actor, Capability::HandleIncidents).await?;
        let classes: BTreeSet<String> = classes
            .iter()
            .map(|c| {
                c.trim()
                    .parse::<DataClass>()
                    .map(|c| c.as_str().to_owned())
                    .map_err(|_| AppError::Invalid("tick what was involved from the list".into()))
            })
            .collect::<Result<_, _>>()?;
        if classes.is_empty() {
            return Err(AppError::Invalid(
                "tick what was involved for this patient (for example their name and medical record)".into(),
            ));
        }
        {
            let mut conn = self.store().read().await?;
            if records_store::patients_by_ids(&mut conn, &[patient]).await?.is_empty() {
                return Err(AppError::Invalid(
                    "choose the patient: type their name, date of birth, phone or record number, then pick them from the list"
                        .into(),
                ));
            }
        }
        let found = BTreeMap::from([(patient, classes)]);
        self.keep_scope(actor, id, found, "scope: 1 patient named by the person handling it")
            .await
    }

    /// Empties the scope so it can be chosen again (a search adopted by mistake); audited, and
    /// the letters already recorded as sent stay recorded.
    pub async fn clear_scope(&self, actor: &Actor<'_>, id: i64) -> Result<(), AppError> {
        self.require(actor, Capability::HandleIncidents).await?;
        let mut tx = self.store().begin().await?;
        let mut row = store::by_id(tx.conn(), id)
            .await
            .map_err(|_| AppError::NotFound("incident"))?;
        let before = store::scope(tx.conn(), id).await?;
        store::clear_scope(tx.conn(), id).await?;
        row.affected = 0;
        row.by_state = String::new();
        store::update(tx.conn(), &row, self.now()).await?;
        let mut e = self.incident_event(actor, id, &format!("scope cleared: {} patients removed", before.len()));
        e.patients = before.iter().map(|(p, _, _)| *p).collect();
        self.record(&mut tx, &e).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Keeps patients in the scope (merging the classes with what is there), counts the States
    /// of residence from their addresses, and sets the affected count to the scope's size.
    async fn keep_scope(
        &self,
        actor: &Actor<'_>,
        id: i64,
        mut found: BTreeMap<i64, BTreeSet<String>>,
        how: &str,
    ) -> Result<ScopeView, AppError> {
        let ids: Vec<i64> = found.keys().copied().collect();
        let rows = {
            let mut conn = self.store().read().await?;
            records_store::patients_by_ids(&mut conn, &ids).await?
        };
        let mut tx = self.store().begin().await?;
        // Reading the addresses to count states is a use of contact details: audited, in the
        // transaction that keeps the scope.
        let mut e = self.event(actor, Action::PhiRead, Outcome::Success);
        e.patients = ids.clone();
        e.resource_type = "Incident".into();
        e.resource_id = id.to_string();
        e.data_classes = vec![DataClass::Contact];
        e.reason = format!("incident {id}: states of residence counted for breach notice");
        let addresses = match ids.is_empty() {
            true => None,
            false => Some(self.permit_in(&mut tx, &e).await?),
        };
        // The scope changes counts and states only: the incident's text stays sealed.
        let mut row = store::by_id(tx.conn(), id)
            .await
            .map_err(|_| AppError::NotFound("incident"))?;
        for (pid, classes, _) in store::scope(tx.conn(), id).await? {
            if let Some(entry) = found.get_mut(&pid) {
                entry.extend(classes.split(',').filter(|c| !c.is_empty()).map(str::to_owned));
            }
        }
        let mut scope_rows = Vec::new();
        for (r, permit) in rows.iter().zip(std::iter::repeat(addresses.as_ref()).flatten()) {
            let contact: carekeep_domain::records::patient::Contact =
                self.open_json(permit, CtColumn::PatientContact, r.id, &r.contact_ct)?;
            let st = states::of_address(&contact.address).unwrap_or("");
            let classes = found
                .get(&r.id)
                .map(|c| c.iter().cloned().collect::<Vec<_>>().join(","))
                .unwrap_or_default();
            scope_rows.push((r.id, classes, st.to_owned()));
        }
        store::upsert_scope(tx.conn(), id, &scope_rows).await?;
        let all = store::scope(tx.conn(), id).await?;
        let mut by_state: BTreeMap<String, u32> = BTreeMap::new();
        for (_, _, st) in all.iter().filter(|(_, _, s)| !s.is_empty()) {
            *by_state.entry(st.clone()).or_default() += 1;
        }
        // The count follows the scope chosen (164.404(a)(1): each individual whose information
        // was involved); a different number typed later is kept and the page says why.
        row.affected = i64::try_from(all.len()).unwrap_or(i64::MAX);
        row.by_state = by_state
            .iter()
            .map(|(s, n)| format!("{s}={n}"))
            .collect::<Vec<_>>()
            .join(",");
        store::update(tx.conn(), &row, self.now()).await?;
        let mut done = self.incident_event(actor, id, &format!("{how}; {} in scope", all.len()));
        done.patients = ids;
        self.record(&mut tx, &done).await?;
        tx.commit().await?;
        Ok(self.incident(actor, id).await?.scope)
    }

    /// The obligations with their due dates and what is done.
    pub async fn incident_obligations(&self, actor: &Actor<'_>, id: i64) -> Result<Vec<ObligationView>, AppError> {
        self.require(actor, Capability::HandleIncidents).await?;
        // Dates and states only are shown; the text is opened to build them.
        let clocks = Permit::for_job(Job::Deadlines);
        let mut conn = self.store().read().await?;
        let i = self.incident_row(&clocks, &mut conn, id).await?;
        let done = self.done_obligations(&clocks, &mut conn, id).await?;
        Ok(obligation_views(&self.owed(&i), &done, self.clinic_today()))
    }

    /// Marks an obligation done (once), with a note of how.
    pub async fn complete_obligation(
        &self,
        actor: &Actor<'_>,
        id: i64,
        kind: &str,
        state: &str,
        note: &str,
    ) -> Result<(), AppError> {
        let me = self.require(actor, Capability::HandleIncidents).await?;
        let owed = self.incident_obligations(actor, id).await?;
        let state = state.trim().to_ascii_uppercase();
        if !owed
            .iter()
            .any(|o| o.kind == kind && o.state.clone().unwrap_or_default() == state)
        {
            return Err(AppError::NotFound("obligation"));
        }
        let note = text("note", note, 1000)?;
        let mut tx = self.store().begin().await?;
        let first = store::mark_done(
            tx.conn(),
            id,
            kind,
            &state,
            &self.clinic_today().to_string(),
            me.map(|p| p.user_id.0),
        )
        .await?;
        if !first {
            return Err(AppError::Conflict("already marked done".into()));
        }
        // How it was done can name patients: sealed to its row.
        self.seal_obligation_note(tx.conn(), (id, kind, &state), &note).await?;
        self.record(
            &mut tx,
            &self.incident_event(actor, id, &format!("obligation {kind} {state} done")),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Open obligations across incidents, for the dashboard and reminders: `(incident, view)`.
    pub(crate) async fn open_obligations(&self) -> Result<Vec<(i64, ObligationView)>, AppError> {
        let clocks = Permit::for_job(Job::Deadlines);
        let mut conn = self.store().read().await?;
        let rows = self.incident_rows(&clocks, &mut conn).await?;
        let today = self.clinic_today();
        let mut out = Vec::new();
        for i in rows {
            let done = self.done_obligations(&clocks, &mut conn, i.id).await?;
            for o in obligation_views(&self.owed(&i), &done, today) {
                if !o.done {
                    out.push((i.id, o));
                }
            }
        }
        Ok(out)
    }

    /// Incidents reported and not yet assessed.
    pub(crate) async fn undetermined_incidents(&self) -> Result<usize, AppError> {
        let mut conn = self.store().read().await?;
        Ok(self
            .incident_rows(&Permit::for_job(Job::Deadlines), &mut conn)
            .await?
            .iter()
            .filter(|i| i.determined_at.is_none())
            .count())
    }
}

impl ObligationView {
    pub fn is_kind(&self, k: Kind) -> bool {
        self.kind == k.as_str()
    }
}

pub mod documents;

#[cfg(test)]
mod tests {
    use super::*;

    fn search(action: Option<Action>, class: Option<DataClass>) -> ScopeSearch {
        ScopeSearch {
            username: "nurse".into(),
            from: OffsetDateTime::UNIX_EPOCH,
            to: OffsetDateTime::UNIX_EPOCH,
            action,
            class,
        }
    }

    #[test]
    fn a_search_finds_only_what_it_is_narrowed_to() {
        use Action::{PhiPrint, PhiRead};
        for (action, class, (ev_action, outcome, classes), want) in [
            (None, None, ("phi.read", "success", "identity,clinical"), true),
            (None, None, ("phi.read", "denied", "identity"), false),
            (None, None, ("auth.login", "success", ""), false),
            (Some(PhiPrint), None, ("phi.read", "success", "clinical"), false),
            (Some(PhiPrint), None, ("phi.print", "success", "clinical"), true),
            (
                Some(PhiRead),
                Some(DataClass::Clinical),
                ("phi.read", "success", "identity"),
                false,
            ),
            (
                Some(PhiRead),
                Some(DataClass::Clinical),
                ("phi.read", "success", "identity,clinical"),
                true,
            ),
            (
                None,
                Some(DataClass::Contact),
                ("phi.search", "success", "identity"),
                false,
            ),
        ] {
            assert_eq!(
                search(action, class).matches(ev_action, outcome, classes),
                want,
                "{action:?} {class:?} {ev_action} {outcome} {classes}"
            );
        }
    }

    #[test]
    fn narrowing_is_parsed_from_the_form() {
        let s = search(None, None);
        assert!(s.clone().narrowed("", "").is_ok());
        let n = s.clone().narrowed("phi.print", "clinical").ok();
        assert_eq!(n.as_ref().and_then(|n| n.action), Some(Action::PhiPrint));
        assert_eq!(n.and_then(|n| n.class), Some(DataClass::Clinical));
        assert!(s.clone().narrowed("auth.login", "").is_err());
        assert!(s.clone().narrowed("phi.teleport", "").is_err());
        assert!(s.narrowed("", "everything").is_err());
    }

    #[test]
    fn the_page_says_why_the_count_differs() {
        for (affected, in_scope, says) in [
            (0, 0, None),
            (1, 1, None),
            (5, 0, None),
            (3, 1, Some("letters go to the 1")),
            (1, 50, Some("50 patients are in the scope but 1")),
        ] {
            let note = affected_note(affected, in_scope);
            assert_eq!(note.is_some(), says.is_some(), "{affected} {in_scope}");
            if let (Some(note), Some(says)) = (note, says) {
                assert!(note.contains(says), "{note}");
            }
        }
    }
}
