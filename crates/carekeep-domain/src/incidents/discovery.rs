//! When a breach counts as discovered (164.404(a)(2)): the first day it is known to the clinic,
//! or would have been known with reasonable diligence. Knowledge of any workforce member or
//! agent counts, except the person who committed the breach.

use time::Date;

/// Someone who knew, and when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Knowledge {
    pub on: Date,
    /// The person who committed the breach: their knowledge is not the clinic's.
    pub wrongdoer: bool,
}

/// The discovery date: the earliest day anyone but the wrongdoer knew, or the day reasonable
/// diligence would have revealed it, whichever is first. `None` if nobody is on record yet.
pub fn discovered(known: &[Knowledge], diligence: Option<Date>) -> Option<Date> {
    known
        .iter()
        .filter(|k| !k.wrongdoer)
        .map(|k| k.on)
        .chain(diligence)
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    /// 164.404(a)(2): the day a workforce member knew, not the day the owner heard.
    #[test]
    fn the_first_day_anyone_knew() {
        let k = |on, wrongdoer| Knowledge { on, wrongdoer };
        let cases = [
            (
                vec![k(date!(2026 - 03 - 10), false), k(date!(2026 - 03 - 02), false)],
                None,
                Some(date!(2026 - 03 - 02)),
            ),
            // The snooping staff member knew first; their knowledge does not count.
            (
                vec![k(date!(2026 - 02 - 01), true), k(date!(2026 - 03 - 05), false)],
                None,
                Some(date!(2026 - 03 - 05)),
            ),
            // Reasonable diligence would have found it earlier.
            (
                vec![k(date!(2026 - 03 - 05), false)],
                Some(date!(2026 - 02 - 20)),
                Some(date!(2026 - 02 - 20)),
            ),
            (vec![], None, None),
        ];
        for (known, diligence, want) in cases {
            assert_eq!(discovered(&known, diligence), want, "{known:?} {diligence:?}");
        }
    }
}
