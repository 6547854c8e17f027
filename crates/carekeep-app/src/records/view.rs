//! What a person sees of a patient: one struct per data class, each present only when the one
//! policy ([`chart_access`](carekeep_domain::records::chart_access)) lets them read it. A class
//! outside their reach is `None`, and `None` is left out of JSON entirely: absent, not blanked.

use serde::Serialize;
use utoipa::ToSchema;

/// A patient as the caller may see them. Top-level keys: `id` and the readable classes.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PatientView {
    pub id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<IdentityView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheduling: Option<SchedulingView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clinical: Option<ClinicalView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coding: Option<CodingView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing: Option<BillingView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice_status: Option<InvoiceStatusView>,
    /// How this person reaches the record (not PHI): restriction and break glass.
    #[serde(skip)]
    pub access: AccessNote,
}

/// Shown on the page, never in the JSON: what the restriction withholds and whether break
/// glass is open.
#[derive(Clone, Debug, Default)]
pub struct AccessNote {
    pub restricted: bool,
    pub withheld_clinical: bool,
    pub may_break_glass: bool,
    /// RFC 3339 end of a live break-glass grant.
    pub break_glass_until: Option<String>,
    pub writes: Vec<&'static str>,
    /// The patient's latest Notice of Privacy Practices acknowledgement, shown with identity.
    pub npp: Option<String>,
    /// Granted confidential communications and agreed restrictions staff must honour
    /// (164.522), shown with identity.
    pub honour: Vec<String>,
}

impl AccessNote {
    pub fn writes(&self, class: &str) -> bool {
        self.writes.contains(&class)
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct IdentityView {
    pub given_name: String,
    pub family_name: String,
    /// `YYYY-MM-DD`.
    pub date_of_birth: String,
    /// female, male, other or unknown.
    pub sex: String,
    pub record_number: String,
    /// The name as people read it: given and family names, or a name received only as text
    /// as it was given.
    pub display_name: String,
    /// The birth date as known: `1980`, `1980-04` or the whole date.
    pub birth_date_as_known: String,
    /// What a record from another system carried besides: whole names, identifiers, death,
    /// marital status; one line each (empty for charts registered here).
    pub recorded: Vec<String>,
    /// The identity whole, for the FHIR export (not sent to pages or the API as such).
    #[serde(skip)]
    pub whole: Option<Box<carekeep_domain::records::patient::Identity>>,
}

impl IdentityView {
    pub fn full_name(&self) -> String {
        self.display_name.clone()
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ContactView {
    /// Digits only; see `phone_display`.
    pub phone: String,
    pub phone_display: String,
    pub email: String,
    pub address: String,
    pub emergency_contact: String,
    /// phone, text, email or mail.
    pub preferred: String,
    /// The address in parts, when it was received so (for the FHIR export).
    #[serde(skip)]
    pub address_parts: Option<carekeep_domain::records::detail::AddressParts>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SchedulingView {
    pub appointments: Vec<AppointmentView>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AppointmentView {
    pub id: i64,
    pub patient_id: i64,
    pub provider_id: i64,
    pub provider_name: String,
    pub service: String,
    /// RFC 3339.
    pub start: String,
    pub end: String,
    /// booked, checked_in, completed, no_show or cancelled.
    pub status: String,
    pub status_label: String,
    /// The statuses it may move to next.
    pub next: Vec<String>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ClinicalView {
    pub encounters: Vec<EncounterView>,
    pub vitals: Vec<EntryView>,
    pub diagnoses: Vec<EntryView>,
    pub medications: Vec<EntryView>,
    pub allergies: Vec<EntryView>,
    pub attachments: Vec<AttachmentView>,
    /// Everything above as one time-ordered treatment history, newest first.
    pub history: Vec<HistoryItem>,
    /// Amendments the patient asked for and the clinic accepted (164.526), waiting for a
    /// clinician to file them into this chart.
    pub amendments_to_file: Vec<AmendmentToFile>,
    /// Signed forms, filled only for the copy of the record (issue 28, item 6).
    #[serde(skip)]
    pub forms: Vec<crate::forms::SignedForm>,
}

/// An accepted amendment waiting to be filed into the chart.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AmendmentToFile {
    /// The patient's request it answers.
    pub request_id: i64,
    pub text: String,
    /// The note it amends (an addendum goes under it), or none (a new note).
    pub amends_note: Option<i64>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EncounterView {
    pub id: i64,
    pub author_id: i64,
    pub author_name: String,
    pub at: String,
    pub subjective: String,
    pub objective: String,
    pub assessment: String,
    pub plan: String,
    /// RFC 3339 when signed; a signed note is never edited, only addended.
    pub signed_at: Option<String>,
    pub addenda: Vec<AddendumView>,
    /// For a note brought from another system: the visit's class, type, period and reason
    /// in one line (empty for notes written here).
    pub visit: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub encounter: Option<carekeep_domain::records::detail::EncounterDetail>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AddendumView {
    pub id: i64,
    pub author_name: String,
    pub at: String,
    pub text: String,
}

/// A vital-signs set, diagnosis, medication or allergy.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EntryView {
    pub id: i64,
    /// vitals, diagnosis, medication or allergy.
    pub kind: String,
    pub at: String,
    pub recorded_by: String,
    /// One line for the history and the lists.
    pub summary: String,
    /// The entry's fields, as entered.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AttachmentView {
    pub id: i64,
    pub at: String,
    pub uploaded_by: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub filename: String,
    pub caption: String,
    /// photo or document.
    pub kind: String,
    /// before, after, or empty; photos with the same `pair_label` form a before/after pair.
    pub pair: String,
    pub pair_label: String,
    pub is_image: bool,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct HistoryItem {
    pub at: String,
    pub kind: String,
    pub summary: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CodingView {
    /// The codes on each invoice (diagnosis and procedure codes on claims).
    pub invoices: Vec<InvoiceCodes>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct InvoiceCodes {
    pub invoice_id: i64,
    pub number: String,
    pub lines: Vec<LineCodes>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LineCodes {
    pub procedure_code: String,
    pub diagnosis_codes: Vec<String>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BillingView {
    pub invoices: Vec<InvoiceLines>,
    pub payments: Vec<PaymentView>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct InvoiceLines {
    pub invoice_id: i64,
    pub number: String,
    pub lines: Vec<LineAmount>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LineAmount {
    pub description: String,
    pub amount_cents: i64,
    pub amount: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PaymentView {
    pub id: i64,
    pub invoice_id: i64,
    pub amount_cents: i64,
    pub amount: String,
    pub method: String,
    pub received_at: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct InvoiceStatusView {
    pub invoices: Vec<InvoiceStatus>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct InvoiceStatus {
    pub invoice_id: i64,
    pub number: String,
    pub created_at: String,
    pub total_cents: i64,
    pub balance_cents: i64,
    pub total: String,
    pub balance: String,
    /// unpaid, partly_paid or paid.
    pub status: String,
    pub status_label: String,
}

/// One patient in a search result or list: identity, and contact when the caller may read it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PatientSummary {
    pub id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<IdentityView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactView>,
    pub restricted: bool,
}

/// A page of patients.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PatientPage {
    pub patients: Vec<PatientSummary>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

/// One appointment on the day's schedule, with the patient's name.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ScheduleItem {
    pub appointment: AppointmentView,
    pub patient_name: String,
    pub record_number: String,
}

/// An invoice on the billing work list.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BillingItem {
    pub patient_id: i64,
    pub patient_name: String,
    pub status: InvoiceStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub codes: Option<InvoiceCodes>,
}
