//! A patient's identity and contact details (PRODUCT.md section 2: classes `identity` and
//! `contact`) and the checks a registration form needs.

use super::detail::{AddressParts, Deceased, Identifier, PersonName, Precision};
use super::{invalid, Invalid};
use serde::{Deserialize, Serialize};
use time::Date;

/// Class `identity`: name, date of birth, sex, record number; and what records from other
/// systems carry besides (the fields after `record_number`, empty for a chart registered here).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub given_name: String,
    pub family_name: String,
    /// The first day the birth date can mean; `birth_precision` says how much was known.
    pub date_of_birth: Date,
    pub sex: Sex,
    pub record_number: String,
    #[serde(default, skip_serializing_if = "Precision::is_day")]
    pub birth_precision: Precision,
    /// The names as received, whole (FHIR HumanName), the filing name first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<PersonName>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<Identifier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deceased: Option<Deceased>,
    /// Marital status as a code of HL7 v3 MaritalStatus (M, S, D, W, ...).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub marital_status: String,
}

impl Identity {
    /// A chart registered at the desk: nothing beyond the form's fields.
    pub fn new(given_name: String, family_name: String, date_of_birth: Date, sex: Sex, record_number: String) -> Self {
        Identity {
            given_name,
            family_name,
            date_of_birth,
            sex,
            record_number,
            birth_precision: Precision::Day,
            names: Vec::new(),
            identifiers: Vec::new(),
            deceased: None,
            marital_status: String::new(),
        }
    }

    /// The birth date as known: `1980`, `1980-04` or `1980-04-23`.
    pub fn birth_date_text(&self) -> String {
        super::detail::fhir_date_text(self.date_of_birth, self.birth_precision)
    }

    pub fn full_name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }
}

/// Administrative sex as the registration form records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
    Other,
    Unknown,
}

impl Sex {
    pub const ALL: [Sex; 4] = [Sex::Female, Sex::Male, Sex::Other, Sex::Unknown];
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
            Sex::Other => "other",
            Sex::Unknown => "unknown",
        }
    }
    /// The word a registration form and the chart show (the code stays in the API and FHIR's
    /// `gender`, whose values these are).
    pub fn words(self) -> &'static str {
        match self {
            Sex::Female => "Female",
            Sex::Male => "Male",
            Sex::Other => "Other",
            Sex::Unknown => "Unknown",
        }
    }
    /// The code, or a refusal: a required choice nobody made is asked for, never assumed.
    pub fn parse(s: &str) -> Result<Sex, Invalid> {
        let s = s.trim().to_ascii_lowercase();
        if s.is_empty() {
            return invalid("choose the patient's sex (Unknown when it is not known)");
        }
        Sex::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .map_or_else(|| invalid("sex must be female, male, other or unknown"), Ok)
    }
}

/// Class `contact`: how to reach the patient.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub phone: String,
    pub email: String,
    pub address: String,
    pub emergency_contact: String,
    pub preferred: ContactMethod,
    /// The address in parts, when received so (`address` is its one-line form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_parts: Option<AddressParts>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactMethod {
    #[default]
    Phone,
    Text,
    Email,
    Mail,
}

impl ContactMethod {
    pub const ALL: [ContactMethod; 4] = [
        ContactMethod::Phone,
        ContactMethod::Text,
        ContactMethod::Email,
        ContactMethod::Mail,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ContactMethod::Phone => "phone",
            ContactMethod::Text => "text",
            ContactMethod::Email => "email",
            ContactMethod::Mail => "mail",
        }
    }
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let s = s.trim().to_ascii_lowercase();
        if s.is_empty() {
            return Ok(ContactMethod::Phone);
        }
        ContactMethod::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .map_or_else(|| invalid("preferred contact must be phone, text, email or mail"), Ok)
    }
}

