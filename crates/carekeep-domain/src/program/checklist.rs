//! The program dashboard's checks: each item's standing from the facts the running system
//! gathers. Pure, so each threshold is read and tested here; the app gathers the facts and
//! words the evidence.

use super::dates::Standing;
use time::Duration;

/// A verification of the audit trail older than this is stale (the server runs one daily).
pub const VERIFY_FRESH: Duration = Duration::days(2);
/// A monitoring finding left unreviewed this long is a gap.
pub const REVIEW_WITHIN: Duration = Duration::days(7);
/// The nightly backup: a gap once the last good one is older than a day and a little.
pub const BACKUP_WITHIN: Duration = Duration::hours(26);
/// The weekly restore drill: due once the last good one is older than a week and a day.
pub const DRILL_WITHIN: Duration = Duration::days(8);
/// Automatic logoff (164.312(a)(2)(iii)): sessions idle longer than this are flagged.
pub const IDLE_MINUTES_AT_MOST: i64 = 15;

/// Usernames that name a desk or a job rather than a person: a sign of a shared account, which
/// unique user identification forbids (164.312(a)(2)(i)).
const SHARED_LOOKING: [&str; 12] = [
    "admin",
    "office",
    "frontdesk",
    "front_desk",
    "reception",
    "staff",
    "shared",
    "clinic",
    "nurse",
    "billing",
    "doctor",
    "provider",
];

/// Whether a username looks like a shared account's.
pub fn looks_shared(username: &str) -> bool {
    SHARED_LOOKING.contains(&username.to_lowercase().as_str())
}

/// Gap when anything is overdue, due soon when something comes due, done otherwise.
pub fn by_dates(overdue: usize, soon: usize) -> Standing {
    if overdue > 0 {
        Standing::Gap
    } else if soon > 0 {
        Standing::DueSoon
    } else {
        Standing::Done
    }
}

/// Every vendor that handles PHI has a BAA in force (164.502(e), 164.308(b)): the worst
/// vendor's standing; with no vendor recorded at all, a gap (every clinic has some).
pub fn vendors(any_recorded: bool, worst_of_phi_vendors: Option<Standing>) -> Standing {
    worst_of_phi_vendors.unwrap_or(if any_recorded { Standing::Done } else { Standing::Gap })
}

/// One account per person, each with its roles (164.312(a)(2)(i), 164.308(a)(4)).
pub fn accounts(without_roles: usize, shared_looking: usize) -> Standing {
    if without_roles == 0 && shared_looking == 0 {
        Standing::Done
    } else {
        Standing::Gap
    }
}

/// Two-step verification on every account that can see PHI (164.312(d)).
pub fn mfa(not_enrolled: usize) -> Standing {
    if not_enrolled == 0 {
        Standing::Done
    } else {
        Standing::Gap
    }
}

/// Automatic logoff (164.312(a)(2)(iii)).
pub fn logoff(idle_minutes: i64) -> Standing {
    if idle_minutes <= IDLE_MINUTES_AT_MOST {
        Standing::Done
    } else {
        Standing::DueSoon
    }
}

/// The audit trail's last verification (164.312(b), 164.312(c)(1)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditCheck {
    /// Intact and recent.
    Intact,
    /// The last verification found a changed or missing event.
    Broken,
    /// No verification recently.
    Stale,
}

impl AuditCheck {
    /// From the last verification: whether it found the trail intact and how long ago it ran.
    pub fn of(last: Option<(bool, Duration)>) -> AuditCheck {
        match last {
            Some((true, age)) if age <= VERIFY_FRESH => AuditCheck::Intact,
            Some((false, _)) => AuditCheck::Broken,
            _ => AuditCheck::Stale,
        }
    }

    pub fn standing(self) -> Standing {
        match self {
            AuditCheck::Intact => Standing::Done,
            AuditCheck::Broken | AuditCheck::Stale => Standing::Gap,
        }
    }
}

/// Monitoring findings reviewed (164.308(a)(1)(ii)(D)): a gap when one waits past
/// [`REVIEW_WITHIN`], due soon while any is open.
pub fn monitoring(open: usize, overdue: usize) -> Standing {
    if overdue > 0 {
        Standing::Gap
    } else if open == 0 {
        Standing::Done
    } else {
        Standing::DueSoon
    }
}

/// Policies adopted, reviewed and acknowledged (164.316, 164.530(i)).
pub fn policies(not_adopted: usize, review_overdue: usize, unacknowledged: usize, review_soon: bool) -> Standing {
    if not_adopted > 0 || review_overdue > 0 || unacknowledged > 0 {
        Standing::Gap
    } else if review_soon {
        Standing::DueSoon
    } else {
        Standing::Done
    }
}

/// The notice of privacy practices published, posted and acknowledged (164.520(c)).
pub fn notice(published: bool, posted_in_office: bool, patients_without_acknowledgement: i64) -> Standing {
    if !published || !posted_in_office || patients_without_acknowledgement > 0 {
        Standing::Gap
    } else {
        Standing::Done
    }
}

/// Incidents assessed and breach notices on time (164.404-164.410): an incident not yet
/// assessed is due soon, since its clock runs from discovery.
pub fn incidents(notices_overdue: usize, notices_soon: usize, not_assessed: usize) -> Standing {
    if notices_overdue > 0 {
        Standing::Gap
    } else if notices_soon > 0 || not_assessed > 0 {
        Standing::DueSoon
    } else {
        Standing::Done
    }
}

