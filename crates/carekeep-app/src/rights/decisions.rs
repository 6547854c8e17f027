//! Deciding patients' requests as the rule for each kind requires, the letter that tells the
//! patient, the documents sent for each request, restrictions and their termination, an
//! accepted amendment appended to the chart, and authorizations on file (164.508,
//! 164.522-164.526). The rules themselves are in `carekeep_domain::rights::decisions` and
//! `::authorization`.

use crate::pdf::Pdf;
use crate::permit::Permit;
use crate::records::view::AmendmentToFile;
use crate::rights::{binding, day, text, RequestView};
use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::records::patient::parse_date;
use carekeep_domain::rights::accounting::Basis;
use carekeep_domain::rights::authorization::{self, Authorization};
use carekeep_domain::rights::clocks::Kind;
use carekeep_domain::rights::decisions::{self, Block, Decision, Termination};
use carekeep_domain::DataClass;
use carekeep_store::chart_rows::GrantedRequest;
use carekeep_store::records as records_store;
use carekeep_store::rights::{self as store, AuthorizationRow};
use carekeep_store::Conn;
use serde::{Deserialize, Serialize};
use time::Date;

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DecisionInput {
    /// granted, denied or completed.
    pub outcome: String,
    /// The basis of a denial (required then), or a note on the decision.
    pub reason: String,
    /// Who takes complaints, with a phone number: required to deny access or an amendment.
    pub contact: String,
    /// Access denied on a reviewable ground (164.524(a)(3)).
    pub reviewable: bool,
    /// Amendment accepted: the text a clinician appends to the chart (never overwriting it).
    pub amendment: String,
    /// Amendment accepted: the note it amends (its id), if one; otherwise a new signed note.
    pub amendment_note: Option<i64>,
    /// Confidential communication: how or where to contact the patient instead.
    pub accommodation: String,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DocumentInput {
    /// decision_letter, record_copy, accounting or other.
    pub kind: String,
    /// `YYYY-MM-DD`; today when empty.
    pub sent_on: String,
    /// How it went: mail, email, portal, in person.
    pub how: String,
    /// What was sent, in a few words.
    pub note: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DocumentView {
    pub id: i64,
    pub request_id: i64,
    pub sent_on: String,
    pub kind: String,
    pub how: String,
    pub note: String,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AuthorizationInput {
    pub description: String,
    pub disclosed_by: String,
    pub recipients: String,
    pub purpose: String,
    /// `YYYY-MM-DD`, or empty with an expiry event.
    pub expires_on: String,
    pub expiry_event: String,
    pub signed_by: String,
    /// `YYYY-MM-DD`.
    pub signed_on: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AuthorizationView {
    pub id: i64,
    pub description: String,
    pub disclosed_by: String,
    pub recipients: String,
    pub purpose: String,
    pub expires_on: String,
    pub expiry_event: String,
    pub signed_by: String,
    pub signed_on: String,
    pub revoked_on: String,
    /// Valid today (not expired, not revoked).
    pub valid: bool,
}

const DOCUMENT_KINDS: [&str; 4] = ["decision_letter", "record_copy", "accounting", "other"];

fn kind_of(row: &store::RequestRow) -> Result<Kind, AppError> {
    Kind::parse(&row.kind).ok_or_else(|| AppError::Internal(format!("request kind {}", row.kind)))
}

impl App {
    /// Grants, denies (with the basis) or completes a request; see
    /// [`App::decide_request_with`] for what each kind of decision carries.
    pub async fn decide_request(
        &self,
        actor: &Actor<'_>,
        id: i64,
        outcome: &str,
        reason: &str,
    ) -> Result<RequestView, AppError> {
        self.decide_request_with(
            actor,
            id,
            DecisionInput {
                outcome: outcome.into(),
                reason: reason.into(),
                ..Default::default()
            },
        )
        .await
    }

    /// Decides a request as its rule requires (`decisions::check`): a denial carries its basis
    /// and, for access and amendment, the complaint contact; the self-pay restriction cannot be
    /// denied; a confidential communication is accommodated, with how; an accepted amendment
    /// waits on the chart for a clinician to file it (`file_amendment`).
    pub async fn decide_request_with(
        &self,
        actor: &Actor<'_>,
        id: i64,
        input: DecisionInput,
    ) -> Result<RequestView, AppError> {
        let p = self.handler(actor).await?;
        let outcome = match input.outcome.trim() {
            o @ ("granted" | "denied" | "completed") => o.to_owned(),
            _ => return Err(AppError::Invalid("the outcome is granted, denied or completed".into())),
        };
        let decision = Decision {
            outcome: outcome.clone(),
            reason: text("reason", &input.reason, 4000, false)?,
            contact: text("contact for complaints", &input.contact, 200, false)?,
            reviewable: input.reviewable,
            amendment: text("amendment", &input.amendment, 20_000, false)?,
            accommodation: text("accommodation", &input.accommodation, 500, false)?,
        };
        let today = self.clinic_today();
        let mut tx = self.store().begin().await?;
        let mut row = store::request_by_id(tx.conn(), id)
            .await
            .map_err(|_| AppError::NotFound("request"))?;
        if row.status != "open" {
            return Err(AppError::Conflict("the request is already decided".into()));
        }
        let kind = kind_of(&row)?;
        let event = self.rights_event(
            p,
            Action::PhiUpdate,
            row.patient_id,
            ("PatientRequest", id.to_string()),
            &format!("request {outcome}"),
        );
        let permit = self.permit_in(&mut tx, &event).await?;
        let mut details = self.request_details(&permit, row.id, &row.details_ct)?;
        decisions::check(kind, details.self_pay, &decision).map_err(AppError::Invalid)?;
        row.status = outcome.clone();
        row.decided_on = Some(today.to_string());
        details.decision_reason = decision.reason;
        details.contact = decision.contact;
        details.reviewable = decision.reviewable;
        details.accommodation = decision.accommodation;
        details.amendment = decision.amendment.clone();
        if kind == Kind::Amendment && outcome == "granted" {
            // The chart is written by a clinician the chart's policy allows, not by whoever
            // decides requests: the accepted amendment waits on the chart until filed.
            if let Some(note) = input.amendment_note {
                records_store::encounter_by_id(tx.conn(), note)
                    .await
                    .ok()
                    .filter(|e| e.patient_id == row.patient_id)
                    .ok_or_else(|| AppError::Invalid("the amended note is not in this patient's chart".into()))?;
            }
            details.amendment_to_file = true;
            details.amendment_note = input.amendment_note;
        }
        row.details_ct = self.seal(&details, binding("patient_requests", "details_ct", id))?;
        store::update_request(tx.conn(), &row).await?;
        tx.commit().await?;
        let name = self.patient_name(&permit, p, row.patient_id).await?;
        self.request_view(&permit, &row, name)
    }

    /// Files an accepted amendment into the chart (164.526(c)(1)): written by `p` through the
    /// chart's own write path, so the chart's policy decides (a restricted chart takes it only
    /// from its named providers; a compliance officer without clinical access is refused, and
    /// the refusal is audited). The request then shows when and by whom it was filed.
    pub async fn file_amendment(&self, actor: &Actor<'_>, patient: i64, id: i64) -> Result<RequestView, AppError> {
        let p = actor.person()?;
        let mut tx = self.store().begin().await?;
        let mut row = store::request_by_id(tx.conn(), id)
            .await
            .ok()
            .filter(|r| r.patient_id == patient)
            .ok_or(AppError::NotFound("request"))?;
        // Handling the request (reading what was accepted) is a rights use, recorded as such.
        let handled = self.rights_event(
            p,
            Action::PhiRead,
            row.patient_id,
            ("PatientRequest", id.to_string()),
            "accepted amendment read for filing",
        );
        let permit = self.permit_in(&mut tx, &handled).await?;
        let mut details = self.request_details(&permit, row.id, &row.details_ct)?;
        if kind_of(&row)? != Kind::Amendment || row.status != "granted" || !details.amendment_to_file {
            return Err(AppError::Conflict(
                "there is no accepted amendment waiting to be filed for this request".into(),
            ));
        }
        let text = format!(
            "Amendment accepted at the patient's request (45 CFR 164.526, request {id}): {}",
            details.amendment
        );
        let (mut tx, (resource, rid)) = self
            .append_amendment(tx, p, row.patient_id, &text, details.amendment_note)
            .await?;
        details.amendment_to_file = false;
        details.amendment_filed = format!("{} by {}", self.clinic_today(), p.display_name);
        row.details_ct = self.seal(&details, binding("patient_requests", "details_ct", id))?;
        store::update_request(tx.conn(), &row).await?;
        let mut e = self.phi_event(
            p,
            Action::PhiCreate,
            Outcome::Success,
            vec![row.patient_id],
            (resource, rid.to_string()),
            vec![DataClass::Clinical],
        );
        e.reason = format!("amendment filed (request {id})");
        self.record(&mut tx, &e).await?;
        tx.commit().await?;
        let name = self.patient_name(&permit, p, row.patient_id).await?;
        self.request_view(&permit, &row, name)
    }

    /// Accepted amendments of this chart waiting to be filed, for the chart's clinical part.
    pub(crate) fn amendments_to_file(
        &self,
        permit: &Permit,
        granted: &[GrantedRequest],
    ) -> Result<Vec<AmendmentToFile>, AppError> {
        let mut out = Vec::new();
        for r in granted.iter().filter(|r| r.kind == Kind::Amendment.as_str()) {
            let d = self.request_details(permit, r.id, &r.details_ct)?;
            if d.amendment_to_file {
                out.push(AmendmentToFile {
                    request_id: r.id,
                    text: d.amendment,
                    amends_note: d.amendment_note,
                });
            }
        }
        Ok(out)
    }

    /// Ends an agreed restriction (164.522(a)(2)): how (patient_in_writing, patient_orally,
    /// clinic_informs) and a note; the clinic may not end the self-pay restriction alone.
    pub async fn terminate_restriction(
        &self,
        actor: &Actor<'_>,
        id: i64,
        how: &str,
        note: &str,
    ) -> Result<RequestView, AppError> {
        let how_parsed = Termination::parse(how).ok_or_else(|| {
            AppError::Invalid("say how it ends: patient_in_writing, patient_orally or clinic_informs".into())
        })?;
        let note = text("note", note, 2000, how_parsed == Termination::PatientOrally)?;
        let today = self.clinic_today();
        let p = self.handler(actor).await?;
        let mut tx = self.store().begin().await?;
        let mut row = store::request_by_id(tx.conn(), id)
            .await
            .map_err(|_| AppError::NotFound("request"))?;
        if kind_of(&row)? != Kind::Restriction || row.status != "granted" {
            return Err(AppError::Conflict(
                "only an agreed restriction can be terminated".into(),
            ));
        }
        let event = self.rights_event(
            p,
            Action::PhiUpdate,
            row.patient_id,
            ("PatientRequest", id.to_string()),
            "restriction terminated",
        );
        let permit = self.permit_in(&mut tx, &event).await?;
        let mut details = self.request_details(&permit, row.id, &row.details_ct)?;
        decisions::may_terminate(details.self_pay, how_parsed).map_err(AppError::Invalid)?;
        details.terminated = format!("{today}: {} {note}", how.trim()).trim().to_owned();
        row.status = "terminated".into();
        row.details_ct = self.seal(&details, binding("patient_requests", "details_ct", id))?;
        store::update_request(tx.conn(), &row).await?;
        tx.commit().await?;
        let name = self.patient_name(&permit, p, row.patient_id).await?;
        self.request_view(&permit, &row, name)
    }

    /// The decision letter for a decided request, as a PDF; audited as an export.
    pub async fn decision_letter_pdf(&self, actor: &Actor<'_>, id: i64) -> Result<Vec<u8>, AppError> {
        let p = self.handler(actor).await?;
        let row = {
            let mut conn = self.store().read().await?;
            store::request_by_id(&mut conn, id)
                .await
                .map_err(|_| AppError::NotFound("request"))?
        };
        if row.status == "open" {
            return Err(AppError::Conflict("decide the request first".into()));
        }
        let kind = kind_of(&row)?;
        let mut e = self.rights_event(
            p,
            Action::PhiExport,
            row.patient_id,
            ("PatientRequest", id.to_string()),
            "decision letter produced",
        );
        e.outcome = Outcome::Success;
        let permit = self.permit(e).await?;
        let details = self.request_details(&permit, row.id, &row.details_ct)?;
        let decision = Decision {
            outcome: if row.status == "terminated" {
                "granted".into()
            } else {
                row.status.clone()
            },
            reason: details.decision_reason,
            contact: details.contact,
            reviewable: details.reviewable,
            amendment: details.amendment,
            accommodation: details.accommodation,
        };
        let name = self.patient_name(&permit, p, row.patient_id).await?;
        permit.confirm().await?;
        // Built after the last await: the PDF writer is not Send.
        let mut pdf = Pdf::new("Decision on your request")?;
        pdf.title(self.clinic_name());
        pdf.line(&format!("{}", self.clinic_today()));
        pdf.line(&format!("To {name}"));
        pdf.line(&format!(
            "Your {} request received {}",
            kind.as_str().replace('_', " "),
            row.received_on
        ));
        for b in decisions::letter(kind, &decision) {
            match b {
                Block::Heading(h) => pdf.heading(&h),
                Block::Para(t) => pdf.paragraph(&t),
            }
        }
        pdf.finish()
    }

    /// Records a document sent for a request (append-only).
    pub async fn record_document_sent(
        &self,
        actor: &Actor<'_>,
        id: i64,
        input: DocumentInput,
    ) -> Result<i64, AppError> {
        let p = self.handler(actor).await?;
        let kind = input.kind.trim();
        if !DOCUMENT_KINDS.contains(&kind) {
            return Err(AppError::Invalid(
                "the document is decision_letter, record_copy, accounting or other".into(),
            ));
        }
        let today = self.clinic_today();
        let on = day("date sent", &input.sent_on, today)?;
        if on > today {
            return Err(AppError::Invalid("the date sent is in the future".into()));
        }
        let detail = DocumentInput {
            kind: kind.into(),
            sent_on: on.to_string(),
            how: text("how it was sent", &input.how, 100, true)?,
            note: text("note", &input.note, 1000, false)?,
        };
        let mut tx = self.store().begin().await?;
        let row = store::request_by_id(tx.conn(), id)
            .await
            .map_err(|_| AppError::NotFound("request"))?;
        let doc = store::append_document(tx.conn(), id, &on.to_string(), kind, Some(p.user_id.0), self.now()).await?;
        let ct = self.seal(&detail, binding("request_documents", "detail_ct", doc))?;
        store::seal_document(tx.conn(), doc, &ct).await?;
        self.record(
            &mut tx,
            &self.rights_event(
                p,
                Action::PhiCreate,
                row.patient_id,
                ("RequestDocument", doc.to_string()),
                "document sent recorded",
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(doc)
    }

    /// Documents sent, for one patient's requests or every request.
    pub async fn request_documents(
        &self,
        actor: &Actor<'_>,
        patient: Option<i64>,
    ) -> Result<Vec<DocumentView>, AppError> {
        let p = self.handler(actor).await?;
        let rows = {
            let mut conn = self.store().read().await?;
            store::documents(&mut conn, patient).await?
        };
        let shown = rows.iter().map(|r| r.patient_id);
        let Some(permit) = self
            .audit_list(p, shown, ("RequestDocumentList", patient), "request documents listed")
            .await?
        else {
            return Ok(Vec::new());
        };
        let documents = rows
            .iter()
            .map(|r| {
                let d: DocumentInput =
                    self.open_sealed(&permit, "request_documents", "detail_ct", r.id, &r.detail_ct)?;
                Ok(DocumentView {
                    id: r.id,
                    request_id: r.request_id,
                    sent_on: r.sent_on.clone(),
                    kind: r.kind.clone(),
                    how: d.how,
                    note: d.note,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        permit.confirm().await?;
        Ok(documents)
    }

    fn open_authorization(&self, permit: &Permit, r: &AuthorizationRow) -> Result<Authorization, AppError> {
        self.open_sealed(permit, "authorizations", "details_ct", r.id, &r.details_ct)
    }

    /// Files a signed authorization with every core element of 164.508(c)(1).
    pub async fn record_authorization(
        &self,
        actor: &Actor<'_>,
        patient: i64,
        input: AuthorizationInput,
    ) -> Result<i64, AppError> {
        let p = self.handler(actor).await?;
        let date = |label: &str, s: &str| crate::input::date(label, s, false);
        let a = Authorization {
            description: text("description", &input.description, 1000, false)?,
            disclosed_by: text("who may disclose", &input.disclosed_by, 200, false)?,
            recipients: text("recipients", &input.recipients, 400, false)?,
            purpose: text("purpose", &input.purpose, 1000, false)?,
            expires_on: date("expiry date", &input.expires_on)?,
            expiry_event: text("expiry event", &input.expiry_event, 200, false)?,
            signed_by: text("signed by", &input.signed_by, 200, false)?,
            signed_on: date("date signed", &input.signed_on)?,
        };
        authorization::check(&a).map_err(AppError::Invalid)?;
        if a.signed_on.is_some_and(|s| s > self.clinic_today()) {
            return Err(AppError::Invalid("the date signed is in the future".into()));
        }
        let mut tx = self.store().begin().await?;
        records_store::patient_by_id(tx.conn(), patient)
            .await
            .map_err(|_| AppError::NotFound("patient"))?;
        let row = AuthorizationRow {
            patient_id: patient,
            signed_on: a.signed_on.map(|d| d.to_string()).unwrap_or_default(),
            expires_on: a.expires_on.map(|d| d.to_string()),
            ..AuthorizationRow::default()
        };
        let id = store::insert_authorization(tx.conn(), &row, Some(p.user_id.0), self.now()).await?;
        let ct = self.seal(&a, binding("authorizations", "details_ct", id))?;
        store::seal_authorization(tx.conn(), id, &ct).await?;
        self.record(
            &mut tx,
            &self.rights_event(
                p,
                Action::PhiCreate,
                patient,
                ("Authorization", id.to_string()),
                "authorization filed",
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Records a written revocation (164.508(b)(5)); it does not undo disclosures already made.
    pub async fn revoke_authorization(&self, actor: &Actor<'_>, id: i64, on: &str) -> Result<(), AppError> {
        let p = self.handler(actor).await?;
        let today = self.clinic_today();
        let on = day("revocation date", on, today)?;
        if on > today {
            return Err(AppError::Invalid("the revocation date is in the future".into()));
        }
        let mut tx = self.store().begin().await?;
        let row = store::authorization_by_id(tx.conn(), id)
            .await
            .map_err(|_| AppError::NotFound("authorization"))?;
        if row.revoked_on.is_some() {
            return Err(AppError::Conflict("this authorization is already revoked".into()));
        }
        store::revoke_authorization(tx.conn(), id, &on.to_string()).await?;
        self.record(
            &mut tx,
            &self.rights_event(
                p,
                Action::PhiUpdate,
                row.patient_id,
                ("Authorization", id.to_string()),
                "authorization revoked",
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A patient's authorizations on file, oldest first.
    pub async fn authorizations(&self, actor: &Actor<'_>, patient: i64) -> Result<Vec<AuthorizationView>, AppError> {
        let p = self.handler(actor).await?;
        let rows = {
            let mut conn = self.store().read().await?;
            store::authorizations(&mut conn, patient).await?
        };
        let shown = rows.iter().map(|r| r.patient_id);
        let Some(permit) = self
            .audit_list(p, shown, ("AuthorizationList", Some(patient)), "authorizations viewed")
            .await?
        else {
            return Ok(Vec::new());
        };
        let today = self.clinic_today();
        let views = rows
            .iter()
            .map(|r| {
                let a = self.open_authorization(&permit, r)?;
                let revoked = r.revoked_on.as_deref().and_then(|d| parse_date(d).ok());
                Ok(AuthorizationView {
                    id: r.id,
                    valid: authorization::valid_on(&a, revoked, today).is_ok(),
                    expires_on: a.expires_on.map(|d| d.to_string()).unwrap_or_default(),
                    signed_on: a.signed_on.map(|d| d.to_string()).unwrap_or_default(),
                    description: a.description,
                    disclosed_by: a.disclosed_by,
                    recipients: a.recipients,
                    purpose: a.purpose,
                    expiry_event: a.expiry_event,
                    signed_by: a.signed_by,
                    revoked_on: r.revoked_on.clone().unwrap_or_default(),
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        permit.confirm().await?;
        Ok(views)
    }

    /// A disclosure under an authorization names one on file for this patient, valid on the
    /// day; no other basis names one.
    pub(crate) async fn check_authorization_basis(
        &self,
        permit: &Permit,
        conn: &mut Conn,
        patient: i64,
        basis: Basis,
        authorization_id: Option<i64>,
        on: Date,
    ) -> Result<(), AppError> {
        match (basis, authorization_id) {
            (Basis::Authorization, None) => Err(AppError::Invalid(
                "a disclosure under an authorization names the authorization on file".into(),
            )),
            (Basis::Authorization, Some(id)) => {
                let row = store::authorization_by_id(conn, id)
                    .await
                    .ok()
                    .filter(|r| r.patient_id == patient)
                    .ok_or_else(|| AppError::Invalid("that authorization is not on file for this patient".into()))?;
                let a = self.open_authorization(permit, &row)?;
                let revoked = row.revoked_on.as_deref().and_then(|d| parse_date(d).ok());
                authorization::valid_on(&a, revoked, on)
                    .map_err(|why| AppError::Invalid(format!("this disclosure cannot rely on it: {why}")))
            }
            (_, Some(_)) => Err(AppError::Invalid(
                "only a disclosure under an authorization names one".into(),
            )),
            (_, None) => Ok(()),
        }
    }

    /// What staff must honour when they contact or bill this patient: granted confidential
    /// communications and agreed restrictions in force.
    pub(crate) fn standing_requests(
        &self,
        permit: &Permit,
        granted: &[GrantedRequest],
    ) -> Result<Vec<String>, AppError> {
        let mut out = Vec::new();
        for kind in [Kind::ConfidentialCommunication, Kind::Restriction] {
            for r in granted.iter().filter(|r| r.kind == kind.as_str()) {
                let d = self.request_details(permit, r.id, &r.details_ct)?;
                out.push(match kind {
                    Kind::ConfidentialCommunication => format!("Contact only this way: {}", d.accommodation),
                    _ if d.self_pay => format!(
                        "Self-pay restriction: do not disclose to the health plan ({})",
                        if d.decision_reason.is_empty() {
                            d.asked
                        } else {
                            d.decision_reason
                        }
                    ),
                    _ => format!(
                        "Agreed restriction: {}",
                        if d.decision_reason.is_empty() {
                            d.asked
                        } else {
                            d.decision_reason
                        }
                    ),
                });
            }
        }
        Ok(out)
    }
}
