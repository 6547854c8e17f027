//! The name a signed form's PDF is saved under. A file name lands in the Downloads folder and
//! the browser's history, outside the audit trail: so it carries the form's title and the day
//! it was signed (what the clinic needs to tell its files apart), never the patient's name
//! (PHI beyond what is needed, minimum necessary, 164.502(b)(1)). The title is the clinic's own
//! template text, which holds no PHI.

use time::Date;

/// The longest title kept in a file name (a few systems cut names near 255 bytes).
const TITLE_AT_MOST: usize = 80;

/// `Consent to treat - signed 03-02-2026.pdf`: the title in plain ASCII letters, digits and
/// spaces, the US date with dashes (a slash is not allowed in a file name); `Form` when
/// the title has none of those.
pub fn signed_form_pdf(title: &str, signed_on: Option<Date>) -> String {
    let kept: String = title
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    let mut words = kept.split_whitespace().collect::<Vec<_>>().join(" ");
    if words.is_empty() {
        words = "Form".into();
    }
    if words.len() > TITLE_AT_MOST {
        words.truncate(TITLE_AT_MOST);
        words = words.trim_end().to_owned();
    }
    match signed_on {
        Some(d) => format!(
            "{words} - signed {:02}-{:02}-{}.pdf",
            u8::from(d.month()),
            d.day(),
            d.year()
        ),
        None => format!("{words}.pdf"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_signed_forms_file_is_named_by_its_title_and_day_never_the_patient() {
        let day = Some(date!(2026 - 03 - 02));
        let long = "Consent ".repeat(20);
        let cases = [
            ("Consent to treat", day, "Consent to treat - signed 03-02-2026.pdf"),
            ("HIPAA authorization", None, "HIPAA authorization.pdf"),
            // Punctuation a file system or a header would choke on becomes a space.
            (
                "Photography consent (clinical / marketing)",
                day,
                "Photography consent clinical marketing - signed 03-02-2026.pdf",
            ),
            ("///", day, "Form - signed 03-02-2026.pdf"),
        ];
        for (title, on, want) in cases {
            assert_eq!(signed_form_pdf(title, on), want, "{title}");
        }
        let cut = signed_form_pdf(&long, day);
        assert!(cut.len() <= TITLE_AT_MOST + " - signed 03-02-2026.pdf".len(), "{cut}");
    }
}
