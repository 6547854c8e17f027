//! Code formats: ICD-10-CM diagnosis codes and CPT/HCPCS procedure codes. Only the shape is
//! checked; Carekeep does not ship the code sets.

use super::{invalid, Invalid};

/// ICD-10-CM: a letter, two characters (digit, digit or letter), then optionally a dot and one
/// to four characters. Stored upper-case with the dot, e.g. `E11.9`, `S52.521A`.
pub fn icd10cm(code: &str) -> Result<String, Invalid> {
    let c = code.trim().to_ascii_uppercase().replace(' ', "");
    // Byte slicing below is safe only on ASCII; no code has anything else (found by the
    // form_fields fuzz target: "é1234" panicked).
    if !c.is_ascii() {
        return invalid("an ICD-10-CM code looks like E11.9 or S52.521A");
    }
    let (head, tail) = match c.split_once('.') {
        Some((h, t)) => (h.to_owned(), t.to_owned()),
        None if c.len() > 3 => (c[..3].to_owned(), c[3..].to_owned()),
        None => (c.clone(), String::new()),
    };
    let h: Vec<char> = head.chars().collect();
    let ok_head =
        matches!(h.as_slice(), [a, b, c] if a.is_ascii_uppercase() && b.is_ascii_digit() && c.is_ascii_alphanumeric());
    let ok_tail =
        tail.len() <= 4 && tail.chars().all(|ch| ch.is_ascii_alphanumeric()) && !(c.contains('.') && tail.is_empty());
    if !ok_head || !ok_tail {
        return invalid("an ICD-10-CM code looks like E11.9 or S52.521A");
    }
    Ok(if tail.is_empty() {
        head
    } else {
        format!("{head}.{tail}")
    })
}

/// CPT (five digits, or four digits and F/T/U) or HCPCS Level II (a letter and four digits).
pub fn procedure(code: &str) -> Result<String, Invalid> {
    let c = code.trim().to_ascii_uppercase();
    let b = c.as_bytes();
    let ok = match b {
        [first, rest @ ..] if rest.len() == 4 => {
            b.iter().all(u8::is_ascii_digit)
                || (b.iter().take(4).all(u8::is_ascii_digit) && matches!(rest.last(), Some(b'F' | b'T' | b'U')))
                || (first.is_ascii_uppercase() && rest.iter().all(u8::is_ascii_digit))
        }
        _ => false,
    };
    if !ok {
        return invalid("a procedure code is a CPT code like 99213 or a HCPCS code like J3490");
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icd10() {
        for (input, want) in [
            ("E11.9", Some("E11.9")),
            ("é1234", None),
            ("E1é9", None),
            ("e119", Some("E11.9")),
            ("S52.521A", Some("S52.521A")),
            ("I10", Some("I10")),
            ("Z00.00", Some("Z00.00")),
            ("11.9", None),
            ("E1", None),
            ("E11.", None),
            ("E11.12345", None),
        ] {
            assert_eq!(icd10cm(input).ok().as_deref(), want, "{input}");
        }
    }

    #[test]
    fn procedures() {
        for (input, ok) in [
            ("99213", true),
            ("0001F", true),
            ("J3490", true),
            ("9921", false),
            ("ABCDE", false),
        ] {
            assert_eq!(procedure(input).is_ok(), ok, "{input}");
        }
    }
}
