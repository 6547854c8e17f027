//! The confirm-or-cancel link a reminder carries: valid until the appointment starts, used
//! once, and only while the appointment is still booked. The page behind it shows the clinic,
//! the day and the time and nothing else (minimum necessary, 164.502(b)).

use crate::records::appointment::Status;
use time::OffsetDateTime;

/// What a link can still do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkState {
    /// Confirm or cancel.
    Open,
    /// Already answered through this link.
    Used,
    /// The appointment has started or passed.
    Past,
    /// The clinic has since cancelled, checked in or otherwise closed the appointment.
    Closed,
}

impl LinkState {
    /// What the page says, to a patient.
    pub fn words(self) -> &'static str {
        match self {
            LinkState::Open => "Please confirm or cancel.",
            LinkState::Used => "This link has already been used. To change anything, call the clinic.",
            LinkState::Past => "This appointment time has passed.",
            LinkState::Closed => "This appointment can no longer be changed here. Please call the clinic.",
        }
    }
}

/// The state of a link at `now`. Used is told first (a second click learns it worked), then
/// past, then a status the clinic changed.
pub fn state(now: OffsetDateTime, expires_at: OffsetDateTime, used: bool, status: Status) -> LinkState {
    if used {
        LinkState::Used
    } else if now >= expires_at {
        LinkState::Past
    } else if status != Status::Booked {
        LinkState::Closed
    } else {
        LinkState::Open
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_link_works_once_until_the_appointment_while_it_is_booked() {
        let at = datetime!(2026-03-10 14:00 UTC);
        let before = datetime!(2026-03-09 09:00 UTC);
        let cases = [
            (before, false, Status::Booked, LinkState::Open),
            (before, true, Status::Booked, LinkState::Used),
            (at, false, Status::Booked, LinkState::Past),
            (datetime!(2026-03-11 09:00 UTC), false, Status::Booked, LinkState::Past),
            (before, false, Status::Cancelled, LinkState::Closed),
            (before, false, Status::CheckedIn, LinkState::Closed),
            (before, true, Status::Cancelled, LinkState::Used),
        ];
        for (now, used, status, want) in cases {
            assert_eq!(state(now, at, used, status), want, "{now} {used} {status:?}");
        }
    }
}
