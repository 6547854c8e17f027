//! The words of a letter to an individual (164.404(c)): what was involved, in plain language
//! (164.404(c)(2)), dates as a US reader writes them, and sentences that end.

use time::Date;

/// Plain words for the kinds of information in each data class (164.404(c)(1)(B)).
pub fn class_words(class: &str) -> &'static str {
    match class {
        "identity" => "your name, date of birth and record number",
        "contact" => "your address, phone number and email address",
        "scheduling" => "your appointment dates and the services booked",
        "clinical" => "your medical record: visit notes, diagnoses, medications, allergies, vital signs and photos",
        "coding" => "diagnosis and procedure codes",
        "billing" => "invoice and payment details",
        "invoice_status" => "invoice numbers, totals and balances",
        _ => "other information about you",
    }
}

/// Short words for a data class, for pages and lists ("medical record").
pub fn class_label(class: &str) -> &'static str {
    match class {
        "identity" => "name and date of birth",
        "contact" => "address and phone",
        "scheduling" => "appointments",
        "clinical" => "medical record",
        "coding" => "diagnosis codes",
        "billing" => "billing",
        "invoice_status" => "invoice totals",
        _ => "other information",
    }
}

const ORDER: [&str; 7] = [
    "identity",
    "contact",
    "scheduling",
    "clinical",
    "coding",
    "billing",
    "invoice_status",
];

/// Where a class comes in the order a record reads, for lists of classes.
pub fn class_rank(class: &str) -> usize {
    ORDER.iter().position(|o| *o == class).unwrap_or(ORDER.len())
}

/// The sentence that says what was involved for one person: only the classes shown in the
/// events that concern them, in words, never "the whole record" by default.
pub fn involved_sentence(classes: &[&str]) -> String {
    // In the order a record reads (who, how to reach them, visits, care, money), once each.
    let mut classes: Vec<&str> = classes.iter().map(|c| c.trim()).filter(|c| !c.is_empty()).collect();
    classes.sort_by_key(|c| class_rank(c));
    classes.dedup();
    let words: Vec<&str> = classes.into_iter().map(class_words).collect();
    match words.as_slice() {
        [] => "We are still establishing which of your information was involved.".into(),
        [one] => format!("The information involved was {one}."),
        [init @ .., last] => format!("The information involved was {}; and {last}.", init.join("; ")),
    }
}

/// Text typed by the person handling the incident, as a sentence: trimmed, starting with a
/// capital and ending with a full stop (or the mark it already ends with).
pub fn sentence(s: &str) -> String {
    let s = s.trim();
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let mut out: String = first.to_uppercase().chain(chars).collect();
    if !matches!(out.chars().last(), Some('.' | '!' | '?')) {
        out.push('.');
    }
    out
}

/// A date as a letter writes it in the US: "December 6, 2026".
pub fn long_date(d: Date) -> String {
    format!("{} {}, {}", d.month(), d.day(), d.year())
}

/// An address's lines for the block under the name: each line trimmed, empty lines dropped,
/// a one-line address split at its commas. Empty when there is no usable address.
pub fn address_lines(address: &str) -> Vec<String> {
    let lines: Vec<String> = address
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    if let [line] = lines.as_slice() {
        // "12 Oak St, Springfield, IL 62704": the street, then the city with its State.
        if let Some((street, rest)) = line.split_once(',') {
            return vec![street.trim().to_owned(), rest.trim().to_owned()];
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn involved_names_only_the_classes_given() {
        for (classes, want) in [
            (&[][..], "We are still establishing which of your information was involved."),
            (&["identity"][..], "The information involved was your name, date of birth and record number."),
            (
                &["identity", "clinical"][..],
                "The information involved was your name, date of birth and record number; and your medical record: visit notes, diagnoses, medications, allergies, vital signs and photos.",
            ),
            (&["", " scheduling "][..], "The information involved was your appointment dates and the services booked."),
            (
                &["clinical", "identity", "clinical"][..],
                "The information involved was your name, date of birth and record number; and your medical record: visit notes, diagnoses, medications, allergies, vital signs and photos.",
            ),
        ] {
            assert_eq!(involved_sentence(classes), want, "{classes:?}");
        }
    }

    #[test]
    fn sentences_end_with_a_full_stop() {
        for (typed, want) in [
            ("", ""),
            ("  call us", "Call us."),
            ("Call us.", "Call us."),
            ("Call us!", "Call us!"),
            ("misdirected fax", "Misdirected fax."),
            ("ask (see below)", "Ask (see below)."),
            ("Call 1-800-555-0100 (toll free)", "Call 1-800-555-0100 (toll free)."),
        ] {
            assert_eq!(sentence(typed), want, "{typed:?}");
        }
    }

    #[test]
    fn dates_read_as_a_us_letter_writes_them() {
        assert_eq!(long_date(date!(2026 - 12 - 06)), "December 6, 2026");
        assert_eq!(long_date(date!(2027 - 01 - 31)), "January 31, 2027");
    }

    #[test]
    fn address_blocks() {
        for (address, want) in [
            ("", vec![]),
            ("  \n ", vec![]),
            (
                "12 Oak St\nSpringfield, IL 62704",
                vec!["12 Oak St", "Springfield, IL 62704"],
            ),
            (
                "12 Oak St, Springfield, IL 62704",
                vec!["12 Oak St", "Springfield, IL 62704"],
            ),
            (
                " 12 Oak St \n\n Apt 4 \nSpringfield, IL 62704",
                vec!["12 Oak St", "Apt 4", "Springfield, IL 62704"],
            ),
        ] {
            assert_eq!(address_lines(address), want, "{address:?}");
        }
    }
}
