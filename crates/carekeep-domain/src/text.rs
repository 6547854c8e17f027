//! Typed text as people send it. Browsers send a textarea's line breaks as CRLF (the HTML
//! standard's form submission normalises them so), older Macs and some pasted text as a lone
//! CR; stored text has LF only, so lengths, PDFs and CSVs see one break per break.

use std::borrow::Cow;

/// The text with every CRLF and lone CR made one LF.
pub fn line_breaks(s: &str) -> Cow<'_, str> {
    if !s.contains('\r') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Line breaks made LF and the ends trimmed: what every check measures and what is stored.
pub fn clean(s: &str) -> String {
    line_breaks(s).trim().to_owned()
}

/// A control character other than a line break or a tab: never typed, only injected.
pub fn has_stray_control(s: &str) -> bool {
    s.chars().any(|c| c.is_control() && c != '\n' && c != '\t')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaks_become_lf() {
        let cases = [
            ("one", "one"),
            ("a\r\nb", "a\nb"),
            ("a\rb", "a\nb"),
            ("a\r\r\nb", "a\n\nb"),
            ("a\n\rb", "a\n\nb"),
            ("\r\n\r\n", "\n\n"),
            ("a\r", "a\n"),
            ("caf\u{e9}\r\n\u{4e2d}", "caf\u{e9}\n\u{4e2d}"),
        ];
        for (input, want) in cases {
            assert_eq!(line_breaks(input), want, "{input:?}");
        }
        assert!(matches!(line_breaks("no breaks\n"), Cow::Borrowed(_)));
    }

    #[test]
    fn clean_trims_after_normalising() {
        assert_eq!(
            clean("  12 Elm St\r\nSpringfield, IL\r\n  "),
            "12 Elm St\nSpringfield, IL"
        );
        assert_eq!(clean("\r\n\r\n"), "");
    }

    #[test]
    fn stray_controls() {
        assert!(!has_stray_control("a\nb\tc"));
        assert!(has_stray_control("a\u{0}b"));
        assert!(has_stray_control("a\rb"));
    }
}
