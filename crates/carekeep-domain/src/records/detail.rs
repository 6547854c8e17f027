//! The parts of a chart that records from other systems carry and the clinic's forms do not
//! ask for: whole names, identifiers, address parts, death, partial dates, coded concepts,
//! condition and medication status with their dates, allergy reactions, and the vital signs
//! beyond the form's seven. Kept so a record imported and exported again says what it said
//! (the designated record set, 164.501, is the record as received, not a summary of it).
//!
//! Every type reads back from rows written before it existed (`serde(default)`), so an old
//! chart opens unchanged.

use super::{invalid, Invalid};
use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// How much of a date was given: FHIR's `1980`, `1980-04` and `1980-04-23`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    #[default]
    Day,
    Month,
    Year,
}

impl Precision {
    pub fn is_day(&self) -> bool {
        *self == Precision::Day
    }
}

/// A FHIR `date` (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`) as the first day it can mean and how much
/// was given. The US `MM/DD/YYYY` is refused: FHIR has one date format, and guessing between
/// day-first and month-first would misfile a birth date.
pub fn fhir_date(s: &str) -> Result<(Date, Precision), Invalid> {
    let bad = || Invalid("a FHIR date looks like 1980, 1980-04 or 1980-04-23".into());
    let s = s.trim();
    let parts: Vec<&str> = s.split('-').collect();
    let num = |p: &str, len: usize| -> Result<u32, Invalid> {
        if p.len() != len || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        p.parse().map_err(|_| bad())
    };
    let (year, month, day, precision) = match parts.as_slice() {
        [y] => (num(y, 4)?, 1, 1, Precision::Year),
        [y, m] => (num(y, 4)?, num(m, 2)?, 1, Precision::Month),
        [y, m, d] => (num(y, 4)?, num(m, 2)?, num(d, 2)?, Precision::Day),
        _ => return Err(bad()),
    };
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or_else(bad)?;
    let year = i32::try_from(year).map_err(|_| bad())?;
    let day = u8::try_from(day).map_err(|_| bad())?;
    let date = Date::from_calendar_date(year, month, day).map_err(|_| bad())?;
    Ok((date, precision))
}

/// A date written back at the precision it was given.
pub fn fhir_date_text(d: Date, p: Precision) -> String {
    match p {
        Precision::Year => format!("{:04}", d.year()),
        Precision::Month => format!("{:04}-{:02}", d.year(), u8::from(d.month())),
        Precision::Day => d.to_string(),
    }
}

/// A person's name whole, as FHIR's HumanName holds it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PersonName {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub usage: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub prefix: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub given: Vec<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub family: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suffix: Vec<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub text: String,
}

impl PersonName {
    /// The name as written for people: its text, else its parts in order.
    pub fn display(&self) -> String {
        if !self.text.is_empty() {
            return self.text.clone();
        }
        self.prefix
            .iter()
            .chain(&self.given)
            .chain(std::iter::once(&self.family))
            .chain(&self.suffix)
            .filter(|s| !s.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The given and family names Carekeep files a chart under. A name given only as text
    /// (FHIR allows it) is filed whole as the given name, the family name left as the text
    /// too, so both searches find it and nothing is guessed about which word is which.
    pub fn filing(&self) -> Option<(String, String)> {
        let given = self.given.join(" ");
        match (
            given.trim().is_empty(),
            self.family.trim().is_empty(),
            self.text.trim().is_empty(),
        ) {
            (false, false, _) => Some((given, self.family.clone())),
            (true, false, _) => Some((self.family.clone(), self.family.clone())),
            (false, true, _) => Some((given.clone(), given)),
            (true, true, false) => Some((self.text.clone(), self.text.clone())),
            (true, true, true) => None,
        }
    }
}

/// An identifier another system gave the patient (a medical record number, a driver's
/// licence, a Social Security number, an insurance member id).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Identifier {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub system: String,
    pub value: String,
    /// The identifier's kind as a code of HL7 v2 table 0203 (MR, DL, SS, ...), if given.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub kind: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub kind_text: String,
}

/// Death, as FHIR says it: a flag, or a date or time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Deceased {
    Yes,
    /// The FHIR dateTime as given, at its precision.
    On(String),
}

/// An address in parts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AddressParts {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub usage: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub line: Vec<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub city: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub district: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub state: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub postal_code: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub country: String,
}

/// A code in a code system, as FHIR's Coding.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Coding {
    pub system: String,
    pub code: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub display: String,
}

