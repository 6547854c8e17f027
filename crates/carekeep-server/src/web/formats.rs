//! Dates, times and phone numbers as a US clinic reads them: `12/06/2026`, `2:30 PM`,
//! `(555) 201-7788`. Pages show these; URLs, forms' hidden values, the API, CSVs and FHIR
//! keep ISO 8601, which machines read.

use carekeep_domain::zone::ClinicZone;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

/// `2026-12-06` as `12/06/2026`.
pub fn date(d: Date) -> String {
    format!("{:02}/{:02}/{}", u8::from(d.month()), d.day(), d.year())
}

/// An ISO date (`2026-12-06`) as `12/06/2026`; anything else unchanged.
pub fn iso_date(s: &str) -> String {
    let iso = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s.get(..10).unwrap_or(s), iso).map_or_else(|_| s.to_owned(), date)
}

/// Every ISO date inside a text in US form: see [`carekeep_domain::zone::us_dates`].
pub fn us_dates(text: &str) -> String {
    carekeep_domain::zone::us_dates(text)
}

/// The codes inside a text (an audit event's reason: "roles: compliance_officer, front_desk")
/// in words ("roles: Compliance officer, Front desk"): role, capability, data class and
/// disclosure-basis codes. Only words joined by `_` are codes; plain words stay as written.
pub fn code_words(text: &str) -> String {
    use carekeep_domain::{Capability, DataClass};
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.contains('_') {
            let w = word.as_str();
            if let Ok(c) = w.parse::<Capability>() {
                out.push_str(c.words());
            } else if let Ok(c) = w.parse::<DataClass>() {
                out.push_str(c.words());
            } else if let Some(b) = carekeep_domain::rights::accounting::Basis::parse(w) {
                out.push_str(b.words());
            } else if matches!(w, "compliance_officer" | "front_desk") {
                out.push_str(&carekeep_domain::access::role_words(w));
            } else {
                out.push_str(w);
            }
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_ascii_lowercase() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Template filters: `{{ x.due_on|us }}` shows the ISO dates in a value in US form.
pub mod filters {
    /// `{{ value|us }}`: see [`crate::web::formats::us_dates`].
    pub fn us<T: std::fmt::Display>(value: T, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(crate::web::formats::us_dates(&value.to_string()))
    }

    /// `{{ reason|words }}`: ISO dates in US form and codes in words (see
    /// [`crate::web::formats::code_words`]), for text written for the audit trail.
    pub fn words<T: std::fmt::Display>(value: T, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(crate::web::formats::us_dates(&crate::web::formats::code_words(
            &value.to_string(),
        )))
    }
}

/// The wall-clock time of `at` in its own offset: `2:30 PM`.
pub fn clock(at: OffsetDateTime) -> String {
    let (h, m) = (at.hour(), at.minute());
    let (twelve, half) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    format!("{twelve}:{m:02} {half}")
}

/// An RFC 3339 time already at the clinic's offset (`2026-03-02T14:30:00-05:00`) as
/// `03/02/2026 2:30 PM`; the wall time is kept as written.
pub fn when(rfc3339: &str) -> String {
    OffsetDateTime::parse(rfc3339, &Rfc3339)
        .map_or_else(|_| rfc3339.to_owned(), |t| format!("{} {}", date(t.date()), clock(t)))
}

/// The time only (`2:30 PM`) of an RFC 3339 time at the clinic's offset.
pub fn time_of(rfc3339: &str) -> String {
    OffsetDateTime::parse(rfc3339, &Rfc3339).map_or_else(|_| rfc3339.to_owned(), clock)
}

/// Any RFC 3339 instant (the audit trail's, in UTC) on the clinic's clock, with the zone's
/// abbreviation so a time in the hour repeated in November is never ambiguous:
/// `11/01/2026 1:30 AM EDT`.
pub fn instant(rfc3339: &str, zone: &ClinicZone) -> String {
    match OffsetDateTime::parse(rfc3339, &Rfc3339) {
        Ok(t) => {
            let local = zone.local(t);
            format!("{} {} {}", date(local.date()), clock(local), zone.abbreviation_at(t))
        }
        Err(_) => rfc3339.to_owned(),
    }
}

/// The sex choices of the registration and identity forms: each code (FHIR's
/// `AdministrativeGender`, which the chart and the export use) with its word.
pub fn sexes() -> [(&'static str, &'static str); 4] {
    carekeep_domain::records::patient::Sex::ALL.map(|s| (s.as_str(), s.words()))
}

/// A use case's words as a sentence on the page (they are written to follow "the form
/// says ..."): a capital first, a full stop last.
pub fn sentence(words: &str) -> String {
    let mut chars = words.chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    };
    if !out.is_empty() && !out.ends_with(['.', '!', '?', ')']) {
        out.push('.');
    }
    out
}

/// An instant on the clinic's clock with the zone's abbreviation: `03/02/2026 2:30 PM EST`.
pub fn at(t: OffsetDateTime, zone: &ClinicZone) -> String {
    let local = zone.local(t);
    format!("{} {} {}", date(local.date()), clock(local), zone.abbreviation_at(t))
}

/// Role names as words: `compliance_officer,front_desk` as `Compliance officer, Front desk`.
pub fn role_words(roles: &str) -> String {
    roles
        .split(',')
        .map(|r| carekeep_domain::access::role_words(r.trim()))
        .filter(|r| !r.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn us_dates_and_times() {
        assert_eq!(date(date!(2026 - 12 - 06)), "12/06/2026");
        assert_eq!(iso_date("2026-03-02"), "03/02/2026");
        assert_eq!(iso_date("not a date"), "not a date");
        let cases = [
            (datetime!(2026-03-02 00:05 -5), "12:05 AM"),
            (datetime!(2026-03-02 09:30 -5), "9:30 AM"),
            (datetime!(2026-03-02 12:00 -5), "12:00 PM"),
            (datetime!(2026-03-02 14:30 -5), "2:30 PM"),
            (datetime!(2026-03-02 23:59 -5), "11:59 PM"),
        ];
        for (at, want) in cases {
            assert_eq!(clock(at), want);
        }
        assert_eq!(when("2026-03-02T14:30:00-05:00"), "03/02/2026 2:30 PM");
        assert_eq!(time_of("2026-03-09T14:30:00-04:00"), "2:30 PM");
    }

    #[test]
    fn codes_inside_text_as_words() {
        let cases = [
            (
                "roles: compliance_officer, front_desk",
                "roles: Compliance officer, Front desk",
            ),
            (
                "role helper = identity:r [handle_incidents]",
                "role helper = identity:r [Handle incidents and patients' requests]",
            ),
            ("basis public_health on 2026-12-06", "basis Public health on 2026-12-06"),
            (
                "a plain owner, billing and unknown_code",
                "a plain owner, billing and unknown_code",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(code_words(text), want, "{text}");
        }
    }

    #[test]
    fn roles_as_words() {
        assert_eq!(
            role_words("compliance_officer,front_desk"),
            "Compliance officer, Front desk"
        );
        assert_eq!(role_words("owner"), "Owner");
        assert_eq!(role_words(""), "");
    }

    #[test]
    fn audit_instants_on_the_clinics_clock_around_daylight_saving() {
        let ny = ClinicZone::named("America/New_York").unwrap();
        let cases = [
            ("2026-03-08T06:30:00Z", "03/08/2026 1:30 AM EST"),
            ("2026-03-08T07:30:00Z", "03/08/2026 3:30 AM EDT"),
            ("2026-11-01T05:30:00Z", "11/01/2026 1:30 AM EDT"),
            ("2026-11-01T06:30:00Z", "11/01/2026 1:30 AM EST"),
            ("2026-07-15T18:30:00Z", "07/15/2026 2:30 PM EDT"),
        ];
        for (at, want) in cases {
            assert_eq!(instant(at, &ny), want);
        }
    }
}
