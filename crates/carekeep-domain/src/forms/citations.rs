//! A form's paragraphs as a patient reads them: the legal citations a clinic's template keeps
//! in its text (`(45 CFR 164.508(b)(4))`) are taken out of the running words and given apart,
//! so the portal shows plain words with the citation one click away. The template itself (and
//! its hash, and the signed copy) is unchanged: this is only how the text is shown.

/// A paragraph without its citations, and the citations in the order they appeared.
pub fn plain(paragraph: &str) -> (String, Vec<String>) {
    let mut text = String::with_capacity(paragraph.len());
    let mut cited = Vec::new();
    let mut rest = paragraph;
    while let Some(open) = rest.find('(') {
        let (before, from) = rest.split_at(open);
        match closing(from) {
            Some(end) if is_citation(&from[1..end]) => {
                text.push_str(before.trim_end_matches(' '));
                cited.push(from[1..end].trim().to_owned());
                rest = &from[end + 1..];
            }
            _ => {
                text.push_str(before);
                text.push('(');
                rest = &from[1..];
            }
        }
    }
    text.push_str(rest);
    (text.trim().to_owned(), cited)
}

/// The index of the `)` that closes the `(` at 0.
fn closing(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// `45 CFR 164.508(b)(4)`, `164.508(c)(4)`, `15 U.S.C. 7001(c)`: a title and part, or a
/// section number like `164.508`, at the start.
fn is_citation(inner: &str) -> bool {
    let s = inner.trim();
    ["CFR ", "U.S.C. ", "USC "].iter().any(|t| {
        s.split_once(t)
            .is_some_and(|(title, _)| !title.trim().is_empty() && title.trim().chars().all(|c| c.is_ascii_digit()))
    }) || section(s)
}

/// `164.508`, `164.508(c)(4)`: a part of three digits, a section, then only paragraph marks
/// (so a dose like `2.5 mg` or a weight like `150.5 lb` is not one).
fn section(s: &str) -> bool {
    let part = s.chars().take_while(char::is_ascii_digit).count();
    let Some(after) = s.get(part..).and_then(|r| r.strip_prefix('.')) else {
        return false;
    };
    let sec = after.chars().take_while(char::is_ascii_digit).count();
    let mut marks = &after[sec..];
    while let Some(r) = marks.strip_prefix('(') {
        let Some((mark, tail)) = r.split_once(')') else {
            return false;
        };
        if mark.is_empty() || !mark.chars().all(|c| c.is_ascii_alphanumeric()) {
            return false;
        }
        marks = tail;
    }
    part == 3 && sec > 0 && marks.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citations_leave_the_running_text() {
        let cases: [(&str, &str, &[&str]); 8] = [
            (
                "Treatment is not conditioned on this choice (45 CFR 164.508(b)(4)).",
                "Treatment is not conditioned on this choice.",
                &["45 CFR 164.508(b)(4)"],
            ),
            (
                "Recorded with the signature (45 CFR 164.508(c)(1)(vi)). You will be given a copy (164.508(c)(4)).",
                "Recorded with the signature. You will be given a copy.",
                &["45 CFR 164.508(c)(1)(vi)", "164.508(c)(4)"],
            ),
            (
                "You may withdraw this consent (15 U.S.C. 7001(c)(1)(B)(i)) at any time.",
                "You may withdraw this consent at any time.",
                &["15 U.S.C. 7001(c)(1)(B)(i)"],
            ),
            // Words in brackets that are not a citation stay.
            (
                "Payment is due (cash or card) when services are provided.",
                "Payment is due (cash or card) when services are provided.",
                &[],
            ),
            ("A dose (2.5 mg) twice a day.", "A dose (2.5 mg) twice a day.", &[]),
            ("Weight (150.5 lb) today.", "Weight (150.5 lb) today.", &[]),
            ("An open bracket ( is kept.", "An open bracket ( is kept.", &[]),
            ("", "", &[]),
        ];
        for (typed, text, cited) in cases {
            let (got, got_cited) = plain(typed);
            assert_eq!(got, text, "{typed}");
            assert_eq!(got_cited, cited, "{typed}");
        }
    }

    /// No built-in template shows a patient a citation in its running text.
    #[test]
    fn the_built_in_forms_read_plainly() {
        for (key, _) in crate::forms::builtin::KEYS {
            let t = crate::forms::builtin::template(key).unwrap();
            for s in &t.sections {
                for p in &s.text {
                    let (text, _) = plain(p);
                    assert!(!text.contains("CFR") && !text.contains("164."), "{key}: {text}");
                }
            }
        }
    }
}
