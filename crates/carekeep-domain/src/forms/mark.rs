//! Which mark a signer made: drawn on the pad or a typed name, one of the two. Both sent
//! together are refused rather than one silently ignored: which the signer meant as their
//! signature is not ours to guess (the mark must be "the act of" the person, UETA section
//! 9(a), `reference/patients-and-messages.md` 7.2).

use super::{check_drawn, Mark};

/// Said at the signature when both were sent.
pub const BOTH: &str =
    "you signed on the pad and also typed your name: keep one (clear the pad, or empty the name box)";

/// The mark from what the sign step sent, or why there is none (words for the field).
pub fn mark_of(drawn: &str, typed: &str) -> Result<Mark, &'static str> {
    match (drawn.trim(), typed.trim()) {
        ("", "") => Err("sign on the pad or type your full name"),
        (d, "") => check_drawn(d).map(|()| Mark::Drawn(d.to_owned())),
        ("", t) if t.chars().count() > 200 => Err("the typed name is too long"),
        ("", t) => Ok(Mark::Typed(t.to_owned())),
        _ => Err(BOTH),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_mark_or_a_reason() {
        let pad = "M 10 100 L 60 40 L 120 120";
        let long = "N".repeat(201);
        let cases: [(&str, &str, Result<Mark, &str>); 6] = [
            (pad, "", Ok(Mark::Drawn(pad.into()))),
            ("", " Nia Castellanos ", Ok(Mark::Typed("Nia Castellanos".into()))),
            (pad, "Nia Castellanos", Err(BOTH)),
            ("", "", Err("sign on the pad or type your full name")),
            ("M 10 10", "", Err(check_drawn("M 10 10").unwrap_err())),
            ("", &long, Err("the typed name is too long")),
        ];
        for (drawn, typed, want) in cases {
            assert_eq!(mark_of(drawn, typed), want, "{drawn:?} {typed:?}");
        }
    }
}
