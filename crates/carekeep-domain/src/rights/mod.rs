//! Patients' rights (164.522-164.528): request clocks and the accounting of disclosures.

pub mod accounting;
pub mod clocks;
