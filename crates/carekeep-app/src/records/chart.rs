//! The clinical chart (class `clinical`): SOAP notes signed by their author and addended, never
//! edited, once signed; vitals, diagnoses, medications, allergies; photos and documents.

use super::view::*;
use super::{rfc3339, Grant};
use crate::permit::Permit;
use crate::{Actor, App, AppError, Principal};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::records::codes::icd10cm;
use carekeep_domain::records::detail::{EncounterDetail, EntryDetail};
use carekeep_domain::records::vitals::Vitals;
use carekeep_domain::records::Invalid;
use carekeep_domain::DataClass;
use carekeep_store::chart_rows::ChartRows;
use carekeep_store::records::{self as store, CtColumn};
use carekeep_store::Tx;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A SOAP note as typed.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct NoteInput {
    pub subjective: String,
    pub objective: String,
    pub assessment: String,
    pub plan: String,
}

impl NoteInput {
    pub(crate) fn check(self) -> Result<Self, AppError> {
        let clean = |s: &str| carekeep_domain::text::clean(s);
        let note = NoteInput {
            subjective: clean(&self.subjective),
            objective: clean(&self.objective),
            assessment: clean(&self.assessment),
            plan: clean(&self.plan),
        };
        let parts = [&note.subjective, &note.objective, &note.assessment, &note.plan];
        if parts.iter().any(|s| carekeep_domain::text::has_stray_control(s)) {
            return Err(AppError::Invalid(
                "the note has a character that cannot be typed; retype it".into(),
            ));
        }
        let total: usize = parts.iter().map(|s| s.chars().count()).sum();
        if total == 0 {
            return Err(AppError::Invalid(
                "write something in at least one part of the note".into(),
            ));
        }
        if total > 50_000 {
            return Err(AppError::Invalid("a note may hold at most 50,000 characters".into()));
        }
        Ok(note)
    }
}

/// A note as stored: the SOAP text and, for a note brought from another system, the visit
/// it was written at. Old rows (the text alone) read back with no visit.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct StoredNote {
    #[serde(flatten)]
    pub note: NoteInput,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encounter: Option<EncounterDetail>,
}

/// A chart entry as stored: the form's fields and what another system's record carried
/// besides (status, dates, codes, reactions, more vital signs). Old rows read back with an
/// empty detail.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StoredEntry {
    #[serde(flatten)]
    pub entry: EntryInput,
    #[serde(default, skip_serializing_if = "EntryDetail::is_empty")]
    pub detail: EntryDetail,
}

impl StoredEntry {
    pub fn summary(&self) -> String {
        let more = self.detail.summary();
        let base = match &self.entry {
            // A set of only the vitals the form lacks has no form summary of its own.
            EntryInput::Vitals(v) if *v == Vitals::default() => String::new(),
            e => e.summary(),
        };
        match (base.is_empty(), more.is_empty()) {
            (_, true) => base,
            (true, false) => more,
            (false, false) => format!("{base} ({more})"),
        }
    }

    /// As [`EntryInput::check_imported`], with the detail checked against FHIR's value sets.
    /// A vitals set may hold only members the form lacks (a respiratory rate alone).
    pub(crate) fn check_imported(self) -> Result<Self, Invalid> {
        let detail = self.detail.check(self.entry.kind())?;
        let entry = match self.entry {
            EntryInput::Vitals(v) if v == Vitals::default() && !detail.vitals.is_empty() => EntryInput::Vitals(v),
            e => e.check_imported()?,
        };
        Ok(StoredEntry { entry, detail })
    }
}

/// A chart entry as typed; stored as is, encrypted.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EntryInput {
    Vitals(Vitals),
    Diagnosis {
        code: String,
        description: String,
    },
    Medication {
        name: String,
        #[serde(default)]
        dose: String,
        #[serde(default)]
        frequency: String,
    },
    Allergy {
        substance: String,
        #[serde(default)]
        reaction: String,
        #[serde(default)]
        severity: String,
    },
}

