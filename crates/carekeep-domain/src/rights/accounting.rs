//! The accounting of disclosures (164.528). Every disclosure is logged; the accounting lists
//! those not exempt under 164.528(a)(1)(i)-(ix), made in the six years before the request or
//! a shorter period the patient chooses (164.528(a)(1), (a)(3)). Repeated disclosures to one
//! recipient for one purpose under 164.512 or to HHS are summarised: the first in full, the
//! number, the last date (164.528(b)(3)). The first accounting in any 12 months is free
//! (164.528(c)(2)).

use time::{Date, Month};

/// Why a disclosure was made, as the accounting sorts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    // Exempt (164.528(a)(1)(i)-(ix)).
    TreatmentPaymentOperations,
    ToTheIndividual,
    Incidental,
    Authorization,
    DirectoryOrInvolvedPersons,
    NationalSecurity,
    CorrectionalCustody,
    LimitedDataSet,
    BeforeComplianceDate,
    // Accountable: 164.512 and the rest.
    PublicHealth,
    HealthOversight,
    JudicialOrAdministrative,
    LawEnforcement,
    Research,
    ToHhs,
    /// A disclosure the rule did not permit, found by an incident. Listing it is our
    /// inference from the exemptions (no exemption covers it); UNVERIFIED as an HHS position.
    Impermissible,
    OtherRequiredByLaw,
}

impl Basis {
    pub const ALL: [Basis; 17] = [
        Basis::TreatmentPaymentOperations,
        Basis::ToTheIndividual,
        Basis::Incidental,
        Basis::Authorization,
        Basis::DirectoryOrInvolvedPersons,
        Basis::NationalSecurity,
        Basis::CorrectionalCustody,
        Basis::LimitedDataSet,
        Basis::BeforeComplianceDate,
        Basis::PublicHealth,
        Basis::HealthOversight,
        Basis::JudicialOrAdministrative,
        Basis::LawEnforcement,
        Basis::Research,
        Basis::ToHhs,
        Basis::Impermissible,
        Basis::OtherRequiredByLaw,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Basis::TreatmentPaymentOperations => "tpo",
            Basis::ToTheIndividual => "to_individual",
            Basis::Incidental => "incidental",
            Basis::Authorization => "authorization",
            Basis::DirectoryOrInvolvedPersons => "directory_or_involved",
            Basis::NationalSecurity => "national_security",
            Basis::CorrectionalCustody => "correctional_custody",
            Basis::LimitedDataSet => "limited_data_set",
            Basis::BeforeComplianceDate => "before_compliance_date",
            Basis::PublicHealth => "public_health",
            Basis::HealthOversight => "health_oversight",
            Basis::JudicialOrAdministrative => "judicial",
            Basis::LawEnforcement => "law_enforcement",
            Basis::Research => "research",
            Basis::ToHhs => "hhs",
            Basis::Impermissible => "impermissible",
            Basis::OtherRequiredByLaw => "required_by_law",
        }
    }

    /// The basis in words, for people (the pages); the code stays in exports.
    pub fn words(self) -> &'static str {
        match self {
            Basis::TreatmentPaymentOperations => "Treatment, payment or operations",
            Basis::ToTheIndividual => "To the patient",
            Basis::Incidental => "Incidental",
            Basis::Authorization => "Under an authorization",
            Basis::DirectoryOrInvolvedPersons => "Directory or people involved in care",
            Basis::NationalSecurity => "National security",
            Basis::CorrectionalCustody => "Correctional or custody",
            Basis::LimitedDataSet => "Limited data set",
            Basis::BeforeComplianceDate => "Before the compliance date",
            Basis::PublicHealth => "Public health",
            Basis::HealthOversight => "Health oversight",
            Basis::JudicialOrAdministrative => "Court or administrative order",
            Basis::LawEnforcement => "Law enforcement",
            Basis::Research => "Research without authorization",
            Basis::ToHhs => "To HHS",
            Basis::Impermissible => "Not permitted (found by an incident)",
            Basis::OtherRequiredByLaw => "Other, required by law",
        }
    }

    pub fn parse(s: &str) -> Option<Basis> {
        Basis::ALL.into_iter().find(|b| b.as_str() == s.trim())
    }

    /// The exemption that keeps it out of the accounting, if any.
    pub fn exemption(self) -> Option<&'static str> {
        match self {
            Basis::TreatmentPaymentOperations => Some("164.528(a)(1)(i)"),
            Basis::ToTheIndividual => Some("164.528(a)(1)(ii)"),
            Basis::Incidental => Some("164.528(a)(1)(iii)"),
            Basis::Authorization => Some("164.528(a)(1)(iv)"),
            Basis::DirectoryOrInvolvedPersons => Some("164.528(a)(1)(v)"),
            Basis::NationalSecurity => Some("164.528(a)(1)(vi)"),
            Basis::CorrectionalCustody => Some("164.528(a)(1)(vii)"),
            Basis::LimitedDataSet => Some("164.528(a)(1)(viii)"),
            Basis::BeforeComplianceDate => Some("164.528(a)(1)(ix)"),
            _ => None,
        }
    }

    /// Repeated disclosures on this basis may be summarised (164.528(b)(3)): those to HHS
    /// (164.502(a)(2)(ii)) and under 164.512.
    pub fn summarisable(self) -> bool {
        matches!(
            self,
            Basis::PublicHealth
                | Basis::HealthOversight
                | Basis::JudicialOrAdministrative
                | Basis::LawEnforcement
                | Basis::Research
                | Basis::ToHhs
                | Basis::OtherRequiredByLaw
        )
    }
}