/// A name part: 1 to 80 characters, at least one letter, no control characters.
pub fn check_name(label: &str, name: &str) -> Result<String, Invalid> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return invalid(format!("{label} needs 1 to 80 characters"));
    }
    if name.chars().any(char::is_control) || !name.chars().any(char::is_alphabetic) {
        return invalid(format!("{label} must contain letters and no control characters"));
    }
    Ok(name.to_owned())
}

/// A date of birth: not in the future, and not more than 130 years ago.
pub fn check_date_of_birth(dob: Date, today: Date) -> Result<Date, Invalid> {
    if dob > today {
        return invalid("the date of birth is in the future");
    }
    if today.year() - dob.year() > 130 {
        return invalid("the date of birth is more than 130 years ago");
    }
    Ok(dob)
}

/// Parses `YYYY-MM-DD`, or `MM/DD/YYYY` as front desks in the US type it.
pub fn parse_date(s: &str) -> Result<Date, Invalid> {
    let s = s.trim();
    let iso = time::macros::format_description!("[year]-[month]-[day]");
    let us = time::macros::format_description!("[month]/[day]/[year]");
    Date::parse(s, iso)
        .or_else(|_| Date::parse(s, us))
        .map_or_else(|_| invalid("a date must look like 1980-04-23 or 04/23/1980"), Ok)
}

/// The digits of a phone number, without a leading US country code. 7 to 15 digits.
pub fn normalize_phone(s: &str) -> Result<String, Invalid> {
    if s.chars().any(|c| !(c.is_ascii_digit() || " +-().".contains(c))) {
        return invalid("a phone number may contain digits, spaces, +, -, ( and ) only");
    }
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let digits = match digits.strip_prefix('1') {
        Some(rest) if digits.len() == 11 => rest.to_owned(),
        _ => digits,
    };
    if !(7..=15).contains(&digits.len()) {
        return invalid("a phone number needs 7 to 15 digits");
    }
    Ok(digits)
}

/// A phone number for display: `(555) 201-3344` for ten digits, the digits otherwise.
pub fn display_phone(digits: &str) -> String {
    if digits.len() == 10 && digits.is_ascii() {
        format!("({}) {}-{}", &digits[..3], &digits[3..6], &digits[6..])
    } else {
        digits.to_owned()
    }
}

