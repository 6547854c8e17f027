//! The waitlist per service: who is offered a freed slot. A person waiting fits a slot when the
//! slot is for their service, falls on one of their preferred weekdays (none chosen: any day),
//! and lies inside their preferred hours (none given: any time), all on the clinic's clock.
//! Among those who fit, the first to have been put on the list is offered it (first come, first
//! served). The offer names only the person and the slot (minimum necessary, 164.502(b)); the
//! note beside an entry is sealed (164.312(a)(2)(iv)).

use crate::records::{invalid, Invalid};
use time::{PrimitiveDateTime, Time, Weekday};

/// The longest note, in characters.
pub const NOTE_MAX: usize = 500;

/// One person on a service's waitlist, as the rule needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Waiting {
    pub id: i64,
    pub service: i64,
    /// Preferred weekdays as bits, Monday = bit 0 ... Sunday = bit 6; 0: any day.
    pub days: u8,
    /// Preferred hours on the clinic's clock; `None`: any time.
    pub hours: Option<(Time, Time)>,
    /// When they were put on the list (seconds), then `id`, order who comes first.
    pub added_at: i64,
}

/// A freed slot on the clinic's clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    pub service: i64,
    pub start: PrimitiveDateTime,
    pub end: PrimitiveDateTime,
}

/// The bit of a weekday in [`Waiting::days`].
pub fn day_bit(d: Weekday) -> u8 {
    1 << d.number_days_from_monday()
}

/// Preferred hours as typed: both or neither, the end after the start.
pub fn check_hours(from: Option<Time>, until: Option<Time>) -> Result<Option<(Time, Time)>, Invalid> {
    match (from, until) {
        (None, None) => Ok(None),
        (Some(f), Some(u)) if u > f => Ok(Some((f, u))),
        (Some(_), Some(_)) => invalid("the preferred hours must end after they start"),
        _ => invalid("give both ends of the preferred hours, or neither"),
    }
}

/// A note: at most [`NOTE_MAX`] characters, line breaks kept as `\n`.
pub fn check_note(note: &str) -> Result<String, Invalid> {
    let note = note.trim().replace("\r\n", "\n");
    if note.chars().count() > NOTE_MAX {
        return invalid("the note may have at most 500 characters");
    }
    Ok(note)
}

/// Whether `w` fits `slot`.
pub fn fits(w: &Waiting, slot: &Slot) -> bool {
    if w.service != slot.service {
        return false;
    }
    if w.days != 0 && w.days & day_bit(slot.start.weekday()) == 0 {
        return false;
    }
    match w.hours {
        None => true,
        Some((from, until)) => {
            slot.start.date() == slot.end.date() && slot.start.time() >= from && slot.end.time() <= until
        }
    }
}

/// The first person waiting who fits `slot`: first come, first served.
pub fn first_fit<'a>(slot: &Slot, waiting: &'a [Waiting]) -> Option<&'a Waiting> {
    waiting
        .iter()
        .filter(|w| fits(w, slot))
        .min_by_key(|w| (w.added_at, w.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{datetime, time};

    fn w(id: i64, service: i64, days: u8, hours: Option<(Time, Time)>, added_at: i64) -> Waiting {
        Waiting {
            id,
            service,
            days,
            hours,
            added_at,
        }
    }

    #[test]
    fn who_fits_a_freed_slot_first_come_first_served() {
        // Tuesday 12/08/2026, 9:00 to 9:30 AM, service 1.
        let slot = Slot {
            service: 1,
            start: datetime!(2026-12-08 9:00),
            end: datetime!(2026-12-08 9:30),
        };
        let tue = day_bit(Weekday::Tuesday);
        let mon = day_bit(Weekday::Monday);
        let morning = Some((time!(8:00), time!(12:00)));
        let afternoon = Some((time!(13:00), time!(17:00)));
        let nine_only = Some((time!(9:00), time!(9:30)));
        let cases: [(&str, Vec<Waiting>, Option<i64>); 9] = [
            ("nobody waiting", vec![], None),
            ("another service", vec![w(1, 2, 0, None, 10)], None),
            ("any day, any time", vec![w(1, 1, 0, None, 10)], Some(1)),
            ("Mondays only", vec![w(1, 1, mon, None, 10)], None),
            (
                "Mondays or Tuesdays, mornings",
                vec![w(1, 1, mon | tue, morning, 10)],
                Some(1),
            ),
            ("afternoons only", vec![w(1, 1, 0, afternoon, 10)], None),
            ("hours exactly the slot", vec![w(1, 1, tue, nine_only, 10)], Some(1)),
            (
                "first come first served among those who fit",
                vec![
                    w(1, 1, 0, None, 30),
                    w(2, 2, 0, None, 5),
                    w(3, 1, 0, afternoon, 1),
                    w(4, 1, 0, None, 20),
                ],
                Some(4),
            ),
            (
                "same time: lower id first",
                vec![w(7, 1, 0, None, 20), w(6, 1, 0, None, 20)],
                Some(6),
            ),
        ];
        for (name, list, want) in cases {
            assert_eq!(first_fit(&slot, &list).map(|x| x.id), want, "{name}");
        }
    }

    #[test]
    fn preferred_hours_and_notes_are_checked() {
        assert_eq!(check_hours(None, None), Ok(None));
        assert!(check_hours(Some(time!(9:00)), None).is_err());
        assert!(check_hours(Some(time!(9:00)), Some(time!(9:00))).is_err());
        assert_eq!(
            check_hours(Some(time!(9:00)), Some(time!(11:00))),
            Ok(Some((time!(9:00), time!(11:00))))
        );
        assert_eq!(
            check_note(" calls after 3\r\nmornings ").unwrap(),
            "calls after 3\nmornings"
        );
        assert!(check_note(&"x".repeat(501)).is_err());
        assert!(check_note(&"x".repeat(500)).is_ok());
    }
}
