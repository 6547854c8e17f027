//! The Security Risk Assessment (164.308(a)(1)(ii)(A)-(B)): the rule's rows and our questions,
//! answers and their checks, risk rating and treatment, the threat catalogue, and the
//! assessment's lifecycle.

pub mod answers;
pub mod catalogue;
pub mod inventory;
pub mod lifecycle;
pub mod risk;
pub mod specs;
pub mod topics;
pub mod wizard;
