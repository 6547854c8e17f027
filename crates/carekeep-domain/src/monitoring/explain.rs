//! A finding told as a sentence a person can act on: who did what, to whose record, when on
//! the clinic's clock, and why that was flagged. The information system activity review
//! (164.308(a)(1)(ii)(D)) is done by people; event numbers alone do not tell them what to look
//! at. Pure: the names and the clinic-local times come in.

use super::{ClinicHours, Rule, Settings};
use time::{Date, OffsetDateTime, Weekday};

/// What a sentence about one finding needs.
#[derive(Clone, Debug)]
pub struct Facts<'a> {
    pub rule: Rule,
    /// The person who acted, by name.
    pub who: &'a str,
    /// When the events behind the finding happened, already on the clinic's clock.
    pub times: &'a [OffsetDateTime],
    /// The patients the events name, in words, each once.
    pub patients: &'a [String],
    pub settings: &'a Settings,
}

/// Why a finding waits: the review is the record that someone looked (164.308(a)(1)(ii)(D)).
pub const REVIEW_NEEDED: &str = "Not reviewed yet. Write what you found (who you asked, why the access happened, what was done about it): the note is the record that this activity was reviewed (45 CFR 164.308(a)(1)(ii)(D)), so a review without one is not accepted.";

/// The words for a finding reviewed before notes were required.
pub const NO_NOTE: &str =
    "Marked reviewed without a note (before notes were required): nothing records what was found.";

/// `2:30 PM`.
pub fn clock(t: OffsetDateTime) -> String {
    let (h, m) = (t.hour(), t.minute());
    let (twelve, half) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    format!("{twelve}:{m:02} {half}")
}

/// `Tuesday, 12/01/2026`.
pub fn day(d: Date) -> String {
    format!(
        "{}, {:02}/{:02}/{}",
        d.weekday(),
        u8::from(d.month()),
        d.day(),
        d.year()
    )
}

/// "at 2:30 PM on Tuesday, 12/01/2026", "between ... and ... on ...", or "from ... to ...".
fn span(times: &[OffsetDateTime]) -> String {
    let (Some(first), Some(last)) = (times.iter().min(), times.iter().max()) else {
        return String::new();
    };
    if first.date() != last.date() {
        return format!(
            "from {} on {} to {} on {}",
            clock(*first),
            day(first.date()),
            clock(*last),
            day(last.date())
        );
    }
    if clock(*first) == clock(*last) {
        format!("at {} on {}", clock(*first), day(first.date()))
    } else {
        format!(
            "between {} and {} on {}",
            clock(*first),
            clock(*last),
            day(first.date())
        )
    }
}

/// "Monday to Friday", or the days listed.
fn days_open(days: &[Weekday]) -> String {
    let mut nums: Vec<u8> = days.iter().map(|d| d.number_days_from_monday()).collect();
    nums.sort_unstable();
    nums.dedup();
    let contiguous = nums
        .windows(2)
        .all(|w| w.get(1).zip(w.first()).is_some_and(|(b, a)| b - a == 1));
    let name = |n: u8| {
        days.iter()
            .find(|d| d.number_days_from_monday() == n)
            .map_or_else(String::new, |d| d.to_string())
    };
    match (nums.first(), nums.last()) {
        (Some(a), Some(b)) if contiguous && a != b => format!("{} to {}", name(*a), name(*b)),
        _ => nums.iter().map(|n| name(*n)).collect::<Vec<_>>().join(", "),
    }
}

/// `7:00 AM to 7:00 PM`, from whole hours.
fn hours_open(h: &ClinicHours) -> String {
    let hour = |n: u8| match n {
        0 | 24 => "midnight".to_owned(),
        12 => "noon".to_owned(),
        1..=11 => format!("{n}:00 AM"),
        _ => format!("{}:00 PM", n - 12),
    };
    format!("{} to {}", hour(h.open_hour), hour(h.close_hour))
}

fn times_word(n: usize) -> String {
    if n == 1 {
        "once".into()
    } else {
        format!("{n} times")
    }
}

/// The patient named, or "a patient" when the reader may not see names.
fn whose(patients: &[String]) -> &str {
    patients.first().map_or("a patient", String::as_str)
}

/// The sentence for one finding.
pub fn explain(f: &Facts<'_>) -> String {
    let who = f.who;
    let when = span(f.times);
    let n = f.times.len();
    match f.rule {
        Rule::BulkLookup => format!(
            "{who} opened the records of {} different patients {when}. More than {} in one hour is more than one person's work usually needs: ask what the lookups were for.",
            f.patients.len(),
            f.settings.max_charts_per_hour
        ),
        Rule::AfterHours => format!(
            "{who} opened patient information {} {when}, while the clinic was closed (open {}, {}). Ask whether the work was expected at that hour.",
            times_word(n),
            days_open(&f.settings.hours.days),
            hours_open(&f.settings.hours)
        ),
        Rule::DisabledAccount => format!(
            "{who}'s account was used {when}, after it had been disabled. Find out who used it; the account should not be able to act at all."
        ),
        Rule::BreakGlass => format!(
            "{who} used emergency access (break glass) to open {}'s restricted chart {when}. Check the reason given and that a visit, call or note explains the emergency.",
            whose(f.patients)
        ),
        Rule::NoCareRelationship => {
            let p = whose(f.patients);
            format!(
                "{who} opened {p}'s chart {} {when}, and {p} had no appointment or visit within 30 days either side. Ask why the chart was needed."
                , times_word(n)
            )
        }
        Rule::SameSurname => {
            let p = whose(f.patients);
            format!(
                "{who} opened the record of {p}, who has the same surname, {} {when}. Check whether this is a relative or the person's own record, which staff should not open for themselves."
                , times_word(n)
            )
        }
        Rule::SelfEscalation => format!(
            "{who} changed their own access (their roles, or a role they hold) {when}. Another person should confirm the change was approved."
        ),
    }
}

