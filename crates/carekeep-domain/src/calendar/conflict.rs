//! No double booking. A provider, a room or a patient in two overlapping appointments is a
//! conflict, named so the person booking knows which; it may be booked anyway only with a stated
//! reason, which the app records on the audit trail (audit controls, 164.312(b)).

use crate::records::appointment::Status;
use crate::records::{invalid, Invalid};
use time::{Duration, OffsetDateTime};

/// An appointment as the conflict rule sees it: its time, who and what it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Booking {
    /// `None` for the appointment being booked; `Some` for one already on the calendar (and
    /// for the one being moved, so it never conflicts with itself).
    pub id: Option<i64>,
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
    /// Time the provider and room stay held after the end (cleaning, notes).
    pub buffer_after: Duration,
    pub provider: i64,
    pub room: Option<i64>,
    pub patient: i64,
    pub status: Status,
}

impl Booking {
    /// Whether the appointment still holds its time: a cancelled appointment or a no-show
    /// frees it.
    pub fn holds_time(&self) -> bool {
        !matches!(self.status, Status::Cancelled | Status::NoShow)
    }

    /// Until when the provider and the room are held.
    pub fn held_until(&self) -> OffsetDateTime {
        self.end + self.buffer_after
    }
}

/// What two appointments share at the same time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Clash {
    Provider,
    Room,
    Patient,
}

impl Clash {
    /// The words shown at the field; the page adds the other appointment's time.
    pub fn words(self) -> &'static str {
        match self {
            Clash::Provider => "The provider already has an appointment then",
            Clash::Room => "The room is already in use then",
            Clash::Patient => "The patient already has an appointment then",
        }
    }
}

/// One appointment on the calendar that the new one clashes with, and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    pub with: i64,
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
    pub clashes: Vec<Clash>,
}

fn overlaps(a: (OffsetDateTime, OffsetDateTime), b: (OffsetDateTime, OffsetDateTime)) -> bool {
    // Half-open: an appointment ending at 9:30 and one starting at 9:30 do not overlap.
    a.0 < b.1 && b.0 < a.1
}

/// The appointments `new` clashes with, in calendar order. The provider and the room are held
/// through the buffer after each appointment; the patient only for the appointment itself.
pub fn conflicts(new: &Booking, calendar: &[Booking]) -> Vec<Conflict> {
    let mut found: Vec<Conflict> = calendar
        .iter()
        .filter(|old| old.holds_time() && old.id.is_some() && old.id != new.id)
        .filter_map(|old| {
            let held = overlaps((new.start, new.held_until()), (old.start, old.held_until()));
            let seen = overlaps((new.start, new.end), (old.start, old.end));
            let mut clashes = Vec::new();
            if held && old.provider == new.provider {
                clashes.push(Clash::Provider);
            }
            if held && old.room.is_some() && old.room == new.room {
                clashes.push(Clash::Room);
            }
            if seen && old.patient == new.patient {
                clashes.push(Clash::Patient);
            }
            (!clashes.is_empty()).then(|| Conflict {
                with: old.id.unwrap_or_default(),
                start: old.start,
                end: old.end,
                clashes,
            })
        })
        .collect();
    found.sort_by_key(|c| (c.start, c.with));
    found
}

/// What booking over the calendar comes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Nothing clashes.
    Clear,
    /// Clashes, booked anyway for this reason (to be audited).
    Override { reason: String, over: Vec<Conflict> },
}

/// Refused: the clashes, named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused(pub Vec<Conflict>);

/// The longest override reason kept.
pub const REASON_MAX: usize = 500;

/// Book if nothing clashes; book over clashes only with a reason (blank counts as none).
pub fn decide(found: Vec<Conflict>, override_reason: Option<&str>) -> Result<Decision, Refused> {
    if found.is_empty() {
        return Ok(Decision::Clear);
    }
    match override_reason.map(str::trim).filter(|r| !r.is_empty()) {
        Some(reason) => Ok(Decision::Override {
            reason: reason.to_owned(),
            over: found,
        }),
        None => Err(Refused(found)),
    }
}

