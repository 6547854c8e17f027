//! Appointments (class `scheduling`): status and the moves between them.

use super::{invalid, Invalid};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Booked,
    CheckedIn,
    Completed,
    NoShow,
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Booked,
        Status::CheckedIn,
        Status::Completed,
        Status::NoShow,
        Status::Cancelled,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Booked => "booked",
            Status::CheckedIn => "checked_in",
            Status::Completed => "completed",
            Status::NoShow => "no_show",
            Status::Cancelled => "cancelled",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Status::Booked => "Booked",
            Status::CheckedIn => "Checked in",
            Status::Completed => "Completed",
            Status::NoShow => "No-show",
            Status::Cancelled => "Cancelled",
        }
    }
    pub fn parse(s: &str) -> Result<Status, Invalid> {
        Status::ALL.into_iter().find(|x| x.as_str() == s.trim()).map_or_else(
            || invalid("status must be booked, checked_in, completed, no_show or cancelled"),
            Ok,
        )
    }

    /// The statuses an appointment may move to from this one.
    pub fn next(self) -> &'static [Status] {
        match self {
            Status::Booked => &[Status::CheckedIn, Status::NoShow, Status::Cancelled],
            Status::CheckedIn => &[Status::Completed, Status::Booked],
            Status::Completed | Status::NoShow | Status::Cancelled => &[],
        }
    }

    /// Whether a page asks before moving to this status: a no-show and a cancellation end
    /// the appointment without a visit and nothing moves on from them, so one stray click must
    /// not make them. A check-in is undone from the schedule (back to booked); a completion is
    /// the visit's own end, made by the clinician who saw the patient.
    pub fn asks_first(self) -> bool {
        self.next().is_empty() && self != Status::Completed
    }

    /// Whether the patient is still to be seen: booked (not yet arrived) or checked in
    /// (arrived, waiting). The home page's "next patients" are these, until their end time.
    pub fn still_to_see(self) -> bool {
        matches!(self, Status::Booked | Status::CheckedIn)
    }

    /// Whether the patient has arrived (checked in, or seen).
    pub fn arrived(self) -> bool {
        matches!(self, Status::CheckedIn | Status::Completed)
    }

    pub fn move_to(self, to: Status) -> Result<Status, Invalid> {
        if self.next().contains(&to) {
            Ok(to)
        } else {
            invalid(format!(
                "an appointment that is {} cannot become {}",
                self.label().to_lowercase(),
                to.label().to_lowercase()
            ))
        }
    }
}

/// Start before end, at most 12 hours long.
pub fn check_times(start: OffsetDateTime, end: OffsetDateTime) -> Result<(), Invalid> {
    if end <= start {
        return invalid("the appointment must end after it starts");
    }
    if end - start > time::Duration::hours(12) {
        return invalid("an appointment may last at most 12 hours");
    }
    Ok(())
}

/// What the booking form's provider id turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProviderLookup {
    /// No account has this id.
    Missing,
    /// An account, with whether it is enabled and may write clinical data.
    Found { active: bool, clinical: bool },
}

/// Who may be booked: an active member of the clinical staff. Every refusal carries the same
/// words, so the answer never tells whether an id names a real account (whoever books learns
/// nothing about the staff list beyond the clinicians it already shows).
pub fn check_provider(found: ProviderLookup) -> Result<(), Invalid> {
    match found {
        ProviderLookup::Found {
            active: true,
            clinical: true,
        } => Ok(()),
        ProviderLookup::Missing | ProviderLookup::Found { .. } => invalid(NOT_BOOKABLE),
    }
}

/// The one refusal for a provider id that cannot be booked.
pub const NOT_BOOKABLE: &str = "choose an active clinician from the staff list";

/// A service name: 1 to 120 characters.
pub fn check_service(s: &str) -> Result<String, Invalid> {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > 120 || s.chars().any(char::is_control) {
        return invalid("the service needs 1 to 120 characters");
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_is_still_to_be_seen_and_who_has_arrived() {
        let cases = [
            // (status, still to see, arrived)
            (Booked, true, false),
            (CheckedIn, true, true),
            (Completed, false, true),
            (NoShow, false, false),
            (Cancelled, false, false),
        ];
        for (s, to_see, arrived) in cases {
            assert_eq!((s.still_to_see(), s.arrived()), (to_see, arrived), "{s:?}");
        }
    }
    use Status::*;

    #[test]
    fn every_unbookable_provider_gets_the_same_words() {
        use ProviderLookup::*;
        let cases = [
            (Missing, false),
            (
                Found {
                    active: false,
                    clinical: true,
                },
                false,
            ),
            (
                Found {
                    active: true,
                    clinical: false,
                },
                false,
            ),
            (
                Found {
                    active: false,
                    clinical: false,
                },
                false,
            ),
            (
                Found {
                    active: true,
                    clinical: true,
                },
                true,
            ),
        ];
        for (found, ok) in cases {
            match check_provider(found) {
                Ok(()) => assert!(ok, "{found:?}"),
                Err(Invalid(msg)) => {
                    assert!(!ok, "{found:?}");
                    assert_eq!(msg, NOT_BOOKABLE, "{found:?}");
                }
            }
        }
    }

    #[test]
    fn no_shows_and_cancellations_are_asked_for_first() {
        let cases = [
            (Booked, false),
            (CheckedIn, false),
            (Completed, false),
            (NoShow, true),
            (Cancelled, true),
        ];
        for (status, asks) in cases {
            assert_eq!(status.asks_first(), asks, "{status:?}");
        }
    }

    #[test]
    fn moves() {
        let cases = [
            (Booked, CheckedIn, true),
            (Booked, NoShow, true),
            (Booked, Cancelled, true),
            (Booked, Completed, false),
            (CheckedIn, Completed, true),
            (CheckedIn, Booked, true),
            (Completed, Booked, false),
            (Cancelled, CheckedIn, false),
            (NoShow, CheckedIn, false),
        ];
        for (from, to, ok) in cases {
            assert_eq!(from.move_to(to).is_ok(), ok, "{from:?} -> {to:?}");
        }
    }

    #[test]
    fn times() {
        let t = OffsetDateTime::UNIX_EPOCH;
        assert!(check_times(t, t + time::Duration::minutes(30)).is_ok());
        assert!(check_times(t, t).is_err());
        assert!(check_times(t, t + time::Duration::hours(13)).is_err());
    }
}
