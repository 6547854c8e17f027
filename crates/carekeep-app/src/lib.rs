//! Carekeep's use cases. Each takes the acting person, checks the one policy, does its work in
//! one store transaction, and returns plain data for the front ends to render.
//!
//! HTTP, templates and the CLI stay thin around this crate.

mod account;
mod app;
pub mod audit;
pub mod auth;
mod clock;
pub mod csv;
pub mod demo;
pub mod demo_records;
mod error;
pub mod fhir;
pub mod hash_gate;
pub mod incidents;
pub mod input;
pub mod key_rotation;
pub mod mail;
pub mod mfa;
pub mod monitoring;
pub mod pdf;
pub mod program;
pub mod records;
pub mod rights;
pub mod setup;
pub mod users;

pub use app::{App, AppSettings, HostFacts, RecordSettings, TrainingSettings, Transport};
pub use auth::{Actor, LoginInput, LoginOutcome, Principal};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::AppError;