/// An override reason: 3 to 500 characters, no control characters but line breaks.
pub fn check_reason(reason: &str) -> Result<String, Invalid> {
    let reason = reason.trim().replace("\r\n", "\n");
    let n = reason.chars().count();
    if n < 3 {
        return invalid("say in a few words why this may be double-booked");
    }
    if n > REASON_MAX {
        return invalid(format!("the reason may have at most {REASON_MAX} characters"));
    }
    if reason.chars().any(|c| c.is_control() && c != '\n') {
        return invalid("the reason has a character that cannot be kept");
    }
    Ok(reason)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;
    use Clash::*;

    fn at(h: u8, m: u8) -> OffsetDateTime {
        datetime!(2026-12-07 00:00 UTC) + Duration::hours(h.into()) + Duration::minutes(m.into())
    }

    fn booking(id: i64, s: (u8, u8), e: (u8, u8), provider: i64, room: Option<i64>, patient: i64) -> Booking {
        Booking {
            id: Some(id),
            start: at(s.0, s.1),
            end: at(e.0, e.1),
            buffer_after: Duration::ZERO,
            provider,
            room,
            patient,
            status: Status::Booked,
        }
    }

    #[test]
    fn clashes_are_named_by_provider_room_and_patient() {
        // The calendar: Dr 1 in room 10 with patient 100 at 9:00-9:30 (10 minutes' buffer).
        let mut old = booking(1, (9, 0), (9, 30), 1, Some(10), 100);
        old.buffer_after = Duration::minutes(10);
        let cases: [(&str, Booking, Vec<Clash>); 9] = [
            (
                "same provider, overlapping",
                booking(0, (9, 15), (9, 45), 1, None, 200),
                vec![Provider],
            ),
            ("same room", booking(0, (9, 0), (9, 30), 2, Some(10), 200), vec![Room]),
            (
                "same patient, another provider",
                booking(0, (9, 0), (9, 30), 2, Some(11), 100),
                vec![Patient],
            ),
            (
                "all three",
                booking(0, (8, 45), (9, 5), 1, Some(10), 100),
                vec![Provider, Room, Patient],
            ),
            (
                "in the provider's buffer",
                booking(0, (9, 35), (10, 0), 1, None, 200),
                vec![Provider],
            ),
            (
                "patient free after the end, buffer is not theirs",
                booking(0, (9, 30), (10, 0), 2, None, 100),
                vec![],
            ),
            (
                "back to back after the buffer",
                booking(0, (9, 40), (10, 0), 1, Some(10), 200),
                vec![],
            ),
            (
                "ends as the other starts",
                booking(0, (8, 30), (9, 0), 1, Some(10), 100),
                vec![],
            ),
            (
                "no room is no room clash",
                booking(0, (12, 0), (12, 30), 3, None, 300),
                vec![],
            ),
        ];
        for (what, new, want) in cases {
            let found = conflicts(&new, &[old]);
            let got: Vec<Clash> = found.iter().flat_map(|c| c.clashes.clone()).collect();
            assert_eq!(got, want, "{what}");
            if !want.is_empty() {
                assert_eq!(found[0].with, 1, "{what}");
            }
        }
    }

    #[test]
    fn freed_times_and_the_moved_appointment_do_not_clash() {
        let mut cancelled = booking(1, (9, 0), (9, 30), 1, Some(10), 100);
        cancelled.status = Status::Cancelled;
        let mut no_show = booking(2, (9, 0), (9, 30), 1, Some(10), 100);
        no_show.status = Status::NoShow;
        let moved = booking(3, (9, 0), (9, 30), 1, Some(10), 100);
        let mut new = moved;
        new.start = at(9, 10);
        assert!(conflicts(&new, &[cancelled, no_show, moved]).is_empty());
        let mut other = new;
        other.id = None;
        assert_eq!(conflicts(&other, &[cancelled, no_show, moved]).len(), 1);
    }

    #[test]
    fn conflicts_come_in_calendar_order() {
        let a = booking(7, (10, 0), (10, 30), 1, None, 1);
        let b = booking(5, (9, 0), (9, 30), 1, None, 2);
        let new = booking(0, (8, 0), (12, 0), 1, None, 3);
        let ids: Vec<i64> = conflicts(&Booking { id: None, ..new }, &[a, b])
            .iter()
            .map(|c| c.with)
            .collect();
        assert_eq!(ids, [5, 7]);
    }

    #[test]
    fn an_override_needs_a_reason() {
        let found = conflicts(
            &Booking {
                id: None,
                ..booking(0, (9, 0), (9, 30), 1, None, 2)
            },
            &[booking(1, (9, 0), (9, 30), 1, None, 1)],
        );
        let cases: [(Vec<Conflict>, Option<&str>, &str); 5] = [
            (vec![], None, "clear"),
            (vec![], Some("anything"), "clear"),
            (found.clone(), None, "refused"),
            (found.clone(), Some("   "), "refused"),
            (found.clone(), Some(" Family booked together "), "override"),
        ];
        for (found, reason, want) in cases {
            let got = match decide(found, reason) {
                Ok(Decision::Clear) => "clear",
                Ok(Decision::Override { reason, over }) => {
                    assert_eq!(reason, "Family booked together");
                    assert_eq!(over.len(), 1);
                    "override"
                }
                Err(Refused(c)) => {
                    assert_eq!(c[0].clashes, vec![Provider]);
                    "refused"
                }
            };
            assert_eq!(got, want, "{reason:?}");
        }
    }

    #[test]
    fn reasons() {
        let long = "x".repeat(REASON_MAX + 1);
        let cases = [
            ("", false),
            ("ok", false),
            ("Urgent\r\nwalk-in", true),
            ("bell\u{7}", false),
            (long.as_str(), false),
        ];
        for (reason, ok) in cases {
            assert_eq!(check_reason(reason).is_ok(), ok, "{reason:?}");
        }
        assert_eq!(check_reason("Urgent\r\nwalk-in").unwrap(), "Urgent\nwalk-in");
    }
}
