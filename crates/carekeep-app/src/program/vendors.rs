//! The vendor inventory and business associate agreements (164.502(e), 164.504(e),
//! 164.308(b)), with the BAA gate for Carekeep's own outbound integrations.

use super::SRA_REVIEW_NEEDED;
use crate::seal::NotPhi;
use crate::{Actor, App, AppError};
use carekeep_crypto::keys::Binding;
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::program::baa::{self, Baa, BaaStatus, PhiUse};
use carekeep_domain::records::patient::parse_date;
use carekeep_domain::Capability;
use carekeep_store::program::{self as store, VendorRow};
use serde::{Deserialize, Serialize};
use time::Date;

/// A vendor as typed in the form or sent to the API.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct VendorInput {
    pub name: String,
    /// What they do for the clinic, e.g. "Cloud backup".
    pub service: String,
    pub contact: String,
    pub creates_phi: bool,
    pub receives_phi: bool,
    pub maintains_phi: bool,
    pub transmits_phi: bool,
    /// Only carries PHI without looking at it or keeping it (the conduit exception).
    pub conduit_only: bool,
    /// none, requested, signed, expired or terminated.
    pub baa_status: String,
    /// `YYYY-MM-DD`.
    pub baa_signed_on: String,
    pub baa_effective_on: String,
    /// When the BAA ends or must be renewed; empty if it has no end date.
    pub baa_renewal_on: String,
    /// Sub-contractors that handle the clinic's PHI for this vendor.
    pub subcontractors: String,
    /// No longer used (kept, never deleted).
    pub retired: bool,
}

/// A vendor as the program pages and API show it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct VendorView {
    pub id: i64,
    pub name: String,
    pub service: String,
    pub contact: String,
    pub creates_phi: bool,
    pub receives_phi: bool,
    pub maintains_phi: bool,
    pub transmits_phi: bool,
    pub conduit_only: bool,
    /// Whether this vendor is a business associate (needs a BAA).
    pub needs_baa: bool,
    pub baa_status: String,
    pub baa_signed_on: String,
    pub baa_effective_on: String,
    pub baa_renewal_on: String,
    /// Whether a signed BAA is in force today.
    pub baa_current: bool,
    pub subcontractors: String,
    pub document_name: String,
    /// done, due_soon or gap.
    pub standing: String,
    pub standing_label: String,
    pub retired: bool,
}

fn date(label: &str, s: &str) -> Result<Option<Date>, AppError> {
    crate::input::date(label, s, false)
}

fn text(label: &str, s: &str, max: usize, required: bool) -> Result<String, AppError> {
    crate::input::text(label, s, max, required)
}

pub(crate) fn phi_use(v: &VendorRow) -> PhiUse {
    PhiUse {
        creates: v.creates_phi,
        receives: v.receives_phi,
        maintains: v.maintains_phi,
        transmits: v.transmits_phi,
        conduit_only: v.conduit_only,
    }
}

pub(crate) fn baa_of(v: &VendorRow) -> Baa {
    let d = |s: &Option<String>| s.as_deref().and_then(|s| parse_date(s).ok());
    Baa {
        status: BaaStatus::parse(&v.baa_status).unwrap_or(BaaStatus::None),
        effective: d(&v.baa_effective_on).or_else(|| d(&v.baa_signed_on)),
        renewal: d(&v.baa_renewal_on),
    }
}

pub(super) fn document_binding(id: i64) -> Binding<'static> {
    Binding {
        table: "vendors",
        column: "document_ct",
        row: id,
    }
}

