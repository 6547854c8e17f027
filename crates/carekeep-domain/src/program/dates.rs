//! Due dates and the status the dashboard shows for them.

use time::{Date, Duration, Month};

/// Where a program item stands today.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Missing or past due: a gap an auditor would cite.
    Gap,
    /// Done, but falls due within the warning window.
    DueSoon,
    Done,
}

impl Standing {
    pub fn label(self) -> &'static str {
        match self {
            Standing::Gap => "Gap",
            Standing::DueSoon => "Due soon",
            Standing::Done => "Done",
        }
    }

    /// The name pages and the API use (`gap`, `due_soon`, `done`).
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Gap => "gap",
            Standing::DueSoon => "due_soon",
            Standing::Done => "done",
        }
    }

    pub fn parse(s: &str) -> Option<Standing> {
        [Standing::Gap, Standing::DueSoon, Standing::Done]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// Days before a due date that an item shows as due soon (and reminders go out).
pub const WARN_DAYS: i64 = 30;

/// `date` plus `months` calendar months; a day past the end of the target month becomes its
/// last day (29 February 2028 + 12 months = 28 February 2029).
pub fn add_months(date: Date, months: i32) -> Date {
    let total = date.year() * 12 + i32::from(u8::from(date.month())) - 1 + months;
    let year = total.div_euclid(12);
    let month = Month::try_from(u8::try_from(total.rem_euclid(12) + 1).unwrap_or(1)).unwrap_or(Month::January);
    let last = month.length(year);
    Date::from_calendar_date(year, month, date.day().min(last)).unwrap_or(date)
}

/// The standing of something due on `due`: done until `WARN_DAYS` before, due soon until the
/// day itself (inclusive), a gap after.
pub fn standing(due: Date, today: Date) -> Standing {
    if today > due {
        Standing::Gap
    } else if due - today <= Duration::days(WARN_DAYS) {
        Standing::DueSoon
    } else {
        Standing::Done
    }
}

/// The home page's "this week": today and the six days after.
pub const THIS_WEEK_DAYS: i64 = 7;

/// Whether something due on `due` belongs on the compliance officer's list for this week:
/// `Some(true)` when already overdue, `Some(false)` when due today or in the six days after,
/// `None` when later.
pub fn this_week(due: Date, today: Date) -> Option<bool> {
    if due < today {
        Some(true)
    } else if due - today < Duration::days(THIS_WEEK_DAYS) {
        Some(false)
    } else {
        None
    }
}

/// Something done on `last` that must be redone every `months` months: when it falls due next,
/// and its standing today. Never done is a gap.
pub fn recurring(last: Option<Date>, months: i32, today: Date) -> (Option<Date>, Standing) {
    match last {
        None => (None, Standing::Gap),
        Some(d) => {
            let due = add_months(d, months);
            (Some(due), standing(due, today))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    /// The week's list: what is overdue and what falls due in the next seven days (training,
    /// 164.530(b); remediation, 164.308(a)(1)(ii)(B); requests, 164.524(b)(2); breach notices,
    /// 164.404(b)), each by its own date.
    #[test]
    fn what_falls_due_this_week() {
        let today = date!(2026 - 12 - 06);
        let cases = [
            (date!(2026 - 11 - 01), Some(true)),
            (date!(2026 - 12 - 05), Some(true)),
            (date!(2026 - 12 - 06), Some(false)),
            (date!(2026 - 12 - 12), Some(false)),
            (date!(2026 - 12 - 13), None),
            (date!(2027 - 01 - 01), None),
        ];
        for (due, want) in cases {
            assert_eq!(this_week(due, today), want, "{due}");
        }
    }

    #[test]
    fn months_clamp_to_the_end_of_the_month() {
        for (from, months, want) in [
            (date!(2028 - 02 - 29), 12, date!(2029 - 02 - 28)),
            (date!(2027 - 02 - 28), 12, date!(2028 - 02 - 28)),
            (date!(2026 - 01 - 31), 1, date!(2026 - 02 - 28)),
            (date!(2028 - 01 - 31), 1, date!(2028 - 02 - 29)),
            (date!(2026 - 11 - 22), 12, date!(2027 - 11 - 22)),
            (date!(2026 - 12 - 15), 1, date!(2027 - 01 - 15)),
            (date!(2026 - 03 - 31), -1, date!(2026 - 02 - 28)),
        ] {
            assert_eq!(add_months(from, months), want, "{from} + {months}");
        }
    }

    /// A yearly item (a policy review, 164.316(b)(2)(iii) "review documentation periodically";
    /// yearly is the clinic's policy): reviewed 366 days ago is overdue; 340 days ago is due soon.
    #[test]
    fn yearly_items() {
        let today = date!(2026 - 11 - 22);
        for (last, want) in [
            (None, Standing::Gap),
            (Some(today - Duration::days(366)), Standing::Gap),
            (Some(today - Duration::days(365)), Standing::DueSoon),
            (Some(today - Duration::days(340)), Standing::DueSoon),
            (Some(today - Duration::days(300)), Standing::Done),
            (Some(today), Standing::Done),
        ] {
            assert_eq!(recurring(last, 12, today).1, want, "{last:?}");
        }
    }
}
