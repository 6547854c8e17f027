//! Which backups to keep: the newest 7 daily, then one a week for 4 weeks, then one a month
//! for 12 months (the clinic's policy for its data backup plan, 164.308(a)(7)(ii)(A); the rule
//! sets no number).

use std::collections::BTreeSet;
use time::Date;

pub const DAILY: usize = 7;
pub const WEEKLY: usize = 4;
pub const MONTHLY: usize = 12;

/// The indexes of `dates` (one per backup, any order) to keep.
pub fn keep(dates: &[Date]) -> BTreeSet<usize> {
    let mut order: Vec<(usize, Date)> = dates.iter().copied().enumerate().collect();
    order.sort_by_key(|&(i, d)| (std::cmp::Reverse(d), i));
    let mut kept = BTreeSet::new();
    let (mut days, mut weeks, mut months) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    let (mut weekly, mut monthly) = (0, 0);
    for (i, d) in order {
        let week = (d.year(), d.iso_week());
        let month = (d.year(), d.month() as u8);
        let take = if days.len() < DAILY {
            days.insert(d)
        } else if weekly < WEEKLY && !weeks.contains(&week) {
            weekly += 1;
            true
        } else if monthly < MONTHLY && !months.contains(&month) {
            monthly += 1;
            true
        } else {
            false
        };
        if take {
            weeks.insert(week);
            months.insert(month);
            kept.insert(i);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::{macros::date, Duration};

    #[test]
    fn dailies_then_weeklies_then_monthlies() {
        // A backup every day for 400 days.
        let today = date!(2026 - 11 - 22);
        let dates: Vec<Date> = (0..400).map(|n| today - Duration::days(n)).collect();
        let kept: Vec<Date> = keep(&dates).into_iter().map(|i| dates[i]).collect();
        for n in 0..7 {
            assert!(kept.contains(&(today - Duration::days(n))), "day {n}");
        }
        assert!(kept.len() <= DAILY + WEEKLY + MONTHLY, "{}", kept.len());
        assert!(
            kept.iter().any(|d| *d < today - Duration::days(300)),
            "a monthly reaches back"
        );
        // Two backups on one day: one is kept among the dailies.
        let twice = [today, today, today - Duration::days(1)];
        assert_eq!(keep(&twice).len(), 2);
        assert!(keep(&[]).is_empty());
    }
}