/// The clinic day a finding belongs to: the day of its first event on the clinic's clock.
pub fn day_of(times: &[OffsetDateTime]) -> Option<Date> {
    times.iter().min().map(|t| t.date())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zone::ClinicZone;
    use time::macros::datetime;

    fn settings() -> Settings {
        Settings {
            hours: ClinicHours {
                zone: ClinicZone::named("America/Chicago").unwrap(),
                ..ClinicHours::default()
            },
            max_charts_per_hour: 30,
        }
    }

    /// Each rule's sentence names the person, the patient and the clinic's wall-clock times
    /// (164.308(a)(1)(ii)(D): a review a person can act on).
    #[test]
    fn each_rule_reads_as_a_sentence() {
        let s = settings();
        let night = [datetime!(2026-12-01 23:05 -6), datetime!(2026-12-01 23:39 -6)];
        let once = [datetime!(2026-12-02 10:20 -6)];
        let two_days = [datetime!(2026-12-02 10:20 -6), datetime!(2026-12-03 9:05 -6)];
        let edith = vec!["Edith Nurse".to_owned()];
        let many: Vec<String> = (0..35).map(|i| format!("P{i}")).collect();
        let cases: [(Rule, &[OffsetDateTime], &[String], &str); 8] = [
            (
                Rule::BulkLookup,
                &night,
                &many,
                "Nora Nurse opened the records of 35 different patients between 11:05 PM and 11:39 PM on Tuesday, 12/01/2026. More than 30 in one hour",
            ),
            (
                Rule::AfterHours,
                &night,
                &many,
                "Nora Nurse opened patient information 2 times between 11:05 PM and 11:39 PM on Tuesday, 12/01/2026, while the clinic was closed (open Monday to Friday, 7:00 AM to 7:00 PM).",
            ),
            (
                Rule::NoCareRelationship,
                &once,
                &edith,
                "Nora Nurse opened Edith Nurse's chart once at 10:20 AM on Wednesday, 12/02/2026, and Edith Nurse had no appointment or visit within 30 days either side.",
            ),
            (
                Rule::SameSurname,
                &two_days,
                &edith,
                "Nora Nurse opened the record of Edith Nurse, who has the same surname, 2 times from 10:20 AM on Wednesday, 12/02/2026 to 9:05 AM on Thursday, 12/03/2026.",
            ),
            (
                Rule::BreakGlass,
                &once,
                &edith,
                "Nora Nurse used emergency access (break glass) to open Edith Nurse's restricted chart at 10:20 AM",
            ),
            (
                Rule::BreakGlass,
                &once,
                &[],
                "to open a patient's restricted chart",
            ),
            (
                Rule::DisabledAccount,
                &once,
                &[],
                "Nora Nurse's account was used at 10:20 AM on Wednesday, 12/02/2026, after it had been disabled.",
            ),
            (
                Rule::SelfEscalation,
                &once,
                &[],
                "Nora Nurse changed their own access (their roles, or a role they hold) at 10:20 AM",
            ),
        ];
        for (rule, times, patients, want) in cases {
            let got = explain(&Facts {
                rule,
                who: "Nora Nurse",
                times,
                patients,
                settings: &s,
            });
            assert!(got.contains(want), "{rule:?}: {got}");
            assert!(!got.contains("T23") && !got.contains("UTC"), "{got}");
        }
    }

    #[test]
    fn opening_days_and_hours_in_words() {
        use Weekday::*;
        let cases: [(&[Weekday], &str); 3] = [
            (&[Monday, Tuesday, Wednesday, Thursday, Friday], "Monday to Friday"),
            (&[Monday, Wednesday, Friday], "Monday, Wednesday, Friday"),
            (&[Saturday], "Saturday"),
        ];
        for (days, want) in cases {
            assert_eq!(days_open(days), want);
        }
        let h = ClinicHours {
            open_hour: 8,
            close_hour: 12,
            ..ClinicHours::default()
        };
        assert_eq!(hours_open(&h), "8:00 AM to noon");
        assert_eq!(clock(datetime!(2026-12-06 0:15 UTC)), "12:15 AM");
        assert_eq!(day_of(&[]), None);
        assert_eq!(
            day_of(&[datetime!(2026-12-06 9:00 -6), datetime!(2026-12-05 23:00 -6)]),
            Some(time::macros::date!(2026 - 12 - 05))
        );
    }
}
