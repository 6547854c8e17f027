//! What the front desk types into the patient search, and the normalised values the blind
//! indexes are computed from (the app keys them with HMAC; nothing here is secret).

use super::patient::{normalize_phone, parse_date};
use time::Date;

/// The shortest name prefix searched; one letter would list half the clinic.
pub const MIN_PREFIX: usize = 2;
/// Prefixes are indexed up to this length; longer queries match on their first this-many
/// letters and are then confirmed against the decrypted name.
pub const MAX_PREFIX: usize = 8;

/// A search the front desk can run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Query {
    /// The first letters of a first or last name (two or more letters).
    NamePrefix(String),
    /// A full date of birth.
    DateOfBirth(Date),
    /// A phone number's digits.
    Phone(String),
}

/// Why a search cannot run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("type at least {MIN_PREFIX} letters of a name, a full date of birth, or a phone number")]
    TooShort,
}

/// Reads what was typed. Digits with `-` or `/` are a date; other digits a phone number;
/// letters a name prefix.
pub fn parse(q: &str) -> Result<Query, QueryError> {
    let q = q.trim();
    if q.contains(['/', '-']) && q.chars().filter(char::is_ascii_digit).count() >= 6 && !q.contains(' ') {
        if let Ok(d) = parse_date(q) {
            return Ok(Query::DateOfBirth(d));
        }
    }
    if q.chars().any(|c| c.is_ascii_digit()) {
        return normalize_phone(q).map(Query::Phone).map_err(|_| QueryError::TooShort);
    }
    let name = fold_name(q);
    if name.chars().count() < MIN_PREFIX {
        return Err(QueryError::TooShort);
    }
    Ok(Query::NamePrefix(name))
}

/// A name folded for matching: lowercase letters only, common accents removed.
pub fn fold_name(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            other => other,
        })
        .filter(|c| c.is_alphabetic())
        .collect()
}

/// The prefixes of one name part that the blind index holds: lengths 2 to [`MAX_PREFIX`].
pub fn prefixes(name: &str) -> Vec<String> {
    let folded: Vec<char> = fold_name(name).chars().collect();
    (MIN_PREFIX..=folded.len().min(MAX_PREFIX))
        .map(|n| folded.iter().take(n).collect())
        .collect()
}

/// The prefix a query looks up: its first [`MAX_PREFIX`] letters.
pub fn lookup_prefix(folded: &str) -> String {
    folded.chars().take(MAX_PREFIX).collect()
}

/// Whether a name part matches a folded query (used to confirm a long query after decrypting).
pub fn name_matches(name: &str, folded_query: &str) -> bool {
    fold_name(name).starts_with(folded_query)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn queries() {
        assert_eq!(parse("Ro").unwrap(), Query::NamePrefix("ro".into()));
        assert_eq!(parse("  Peña ").unwrap(), Query::NamePrefix("pena".into()));
        assert_eq!(parse("04/23/1980").unwrap(), Query::DateOfBirth(date!(1980 - 04 - 23)));
        assert_eq!(parse("1980-04-23").unwrap(), Query::DateOfBirth(date!(1980 - 04 - 23)));
        assert_eq!(parse("(555) 201-3344").unwrap(), Query::Phone("5552013344".into()));
        assert_eq!(parse("r"), Err(QueryError::TooShort));
        assert_eq!(parse(""), Err(QueryError::TooShort));
        assert_eq!(parse("12"), Err(QueryError::TooShort));
    }

    #[test]
    fn prefixes_cover_two_to_eight_letters() {
        assert_eq!(prefixes("Ana"), vec!["an", "ana"]);
        assert_eq!(prefixes("O'Brien").first().map(String::as_str), Some("ob"));
        assert_eq!(prefixes("Montgomery").len(), 7);
        assert_eq!(lookup_prefix("montgomery"), "montgome");
        assert!(name_matches("Montgomery", "montgomer"));
        assert!(prefixes("A").is_empty());
    }
}
