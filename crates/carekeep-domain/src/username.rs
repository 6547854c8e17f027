//! Usernames: one account per person (164.312(a)(2)(i) unique user identification).
//! Uniqueness is case-insensitive so `JSmith` and `jsmith` can never be two accounts.

use thiserror::Error;

/// Why a username was refused.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum UsernameError {
    #[error("a username needs 3 to 64 characters")]
    Length,
    #[error("a username may contain only letters, digits, '.', '-' and '_'")]
    Characters,
}

/// Checks a username's form and returns the key it is unique under.
pub fn normalize(username: &str) -> Result<String, UsernameError> {
    let trimmed = username.trim();
    let len = trimmed.chars().count();
    if !(3..=64).contains(&len) {
        return Err(UsernameError::Length);
    }
    if !trimmed
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    {
        return Err(UsernameError::Characters);
    }
    Ok(trimmed.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_unique_case_insensitively() {
        let cases: &[(&str, Result<&str, UsernameError>)] = &[
            ("JSmith", Ok("jsmith")),
            ("  jsmith ", Ok("jsmith")),
            ("dr.lee-2", Ok("dr.lee-2")),
            ("ab", Err(UsernameError::Length)),
            ("a b c", Err(UsernameError::Characters)),
            ("anna@clinic", Err(UsernameError::Characters)),
        ];
        for (input, want) in cases {
            assert_eq!(normalize(input).as_deref().map_err(|e| e.clone()), *want, "{input}");
        }
    }
}
