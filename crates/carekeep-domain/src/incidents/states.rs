//! States and jurisdictions for media notice (164.406 counts residents per State or
//! jurisdiction; HHS's own definition of "jurisdiction" is UNVERIFIED, so we count the 50
//! States, DC and the US territories by their postal codes).

pub const CODES: [&str; 56] = [
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA", "ME",
    "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA",
    "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "DC", "PR", "GU", "VI", "AS", "MP",
];

/// A valid code, upper-cased.
pub fn code(s: &str) -> Option<&'static str> {
    let s = s.trim().to_ascii_uppercase();
    CODES.iter().copied().find(|c| *c == s)
}

/// The state of a free-form US address: the last state code in it, preferring one followed by
/// a ZIP code ("Austin, TX 78701").
pub fn of_address(address: &str) -> Option<&'static str> {
    let words: Vec<&str> = address
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let is_zip = |w: &str| w.len() == 5 && w.chars().all(|c| c.is_ascii_digit());
    let mut fallback = None;
    for (i, w) in words.iter().enumerate() {
        if w.len() != 2 || !w.chars().all(|c| c.is_ascii_uppercase()) {
            continue;
        }
        if let Some(c) = code(w) {
            if words.get(i + 1).is_some_and(|n| is_zip(n)) {
                return Some(c);
            }
            fallback = Some(c);
        }
    }
    fallback
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_from_addresses() {
        let cases = [
            ("12 Elm St, Austin, TX 78701", Some("TX")),
            ("12 Elm St\nPortland OR 97201", Some("OR")),
            ("1 IN Street, Columbus, OH 43004", Some("OH")),
            ("PO Box 9, San Juan, PR", Some("PR")),
            ("somewhere", None),
            ("", None),
        ];
        for (a, want) in cases {
            assert_eq!(of_address(a), want, "{a}");
        }
        assert_eq!(code(" ny "), Some("NY"));
        assert_eq!(code("XX"), None);
    }
}
