//! The compliance program's rules: when things fall due, and what counts as done. Pure
//! functions of dates; the app crate asks them with the clinic's "today".

pub mod baa;
pub mod backup_folder;
pub mod checklist;
pub mod checklist_history;
pub mod course;
pub mod dates;
pub mod invite;
pub mod mail_relay;
pub mod network;
pub mod npp;
pub mod npp_ack;
pub mod offboarding;
pub mod policies;
pub mod portal_cert;
pub mod readiness;
pub mod retention;
pub mod setup;
pub mod training;
pub mod vendor_guide;
pub mod vendor_security;

pub use dates::{add_months, Standing};

pub mod sra;