fn text(label: &str, s: &str, required: bool) -> Result<String, Invalid> {
    let s = s.trim();
    if (required && s.is_empty()) || s.chars().count() > 200 || s.chars().any(char::is_control) {
        return Err(Invalid(format!(
            "the {label} needs {} at most 200 characters",
            if required { "1 to" } else { "" }
        )));
    }
    Ok(s.to_owned())
}

impl EntryInput {
    /// As [`EntryInput::check`], but a diagnosis brought from another system may lack an
    /// ICD-10-CM code (many carry SNOMED CT only): its words are kept, its code left empty.
    pub(crate) fn check_imported(self) -> Result<Self, Invalid> {
        match self {
            EntryInput::Diagnosis { code, description } if code.trim().is_empty() => Ok(EntryInput::Diagnosis {
                code: String::new(),
                description: text("diagnosis description", &description, true)?,
            }),
            other => other.check(),
        }
    }

    pub(crate) fn check(self) -> Result<Self, Invalid> {
        Ok(match self {
            EntryInput::Vitals(v) => EntryInput::Vitals(v.check()?),
            EntryInput::Diagnosis { code, description } => EntryInput::Diagnosis {
                code: icd10cm(&code)?,
                description: text("diagnosis description", &description, true)?,
            },
            EntryInput::Medication { name, dose, frequency } => EntryInput::Medication {
                name: text("medication name", &name, true)?,
                dose: text("dose", &dose, false)?,
                frequency: text("frequency", &frequency, false)?,
            },
            EntryInput::Allergy {
                substance,
                reaction,
                severity,
            } => {
                let severity = severity.trim().to_ascii_lowercase();
                if !["", "mild", "moderate", "severe"].contains(&severity.as_str()) {
                    return Err(Invalid("severity is mild, moderate or severe".into()));
                }
                EntryInput::Allergy {
                    substance: text("allergy substance", &substance, true)?,
                    reaction: text("reaction", &reaction, false)?,
                    severity,
                }
            }
        })
    }

    pub fn kind(&self) -> &'static str {
        match self {
            EntryInput::Vitals(_) => "vitals",
            EntryInput::Diagnosis { .. } => "diagnosis",
            EntryInput::Medication { .. } => "medication",
            EntryInput::Allergy { .. } => "allergy",
        }
    }

    pub fn summary(&self) -> String {
        match self {
            EntryInput::Vitals(v) => v.summary(),
            EntryInput::Diagnosis { code, description } => format!("{code} {description}"),
            EntryInput::Medication { name, dose, frequency } => [name.as_str(), dose, frequency]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" "),
            EntryInput::Allergy {
                substance,
                reaction,
                severity,
            } => {
                let mut s = substance.clone();
                if !reaction.is_empty() {
                    s.push_str(&format!(": {reaction}"));
                }
                if !severity.is_empty() {
                    s.push_str(&format!(" ({severity})"));
                }
                s
            }
        }
    }
}

