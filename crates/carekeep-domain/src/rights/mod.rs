//! Patients' rights (164.508, 164.522-164.528): request clocks, decisions and their letters,
//! authorizations on file, and the accounting of disclosures.

pub mod accounting;
pub mod authorization;
pub mod clocks;
pub mod decisions;

/// A request's kind in words, for people: `confidential_communication` is "Confidential
/// communications".
pub fn kind_words(kind: &str) -> &'static str {
    match kind {
        "access" => "Copy of the record",
        "amendment" => "Correction (amendment)",
        "accounting" => "List of disclosures",
        "restriction" => "Restriction",
        "confidential_communication" => "Confidential communications",
        _ => "Other request",
    }
}

/// A request's status in words.
pub fn status_words(status: &str) -> &'static str {
    match status {
        "open" => "Open",
        "granted" => "Granted",
        "completed" => "Done",
        "denied" => "Denied",
        "terminated" => "Ended",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod words_tests {
    use super::*;

    #[test]
    fn requests_read_as_words() {
        for (kind, words) in [
            ("access", "Copy of the record"),
            ("amendment", "Correction (amendment)"),
            ("accounting", "List of disclosures"),
            ("restriction", "Restriction"),
            ("confidential_communication", "Confidential communications"),
            ("teleport", "Other request"),
        ] {
            assert_eq!(kind_words(kind), words);
        }
        for (status, words) in [
            ("open", "Open"),
            ("granted", "Granted"),
            ("completed", "Done"),
            ("denied", "Denied"),
            ("terminated", "Ended"),
            ("", "Unknown"),
        ] {
            assert_eq!(status_words(status), words);
        }
    }

    #[test]
    fn every_basis_has_words_without_underscores() {
        for b in accounting::Basis::ALL {
            assert!(!b.words().contains('_') && !b.words().is_empty(), "{b:?}");
        }
    }
}