/// Checks the whole contact block; empty fields are allowed except that the preferred
/// method must have something to use.
pub fn check_contact(c: Contact) -> Result<Contact, Invalid> {
    let phone = if c.phone.trim().is_empty() {
        String::new()
    } else {
        normalize_phone(&c.phone)?
    };
    let email = c.email.trim().to_owned();
    if !email.is_empty() {
        let ok = email.len() <= 254
            && email
                .split_once('@')
                .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.'))
            && !email.chars().any(|ch| ch.is_whitespace() || ch.is_control());
        if !ok {
            return invalid("the email address does not look right (name@example.com)");
        }
    }
    // Measured as the person sees it: a textarea's CRLF is one line break (crate::text).
    let address = crate::text::clean(&c.address);
    let emergency_contact = crate::text::clean(&c.emergency_contact);
    for (label, v) in [("address", &address), ("emergency contact", &emergency_contact)] {
        let n = v.chars().count();
        if n > 300 {
            return invalid(format!("the {label} may hold 300 characters at most (it has {n})"));
        }
        if crate::text::has_stray_control(v) {
            return invalid(format!("the {label} has a character that cannot be typed; retype it"));
        }
    }
    let need = match c.preferred {
        ContactMethod::Phone | ContactMethod::Text => (phone.is_empty(), "a phone number"),
        ContactMethod::Email => (email.is_empty(), "an email address"),
        ContactMethod::Mail => (address.is_empty(), "an address"),
    };
    if need.0 {
        return invalid(format!("the preferred contact method needs {}", need.1));
    }
    Ok(Contact {
        phone,
        email,
        address,
        emergency_contact,
        preferred: c.preferred,
        address_parts: c.address_parts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    /// Sex is a required choice with no default: nothing chosen is refused, never read as one
    /// of the values; the codes are FHIR R4's `AdministrativeGender` (unknown included).
    #[test]
    fn sex_is_chosen_never_assumed() {
        for (typed, want) in [
            ("", None),
            ("  ", None),
            ("female", Some(Sex::Female)),
            ("Male", Some(Sex::Male)),
            ("other", Some(Sex::Other)),
            ("unknown", Some(Sex::Unknown)),
            ("f", None),
        ] {
            assert_eq!(Sex::parse(typed).ok(), want, "{typed:?}");
        }
        assert!(Sex::parse("").unwrap_err().0.contains("choose"));
        let words: Vec<_> = Sex::ALL.iter().map(|s| s.words()).collect();
        assert_eq!(words, ["Female", "Male", "Other", "Unknown"]);
    }

    #[test]
    fn phones_normalise() {
        for (input, want) in [
            ("(555) 201-3344", Some("5552013344")),
            ("+1 555 201 3344", Some("5552013344")),
            ("555-2013", Some("5552013")),
            ("12", None),
            ("555-CALL-NOW", None),
        ] {
            assert_eq!(normalize_phone(input).ok().as_deref(), want, "{input}");
        }
        assert_eq!(display_phone("5552013344"), "(555) 201-3344");
    }

    #[test]
    fn dates_of_birth() {
        let today = date!(2026 - 11 - 22);
        assert!(check_date_of_birth(date!(1980 - 04 - 23), today).is_ok());
        assert!(check_date_of_birth(date!(2026 - 11 - 23), today).is_err());
        assert!(check_date_of_birth(date!(1890 - 01 - 01), today).is_err());
        assert_eq!(parse_date("04/23/1980").unwrap(), date!(1980 - 04 - 23));
        assert_eq!(parse_date("1980-04-23").unwrap(), date!(1980 - 04 - 23));
        assert!(parse_date("23.04.1980").is_err());
    }

    #[test]
    fn contact_rules() {
        let ok = Contact {
            phone: "555 201 3344".into(),
            email: "ana@example.com".into(),
            ..Contact::default()
        };
        assert_eq!(check_contact(ok).unwrap().phone, "5552013344");
        let no_phone = Contact::default();
        assert!(check_contact(no_phone).is_err(), "preferred phone needs a phone");
        let bad_mail = Contact {
            phone: "5552013344".into(),
            email: "ana@".into(),
            ..Contact::default()
        };
        assert!(check_contact(bad_mail).is_err());
    }

    #[test]
    fn names() {
        assert_eq!(check_name("first name", "  Ana ").unwrap(), "Ana");
        assert!(check_name("first name", "").is_err());
        assert!(check_name("first name", "123").is_err());
        assert!(check_name("first name", "A\u{7}na").is_err());
    }

    #[test]
    fn a_textarea_address_counts_its_characters() {
        // The case: 33 characters typed on two lines were refused as "over 300".
        let two_lines = Contact {
            address: "12 Elm Street\r\nSpringfield, IL\r\n".into(),
            preferred: ContactMethod::Mail,
            ..Contact::default()
        };
        assert_eq!(
            check_contact(two_lines).unwrap().address,
            "12 Elm Street\nSpringfield, IL"
        );
        let exactly = Contact {
            address: format!("{}\r\n{}", "a".repeat(150), "b".repeat(149)),
            preferred: ContactMethod::Mail,
            ..Contact::default()
        };
        assert!(check_contact(exactly).is_ok(), "300 characters with one break");
        let over = Contact {
            address: "a".repeat(301),
            preferred: ContactMethod::Mail,
            ..Contact::default()
        };
        assert!(check_contact(over).unwrap_err().to_string().contains("(it has 301)"));
        let injected = Contact {
            address: "12 Elm\u{0}".into(),
            preferred: ContactMethod::Mail,
            ..Contact::default()
        };
        assert!(check_contact(injected).is_err());
    }
}
