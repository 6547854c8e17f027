//! When a reminder is due, and what a granted confidential-communication request
//! (164.522(b)(1)) means for it. A granted request is the staff's words ("text only
//! 555-201-0199", "email work@example.org, never the home phone"); reminders follow the one
//! address it names, and when it names none they are not sent at all (fail closed: the request
//! may be "no messages").

use super::texting::{normalize_us_number, Channel};
use time::{Duration, OffsetDateTime};

/// How long before an appointment its reminder goes out.
pub const LEAD: Duration = Duration::hours(48);

/// A reminder is due from `lead` before the appointment until it starts.
pub fn due(now: OffsetDateTime, start: OffsetDateTime, lead: Duration) -> bool {
    now < start && start - lead <= now
}

/// What a granted confidential-communication request allows reminders to use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Accommodation {
    /// Only this channel and address (164.522(b)(1)(i): an alternative means or location).
    Only(Channel, String),
    /// No address reminders could use: none are sent.
    Nothing,
}

/// Reads the address a granted request names: the first email address, else the first US
/// phone number. Two different addresses, or none, send nothing.
pub fn accommodation(words: &str) -> Accommodation {
    let emails: Vec<String> = words
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '<' | '>' | '"'))
        .map(|w| w.trim_end_matches(['.', ':']))
        .filter(|w| {
            w.split_once('@')
                .is_some_and(|(a, d)| !a.is_empty() && d.contains('.') && !d.ends_with('.'))
        })
        .map(str::to_owned)
        .collect();
    let mut numbers: Vec<String> = Vec::new();
    let mut run = String::new();
    for c in words.chars().chain(std::iter::once('x')) {
        if c.is_ascii_digit() || matches!(c, '(' | ')' | '-' | '.' | ' ' | '+') {
            run.push(c);
        } else {
            if let Some(n) = normalize_us_number(&run) {
                numbers.push(n);
            }
            run.clear();
        }
    }
    numbers.dedup();
    match (emails.as_slice(), numbers.as_slice()) {
        ([email], []) => Accommodation::Only(Channel::Email, email.clone()),
        ([], [number]) => Accommodation::Only(Channel::Sms, number.clone()),
        _ => Accommodation::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn due_from_48_hours_before_until_the_start() {
        let start = datetime!(2026-12-09 15:00 UTC);
        let cases = [
            ("49 hours before", datetime!(2026-12-07 14:00 UTC), false),
            ("48 hours before", datetime!(2026-12-07 15:00 UTC), true),
            ("an hour before", datetime!(2026-12-09 14:00 UTC), true),
            ("at the start", start, false),
            ("after", datetime!(2026-12-09 16:00 UTC), false),
        ];
        for (what, now, want) in cases {
            assert_eq!(due(now, start, LEAD), want, "{what}");
        }
    }

    #[test]
    fn a_granted_confidential_request_names_the_one_address_164_522_b() {
        let only = |c, a: &str| Accommodation::Only(c, a.into());
        let cases = [
            ("Text only 555-201-0199", only(Channel::Sms, "5552010199")),
            (
                "call or text (555) 201 0199, never the home phone",
                only(Channel::Sms, "5552010199"),
            ),
            ("Email work@example.org only.", only(Channel::Email, "work@example.org")),
            ("No messages at all", Accommodation::Nothing),
            ("text 555-201-0199 or 555-201-0100", Accommodation::Nothing),
            ("email a@example.org or text 555-201-0199", Accommodation::Nothing),
            ("mail to PO Box 12", Accommodation::Nothing),
            ("", Accommodation::Nothing),
        ];
        for (words, want) in cases {
            assert_eq!(accommodation(words), want, "{words}");
        }
    }
}