/// An upload.
#[derive(Debug)]
pub struct NewAttachment {
    pub filename: String,
    pub caption: String,
    /// before, after or empty.
    pub pair: String,
    /// Photos with the same label form a before/after pair.
    pub pair_label: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct AttachmentMeta {
    pub filename: String,
    pub caption: String,
    pub pair: String,
    pub pair_label: String,
}

impl App {
    /// Starts a note for a patient (a draft until its author signs it).
    pub async fn create_note(&self, actor: &Actor<'_>, patient: i64, note: NoteInput) -> Result<i64, AppError> {
        let p = actor.person()?;
        let note = note.check()?;
        let mut tx = self.store().begin().await?;
        let opened = self.open_patient(tx.conn(), p, patient).await?;
        let (mut tx, grant) = self
            .grant_write(tx, p, &opened, DataClass::Clinical, Action::PhiCreate)
            .await?;
        let now = self.now();
        let id = store::insert_encounter(tx.conn(), patient, p.user_id.0, now, now).await?;
        self.put_json(tx.conn(), &grant, CtColumn::EncounterNote, id, &note)
            .await?;
        let event = self.phi_event(
            p,
            Action::PhiCreate,
            Outcome::Success,
            vec![patient],
            ("Encounter", id.to_string()),
            vec![DataClass::Clinical],
        );
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Opens a note for a change by `p`, handing back the transaction.
    async fn open_encounter(
        &self,
        mut tx: Tx,
        p: &Principal,
        id: i64,
        action: Action,
    ) -> Result<(Tx, Grant, store::EncounterRow), AppError> {
        let enc = store::encounter_by_id(tx.conn(), id)
            .await
            .map_err(|_| AppError::NotFound("note"))?;
        let opened = self.open_patient(tx.conn(), p, enc.patient_id).await?;
        let (tx, grant) = self.grant_write(tx, p, &opened, DataClass::Clinical, action).await?;
        Ok((tx, grant, enc))
    }

    /// Changes a draft note. Only its author may, and only before it is signed.
    pub async fn update_note(&self, actor: &Actor<'_>, id: i64, note: NoteInput) -> Result<(), AppError> {
        let p = actor.person()?;
        let note = note.check()?;
        let tx = self.store().begin().await?;
        let (mut tx, grant, enc) = self.open_encounter(tx, p, id, Action::PhiUpdate).await?;
        if enc.signed_at.is_some() {
            return Err(AppError::Conflict(
                "this note is signed; add an addendum instead".into(),
            ));
        }
        if enc.author_id != p.user_id.0 {
            return Err(AppError::Forbidden(
                "only the note's author may change a draft note".into(),
            ));
        }
        let event = self.phi_event(
            p,
            Action::PhiUpdate,
            Outcome::Success,
            vec![enc.patient_id],
            ("Encounter", id.to_string()),
            vec![DataClass::Clinical],
        );
        // The update's own event covers reading the visit an imported draft keeps.
        let permit = self.permit_in(&mut tx, &event).await?;
        let old: StoredNote = self.open_json(&permit, CtColumn::EncounterNote, id, &enc.note_ct)?;
        let stored = StoredNote {
            note,
            encounter: old.encounter,
        };
        self.put_json(tx.conn(), &grant, CtColumn::EncounterNote, id, &stored)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Signs a note. Only its author may; a signed note is final.
    pub async fn sign_note(&self, actor: &Actor<'_>, id: i64) -> Result<(), AppError> {
        let p = actor.person()?;
        let tx = self.store().begin().await?;
        let (mut tx, _, enc) = self.open_encounter(tx, p, id, Action::PhiUpdate).await?;
        if enc.author_id != p.user_id.0 {
            return Err(AppError::Forbidden("only the note's author may sign it".into()));
        }
        if !store::sign_encounter(tx.conn(), id, self.now()).await? {
            return Err(AppError::Conflict("this note is already signed".into()));
        }
        let mut event = self.phi_event(
            p,
            Action::PhiUpdate,
            Outcome::Success,
            vec![enc.patient_id],
            ("Encounter", id.to_string()),
            vec![DataClass::Clinical],
        );
        event.reason = "signed".into();
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds an addendum to a signed note.
    pub async fn addend_note(&self, actor: &Actor<'_>, id: i64, text: &str) -> Result<i64, AppError> {
        let p = actor.person()?;
        let text = crate::input::text("addendum", text, 20_000, true)?;
        let text = text.as_str();
        let tx = self.store().begin().await?;
        let (mut tx, grant, enc) = self.open_encounter(tx, p, id, Action::PhiCreate).await?;
        if enc.signed_at.is_none() {
            return Err(AppError::Conflict(
                "this note is still a draft; its author can change it directly".into(),
            ));
        }
        let add = store::insert_addendum(tx.conn(), id, enc.patient_id, p.user_id.0, self.now()).await?;
        self.put_json(tx.conn(), &grant, CtColumn::AddendumText, add, &text)
            .await?;
        let event = self.phi_event(
            p,
            Action::PhiCreate,
            Outcome::Success,
            vec![enc.patient_id],
            ("Addendum", add.to_string()),
            vec![DataClass::Clinical],
        );
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(add)
    }

    /// Appends an accepted amendment (164.526(c)(1)) to a patient's chart under the chart's
    /// policy, as `p`: an addendum to the note it amends (which must be signed), or a new signed
    /// note. Returns the transaction and what was written (`Addendum` or `Encounter`, its id).
    pub(crate) async fn append_amendment(
        &self,
        tx: Tx,
        p: &Principal,
        patient: i64,
        text: &str,
        amends: Option<i64>,
    ) -> Result<(Tx, (&'static str, i64)), AppError> {
        let mut tx = tx;
        let opened = self.open_patient(tx.conn(), p, patient).await?;
        let (mut tx, grant) = self
            .grant_write(tx, p, &opened, DataClass::Clinical, Action::PhiCreate)
            .await?;
        let now = self.now();
        let written = match amends {
            Some(note) => {
                let enc = store::encounter_by_id(tx.conn(), note)
                    .await
                    .ok()
                    .filter(|e| e.patient_id == patient)
                    .ok_or_else(|| AppError::Invalid("the amended note is not in this patient's chart".into()))?;
                if enc.signed_at.is_none() {
                    return Err(AppError::Conflict(
                        "the amended note is still a draft: its author signs it first".into(),
                    ));
                }
                let add = store::insert_addendum(tx.conn(), enc.id, patient, p.user_id.0, now).await?;
                self.put_json(tx.conn(), &grant, CtColumn::AddendumText, add, &text)
                    .await?;
                ("Addendum", add)
            }
            None => {
                let enc = store::insert_encounter(tx.conn(), patient, p.user_id.0, now, now).await?;
                let note = NoteInput {
                    assessment: text.to_owned(),
                    ..Default::default()
                };
                self.put_json(tx.conn(), &grant, CtColumn::EncounterNote, enc, &note)
                    .await?;
                store::sign_encounter(tx.conn(), enc, now).await?;
                ("Encounter", enc)
            }
        };
        Ok((tx, written))
    }

    /// Records vitals, a diagnosis, a medication or an allergy.
    pub async fn add_entry(&self, actor: &Actor<'_>, patient: i64, entry: EntryInput) -> Result<i64, AppError> {
        let p = actor.person()?;
        let mut tx = self.store().begin().await?;
        let opened = self.open_patient(tx.conn(), p, patient).await?;
        let (mut tx, grant) = self
            .grant_write(tx, p, &opened, DataClass::Clinical, Action::PhiCreate)
            .await?;
        let entry = entry.check()?;
        let id = store::insert_entry(tx.conn(), patient, entry.kind(), self.now(), p.user_id.0).await?;
        self.put_json(tx.conn(), &grant, CtColumn::ChartEntryData, id, &entry)
            .await?;
        let event = self.phi_event(
            p,
            Action::PhiCreate,
            Outcome::Success,
            vec![patient],
            ("ChartEntry", id.to_string()),
            vec![DataClass::Clinical],
        );
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Stores a clinical photo or document, encrypted, in the same transaction as its event.
    pub async fn add_attachment(&self, actor: &Actor<'_>, patient: i64, a: NewAttachment) -> Result<i64, AppError> {
        let p = actor.person()?;
        let max = self.settings().records.attachment_max_bytes;
        if a.bytes.is_empty() || a.bytes.len() > max {
            return Err(AppError::Invalid(format!(
                "a file must be between 1 byte and {} MiB",
                max / (1024 * 1024)
            )));
        }
        let content_type = carekeep_domain::files::sniff(&a.bytes)
            .ok_or_else(|| AppError::Invalid("upload a JPEG, PNG or WebP photo, or a PDF document".into()))?;
        // Where and when a photo was taken, the device and its owner: left out before storing.
        let bytes = carekeep_domain::files::metadata::strip(content_type, &a.bytes)?;
        let pair = a.pair.trim().to_ascii_lowercase();
        if !["", "before", "after"].contains(&pair.as_str()) {
            return Err(AppError::Invalid("a photo pair is before or after".into()));
        }
        if content_type.starts_with("image/") {
            // A clinical photo needs the photography consent where the clinic uses one.
            self.check_photo_consent(p, patient).await?;
        }
        let meta = AttachmentMeta {
            filename: text("file name", &a.filename, false)?,
            caption: text("caption", &a.caption, false)?,
            pair,
            pair_label: text("pair label", &a.pair_label, false)?,
        };
        let mut tx = self.store().begin().await?;
        let opened = self.open_patient(tx.conn(), p, patient).await?;
        let (mut tx, grant) = self
            .grant_write(tx, p, &opened, DataClass::Clinical, Action::PhiCreate)
            .await?;
        let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
        let id = store::insert_attachment(tx.conn(), patient, self.now(), p.user_id.0, content_type, size).await?;
        self.put_json(tx.conn(), &grant, CtColumn::AttachmentMeta, id, &meta)
            .await?;
        let (table, column) = CtColumn::AttachmentContent.place();
        let ct = self
            .sealer()
            .seal(carekeep_crypto::keys::Binding { table, column, row: id }, &bytes)?;
        store::set_ct(tx.conn(), CtColumn::AttachmentContent, id, &ct).await?;
        let event = self.phi_event(
            p,
            Action::PhiCreate,
            Outcome::Success,
            vec![patient],
            ("Attachment", id.to_string()),
            vec![DataClass::Clinical],
        );
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A photo or document's bytes, its content type and file name; audited as an attachment
    /// view before the bytes are returned.
    pub async fn attachment(
        &self,
        actor: &Actor<'_>,
        patient: i64,
        id: i64,
    ) -> Result<(String, Vec<u8>, String), AppError> {
        let p = actor.person()?;
        let mut conn = self.store().read().await?;
        let opened = self.open_patient(&mut conn, p, patient).await?;
        let (row, ct) = store::attachment_with_content(&mut conn, id)
            .await
            .map_err(|_| AppError::NotFound("file"))?;
        drop(conn);
        if row.patient_id != patient {
            return Err(AppError::NotFound("file"));
        }
        self.require_read(p, &opened, DataClass::Clinical, Action::AttachmentView)
            .await?;
        let event = self.phi_event(
            p,
            Action::AttachmentView,
            Outcome::Success,
            vec![patient],
            ("Attachment", id.to_string()),
            vec![DataClass::Clinical],
        );
        let permit = self.permit(event).await?;
        let meta: AttachmentMeta = self.open_json(&permit, CtColumn::AttachmentMeta, id, &row.meta_ct)?;
        let (table, column) = CtColumn::AttachmentContent.place();
        let bytes = self
            .sealer()
            .open(&permit, carekeep_crypto::keys::Binding { table, column, row: id }, &ct)?;
        permit.confirm().await?;
        Ok((row.content_type, bytes.to_vec(), meta.filename))
    }

    pub(crate) fn clinical_view(
        &self,
        permit: &Permit,
        rows: &ChartRows,
        names: &HashMap<i64, String>,
    ) -> Result<ClinicalView, AppError> {
        let name = |id: i64| names.get(&id).cloned().unwrap_or_default();
        let zone = self.clinic_zone();
        let at = |t: time::OffsetDateTime| rfc3339(zone.local(t));
        let mut addenda: HashMap<i64, Vec<AddendumView>> = HashMap::new();
        for a in &rows.addenda {
            let text: String = self.open_json(permit, CtColumn::AddendumText, a.id, &a.text_ct)?;
            addenda.entry(a.encounter_id).or_default().push(AddendumView {
                id: a.id,
                author_name: name(a.author_id),
                at: at(a.at),
                text,
            });
        }
        let mut history = Vec::new();
        let mut encounters = Vec::new();
        for e in &rows.encounters {
            let StoredNote { note, encounter } = self.open_json(permit, CtColumn::EncounterNote, e.id, &e.note_ct)?;
            history.push((
                e.at,
                HistoryItem {
                    at: at(e.at),
                    kind: "note".into(),
                    summary: format!(
                        "{} note by {}{}",
                        if e.signed_at.is_some() { "Signed" } else { "Draft" },
                        name(e.author_id),
                        if note.assessment.is_empty() {
                            String::new()
                        } else {
                            format!(": {}", note.assessment.lines().next().unwrap_or_default())
                        }
                    ),
                },
            ));
            encounters.push(EncounterView {
                id: e.id,
                author_id: e.author_id,
                author_name: name(e.author_id),
                at: at(e.at),
                subjective: note.subjective,
                objective: note.objective,
                assessment: note.assessment,
                plan: note.plan,
                signed_at: e.signed_at.map(at),
                addenda: addenda.remove(&e.id).unwrap_or_default(),
                visit: encounter.as_ref().map(EncounterDetail::summary).unwrap_or_default(),
                encounter,
            });
        }
        let (mut vitals, mut diagnoses, mut medications, mut allergies) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for row in &rows.entries {
            let stored: StoredEntry = self.open_json(permit, CtColumn::ChartEntryData, row.id, &row.data_ct)?;
            let view = EntryView {
                id: row.id,
                kind: stored.entry.kind().to_owned(),
                at: at(row.at),
                recorded_by: name(row.recorded_by),
                summary: stored.summary(),
                data: serde_json::to_value(&stored).unwrap_or_default(),
            };
            let entry = stored.entry;
            history.push((
                row.at,
                HistoryItem {
                    at: view.at.clone(),
                    kind: view.kind.clone(),
                    summary: view.summary.clone(),
                },
            ));
            match entry {
                EntryInput::Vitals(_) => vitals.push(view),
                EntryInput::Diagnosis { .. } => diagnoses.push(view),
                EntryInput::Medication { .. } => medications.push(view),
                EntryInput::Allergy { .. } => allergies.push(view),
            }
        }
        let mut attachments = Vec::new();
        for row in &rows.attachments {
            let meta: AttachmentMeta = self.open_json(permit, CtColumn::AttachmentMeta, row.id, &row.meta_ct)?;
            let is_image = row.content_type.starts_with("image/");
            history.push((
                row.at,
                HistoryItem {
                    at: at(row.at),
                    kind: if is_image { "photo" } else { "document" }.into(),
                    summary: if meta.caption.is_empty() {
                        meta.filename.clone()
                    } else {
                        meta.caption.clone()
                    },
                },
            ));
            attachments.push(AttachmentView {
                id: row.id,
                at: at(row.at),
                uploaded_by: name(row.uploaded_by),
                content_type: row.content_type.clone(),
                size_bytes: row.size_bytes,
                filename: meta.filename,
                caption: meta.caption,
                kind: if is_image { "photo" } else { "document" }.into(),
                pair: meta.pair,
                pair_label: meta.pair_label,
                is_image,
            });
        }
        history.sort_by_key(|h| std::cmp::Reverse(h.0));
        Ok(ClinicalView {
            encounters,
            vitals,
            diagnoses,
            medications,
            allergies,
            attachments,
            history: history.into_iter().map(|(_, h)| h).collect(),
            amendments_to_file: self.amendments_to_file(permit, &rows.granted_requests)?,
            forms: Vec::new(),
        })
    }
}
