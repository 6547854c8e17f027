//! The Breach Notification Rule (45 CFR 164.400-164.414) as pure functions: whether an
//! incident is a breach, when it was discovered, and what notices are owed by when.

pub mod determination;
pub mod discovery;
pub mod kinds;
pub mod letters;
pub mod obligations;
pub mod states;