/// One logged disclosure, as the accounting needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disclosure {
    pub id: i64,
    pub on: Date,
    pub recipient: String,
    pub purpose: String,
    pub basis: Basis,
    /// An entry that corrects this one (a wrong entry is superseded, never deleted).
    pub superseded: bool,
}

/// One line of the accounting: the first disclosure in full, and for a summarised series the
/// count and the last date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub first: i64,
    pub count: usize,
    pub last_on: Date,
}

/// The same day `n` years earlier (29 February becomes the 28th).
fn years_before(date: Date, n: i32) -> Date {
    let year = date.year() - n;
    Date::from_calendar_date(year, date.month(), date.day())
        .or_else(|_| Date::from_calendar_date(year, Month::February, 28))
        .unwrap_or(date)
}

/// The start of the default period: six years before the request (164.528(a)(1)).
pub fn six_years_before(requested: Date) -> Date {
    years_before(requested, 6)
}

/// The lines of the accounting for the period `[from, to]`.
pub fn lines(disclosures: &[Disclosure], from: Date, to: Date) -> Vec<Line> {
    let mut kept: Vec<&Disclosure> = disclosures
        .iter()
        .filter(|d| !d.superseded && d.basis.exemption().is_none() && d.on >= from && d.on <= to)
        .collect();
    kept.sort_by_key(|d| (d.on, d.id));
    let mut out: Vec<(Line, &Disclosure)> = Vec::new();
    for d in kept {
        let same = |l: &&mut (Line, &Disclosure)| {
            let first = l.1;
            d.basis.summarisable()
                && first.basis == d.basis
                && first.recipient.trim().eq_ignore_ascii_case(d.recipient.trim())
                && first.purpose.trim().eq_ignore_ascii_case(d.purpose.trim())
        };
        match out.iter_mut().find(same) {
            Some((line, _)) => {
                line.count += 1;
                line.last_on = d.on;
            }
            None => out.push((
                Line {
                    first: d.id,
                    count: 1,
                    last_on: d.on,
                },
                d,
            )),
        }
    }
    out.into_iter().map(|(l, _)| l).collect()
}

/// Whether this accounting is free: the first in any 12 months (164.528(c)(2)).
pub fn free(previous: &[Date], received: Date) -> bool {
    let year_ago = years_before(received, 1);
    !previous.iter().any(|p| *p > year_ago && *p <= received)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn d(id: i64, on: Date, basis: Basis, recipient: &str) -> Disclosure {
        Disclosure {
            id,
            on,
            recipient: recipient.into(),
            purpose: "reportable disease".into(),
            basis,
            superseded: false,
        }
    }

    /// 164.528(a)(1): exactly the nine exempt kinds stay out.
    #[test]
    fn the_accounting_excludes_exactly_the_exempt_kinds() {
        let all: Vec<Disclosure> = Basis::ALL
            .iter()
            .enumerate()
            .map(|(i, b)| d(i as i64, date!(2026 - 01 - 10), *b, &format!("recipient {i}")))
            .collect();
        let listed: Vec<Basis> = lines(&all, date!(2020 - 01 - 01), date!(2026 - 12 - 31))
            .iter()
            .map(|l| all[l.first as usize].basis)
            .collect();
        assert_eq!(
            listed,
            vec![
                Basis::PublicHealth,
                Basis::HealthOversight,
                Basis::JudicialOrAdministrative,
                Basis::LawEnforcement,
                Basis::Research,
                Basis::ToHhs,
                Basis::Impermissible,
                Basis::OtherRequiredByLaw,
            ]
        );
        assert_eq!(Basis::ALL.iter().filter(|b| b.exemption().is_some()).count(), 9);
    }

    /// 164.528(b)(3): a series to one recipient for one purpose is one line; 164.528(a)(1):
    /// six years back; superseded entries are not listed.
    #[test]
    fn series_periods_and_corrections() {
        let mut list = vec![
            d(1, date!(2026 - 02 - 01), Basis::PublicHealth, "County Health Dept"),
            d(2, date!(2026 - 03 - 01), Basis::PublicHealth, "county health dept"),
            d(3, date!(2026 - 04 - 01), Basis::PublicHealth, "County Health Dept"),
            d(4, date!(2026 - 04 - 15), Basis::LawEnforcement, "Sheriff"),
            d(5, date!(2019 - 01 - 01), Basis::LawEnforcement, "Sheriff"),
        ];
        list.push(Disclosure {
            superseded: true,
            ..d(6, date!(2026 - 05 - 01), Basis::Research, "Lab")
        });
        let from = six_years_before(date!(2026 - 06 - 01));
        assert_eq!(from, date!(2020 - 06 - 01));
        let got = lines(&list, from, date!(2026 - 06 - 01));
        assert_eq!(
            got,
            vec![
                Line {
                    first: 1,
                    count: 3,
                    last_on: date!(2026 - 04 - 01)
                },
                Line {
                    first: 4,
                    count: 1,
                    last_on: date!(2026 - 04 - 15)
                },
            ]
        );
        assert_eq!(six_years_before(date!(2028 - 02 - 29)), date!(2022 - 02 - 28));
    }

    /// 164.528(c)(2): the first accounting in any 12 months is free.
    #[test]
    fn the_first_in_twelve_months_is_free() {
        let cases = [
            (vec![], date!(2026 - 06 - 01), true),
            (vec![date!(2025 - 06 - 01)], date!(2026 - 06 - 01), true),
            (vec![date!(2025 - 06 - 02)], date!(2026 - 06 - 01), false),
            (vec![date!(2026 - 01 - 10)], date!(2026 - 06 - 01), false),
        ];
        for (previous, received, want) in cases {
            assert_eq!(free(&previous, received), want, "{previous:?} {received}");
        }
    }
}