impl App {
    pub(crate) fn vendor_view(&self, v: VendorRow, today: Date) -> VendorView {
        let phi = phi_use(&v);
        let agreement = baa_of(&v);
        let standing = if v.retired {
            carekeep_domain::program::Standing::Done
        } else {
            baa::vendor_standing(phi, &agreement, today)
        };
        VendorView {
            id: v.id,
            needs_baa: phi.needs_baa(),
            baa_current: baa::current(&agreement, today),
            standing: match standing {
                carekeep_domain::program::Standing::Gap => "gap",
                carekeep_domain::program::Standing::DueSoon => "due_soon",
                carekeep_domain::program::Standing::Done => "done",
            }
            .into(),
            standing_label: standing.label().into(),
            name: v.name,
            service: v.service,
            contact: v.contact,
            creates_phi: v.creates_phi,
            receives_phi: v.receives_phi,
            maintains_phi: v.maintains_phi,
            transmits_phi: v.transmits_phi,
            conduit_only: v.conduit_only,
            baa_status: v.baa_status,
            baa_signed_on: v.baa_signed_on.unwrap_or_default(),
            baa_effective_on: v.baa_effective_on.unwrap_or_default(),
            baa_renewal_on: v.baa_renewal_on.unwrap_or_default(),
            subcontractors: v.subcontractors,
            document_name: v.document_name.unwrap_or_default(),
            retired: v.retired,
        }
    }

    pub async fn vendors(&self, actor: &Actor<'_>) -> Result<Vec<VendorView>, AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        let mut conn = self.store().read().await?;
        let today = self.clinic_today();
        Ok(store::vendors(&mut conn)
            .await?
            .into_iter()
            .map(|v| self.vendor_view(v, today))
            .collect())
    }

    pub async fn vendor(&self, actor: &Actor<'_>, id: i64) -> Result<VendorView, AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        let mut conn = self.store().read().await?;
        let v = store::vendor_by_id(&mut conn, id)
            .await
            .map_err(|_| AppError::NotFound("vendor"))?;
        Ok(self.vendor_view(v, self.clinic_today()))
    }

