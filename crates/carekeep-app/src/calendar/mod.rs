//! The calendar (issue 26): its set-up (services, rooms, providers' hours and time off), the
//! day and week views, and booking, moving and cancelling; the rules themselves are pure in
//! `carekeep_domain::calendar`.

mod book;
pub(crate) mod hours;
mod link;
mod move_requests;
mod reminders;
mod setup;
mod waitlist;
mod week;

pub use book::{BookInput, MoveInput, PatientAtBooking};
pub use link::{LinkAnswer, LinkView};
pub(crate) use move_requests::seal_words;
pub use move_requests::MoveRequestView;
pub use reminders::{OptOutView, ReminderLog, ReminderRun, ReminderSettings, SentView, SmsAuth, SmsSettings};
pub use setup::{
    CalendarSetup, HoursInput, HoursView, RoomInput, RoomView, ServiceInput, ServiceView, TimeOffInput, TimeOffView,
};
pub use waitlist::{FreedSlot, Offer, WaitInput, WaitView};
pub use week::{summarize, CalendarItem, CalendarView, DaySummary, FreeSlot, SLOT_MINUTES};
