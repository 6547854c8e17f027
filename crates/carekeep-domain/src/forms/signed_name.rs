//! Whose mark a typed signature or a set of initials is. An electronic signature is
//! attributable to the person whose act it was (UETA section 9(a), `patients-and-messages.md`
//! 7.2), and the evidence names the signer as the clinic knows them (7.4: "signer identity and
//! how it was established"): a typed name that is not the signer's, or initials that are not
//! theirs, would put another person's name on the record. So the typed name must be the name
//! on file (any order, any case, with up to two more words such as a middle name or a suffix),
//! and initials must begin with the given name's first letter and end with the family name's.

use super::{is_shown, Answer, Answers, FieldKind, Mark, Problem, Template};

/// A typed name or initials that are not the signer's, each at its question.
pub fn problems(t: &Template, answers: &Answers, mark: &Mark, signer: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    for f in t.fields().filter(|f| is_shown(t, f, answers)) {
        match (&f.kind, mark, answers.get(&f.id)) {
            (FieldKind::Signature, Mark::Typed(typed), _) if !typed_name_matches(signer, typed) => {
                out.push(Problem {
                    field: f.id.clone(),
                    message: format!("Type your full name as the clinic has it: {signer}."),
                });
            }
            (FieldKind::Initials, _, Some(Answer::Text(typed))) if !initials_match(signer, typed) => {
                out.push(Problem {
                    field: f.id.clone(),
                    message: format!("Type the initials of {signer}, who signs this form."),
                });
            }
            _ => {}
        }
    }
    out
}

/// The words of a name, folded: lower case, letters, digits, apostrophes and hyphens kept.
fn words(name: &str) -> Vec<String> {
    name.split(|c: char| c.is_whitespace() || c == ',' || c == '.')
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric() || *c == '\'' || *c == '-')
                .flat_map(char::to_lowercase)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// Whether `typed` is the signer's name as the clinic has it (`on_file`).
pub fn typed_name_matches(on_file: &str, typed: &str) -> bool {
    let (want, got) = (words(on_file), words(typed));
    if want.is_empty() || got.len() > want.len() + 2 {
        return false;
    }
    let mut left = got.clone();
    want.iter().all(|w| match left.iter().position(|g| g == w) {
        Some(i) => {
            left.swap_remove(i);
            true
        }
        None => false,
    })
}

/// Whether `typed` initials are the signer's: letters only, the first the given name's first
/// letter, the last the family name's (a middle initial or none between).
pub fn initials_match(on_file: &str, typed: &str) -> bool {
    let name = words(on_file);
    let letters: Vec<char> = typed
        .chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .collect();
    let (Some(first), Some(last)) = (name.first(), name.last()) else {
        return false;
    };
    if name.len() < 2 || !(2..=4).contains(&letters.len()) {
        return false;
    }
    first.chars().next() == letters.first().copied() && last.chars().next() == letters.last().copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::builtin;

    #[test]
    fn a_form_signed_in_another_name_is_refused_at_the_signature_and_the_initials() {
        let t = builtin::template("hipaa_authorization").unwrap();
        let initials: Vec<String> = t
            .fields()
            .filter(|f| f.kind == FieldKind::Initials)
            .map(|f| f.id.clone())
            .collect();
        let mut a = Answers::new();
        for id in &initials {
            a.insert(id.clone(), Answer::Text("XYZ".into()));
        }
        let typed = |n: &str| Mark::Typed(n.into());
        let got = problems(&t, &a, &typed("Jane Doe"), "Marisol Okonkwo");
        assert_eq!(got.len(), 1 + initials.len(), "{got:?}");
        assert!(got[0].message.contains("Marisol Okonkwo"));
        for id in &initials {
            a.insert(id.clone(), Answer::Text("M.O.".into()));
        }
        assert!(problems(&t, &a, &typed("marisol okonkwo"), "Marisol Okonkwo").is_empty());
        // A drawn mark is the signer's act at the pad: only initials are checked.
        assert!(problems(&t, &a, &Mark::Drawn("M 1 1 L 2 2".into()), "Marisol Okonkwo").is_empty());
    }

    #[test]
    fn a_typed_name_is_the_signers_name_on_file() {
        let cases = [
            ("Marisol Okonkwo", "Marisol Okonkwo", true),
            ("Marisol Okonkwo", "  marisol   OKONKWO ", true),
            ("Marisol Okonkwo", "Okonkwo, Marisol", true),
            ("Marisol Okonkwo", "Marisol A. Okonkwo", true),
            ("Paul Reyes", "Paul Reyes Jr.", true),
            ("Mary-Jo O'Neil", "mary-jo o'neil", true),
            // Someone else's name, a part of the name, or the name inside a sentence.
            ("Marisol Okonkwo", "Jane Doe", false),
            ("Marisol Okonkwo", "Marisol", false),
            ("Marisol Okonkwo", "M. Okonkwo", false),
            ("Marisol Okonkwo", "I am not Marisol Okonkwo at all", false),
            ("", "Anyone", false),
        ];
        for (on_file, typed, ok) in cases {
            assert_eq!(typed_name_matches(on_file, typed), ok, "{on_file} / {typed}");
        }
    }

    #[test]
    fn initials_begin_and_end_with_the_signers() {
        let cases = [
            ("Marisol Okonkwo", "MO", true),
            ("Marisol Okonkwo", "m.o.", true),
            ("Marisol Okonkwo", "MAO", true),
            ("Marisol Okonkwo", "XYZ", false),
            ("Marisol Okonkwo", "M", false),
            ("Marisol Okonkwo", "OM", false),
            ("Cher", "CC", false),
        ];
        for (on_file, typed, ok) in cases {
            assert_eq!(initials_match(on_file, typed), ok, "{on_file} / {typed}");
        }
    }
}
