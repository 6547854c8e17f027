//! The calendar (issue 26): its set-up (services, rooms, providers' hours and time off) here;
//! the rules themselves are pure in `carekeep_domain::calendar`.

mod setup;

pub use setup::{
    CalendarSetup, HoursInput, HoursView, RoomInput, RoomView, ServiceInput, ServiceView, TimeOffInput, TimeOffView,
};
