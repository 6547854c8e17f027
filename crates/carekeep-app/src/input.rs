//! The one way typed text comes in. Every form and every API body passes through here before
//! a use case sees it (`urlencoded` and `json`, called by the server's extractors), and the use
//! cases check their fields with `text` and `line`, so a limit of 300 characters means 300
//! characters as the person sees them: a CRLF counts once, a trailing blank line not at all.

use crate::AppError;
use carekeep_domain::text::{clean, has_stray_control};
use std::borrow::Cow;

pub use carekeep_domain::text::line_breaks;

/// Free text that may span lines (an address, a narrative): trimmed, line breaks made LF,
/// at most `max` characters after that, no control character but LF and tab.
pub fn text(label: &str, s: &str, max: usize, required: bool) -> Result<String, AppError> {
    let s = clean(s);
    check(label, &s, max, required)?;
    if has_stray_control(&s) {
        return Err(AppError::Invalid(format!(
            "the {label} has a character that cannot be typed; retype it"
        )));
    }
    Ok(s)
}

/// One line of text (a name, a title): as `text`, and a line break is refused.
pub fn line(label: &str, s: &str, max: usize, required: bool) -> Result<String, AppError> {
    let s = text(label, s, max, required)?;
    if s.contains('\n') {
        return Err(AppError::Invalid(format!("the {label} must fit on one line")));
    }
    Ok(s)
}

/// A date typed the US way (`04/23/2026`) or as ISO (`2026-04-23`); empty is `None`, or
/// refused when `required`.
pub fn date(label: &str, s: &str, required: bool) -> Result<Option<time::Date>, AppError> {
    match s.trim() {
        "" if required => Err(AppError::Invalid(format!("the {label} is needed (like 04/23/2026)"))),
        "" => Ok(None),
        d => carekeep_domain::records::patient::parse_date(d)
            .map(Some)
            .map_err(|_| AppError::Invalid(format!("the {label} must look like 04/23/2026"))),
    }
}

fn check(label: &str, s: &str, max: usize, required: bool) -> Result<(), AppError> {
    if required && s.is_empty() {
        return Err(AppError::Invalid(format!("the {label} is needed")));
    }
    let n = s.chars().count();
    if n > max {
        return Err(AppError::Invalid(format!(
            "the {label} is longer than {max} characters (it has {n})"
        )));
    }
    Ok(())
}

/// A form body (`application/x-www-form-urlencoded`) with every CRLF and lone CR in its values
/// made LF. Works on the encoded bytes, one decoded byte at a time, so names, `+` and every
/// other escape pass unchanged and the decoder downstream stays the only decoder.
pub fn urlencoded(body: &[u8]) -> Cow<'_, [u8]> {
    // A CR is `%0D` (any case) or, from a careless client, a raw byte.
    fn unit(rest: &[u8]) -> (Option<u8>, usize) {
        match rest {
            [b'%', h, l, ..] => match (hex(*h), hex(*l)) {
                (Some(h), Some(l)) => (Some((h << 4) | l), 3),
                _ => (Some(b'%'), 1),
            },
            [b, ..] => (Some(*b), 1),
            [] => (None, 0),
        }
    }
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
    }
    if !body.contains(&b'\r') && !body.windows(3).any(|w| w.eq_ignore_ascii_case(b"%0d")) {
        return Cow::Borrowed(body);
    }
    let mut out = Vec::with_capacity(body.len());
    let mut rest = body;
    while let (Some(byte), width) = unit(rest) {
        let (here, after) = rest.split_at_checked(width).unwrap_or((rest, &[]));
        if byte == b'\r' {
            // CR followed by LF is dropped (the LF stays); a lone CR becomes LF.
            if unit(after).0 != Some(b'\n') {
                out.extend_from_slice(b"%0A");
            }
        } else {
            out.extend_from_slice(here);
        }
        rest = after;
    }
    Cow::Owned(out)
}

