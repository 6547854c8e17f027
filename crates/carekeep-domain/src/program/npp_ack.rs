//! Whether a patient acknowledged the Notice of Privacy Practices, from every place the
//! acknowledgment can be kept: signed at the clinic or a good-faith effort recorded by staff
//! (`npp_acks`), or acknowledged electronically in the portal (`portal_npp_acks`). A direct
//! treatment provider makes a good-faith effort to get a written acknowledgment of receipt, and
//! documents the effort when none is had (164.520(c)(2)(ii)); an electronic acknowledgment is a
//! written one. One rule reads them all, so the chart header, the dashboard's count and the
//! patient's copy agree.

use crate::zone::{us_dates, ClinicZone};
use time::OffsetDateTime;

/// How an acknowledgment was recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AckWay {
    /// Signed at the clinic, on paper; recorded by staff.
    Signed,
    /// No signature: the effort made, and why, recorded by staff.
    GoodFaith,
    /// Acknowledged by the patient (or their representative) in the portal.
    Portal,
}

impl AckWay {
    /// The stored kind (`signed`, `good_faith`, `portal`); anything else is not an
    /// acknowledgment (fail closed: the alert stays).
    pub fn parse(kind: &str) -> Option<AckWay> {
        match kind {
            "signed" => Some(AckWay::Signed),
            "good_faith" => Some(AckWay::GoodFaith),
            "portal" => Some(AckWay::Portal),
            _ => None,
        }
    }
}

/// One acknowledgment as kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ack {
    pub way: AckWay,
    /// The notice's version number.
    pub version: i64,
    pub at: OffsetDateTime,
}

/// The acknowledgment that stands for the chart: the newest of all, whichever table it came
/// from. `None`: not acknowledged, and the chart says so.
pub fn standing(acks: &[Ack]) -> Option<Ack> {
    acks.iter().copied().max_by_key(|a| a.at)
}

/// `2:30 PM`.
fn clock(t: OffsetDateTime) -> String {
    let (h, m) = (t.hour(), t.minute());
    let (twelve, half) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    format!("{twelve}:{m:02} {half}")
}

/// What staff read on the chart, in the clinic's zone: an electronic acknowledgment with its
/// time, distinct from one on paper and from a good-faith record.
pub fn words(ack: &Ack, zone: &ClinicZone) -> String {
    let local = zone.local(ack.at);
    let day = us_dates(&local.date().to_string());
    match ack.way {
        AckWay::Signed => format!("Acknowledged on paper on {day} (version {})", ack.version),
        AckWay::Portal => format!(
            "Acknowledged in the portal on {day} at {} (version {})",
            clock(local),
            ack.version
        ),
        AckWay::GoodFaith => format!("Good-faith effort recorded on {day} (version {})", ack.version),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn ack(way: AckWay, at: OffsetDateTime) -> Ack {
        Ack { way, version: 1, at }
    }

    #[test]
    fn the_newest_acknowledgment_stands_wherever_it_was_kept() {
        let paper = ack(AckWay::Signed, datetime!(2026-12-01 15:00 UTC));
        let portal = ack(AckWay::Portal, datetime!(2026-12-07 19:30 UTC));
        let effort = ack(AckWay::GoodFaith, datetime!(2026-11-20 15:00 UTC));
        let cases: [(&str, Vec<Ack>, Option<Ack>); 5] = [
            ("none kept: not acknowledged (164.520(c)(2)(ii))", vec![], None),
            ("on paper only", vec![paper], Some(paper)),
            ("in the portal only: counts as written", vec![portal], Some(portal)),
            ("portal after paper", vec![paper, portal], Some(portal)),
            ("paper after an effort", vec![effort, paper], Some(paper)),
        ];
        for (name, acks, want) in cases {
            assert_eq!(standing(&acks), want, "{name}");
        }
    }

    #[test]
    fn words_say_where_and_when_in_the_clinics_zone() {
        let zone = ClinicZone::named("America/New_York").unwrap();
        let cases = [
            (
                ack(AckWay::Portal, datetime!(2026-12-07 19:30 UTC)),
                "Acknowledged in the portal on 12/07/2026 at 2:30 PM (version 1)",
            ),
            (
                ack(AckWay::Portal, datetime!(2026-12-08 04:05 UTC)),
                "Acknowledged in the portal on 12/07/2026 at 11:05 PM (version 1)",
            ),
            (
                ack(AckWay::Signed, datetime!(2026-12-07 15:00 UTC)),
                "Acknowledged on paper on 12/07/2026 (version 1)",
            ),
            (
                ack(AckWay::GoodFaith, datetime!(2026-12-07 15:00 UTC)),
                "Good-faith effort recorded on 12/07/2026 (version 1)",
            ),
        ];
        for (a, want) in cases {
            assert_eq!(words(&a, &zone), want);
        }
    }

    #[test]
    fn an_unknown_kind_is_no_acknowledgment() {
        assert_eq!(AckWay::parse("portal"), Some(AckWay::Portal));
        assert_eq!(AckWay::parse("signed"), Some(AckWay::Signed));
        assert_eq!(AckWay::parse("good_faith"), Some(AckWay::GoodFaith));
        assert_eq!(AckWay::parse("verbal"), None);
    }
}