/// A coded concept: codes in their systems, and words (FHIR's CodeableConcept).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Concept {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub codings: Vec<Coding>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub text: String,
}

impl Concept {
    /// Its words: the text, else the first display, else the first code.
    pub fn words(&self) -> String {
        if !self.text.is_empty() {
            return self.text.clone();
        }
        self.codings
            .iter()
            .find_map(|c| (!c.display.is_empty()).then(|| c.display.clone()))
            .or_else(|| self.codings.first().map(|c| c.code.clone()))
            .unwrap_or_default()
    }
}

/// The visit a note was written at, as another system recorded it: its class (ambulatory,
/// inpatient, emergency, virtual: HL7 v3 ActCode), type, period and reason.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EncounterDetail {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub status: String,
    pub class: Coding,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<Concept>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub start: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub end: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<Concept>,
}

impl EncounterDetail {
    /// One line for the note's heading: `inpatient · Admission · 2020-01-02 to 2020-01-05 ·
    /// reason: Pneumonia`.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        let class = if self.class.display.is_empty() {
            &self.class.code
        } else {
            &self.class.display
        };
        if !class.is_empty() {
            parts.push(class.clone());
        }
        parts.extend(self.types.iter().map(Concept::words).filter(|w| !w.is_empty()));
        match (self.start.is_empty(), self.end.is_empty()) {
            (false, false) => parts.push(format!("{} to {}", self.start, self.end)),
            (false, true) => parts.push(format!("from {}", self.start)),
            _ => {}
        }
        let reasons: Vec<String> = self
            .reasons
            .iter()
            .map(Concept::words)
            .filter(|w| !w.is_empty())
            .collect();
        if !reasons.is_empty() {
            parts.push(format!("reason: {}", reasons.join(", ")));
        }
        parts.join(" · ")
    }
}

/// One reaction to an allergen.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Reaction {
    pub manifestation: Vec<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub severity: String,
}

/// What a diagnosis, medication or allergy carries beyond the form's fields. The words
/// mean what FHIR's do: `status` is a Condition's or AllergyIntolerance's clinical status or
/// a medication's status; `start`/`end` are onset/abatement or the medication's period, as
/// FHIR dateTimes at the precision given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EntryDetail {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub status: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub verification: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub start: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub end: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub codings: Vec<Coding>,
    /// A Condition's or AllergyIntolerance's category code (problem-list-item, food, ...).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub category: String,
    /// An AllergyIntolerance's type: allergy or intolerance.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub allergy_type: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub criticality: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<Reaction>,
    #[serde(skip_serializing_if = "MoreVitals::is_empty")]
    pub vitals: MoreVitals,
}

impl EntryDetail {
    pub fn is_empty(&self) -> bool {
        *self == EntryDetail::default()
    }

    /// Checks the statuses against FHIR's value sets, so an export cannot carry a code the
    /// receiving system would refuse.
    pub fn check(self, kind: &str) -> Result<Self, Invalid> {
        let allowed: &[&str] = match kind {
            "diagnosis" => &["active", "recurrence", "relapse", "inactive", "remission", "resolved"],
            "allergy" => &["active", "inactive", "resolved"],
            "medication" => &[
                "active",
                "completed",
                "entered-in-error",
                "intended",
                "stopped",
                "on-hold",
                "unknown",
                "not-taken",
            ],
            _ => &[],
        };
        if !self.status.is_empty() && !allowed.contains(&self.status.as_str()) {
            return invalid(format!("a {kind} status must be one of {}", allowed.join(", ")));
        }
        if !["", "low", "high", "unable-to-assess"].contains(&self.criticality.as_str()) {
            return invalid("criticality is low, high or unable-to-assess");
        }
        if self
            .reactions
            .iter()
            .any(|r| !["", "mild", "moderate", "severe"].contains(&r.severity.as_str()))
        {
            return invalid("a reaction's severity is mild, moderate or severe");
        }
        Ok(Self {
            vitals: self.vitals.check()?,
            ..self
        })
    }

