//! Vendor security oversight beyond the BAA. A signed BAA is the assurance 164.308(b)(1) asks
//! for; it says nothing of how well the vendor keeps its promise. What the clinic knows of that
//! (an independent report such as SOC 2 or HITRUST, a security questionnaire the vendor
//! answered, its breach history) is part of the risk analysis, which must cover the risks to the
//! ePHI the clinic holds wherever it is kept (164.308(a)(1)(ii)(A)), and its rating feeds risk
//! management (164.308(a)(1)(ii)(B)) through the register.
//!
//! The yearly review and the rating below are this product's method, not numbers from the rule:
//! the rule asks for an accurate and thorough assessment without prescribing a cadence or scale.

use super::add_months;
use super::sra::risk::Rating;
use time::Date;

/// Months after a review (or a report) before it is stale and due again: the product's
/// cadence, matching the yearly BAA and risk-assessment reviews.
pub const REVIEW_MONTHS: i32 = 12;

/// The independent evidence of a vendor's security the clinic has on file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Report {
    None,
    /// An AICPA SOC 2 (Type I or II) report.
    Soc2,
    /// A HITRUST CSF certification.
    Hitrust,
    /// An ISO/IEC 27001 certificate.
    Iso27001,
    /// Something else the clinic judged sufficient (named in the notes).
    Other,
}

impl Report {
    pub const ALL: [Report; 5] = [
        Report::None,
        Report::Soc2,
        Report::Hitrust,
        Report::Iso27001,
        Report::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Report::None => "none",
            Report::Soc2 => "soc2",
            Report::Hitrust => "hitrust",
            Report::Iso27001 => "iso27001",
            Report::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Report::None => "None on file",
            Report::Soc2 => "SOC 2 report",
            Report::Hitrust => "HITRUST certification",
            Report::Iso27001 => "ISO 27001 certificate",
            Report::Other => "Another independent report",
        }
    }

    pub fn parse(s: &str) -> Option<Report> {
        Report::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }
}

/// What the clinic knows of one vendor's security.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Knowledge {
    pub report: Report,
    /// The report's date (its period end or issue date).
    pub report_on: Option<Date>,
    /// When the vendor answered the clinic's security questionnaire.
    pub questionnaire_on: Option<Date>,
    /// A breach or security incident the clinic knows of in the last years.
    pub breached: bool,
    /// When the clinic last reviewed all of this.
    pub reviewed_on: Option<Date>,
}

fn current(on: Option<Date>, today: Date) -> bool {
    on.is_some_and(|d| d <= today && add_months(d, REVIEW_MONTHS) >= today)
}

/// Whether the clinic holds current evidence: an independent report or an answered
/// questionnaire dated within the last 12 months.
pub fn evidence_current(k: &Knowledge, today: Date) -> bool {
    (k.report != Report::None && current(k.report_on, today)) || current(k.questionnaire_on, today)
}

/// How likely this vendor is to be the way the clinic's PHI gets out, from what is known:
///
/// | current evidence | breach history | rating   |
/// |------------------|----------------|----------|
/// | yes              | no             | low      |
/// | yes              | yes            | moderate |
/// | no               | no             | moderate |
/// | no               | yes            | high     |
pub fn rating(k: &Knowledge, today: Date) -> Rating {
    match (evidence_current(k, today), k.breached) {
        (true, false) => Rating::Low,
        (true, true) | (false, false) => Rating::Moderate,
        (false, true) => Rating::High,
    }
}

/// When the next review falls due; never reviewed is due now (`None`).
pub fn review_due(k: &Knowledge) -> Option<Date> {
    k.reviewed_on.map(|d| add_months(d, REVIEW_MONTHS))
}

/// Whether the review is missing or past due on `today`.
pub fn review_overdue(k: &Knowledge, today: Date) -> bool {
    review_due(k).is_none_or(|due| due < today)
}

/// What the gap is, in words for the register's vulnerability and the assessment's evidence.
pub fn gaps(k: &Knowledge, today: Date) -> Vec<&'static str> {
    let mut out = Vec::new();
    if !evidence_current(k, today) {
        out.push("no current security report or questionnaire");
    }
    if k.breached {
        out.push("a known breach");
    }
    if review_overdue(k, today) {
        out.push("not reviewed in the last 12 months");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 12 - 06);

    fn k(report: Report, report_on: Option<Date>, q: Option<Date>, breached: bool) -> Knowledge {
        Knowledge {
            report,
            report_on,
            questionnaire_on: q,
            breached,
            reviewed_on: Some(date!(2026 - 06 - 01)),
        }
    }

    /// The rating table (164.308(a)(1)(ii)(A) risk analysis; the scale is ours).
    #[test]
    fn rating_reads_evidence_and_breaches() {
        let cases = [
            // (what is known, rating, why)
            (
                k(Report::Soc2, Some(date!(2026 - 03 - 31)), None, false),
                Rating::Low,
                "a SOC 2 from this year",
            ),
            (
                k(Report::Hitrust, Some(date!(2025 - 12 - 06)), None, false),
                Rating::Low,
                "exactly 12 months old",
            ),
            (
                k(Report::Soc2, Some(date!(2025 - 12 - 05)), None, false),
                Rating::Moderate,
                "12 months and a day: stale",
            ),
            (
                k(Report::None, None, Some(date!(2026 - 09 - 01)), false),
                Rating::Low,
                "a questionnaire this year",
            ),
            (
                k(Report::None, Some(date!(2026 - 09 - 01)), None, false),
                Rating::Moderate,
                "a date without a report",
            ),
            (
                k(Report::Soc2, Some(date!(2026 - 03 - 31)), None, true),
                Rating::Moderate,
                "evidence, but breached",
            ),
            (k(Report::None, None, None, false), Rating::Moderate, "nothing known"),
            (
                k(Report::None, None, None, true),
                Rating::High,
                "nothing known and breached",
            ),
            (
                k(Report::Soc2, Some(date!(2027 - 01 - 01)), None, false),
                Rating::Moderate,
                "a date in the future is not evidence",
            ),
        ];
        for (knowledge, want, why) in cases {
            assert_eq!(rating(&knowledge, TODAY), want, "{why}");
        }
    }

    #[test]
    fn the_review_is_yearly_and_never_reviewed_is_due() {
        let mut x = k(Report::Soc2, Some(date!(2026 - 03 - 31)), None, false);
        x.reviewed_on = None;
        assert!(review_overdue(&x, TODAY));
        assert_eq!(gaps(&x, TODAY), vec!["not reviewed in the last 12 months"]);
        x.reviewed_on = Some(date!(2025 - 12 - 06));
        assert_eq!(review_due(&x), Some(date!(2026 - 12 - 06)));
        assert!(!review_overdue(&x, TODAY), "due today is not yet late");
        x.reviewed_on = Some(date!(2025 - 12 - 05));
        assert!(review_overdue(&x, TODAY));
    }

    #[test]
    fn gaps_name_what_is_missing() {
        let x = k(Report::None, None, None, true);
        assert_eq!(
            gaps(&x, TODAY),
            vec!["no current security report or questionnaire", "a known breach"]
        );
        for r in Report::ALL {
            assert_eq!(Report::parse(r.as_str()), Some(r));
        }
        assert_eq!(Report::parse("soc3"), None);
    }
}
