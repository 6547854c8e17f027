//! The compliance program: vendors and BAAs, and the dashboard that says where the clinic
//! stands. Everything here needs the `manage_program` capability and is audited.

pub mod binder;
pub mod checklist_history;
pub mod dashboard;
pub mod network;
pub mod npp;
pub mod policies;
pub mod portal_cert;
pub mod readiness;
pub mod reminders;
pub mod setup;
pub mod sra;
pub mod this_week;

pub mod vendor_security;
pub mod vendors;
pub mod workforce;

/// Raised when something the risk assessment covers changes (a new vendor handling PHI); the
/// risk assessment module clears it when the assessment is reviewed.
pub const SRA_REVIEW_NEEDED: &str = "sra_review_needed";