    /// A few words for the chart: status and dates (`resolved, 2015-03 to 2016`).
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if !self.status.is_empty() {
            parts.push(self.status.clone());
        }
        if !self.verification.is_empty() && self.verification != "confirmed" {
            parts.push(self.verification.clone());
        }
        if !self.criticality.is_empty() {
            parts.push(format!("criticality {}", self.criticality));
        }
        match (self.start.is_empty(), self.end.is_empty()) {
            (false, false) => parts.push(format!("{} to {}", short(&self.start), short(&self.end))),
            (false, true) => parts.push(format!("since {}", short(&self.start))),
            (true, false) => parts.push(format!("until {}", short(&self.end))),
            (true, true) => {}
        }
        for r in self.reactions.iter().skip(1) {
            let mut s = r.manifestation.join(", ");
            if !r.severity.is_empty() {
                s.push_str(&format!(" ({})", r.severity));
            }
            parts.push(s);
        }
        let more = self.vitals.summary();
        if !more.is_empty() {
            parts.push(more);
        }
        parts.join("; ")
    }
}

/// A dateTime's date part, for the chart's one-line summaries.
fn short(s: &str) -> &str {
    s.get(..10).unwrap_or(s)
}

/// The R4 vital-signs profile's members the form does not ask for
/// (http://hl7.org/fhir/R4/observation-vitalsigns.html).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MoreVitals {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub respiratory_rate: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bmi: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head_circumference_cm: Option<f32>,
}

impl Eq for MoreVitals {}

impl MoreVitals {
    pub fn is_empty(&self) -> bool {
        *self == MoreVitals::default()
    }

    /// Physiological extremes, as for the form's vitals: a typo is refused, a worrying
    /// value is kept.
    pub fn check(self) -> Result<Self, Invalid> {
        if let Some(r) = self.respiratory_rate {
            if !(1..=150).contains(&r) {
                return invalid("respiratory rate must be between 1 and 150 breaths per minute");
            }
        }
        for (label, v, lo, hi) in [
            ("BMI", self.bmi, 5.0, 150.0),
            ("head circumference", self.head_circumference_cm, 10.0, 100.0),
        ] {
            if let Some(x) = v {
                if !x.is_finite() || !(lo..=hi).contains(&x) {
                    return invalid(format!("{label} must be between {lo} and {hi}"));
                }
            }
        }
        Ok(self)
    }

    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Some(r) = self.respiratory_rate {
            parts.push(format!("resp {r}/min"));
        }
        if let Some(b) = self.bmi {
            parts.push(format!("BMI {b:.1}"));
        }
        if let Some(h) = self.head_circumference_cm {
            parts.push(format!("head {h:.1} cm"));
        }
        parts.join(", ")
    }
}

/// What the incoming patient shares with one already in the clinic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Match {
    /// The same identifier: same system and value.
    Identifier,
    /// Same name, birth date and sex, with a phone, email or identifier value in common.
    Demographics,
}

/// The facts matching compares, from either side.
#[derive(Clone, Debug, Default)]
pub struct MatchFacts<'a> {
    pub given: &'a str,
    pub family: &'a str,
    pub birth: Option<Date>,
    /// Administrative sex as its word (female, male, other, unknown).
    pub sex: &'a str,
    pub identifiers: &'a [Identifier],
    pub phone: &'a str,
    pub email: &'a str,
}

