//! The clinic's calendar: pure rules for booking (conflicts of provider, room and patient, the
//! override), recurring series in the clinic's zone, working hours and time off, and the
//! reminders that may be sent about an appointment (channel, address, the texting conditions,
//! minimum-necessary content). The app crate stores, audits and sends around them.

pub mod conflict;
pub mod hours;
pub mod link;
pub mod message;
pub mod move_request;
pub mod recurrence;
pub mod reminders;
pub mod texting;
pub mod waitlist;