    /// Adds (`id == 0`) or changes a vendor. A vendor that newly handles PHI marks the risk
    /// assessment as needing review (164.308(a)(1)(ii)(A): the analysis must stay accurate).
    pub async fn save_vendor(&self, actor: &Actor<'_>, id: i64, input: VendorInput) -> Result<VendorView, AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        let status = BaaStatus::parse(if input.baa_status.trim().is_empty() {
            "none"
        } else {
            &input.baa_status
        })
        .ok_or_else(|| AppError::Invalid("the BAA status is none, requested, signed, expired or terminated".into()))?;
        let signed = date("date signed", &input.baa_signed_on)?;
        let effective = date("effective date", &input.baa_effective_on)?;
        let renewal = date("renewal date", &input.baa_renewal_on)?;
        if status == BaaStatus::Signed && signed.is_none() {
            return Err(AppError::Invalid("a signed BAA needs the date it was signed".into()));
        }
        if let (Some(from), Some(to)) = (effective.or(signed), renewal) {
            if to < from {
                return Err(AppError::Invalid(
                    "the renewal date is before the effective date".into(),
                ));
            }
        }
        let row = VendorRow {
            id,
            name: text("name", &input.name, 120, true)?,
            service: text("service", &input.service, 200, true)?,
            contact: text("contact", &input.contact, 300, false)?,
            creates_phi: input.creates_phi,
            receives_phi: input.receives_phi,
            maintains_phi: input.maintains_phi,
            transmits_phi: input.transmits_phi,
            conduit_only: input.conduit_only,
            baa_status: status.as_str().into(),
            baa_signed_on: signed.map(|d| d.to_string()),
            baa_effective_on: effective.map(|d| d.to_string()),
            baa_renewal_on: renewal.map(|d| d.to_string()),
            subcontractors: text("sub-contractors", &input.subcontractors, 1000, false)?,
            document_name: None,
            retired: input.retired,
        };
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let before = if id == 0 {
            None
        } else {
            Some(
                store::vendor_by_id(tx.conn(), id)
                    .await
                    .map_err(|_| AppError::NotFound("vendor"))?,
            )
        };
        let saved = store::save_vendor(tx.conn(), &row, now).await?;
        let newly_phi = phi_use(&row).needs_baa() && !before.as_ref().is_some_and(|b| phi_use(b).needs_baa());
        if newly_phi && !row.retired {
            store::raise_flag(
                tx.conn(),
                SRA_REVIEW_NEEDED,
                &format!("vendor '{}' now handles PHI", row.name),
                now,
            )
            .await?;
        }
        let mut event = self
            .event(actor, Action::ProgramChanged, Outcome::Success)
            .with_reason(&format!(
                "vendor '{}': BAA {}{}",
                row.name,
                row.baa_status,
                if row.retired { ", retired" } else { "" }
            ));
        event.resource_type = "Vendor".into();
        event.resource_id = saved.to_string();
        self.record(&mut tx, &event).await?;
        let stored = store::vendor_by_id(tx.conn(), saved).await?;
        tx.commit().await?;
        Ok(self.vendor_view(stored, self.clinic_today()))
    }

    /// Stores the signed agreement, encrypted at rest, bound to its vendor.
    pub async fn upload_vendor_document(
        &self,
        actor: &Actor<'_>,
        id: i64,
        name: &str,
        bytes: &[u8],
    ) -> Result<(), AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        let max = self.settings().records.attachment_max_bytes;
        if bytes.is_empty() || bytes.len() > max {
            return Err(AppError::Invalid(format!(
                "a document must be between 1 byte and {} MiB",
                max / (1024 * 1024)
            )));
        }
        let content_type = match carekeep_domain::files::sniff(bytes) {
            Some(t) if t != "image/webp" => t,
            _ => {
                return Err(AppError::Invalid(
                    "upload the signed agreement as a PDF, JPEG or PNG".into(),
                ))
            }
        };
        let name = text("file name", name, 200, false)?;
        let mut tx = self.store().begin().await?;
        let v = store::vendor_by_id(tx.conn(), id)
            .await
            .map_err(|_| AppError::NotFound("vendor"))?;
        let ct = self.sealer().seal(document_binding(id), bytes)?;
        store::set_vendor_document(tx.conn(), id, &ct, content_type, &name).await?;
        let mut event = self
            .event(actor, Action::ProgramChanged, Outcome::Success)
            .with_reason(&format!("vendor '{}': signed BAA uploaded", v.name));
        event.resource_type = "Vendor".into();
        event.resource_id = id.to_string();
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The signed agreement: content type, bytes, file name. Audited as a document view.
    pub async fn vendor_document(&self, actor: &Actor<'_>, id: i64) -> Result<(String, Vec<u8>, String), AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        let mut conn = self.store().read().await?;
        let (ct, content_type, name) = store::vendor_document(&mut conn, id)
            .await
            .map_err(|_| AppError::NotFound("vendor"))?
            .ok_or(AppError::NotFound("document"))?;
        drop(conn);
        let bytes = self
            .sealer()
            .open_not_phi(NotPhi::VendorDocument, document_binding(id), &ct)?;
        let mut event = self.event(actor, Action::ProgramDocumentViewed, Outcome::Success);
        event.resource_type = "Vendor".into();
        event.resource_id = id.to_string();
        self.append_event(event).await?;
        Ok((content_type, bytes.to_vec(), name))
    }

    /// The BAA gate: refuses unless the vendor behind an outbound integration has a BAA in
    /// force today (164.502(e)(1), 164.308(b)(1)). Every integration that can carry PHI asks
    /// this before it sends.
    pub async fn phi_send_allowed(&self, vendor_id: i64) -> Result<(), AppError> {
        let mut conn = self.store().read().await?;
        let v = store::vendor_by_id(&mut conn, vendor_id)
            .await
            .map_err(|_| AppError::Forbidden("this integration is not tied to a vendor record".into()))?;
        if v.retired {
            return Err(AppError::Forbidden(format!("vendor '{}' is retired", v.name)));
        }
        baa::may_send_phi(phi_use(&v), &baa_of(&v), self.clinic_today())
            .map_err(|why| AppError::Forbidden(format!("not sent to '{}': {why}", v.name)))
    }
}

