//! Patients' rights (164.508, 164.522-164.528): request clocks, decisions and their letters,
//! authorizations on file, and the accounting of disclosures.

pub mod accounting;
pub mod authorization;
pub mod clocks;
pub mod decisions;
