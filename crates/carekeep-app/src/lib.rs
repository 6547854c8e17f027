//! Carekeep's use cases. Each takes the acting person, checks the one policy, does its work in
//! one store transaction, and returns plain data for the front ends to render.
//!
//! HTTP, templates and the CLI stay thin around this crate.

mod app;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod calendar;
mod clock;
pub mod csv;
pub mod datadir;
pub mod demo;
mod error;
pub mod forms;
pub mod incidents;
pub mod input;
pub mod mail;
pub mod mail_relay;
pub mod monitoring;
pub mod pdf;
pub mod people;
mod permit;
pub mod portal;
pub mod program;
pub mod progress;
pub mod records;
pub mod rights;
mod seal;

// Parts of a feature that callers name on their own: the sign-in's, the chart's FHIR mapping,
// the demo's records.
pub use auth::{hash_gate, invite, mfa, setup, staff, users};
pub use demo::records as demo_records;
pub use records::fhir;

pub use app::{App, AppSettings, HostFacts, RecordSettings, TrainingSettings, Transport};
pub use auth::{Actor, LoginInput, LoginOutcome, Principal};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::AppError;
