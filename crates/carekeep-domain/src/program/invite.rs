//! Inviting a person to sign in (164.308(a)(4)(ii)(C) access establishment; 164.312(d) person
//! authentication): the owner makes an account and a one-time link (or a set-up code) valid
//! 72 hours; the person opens it, chooses a password, and enrols an authenticator at first
//! sign-in. Only a hash of the token is kept. A used or expired link is refused, said plainly.

use time::{Duration, OffsetDateTime};

/// How long an invitation stays open.
pub const VALID_FOR: Duration = Duration::hours(72);

/// What an invitation can still do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InviteState {
    /// The person may set a password through it.
    Open,
    /// A password was already set through it.
    Used,
    /// More than 72 hours have passed since it was made.
    Expired,
}

impl InviteState {
    /// What the page says, to the invited person.
    pub fn words(self) -> &'static str {
        match self {
            InviteState::Open => "Choose a password to finish setting up your account.",
            InviteState::Used => {
                "This invitation has already been used. Sign in with the password you chose, or ask the clinic's owner for a new invitation."
            }
            InviteState::Expired => {
                "This invitation has expired (invitations last 72 hours). Ask the clinic's owner for a new one."
            }
        }
    }
}

/// When an invitation made at `made_at` stops working.
pub fn expires_at(made_at: OffsetDateTime) -> OffsetDateTime {
    made_at + VALID_FOR
}

/// The state of an invitation at `now`. Used is told first: a second click learns it worked.
pub fn state(now: OffsetDateTime, expires_at: OffsetDateTime, used: bool) -> InviteState {
    if used {
        InviteState::Used
    } else if now >= expires_at {
        InviteState::Expired
    } else {
        InviteState::Open
    }
}

/// How a person shows on the staff list: an account whose invitation is still open (no
/// password chosen yet) is "invited", not a gap in training or acknowledgements.
pub fn is_pending(open_invitation: bool, signed_in_ever: bool) -> bool {
    open_invitation && !signed_in_ever
}

/// The characters a printed set-up code uses: no 0, O, 1, I, L or U, so a person copying it
/// from paper cannot confuse two of them.
pub const CODE_ALPHABET: &[u8; 30] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";

/// How many characters a set-up code has: 16 of 30 kinds are over 78 random bits, far beyond
/// guessing at the link limit of 20 tries a minute.
pub const CODE_LENGTH: usize = 16;

/// A set-up code as printed: groups of four, e.g. `7KQM-3XRT-9HBD-W2NC`.
pub fn format_code(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// A set-up code as typed back in: spaces and dashes dropped, lower case raised. `None` when
/// it cannot be a code (wrong length, or a character codes never use), so the page can say so
/// at the field without a lookup.
pub fn normalize_code(typed: &str) -> Option<String> {
    let mut out = String::with_capacity(CODE_LENGTH);
    for c in typed.chars() {
        if c.is_whitespace() || c == '-' {
            continue;
        }
        let c = c.to_ascii_uppercase();
        if !c.is_ascii_alphanumeric() || !CODE_ALPHABET.contains(&(c as u8)) {
            return None;
        }
        out.push(c);
    }
    (out.len() == CODE_LENGTH).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn an_invitation_works_once_for_72_hours() {
        let made = datetime!(2026-12-06 15:00 UTC);
        let until = expires_at(made);
        assert_eq!(until, datetime!(2026-12-09 15:00 UTC));
        let cases = [
            (made, false, InviteState::Open),
            (datetime!(2026-12-09 14:59 UTC), false, InviteState::Open),
            (until, false, InviteState::Expired),
            (datetime!(2026-12-20 09:00 UTC), false, InviteState::Expired),
            (datetime!(2026-12-07 09:00 UTC), true, InviteState::Used),
            (datetime!(2026-12-20 09:00 UTC), true, InviteState::Used),
        ];
        for (now, used, want) in cases {
            assert_eq!(state(now, until, used), want, "{now} used={used}");
        }
    }

    #[test]
    fn pending_only_while_open_and_never_signed_in() {
        assert!(is_pending(true, false));
        assert!(!is_pending(false, false));
        assert!(!is_pending(true, true));
    }

    #[test]
    fn the_words_carry_no_codes() {
        for s in [InviteState::Open, InviteState::Used, InviteState::Expired] {
            assert!(!s.words().contains('_'));
        }
    }

    #[test]
    fn a_set_up_code_is_read_back_as_printed() {
        let cases = [
            ("7KQM-3XRT-9HBD-W2NC", Some("7KQM3XRT9HBDW2NC")),
            ("7kqm 3xrt 9hbd w2nc", Some("7KQM3XRT9HBDW2NC")),
            (" 7KQM3XRT9HBDW2NC\r\n", Some("7KQM3XRT9HBDW2NC")),
            ("7KQM-3XRT-9HBD", None),
            ("7KQM-3XRT-9HBD-W2NC-AAAA", None),
            // Letters a code never uses are refused, not guessed at.
            ("7KQM-3XRT-9HBD-W2N0", None),
            ("7KQM-3XRT-9HBD-W2NI", None),
            ("7KQM-3XRT-9HBD-W2N#", None),
            ("", None),
        ];
        for (typed, want) in cases {
            assert_eq!(normalize_code(typed).as_deref(), want, "{typed:?}");
        }
        assert_eq!(format_code("7KQM3XRT9HBDW2NC"), "7KQM-3XRT-9HBD-W2NC");
        assert!(CODE_ALPHABET.iter().all(|c| !b"01OILU".contains(c)));
    }
}
