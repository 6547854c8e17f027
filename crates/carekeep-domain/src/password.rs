//! Password rules (164.308(a)(5)(ii)(D) password management): length over complexity, as
//! NIST SP 800-63B advises: at least 12 characters, no composition rules, common passwords
//! refused. A compact embedded list of the most common passwords and their stems catches
//! "password1234!" as well as "password".

use thiserror::Error;

pub const MIN_LENGTH: usize = 12;
/// Argon2 cost grows with input length; a cap keeps login from being a denial of service.
pub const MAX_LENGTH: usize = 256;

const COMMON: &str = include_str!("common_passwords.txt");

/// Why a password was refused. Messages say what to do instead.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum PasswordProblem {
    #[error("use at least {MIN_LENGTH} characters; a short sentence is easy to remember")]
    TooShort,
    #[error("use at most {MAX_LENGTH} characters")]
    TooLong,
    #[error("this password is on the list of the most common passwords; choose another")]
    Common,
    #[error("a password must not contain the username")]
    ContainsUsername,
    #[error("a password must not be one character or one short pattern repeated")]
    Repetitive,
}

/// Checks a new password for `username`.
pub fn check(password: &str, username: &str) -> Result<(), PasswordProblem> {
    let len = password.chars().count();
    if len < MIN_LENGTH {
        return Err(PasswordProblem::TooShort);
    }
    if len > MAX_LENGTH {
        return Err(PasswordProblem::TooLong);
    }
    let lower = password.to_lowercase();
    let user = username.trim().to_lowercase();
    if user.chars().count() >= 4 && lower.contains(&user) {
        return Err(PasswordProblem::ContainsUsername);
    }
    if is_repetitive(&lower) {
        return Err(PasswordProblem::Repetitive);
    }
    if is_common(&lower) {
        return Err(PasswordProblem::Common);
    }
    Ok(())
}

/// "aaaaaaaaaaaa", "abcabcabcabc", "121212121212".
fn is_repetitive(pw: &str) -> bool {
    let chars: Vec<char> = pw.chars().collect();
    (1..=4)
        .any(|period| chars.len() > period && chars.iter().zip(chars.iter().take(period).cycle()).all(|(a, b)| a == b))
        || is_sequence(&chars)
}

/// "123456789012", "abcdefghijkl", "987654321098".
fn is_sequence(chars: &[char]) -> bool {
    let steps: Vec<i64> = chars
        .windows(2)
        .map(|w| match w {
            [a, b] => i64::from(u32::from(*b)) - i64::from(u32::from(*a)),
            _ => 0,
        })
        .collect();
    let up = steps.iter().all(|s| *s == 1 || *s == -9);
    let down = steps.iter().all(|s| *s == -1 || *s == 9);
    up || down
}

/// The common list holds whole passwords and stems; a password is common when it is on the
/// list, or is a listed stem with only digits and symbols around it (with leetspeak undone).
fn is_common(pw: &str) -> bool {
    let unleet = |s: &str| -> String {
        s.chars()
            .map(|c| match c {
                '0' => 'o',
                '1' => 'i',
                '3' => 'e',
                '4' | '@' => 'a',
                '5' | '$' => 's',
                '7' => 't',
                other => other,
            })
            .collect()
    };
    let core = |s: &str| -> String {
        s.trim_matches(|c: char| !c.is_alphabetic())
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect()
    };
    // Digits and symbols around a stem are padding; inside it they may be leetspeak.
    let candidates = [pw.to_owned(), core(pw), unleet(&core(pw)), core(&unleet(pw))];
    COMMON
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|entry| candidates.iter().any(|c| c == entry))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 164.308(a)(5)(ii)(D): procedures for creating passwords; length, no composition rules.
    #[test]
    fn password_rules() {
        let cases = [
            ("short pass", Err(PasswordProblem::TooShort)),
            ("password1234", Err(PasswordProblem::Common)),
            ("P@ssw0rd2024!", Err(PasswordProblem::Common)),
            ("iloveyou!!!!!!", Err(PasswordProblem::Common)),
            ("qwertyuiop12", Err(PasswordProblem::Common)),
            ("aaaaaaaaaaaa", Err(PasswordProblem::Repetitive)),
            ("abcabcabcabc", Err(PasswordProblem::Repetitive)),
            ("123456789012", Err(PasswordProblem::Repetitive)),
            ("jsmith-is-my-name", Err(PasswordProblem::ContainsUsername)),
            ("correct horse battery staple", Ok(())),
            ("tulips in the waiting room", Ok(())),
            ("all lowercase no digits", Ok(())),
        ];
        for (pw, want) in cases {
            assert_eq!(check(pw, "jsmith"), want, "{pw}");
        }
        assert_eq!(check(&"x".repeat(300), "jsmith"), Err(PasswordProblem::TooLong));
    }
}