/// Backups and the restore drill (164.308(a)(7)(ii)(A), (D)): each the last run's outcome and
/// age. A missing or failed backup is a gap; a drill not done this week is due.
pub fn backups(last_backup: Option<(bool, Duration)>, last_drill: Option<(bool, Duration)>) -> Standing {
    let backup_ok = last_backup.is_some_and(|(ok, age)| ok && age <= BACKUP_WITHIN);
    let drill_ok = last_drill.is_some_and(|(ok, age)| ok && age <= DRILL_WITHIN);
    if !backup_ok {
        Standing::Gap
    } else if !drill_ok {
        Standing::DueSoon
    } else {
        Standing::Done
    }
}

/// Worst first: gaps, then what comes due, then what is done.
pub fn order(s: Standing) -> u8 {
    match s {
        Standing::Gap => 0,
        Standing::DueSoon => 1,
        Standing::Done => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Standing::{Done, DueSoon, Gap};

    #[test]
    fn shared_looking_names_are_desks_and_jobs() {
        // 164.312(a)(2)(i): a unique name for each user.
        for (name, shared) in [
            ("frontdesk", true),
            ("Admin", true),
            ("NURSE", true),
            ("psmith", false),
            ("drowner", false),
        ] {
            assert_eq!(looks_shared(name), shared, "{name}");
        }
    }

    #[test]
    fn dates_vendors_accounts_and_mfa() {
        // 164.308(a)(1)(ii)(B) remediation, 164.524(b)(2) requests: by their dates.
        for (overdue, soon, s) in [(0, 0, Done), (0, 2, DueSoon), (1, 0, Gap), (1, 5, Gap)] {
            assert_eq!(by_dates(overdue, soon), s);
        }
        // 164.308(b): no vendor recorded is a gap; a PHI vendor's BAA decides otherwise.
        for (any, worst, s) in [
            (false, None, Gap),
            (true, None, Done),
            (true, Some(DueSoon), DueSoon),
            (true, Some(Gap), Gap),
        ] {
            assert_eq!(vendors(any, worst), s);
        }
        // 164.312(a)(2)(i), 164.308(a)(4).
        for (roleless, shared, s) in [(0, 0, Done), (1, 0, Gap), (0, 1, Gap)] {
            assert_eq!(accounts(roleless, shared), s);
        }
        // 164.312(d).
        assert_eq!(mfa(0), Done);
        assert_eq!(mfa(2), Gap);
    }

    #[test]
    fn logoff_audit_and_monitoring() {
        // 164.312(a)(2)(iii).
        for (idle, s) in [(5, Done), (15, Done), (16, DueSoon), (60, DueSoon)] {
            assert_eq!(logoff(idle), s, "{idle} minutes");
        }
        // 164.312(b), 164.312(c)(1).
        for (last, check) in [
            (Some((true, Duration::hours(20))), AuditCheck::Intact),
            (Some((true, Duration::days(2))), AuditCheck::Intact),
            (Some((true, Duration::days(3))), AuditCheck::Stale),
            (Some((false, Duration::hours(1))), AuditCheck::Broken),
            (None, AuditCheck::Stale),
        ] {
            assert_eq!(AuditCheck::of(last), check, "{last:?}");
        }
        assert_eq!(AuditCheck::Intact.standing(), Done);
        assert_eq!(AuditCheck::Broken.standing(), Gap);
        // 164.308(a)(1)(ii)(D).
        for (open, overdue, s) in [(0, 0, Done), (2, 0, DueSoon), (2, 1, Gap)] {
            assert_eq!(monitoring(open, overdue), s);
        }
    }

    #[test]
    fn policies_notice_and_incidents() {
        // 164.316, 164.530(i).
        for (missing, overdue, unacked, soon, s) in [
            (0, 0, 0, false, Done),
            (0, 0, 0, true, DueSoon),
            (1, 0, 0, false, Gap),
            (0, 1, 0, true, Gap),
            (0, 0, 3, false, Gap),
        ] {
            assert_eq!(policies(missing, overdue, unacked, soon), s);
        }
        // 164.520(c).
        for (published, posted, without, s) in [
            (true, true, 0, Done),
            (false, true, 0, Gap),
            (true, false, 0, Gap),
            (true, true, 4, Gap),
        ] {
            assert_eq!(notice(published, posted, without), s);
        }
        // 164.404-164.410.
        for (overdue, soon, unassessed, s) in [(0, 0, 0, Done), (0, 0, 1, DueSoon), (0, 1, 0, DueSoon), (1, 0, 0, Gap)]
        {
            assert_eq!(incidents(overdue, soon, unassessed), s);
        }
    }

    #[test]
    fn backups_and_the_restore_drill() {
        // 164.308(a)(7)(ii)(A) a backup plan; (D) testing of the contingency plan.
        let fresh = Some((true, Duration::hours(10)));
        for (backup, drill, s) in [
            (fresh, Some((true, Duration::days(3))), Done),
            (fresh, Some((true, Duration::days(9))), DueSoon),
            (fresh, Some((false, Duration::days(1))), DueSoon),
            (fresh, None, DueSoon),
            (Some((true, Duration::hours(30))), Some((true, Duration::days(1))), Gap),
            (Some((false, Duration::hours(1))), Some((true, Duration::days(1))), Gap),
            (None, None, Gap),
        ] {
            assert_eq!(backups(backup, drill), s, "{backup:?} {drill:?}");
        }
        let mut all = [Done, Gap, DueSoon];
        all.sort_by_key(|s| order(*s));
        assert_eq!(all, [Gap, DueSoon, Done]);
    }
}
