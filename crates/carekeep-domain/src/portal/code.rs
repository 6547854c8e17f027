//! The portal's one-time sign-in code (issue 27, item 2): six digits sent to the contact on
//! file, valid ten minutes, used once, dead after five wrong tries; at most five codes an hour
//! per contact. Person or entity authentication, 164.312(d); the attempts are limited so six
//! digits cannot be guessed.

use time::{Duration, OffsetDateTime};

/// How long a code may be used.
pub const VALID_FOR: Duration = Duration::minutes(10);
/// Codes sent to one contact in any hour.
pub const CODES_PER_HOUR: usize = 5;
/// Wrong tries after which a code dies.
pub const WRONG_TRIES: i64 = 5;
/// A portal session ends after this long without a request (164.312(a)(2)(iii)).
pub const IDLE: Duration = Duration::minutes(15);
/// And after this long in any case.
pub const ABSOLUTE: Duration = Duration::hours(2);

/// What the person typed to be found by: an email address or a US mobile number, in the one
/// form the comparison and the per-contact count use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContactKey {
    Email(String),
    Phone(String),
}

impl ContactKey {
    /// `None` when it is neither an email address nor a US phone number.
    pub fn parse(typed: &str) -> Option<ContactKey> {
        let t = typed.trim();
        if t.contains('@') {
            let lower = t.to_lowercase();
            let (local, domain) = lower.split_once('@')?;
            let ok = !local.is_empty() && domain.contains('.') && !lower.chars().any(char::is_whitespace);
            return ok.then_some(ContactKey::Email(lower));
        }
        crate::calendar::texting::normalize_us_number(t).map(ContactKey::Phone)
    }

    /// The text counted and compared (`email:...`, `phone:...`).
    pub fn key(&self) -> String {
        match self {
            ContactKey::Email(e) => format!("email:{e}"),
            ContactKey::Phone(p) => format!("phone:{p}"),
        }
    }

    /// Whether this is the contact on file (its email or its phone, as typed there).
    pub fn matches(&self, email_on_file: &str, phone_on_file: &str) -> bool {
        match self {
            ContactKey::Email(e) => !email_on_file.trim().is_empty() && email_on_file.trim().to_lowercase() == *e,
            ContactKey::Phone(p) => {
                crate::calendar::texting::normalize_us_number(phone_on_file).as_deref() == Some(p.as_str())
            }
        }
    }
}

/// Whether another code may be sent to a contact that was sent codes at these times.
pub fn may_send(sent: &[OffsetDateTime], now: OffsetDateTime) -> bool {
    sent.iter().filter(|t| now - **t < Duration::hours(1)).count() < CODES_PER_HOUR
}

/// A code as typed: six digits, spaces and dashes allowed between them.
pub fn normalize(typed: &str) -> Option<String> {
    let digits: String = typed.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    (digits.len() == 6 && digits.chars().all(|c| c.is_ascii_digit())).then_some(digits)
}

/// What a typed code does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// Signs the person in (and uses the code up).
    Accepted,
    /// Wrong: one more try counted.
    Wrong,
    /// Used already, expired, or dead after too many wrong tries: a new code is needed.
    Spent,
}

/// The code's answer, in order: spent (used, expired, too many wrong tries) before right or
/// wrong, so a used or expired code never signs in even when typed right.
pub fn check(now: OffsetDateTime, expires_at: OffsetDateTime, used: bool, wrong_tries: i64, right: bool) -> Check {
    if used || now >= expires_at || wrong_tries >= WRONG_TRIES {
        Check::Spent
    } else if right {
        Check::Accepted
    } else {
        Check::Wrong
    }
}

/// Whether a portal session last seen at `last_seen`, begun at `created`, is still live.
pub fn session_live(now: OffsetDateTime, created: OffsetDateTime, last_seen: OffsetDateTime) -> bool {
    now - last_seen < IDLE && now - created < ABSOLUTE
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T: OffsetDateTime = datetime!(2026-12-07 15:00 UTC);

    /// 164.312(d): a code works once, for ten minutes, until five wrong tries.
    #[test]
    fn a_code_signs_in_once_within_ten_minutes_and_dies_after_five_wrong_tries() {
        let exp = T + VALID_FOR;
        let cases = [
            // now, used, wrong tries, right, answer
            (T, false, 0, true, Check::Accepted),
            (T, false, 0, false, Check::Wrong),
            (T + Duration::minutes(9), false, 4, true, Check::Accepted),
            (T + Duration::minutes(10), false, 0, true, Check::Spent),
            (T, true, 0, true, Check::Spent),
            (T, false, 5, true, Check::Spent),
            (T, false, 4, false, Check::Wrong),
        ];
        for (now, used, wrong, right, want) in cases {
            assert_eq!(
                check(now, exp, used, wrong, right),
                want,
                "{now} {used} {wrong} {right}"
            );
        }
    }

    #[test]
    fn five_codes_an_hour_per_contact() {
        let four: Vec<_> = (0..4).map(|m| T - Duration::minutes(m * 10)).collect();
        assert!(may_send(&four, T));
        let mut five = four.clone();
        five.push(T - Duration::minutes(59));
        assert!(!may_send(&five, T));
        assert!(may_send(&five, T + Duration::minutes(2)), "the oldest left the hour");
    }

    #[test]
    fn contacts_are_compared_in_one_form() {
        let e = ContactKey::parse(" Ana.Diaz@Example.COM ").unwrap();
        assert_eq!(e.key(), "email:ana.diaz@example.com");
        assert!(e.matches("ana.diaz@example.com", ""));
        assert!(!e.matches("", "5551234567"));
        let p = ContactKey::parse("(555) 234-5678").unwrap();
        assert_eq!(p.key(), "phone:5552345678");
        assert!(p.matches("", "+1 555 234 5678"));
        assert!(!p.matches("", "555 234 5679"));
        assert_eq!(ContactKey::parse("not a contact"), None);
        assert_eq!(ContactKey::parse("a@b"), None);
    }

    #[test]
    fn codes_are_six_digits() {
        assert_eq!(normalize("123 456").as_deref(), Some("123456"));
        assert_eq!(normalize("123-456").as_deref(), Some("123456"));
        assert_eq!(normalize("12345"), None);
        assert_eq!(normalize("12345a"), None);
    }

    /// 164.312(a)(2)(iii): fifteen idle minutes end a portal session.
    #[test]
    fn sessions_end_after_fifteen_idle_minutes() {
        assert!(session_live(T + Duration::minutes(14), T, T));
        assert!(!session_live(T + Duration::minutes(15), T, T));
        assert!(!session_live(T + Duration::hours(2), T, T + Duration::minutes(119)));
    }
}
