//! Carekeep's domain: plain types and pure rules.
//!
//! Nothing here does I/O, reads a clock or knows about SQL or HTTP. Time comes in as an
//! argument; every regulatory rule cites the CFR paragraph it encodes.

pub mod access;
pub mod audit;
pub mod calendar;
pub mod client_address;
pub mod client_words;
pub mod files;
pub mod forms;
pub mod ids;
pub mod incidents;
pub mod lockout;
pub mod monitoring;
pub mod password;
pub mod people;
pub mod portal;
pub mod program;
pub mod rate_window;
pub mod records;
pub mod rights;
pub mod session;
pub mod text;
pub mod username;
pub mod zone;

pub use access::{Access, Capability, DataClass, Policy, RoleDef, RoleName};
pub use ids::UserId;
