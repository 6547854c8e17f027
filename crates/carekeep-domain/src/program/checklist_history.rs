//! The dashboard at a glance: how many of the checklist's items are done ("12 of 15 done"),
//! and its history since the clinic started its program, week by week. The standard asks for
//! a security management process that is kept up (164.308(a)(1)(i)) and for periodic
//! evaluation (164.308(a)(8)); a week-by-week count of the gaps shows whether the clinic's
//! program is closing them. Pure: the app records one tally a day and hands them in.

use super::dates::Standing;
use time::{Date, Duration};

/// The checklist's standings counted: what the dashboard's headline and its history show.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub done: u32,
    pub due_soon: u32,
    pub gaps: u32,
}

impl Tally {
    /// Counts standings.
    pub fn of(standings: impl IntoIterator<Item = Standing>) -> Tally {
        let mut t = Tally::default();
        for s in standings {
            match s {
                Standing::Done => t.done += 1,
                Standing::DueSoon => t.due_soon += 1,
                Standing::Gap => t.gaps += 1,
            }
        }
        t
    }

    pub fn total(self) -> u32 {
        self.done + self.due_soon + self.gaps
    }

    /// The headline: `12 of 15 done`.
    pub fn headline(self) -> String {
        format!("{} of {} done", self.done, self.total())
    }

    /// The rest of it in words: `2 due soon, 1 gap`, or `nothing left to do`.
    pub fn rest(self) -> String {
        let mut parts = Vec::new();
        if self.due_soon > 0 {
            parts.push(format!("{} due soon", self.due_soon));
        }
        if self.gaps > 0 {
            parts.push(format!("{} gap{}", self.gaps, if self.gaps == 1 { "" } else { "s" }));
        }
        if parts.is_empty() {
            "nothing left to do".to_owned()
        } else {
            parts.join(", ")
        }
    }
}

/// One week of the history: the week's first day and the last tally recorded in it (`None`:
/// nothing was recorded that week, shown as such rather than guessed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Week {
    pub starts: Date,
    pub tally: Option<Tally>,
}

/// The most weeks the picture shows; older weeks are summed up by the earliest shown.
pub const MAX_WEEKS: usize = 26;

/// Week by week from the program's start to today (weeks begin on the start's weekday, so
/// the first week is the clinic's first), each with the latest tally recorded in it; at most
/// the last `MAX_WEEKS`. `days` are daily tallies in any order; days outside the span are
/// ignored.
pub fn weekly(days: &[(Date, Tally)], start: Date, today: Date) -> Vec<Week> {
    if today < start {
        return Vec::new();
    }
    let count = usize::try_from((today - start).whole_days() / 7).unwrap_or(0) + 1;
    let mut weeks: Vec<Week> = (0..count)
        .map(|i| Week {
            starts: start + Duration::days(7 * i64::try_from(i).unwrap_or(0)),
            tally: None,
        })
        .collect();
    let mut latest: Vec<Option<Date>> = vec![None; count];
    for (day, tally) in days {
        if *day < start || *day > today {
            continue;
        }
        let i = usize::try_from((*day - start).whole_days() / 7).unwrap_or(0);
        if let (Some(w), Some(l)) = (weeks.get_mut(i), latest.get_mut(i)) {
            if l.is_none_or(|seen| *day >= seen) {
                *l = Some(*day);
                w.tally = Some(*tally);
            }
        }
    }
    let skip = weeks.len().saturating_sub(MAX_WEEKS);
    weeks.split_off(skip)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn t(done: u32, due_soon: u32, gaps: u32) -> Tally {
        Tally { done, due_soon, gaps }
    }

    #[test]
    fn headline_in_words() {
        let cases = [
            (vec![Standing::Done; 12], "12 of 12 done", "nothing left to do"),
            (
                vec![Standing::Done, Standing::Gap, Standing::DueSoon, Standing::Gap],
                "1 of 4 done",
                "1 due soon, 2 gaps",
            ),
            (vec![Standing::Gap], "0 of 1 done", "1 gap"),
        ];
        for (standings, head, rest) in cases {
            let tally = Tally::of(standings);
            assert_eq!(tally.headline(), head);
            assert_eq!(tally.rest(), rest);
        }
    }

    /// 164.308(a)(1)(i), (a)(8): the history is what was recorded, week by week since the
    /// program's start; a week with no record stays empty.
    #[test]
    fn weeks_since_the_start() {
        let start = date!(2026 - 11 - 01);
        let days = [
            (date!(2026 - 11 - 01), t(3, 2, 10)),
            (date!(2026 - 11 - 03), t(6, 2, 7)),
            // Recorded out of order: the later day of the week wins.
            (date!(2026 - 11 - 02), t(4, 2, 9)),
            // Nothing in the week of 11/08.
            (date!(2026 - 11 - 16), t(10, 3, 2)),
            (date!(2026 - 11 - 22), t(12, 1, 2)),
            // Before the start and after today: ignored.
            (date!(2026 - 10 - 30), t(0, 0, 15)),
            (date!(2026 - 12 - 30), t(15, 0, 0)),
        ];
        let got = weekly(&days, start, date!(2026 - 11 - 23));
        let want = vec![
            Week {
                starts: date!(2026 - 11 - 01),
                tally: Some(t(6, 2, 7)),
            },
            Week {
                starts: date!(2026 - 11 - 08),
                tally: None,
            },
            Week {
                starts: date!(2026 - 11 - 15),
                tally: Some(t(10, 3, 2)),
            },
            Week {
                starts: date!(2026 - 11 - 22),
                tally: Some(t(12, 1, 2)),
            },
        ];
        assert_eq!(got, want);
        assert!(
            weekly(&days, start, date!(2026 - 10 - 01)).is_empty(),
            "before the start"
        );
        assert_eq!(weekly(&[], start, start).len(), 1, "the first day is the first week");
    }

    #[test]
    fn at_most_half_a_year_of_weeks() {
        let start = date!(2025 - 01 - 01);
        let today = date!(2026 - 12 - 06);
        let days = [(today, t(1, 0, 0))];
        let got = weekly(&days, start, today);
        assert_eq!(got.len(), MAX_WEEKS);
        assert_eq!(
            got.last().map(|w| w.tally),
            Some(Some(t(1, 0, 0))),
            "the newest week is kept"
        );
        assert!(got
            .last()
            .is_some_and(|w| w.starts <= today && today - w.starts < Duration::days(7)));
    }
}