/// A JSON body with the line breaks of every string in it made LF (keys are left alone: they
/// name fields, nobody types them).
pub fn json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) => {
            if let Cow::Owned(fixed) = line_breaks(s) {
                *s = fixed;
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(json),
        serde_json::Value::Object(map) => map.values_mut().for_each(json),
        serde_json::Value::Null | serde_json::Value::Bool(_) | serde_json::Value::Number(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid(r: Result<String, AppError>) -> String {
        match r {
            Err(AppError::Invalid(m)) => m,
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn lengths_count_characters_after_normalising() {
        // The address: 33 characters as typed, refused before because of its CR.
        let typed = "12 Elm Street\r\nSpringfield, IL 62704";
        assert_eq!(
            text("address", typed, 300, false).ok().as_deref(),
            Some("12 Elm Street\nSpringfield, IL 62704")
        );
        // Exactly at the limit once CRLF counts as one.
        let at = format!("{}\r\n{}", "a".repeat(5), "b".repeat(4));
        assert_eq!(text("x", &at, 10, true).ok().map(|s| s.chars().count()), Some(10));
        let over = format!("{}\r\n{}", "a".repeat(5), "b".repeat(5));
        assert_eq!(
            invalid(text("note", &over, 10, true)),
            "the note is longer than 10 characters (it has 11)"
        );
        // Accented and CJK letters are one character each, not two or three bytes.
        assert!(text("name", &"\u{e9}".repeat(10), 10, true).is_ok());
        assert!(text("name", &"\u{4e2d}".repeat(10), 10, true).is_ok());
    }

    #[test]
    fn required_empty_and_controls() {
        assert_eq!(invalid(text("title", " \r\n ", 10, true)), "the title is needed");
        assert_eq!(text("title", " \r\n ", 10, false).ok().as_deref(), Some(""));
        assert!(text("x", "a\u{7}b", 10, false).is_err());
        assert!(text("x", "a\tb", 10, false).is_ok());
        assert_eq!(
            invalid(line("name", "Ann\r\nLee", 80, true)),
            "the name must fit on one line"
        );
        assert_eq!(
            line("name", "  Ann Lee \r\n", 80, true).ok().as_deref(),
            Some("Ann Lee")
        );
    }

    #[test]
    fn form_bodies() {
        let cases: [(&[u8], &[u8]); 7] = [
            (b"a=1&b=two+words", b"a=1&b=two+words"),
            (b"address=12+Elm%0D%0ASpringfield", b"address=12+Elm%0ASpringfield"),
            (b"address=12+Elm%0d%0aSpringfield", b"address=12+Elm%0aSpringfield"),
            (b"x=a%0Db%0D", b"x=a%0Ab%0A"),
            (b"x=a%0D%0D%0Ab", b"x=a%0A%0Ab"),
            (b"x=a\r\nb&y=%25%0D", b"x=a\nb&y=%25%0A"),
            // Not an escape of CR: %250D is "%" then "0D".
            (b"x=%250D&y=%zz", b"x=%250D&y=%zz"),
        ];
        for (body, want) in cases {
            assert_eq!(&*urlencoded(body), want, "{}", String::from_utf8_lossy(body));
        }
        // Decoding the result gives what decoding and then normalising would.
        let body = b"n=%C3%A9%0D%0A%E4%B8%AD%0Dz";
        let decoded: Vec<(String, String)> = form_urlencoded::parse(&urlencoded(body)).into_owned().collect();
        assert_eq!(decoded, vec![("n".to_owned(), "\u{e9}\n\u{4e2d}\nz".to_owned())]);
    }

    #[test]
    fn json_bodies() {
        let mut v = serde_json::json!({"a\r\nkey": ["x\r\ny", 1, {"z": "p\rq"}], "n": null});
        json(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"a\r\nkey": ["x\ny", 1, {"z": "p\nq"}], "n": null})
        );
    }
}
