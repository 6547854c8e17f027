//! The clinic tablet in kiosk mode (issue 28, item 3): staff open a checked-in visit's packet
//! on a tablet the patient holds. The tablet is a reader of the one policy
//! (`records::chart_access::Reader::Kiosk`); these are the rules of its code and its session.
//!
//! - Person or entity authentication, 164.312(d): the tablet is unlocked by a six-digit code
//!   staff read out, valid ten minutes, used once. A code is found by its digest alone (the
//!   tablet knows nothing else), so a wrong code counts against every live code: five wrong
//!   codes and all of them die, so six digits cannot be guessed.
//! - Automatic logoff, 164.312(a)(2)(iii): a tablet left alone ends its session after five
//!   minutes without a request, and after an hour in any case; the packet submitted ends it.
//! - Access control, 164.312(a)(1): only a visit that is checked in (the patient is in the
//!   building) may be opened on the tablet.

use crate::portal::code::Check;
use crate::records::appointment::Status;
use time::{Duration, OffsetDateTime};

/// How long a code may be typed after staff made it.
pub const CODE_VALID_FOR: Duration = Duration::minutes(10);
/// Wrong codes typed (at any tablet) after which every live code dies.
pub const WRONG_TRIES: i64 = 5;
/// A tablet session ends after this long without a request (164.312(a)(2)(iii)).
pub const IDLE: Duration = Duration::minutes(5);
/// And after this long in any case.
pub const ABSOLUTE: Duration = Duration::hours(1);

/// Whether a visit in this status may be opened on the tablet; the refusal in staff's words.
pub fn may_open(status: Status) -> Result<(), &'static str> {
    match status {
        Status::CheckedIn => Ok(()),
        Status::Booked => Err("Check the patient in first: the tablet opens forms only for a patient who is here."),
        Status::Completed | Status::NoShow | Status::Cancelled => {
            Err("This visit is over: the tablet opens forms only for a patient who is checked in.")
        }
    }
}

/// What a typed code does: `found` is the code its digest matched, if any (expiry, used, the
/// wrong codes counted against it).
pub fn check_code(now: OffsetDateTime, found: Option<(OffsetDateTime, bool, i64)>) -> Check {
    match found {
        None => Check::Wrong,
        Some((expires_at, used, tries)) => {
            if used || now >= expires_at || tries >= WRONG_TRIES {
                Check::Spent
            } else {
                Check::Accepted
            }
        }
    }
}

/// Why a code no longer opens the tablet, in the words the tablet shows (`found` as for
/// [`check_code`]; `None` when the code was taken a moment ago by another tablet).
pub fn spent_words(now: OffsetDateTime, found: &Option<(OffsetDateTime, bool, i64)>) -> &'static str {
    match found {
        Some((_, true, _)) | None => "This code was already used. Ask the front desk for a new code.",
        Some((expires_at, false, _)) if now >= *expires_at => {
            "This code has run out (a code works for 10 minutes). Ask the front desk for a new code."
        }
        Some(_) => "This code no longer works after too many wrong tries. Ask the front desk for a new code.",
    }
}

/// Whether a tablet session begun at `started`, last seen at `last_seen`, is still live.
pub fn session_live(now: OffsetDateTime, started: OffsetDateTime, last_seen: OffsetDateTime) -> bool {
    now - last_seen < IDLE && now - started < ABSOLUTE
}

/// The seconds until the tablet's page returns itself to the code screen (the server ends the
/// session at the same moment: the page only spares the next person the patient's form).
pub fn page_refresh_seconds() -> i64 {
    IDLE.whole_seconds()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T: OffsetDateTime = datetime!(2026-12-07 15:00 UTC);

    #[test]
    fn only_a_checked_in_visit_opens_on_the_tablet() {
        // 164.312(a)(1): the patient is in the building.
        let table = [
            (Status::CheckedIn, true),
            (Status::Booked, false),
            (Status::Completed, false),
            (Status::NoShow, false),
            (Status::Cancelled, false),
        ];
        for (status, ok) in table {
            assert_eq!(may_open(status).is_ok(), ok, "{status:?}");
        }
    }

    #[test]
    fn a_code_is_used_once_for_ten_minutes_and_dies_after_five_wrong_tries() {
        // 164.312(d).
        let live = T + Duration::minutes(10);
        let table = [
            (None, Check::Wrong),
            (Some((live, false, 0)), Check::Accepted),
            (Some((live, false, 4)), Check::Accepted),
            (Some((live, false, 5)), Check::Spent),
            (Some((live, true, 0)), Check::Spent),
            (Some((T, false, 0)), Check::Spent),
            (Some((T - Duration::seconds(1), false, 0)), Check::Spent),
        ];
        for (found, want) in table {
            assert_eq!(check_code(T, found), want, "{found:?}");
        }
    }

    #[test]
    fn a_spent_code_says_why() {
        let live = T + Duration::minutes(1);
        assert!(spent_words(T, &Some((live, true, 0))).contains("already used"));
        assert!(spent_words(T, &Some((T, false, 0))).contains("run out"));
        assert!(spent_words(T, &Some((live, false, 5))).contains("too many wrong tries"));
    }

    #[test]
    fn a_tablet_session_ends_after_five_idle_minutes_or_an_hour() {
        // 164.312(a)(2)(iii).
        let table = [
            (T, T, true),
            (T - Duration::minutes(4), T - Duration::minutes(4), true),
            (T - Duration::minutes(5), T - Duration::minutes(5), false),
            (T - Duration::minutes(59), T - Duration::minutes(1), true),
            (T - Duration::minutes(60), T, false),
        ];
        for (started, seen, live) in table {
            assert_eq!(session_live(T, started, seen), live, "{started} {seen}");
        }
        assert_eq!(page_refresh_seconds(), 300);
    }
}