/// One vendor ticked on the set-up path's guided list (issue 25, item 4).
#[derive(Clone, Debug)]
pub struct GuidedVendor {
    pub kind: carekeep_domain::program::vendor_guide::Kind,
    pub name: String,
    /// `yes`, `no` or `unknown`; empty when not answered.
    pub answer: String,
    /// `signed`, `requested` or `none`.
    pub baa: String,
    /// Like 04/23/2026, when signed.
    pub signed_on: String,
}

/// A guided list refused: which vendor (its kind), which field, and why.
#[derive(Debug)]
pub struct GuidedRefusal {
    pub kind: carekeep_domain::program::vendor_guide::Kind,
    pub field: &'static str,
    pub error: AppError,
}

impl App {
    /// Adds the ticked vendors in one submission, as the vendors page would, each with its
    /// BAA need decided by `vendor_guide::decide` from the owner's answer. Everything is checked
    /// before anything is saved.
    pub async fn add_guided_vendors(&self, actor: &Actor<'_>, list: &[GuidedVendor]) -> Result<usize, GuidedRefusal> {
        use carekeep_domain::program::vendor_guide::{decide, record_use, Answer};
        let refuse = |kind, field, error| GuidedRefusal { kind, field, error };
        if let Some(first) = list.first() {
            self.require(actor, Capability::ManageProgram)
                .await
                .map_err(|e| refuse(first.kind, "name", e))?;
        }
        let existing = self.vendors(actor).await.map_err(|e| match list.first() {
            Some(f) => refuse(f.kind, "name", e),
            None => refuse(carekeep_domain::program::vendor_guide::Kind::Email, "name", e),
        })?;
        let mut inputs = Vec::new();
        for v in list {
            let name =
                crate::input::line("vendor's name", &v.name, 120, true).map_err(|e| refuse(v.kind, "name", e))?;
            if existing
                .iter()
                .any(|e| !e.retired && e.name.trim().eq_ignore_ascii_case(name.trim()))
            {
                return Err(refuse(
                    v.kind,
                    "name",
                    AppError::Invalid(format!(
                        "{name} is already on your vendor list: untick it here, or use another name"
                    )),
                ));
            }
            let answer = Answer::parse(&v.answer).ok_or_else(|| {
                refuse(
                    v.kind,
                    "answer",
                    AppError::Invalid("answer the question: yes, no, or we don't know yet".into()),
                )
            })?;
            let need = decide(v.kind, answer);
            let phi = record_use(v.kind, need);
            let status = match v.baa.as_str() {
                "signed" | "requested" => v.baa.clone(),
                _ => "none".to_owned(),
            };
            let signed = crate::input::date("date the BAA was signed", &v.signed_on, status == "signed")
                .map_err(|e| refuse(v.kind, "signed_on", e))?;
            if signed.is_some_and(|d| d > self.clinic_today()) {
                return Err(refuse(
                    v.kind,
                    "signed_on",
                    AppError::Invalid("the date the BAA was signed is in the future".into()),
                ));
            }
            inputs.push(VendorInput {
                name: name.clone(),
                service: v.kind.service(need).into(),
                creates_phi: phi.creates,
                receives_phi: phi.receives,
                maintains_phi: phi.maintains,
                transmits_phi: phi.transmits,
                conduit_only: false,
                baa_status: if status == "signed" || need.baa_required() {
                    status
                } else {
                    "none".into()
                },
                baa_signed_on: signed.map(|d| d.to_string()).unwrap_or_default(),
                ..VendorInput::default()
            });
        }
        let mut added = 0;
        for (v, input) in list.iter().zip(inputs) {
            self.save_vendor(actor, 0, input)
                .await
                .map_err(|e| refuse(v.kind, "name", e))?;
            added += 1;
        }
        Ok(added)
    }
}