fn fold(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Whether two patients are the same person. Name, birth date and sex alone are shared by
/// strangers often enough in a town that a confirming detail is required; an identifier
/// with its system is enough alone, since a system's values are unique within it.
pub fn same_patient(a: &MatchFacts<'_>, b: &MatchFacts<'_>) -> Option<Match> {
    let ids = |x: &MatchFacts<'_>| {
        x.identifiers
            .iter()
            .filter(|i| !i.system.is_empty() && !i.value.is_empty())
            .map(|i| (i.system.clone(), i.value.clone()))
            .collect::<Vec<_>>()
    };
    let (ia, ib) = (ids(a), ids(b));
    if ia.iter().any(|x| ib.contains(x)) {
        return Some(Match::Identifier);
    }
    let demographics = !a.family.trim().is_empty()
        && fold(a.given) == fold(b.given)
        && fold(a.family) == fold(b.family)
        && a.birth.is_some()
        && a.birth == b.birth
        && a.sex == b.sex;
    if !demographics {
        return None;
    }
    let values = |x: &MatchFacts<'_>| x.identifiers.iter().map(|i| i.value.clone()).collect::<Vec<_>>();
    let confirmed = (!a.phone.is_empty() && a.phone == b.phone)
        || (!a.email.is_empty() && a.email.eq_ignore_ascii_case(b.email))
        || values(a).iter().any(|v| !v.is_empty() && values(b).contains(v));
    confirmed.then_some(Match::Demographics)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn fhir_dates_keep_their_precision_and_refuse_other_formats() {
        let cases: [(&str, Option<(Date, Precision)>); 8] = [
            ("1980", Some((date!(1980 - 01 - 01), Precision::Year))),
            ("1980-04", Some((date!(1980 - 04 - 01), Precision::Month))),
            ("1980-04-23", Some((date!(1980 - 04 - 23), Precision::Day))),
            ("04/23/1980", None),
            ("1980-4-23", None),
            ("1980-13", None),
            ("1981-02-29", None),
            ("80", None),
        ];
        for (s, want) in cases {
            assert_eq!(fhir_date(s).ok(), want, "{s}");
            if let Some((d, p)) = want {
                assert_eq!(fhir_date_text(d, p), s);
            }
        }
    }

    #[test]
    fn names_file_whole_and_text_only_names_are_kept() {
        let full = PersonName {
            usage: "official".into(),
            prefix: vec!["Dr.".into()],
            given: vec!["Mary".into(), "Ann".into()],
            family: "Lee".into(),
            suffix: vec!["PhD".into()],
            text: String::new(),
        };
        assert_eq!(full.display(), "Dr. Mary Ann Lee PhD");
        assert_eq!(full.filing(), Some(("Mary Ann".into(), "Lee".into())));
        let text = PersonName {
            text: "Sunil".into(),
            ..PersonName::default()
        };
        assert_eq!(text.filing(), Some(("Sunil".into(), "Sunil".into())));
        assert_eq!(PersonName::default().filing(), None);
    }

    #[test]
    fn statuses_come_from_fhirs_value_sets() {
        let d = |status: &str| EntryDetail {
            status: status.into(),
            ..EntryDetail::default()
        };
        assert!(d("resolved").check("diagnosis").is_ok());
        assert!(d("stopped").check("medication").is_ok());
        assert!(d("stopped").check("diagnosis").is_err());
        assert!(d("cured").check("allergy").is_err());
        let crit = EntryDetail {
            criticality: "extreme".into(),
            ..EntryDetail::default()
        };
        assert!(crit.check("allergy").is_err());
        let rr = |r: u16| EntryDetail {
            vitals: MoreVitals {
                respiratory_rate: Some(r),
                ..MoreVitals::default()
            },
            ..EntryDetail::default()
        };
        assert!(rr(16).check("vitals").is_ok());
        assert!(rr(0).check("vitals").is_err());
    }

    #[test]
    fn matching_needs_an_identifier_or_demographics_with_a_confirming_detail() {
        let mrn = [Identifier {
            system: "urn:x".into(),
            value: "42".into(),
            ..Identifier::default()
        }];
        let other_mrn = [Identifier {
            system: "urn:y".into(),
            value: "42".into(),
            ..Identifier::default()
        }];
        let base = MatchFacts {
            given: "Mary Ann",
            family: "Lee",
            birth: Some(date!(1980 - 04 - 23)),
            sex: "female",
            ..MatchFacts::default()
        };
        let cases = [
            // (incoming, existing, answer)
            (
                MatchFacts {
                    identifiers: &mrn,
                    given: "X",
                    ..base.clone()
                },
                MatchFacts {
                    identifiers: &mrn,
                    ..base.clone()
                },
                Some(Match::Identifier),
            ),
            (base.clone(), base.clone(), None),
            (
                MatchFacts {
                    phone: "5551234567",
                    ..base.clone()
                },
                MatchFacts {
                    phone: "5551234567",
                    given: "mary  ann",
                    ..base.clone()
                },
                Some(Match::Demographics),
            ),
            (
                MatchFacts {
                    identifiers: &mrn,
                    ..base.clone()
                },
                MatchFacts {
                    identifiers: &other_mrn,
                    ..base.clone()
                },
                Some(Match::Demographics),
            ),
            (
                MatchFacts {
                    phone: "5551234567",
                    ..base.clone()
                },
                MatchFacts {
                    phone: "5551234567",
                    sex: "male",
                    ..base.clone()
                },
                None,
            ),
            (
                MatchFacts {
                    email: "a@b.c",
                    ..base.clone()
                },
                MatchFacts {
                    email: "A@B.C",
                    birth: Some(date!(1980 - 04 - 24)),
                    ..base.clone()
                },
                None,
            ),
        ];
        for (n, (a, b, want)) in cases.iter().enumerate() {
            assert_eq!(same_patient(a, b), *want, "case {n}");
        }
    }
}
