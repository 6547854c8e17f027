//! What kind of incident it was, as staff would name it. A kind is a label for the log and
//! the risk assessment's picture of what hits the clinic; it never changes the breach
//! determination, which every kind goes through the same way (164.402: an impermissible use
//! or disclosure is presumed a breach unless the four-factor assessment shows a low
//! probability of compromise, or an exception applies).

/// `(code, words)`: codes stay in the API and exports, pages show the words.
pub const KINDS: [(&str, &str); 9] = [
    ("lost_device", "Lost or stolen device or media"),
    ("misdirected", "Fax, mail or record given to the wrong person"),
    (
        "email_misdirected",
        "Email sent to the wrong person or a personal account",
    ),
    ("credential_phished", "Credential phished"),
    ("malware", "Ransomware or other malware"),
    ("snooping", "Staff looking at records without a need"),
    ("vendor", "A vendor's incident"),
    (
        "improper_disposal",
        "Device, media or paper disposed of without destroying PHI",
    ),
    ("other", "Other"),
];

/// The kind for a code; unknown codes read as "other".
pub fn parse(code: &str) -> Option<&'static str> {
    KINDS.iter().find(|(k, _)| *k == code.trim()).map(|(k, _)| *k)
}

pub fn label(code: &str) -> &'static str {
    KINDS.iter().find(|(k, _)| *k == code).map_or("Other", |(_, w)| *w)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The guide's ways small clinics get hit are offered by name.
    #[test]
    fn kinds_offered() {
        for (code, words) in [
            (
                "email_misdirected",
                "Email sent to the wrong person or a personal account",
            ),
            ("credential_phished", "Credential phished"),
            ("malware", "Ransomware or other malware"),
            (
                "improper_disposal",
                "Device, media or paper disposed of without destroying PHI",
            ),
        ] {
            assert_eq!(parse(code), Some(code));
            assert_eq!(label(code), words);
        }
        assert_eq!(parse("made_up"), None);
        assert_eq!(label("made_up"), "Other");
    }
}
