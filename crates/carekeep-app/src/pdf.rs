//! Plain, printable PDF documents (policies, the audit binder): US Letter, the PDF standard
//! Helvetica (nothing to embed), headings, wrapped paragraphs that keep the line breaks they
//! were typed with, and page breaks. Built on `printpdf`.

use crate::AppError;
use printpdf::{BuiltinFont, IndirectFontRef, Mm, PdfDocument, PdfDocumentReference, PdfLayerReference};

/// US Letter (8.5 x 11 in): what a US clinic's printer holds.
const PAGE_W: f32 = 215.9;
const PAGE_H: f32 = 279.4;
/// One inch.
const MARGIN: f32 = 25.4;
/// Helvetica averages about half an em per character; this keeps lines inside the margins.
const CHARS_PER_MM_AT_10PT: f32 = 0.55;

pub struct Pdf {
    doc: PdfDocumentReference,
    regular: IndirectFontRef,
    bold: IndirectFontRef,
    layer: PdfLayerReference,
    y: f32,
}

impl std::fmt::Debug for Pdf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pdf")
    }
}

/// One line of text the standard fonts can show (Windows-1252): typographic marks become plain
/// ones, a tab a space, and anything else outside Latin-1 a question mark. Line breaks never
/// get here: `lines` splits on them first.
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' => ' ',
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{201C}' | '\u{201D}' => '"',
            '\u{2013}' | '\u{2014}' => '-',
            '\u{00B0}' => '\u{00B0}',
            c if (c as u32) < 0x100 && !c.is_control() => c,
            _ => '?',
        })
        .collect()
}

/// The lines to draw: each typed line (CRLF, CR or LF ends one) wrapped to `max` characters;
/// an empty typed line stays an empty line.
fn lines(text: &str, max: usize) -> Vec<String> {
    crate::input::line_breaks(text)
        .split('\n')
        .flat_map(|typed| {
            let wrapped = wrap(&printable(typed), max);
            if wrapped.is_empty() {
                vec![String::new()]
            } else {
                wrapped
            }
        })
        .collect()
}

/// Paragraphs are separated by a blank line (spaces on it or not).
fn paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let text = crate::input::line_breaks(text);
    for line in text.split('\n') {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(current.join("\n"));
                current.clear();
            }
        } else {
            current.push(line.trim_end());
        }
    }
    if !current.is_empty() {
        out.push(current.join("\n"));
    }
    out
}

fn wrap(text: &str, max: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > max {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

impl Pdf {
    pub fn new(title: &str) -> Result<Pdf, AppError> {
        let (doc, page, layer) = PdfDocument::new(printable(title), Mm(PAGE_W), Mm(PAGE_H), "text");
        let regular = doc
            .add_builtin_font(BuiltinFont::Helvetica)
            .map_err(|e| AppError::Internal(format!("pdf font: {e}")))?;
        let bold = doc
            .add_builtin_font(BuiltinFont::HelveticaBold)
            .map_err(|e| AppError::Internal(format!("pdf font: {e}")))?;
        let layer = doc.get_page(page).get_layer(layer);
        Ok(Pdf {
            doc,
            regular,
            bold,
            layer,
            y: PAGE_H - MARGIN,
        })
    }

    /// Starts a new page (one letter per page).
    pub fn page_break(&mut self) {
        self.y = MARGIN;
        self.room(1.0);
    }

    fn room(&mut self, mm: f32) {
        if self.y - mm < MARGIN {
            let (page, layer) = self.doc.add_page(Mm(PAGE_W), Mm(PAGE_H), "text");
            self.layer = self.doc.get_page(page).get_layer(layer);
            self.y = PAGE_H - MARGIN;
        }
    }

    fn text(&mut self, text: &str, size: f32, bold: bool) {
        // Dates read the US way on paper too (12/06/2026), wherever a use case wrote ISO.
        let text = carekeep_domain::zone::us_dates(text);
        let text = text.as_str();
        let line_mm = size * 0.45;
        let max = ((PAGE_W - 2.0 * MARGIN) * CHARS_PER_MM_AT_10PT * 10.0 / size) as usize;
        for line in lines(text, max.max(20)) {
            self.room(line_mm);
            self.y -= line_mm;
            if line.is_empty() {
                continue;
            }
            let font = if bold { &self.bold } else { &self.regular };
            self.layer.use_text(line, size, Mm(MARGIN), Mm(self.y), font);
        }
    }

    pub fn title(&mut self, text: &str) {
        self.text(text, 18.0, true);
        self.y -= 4.0;
    }

    pub fn heading(&mut self, text: &str) {
        self.room(14.0);
        self.y -= 3.0;
        self.text(text, 13.0, true);
        self.y -= 1.5;
    }

    pub fn paragraph(&mut self, text: &str) {
        for para in paragraphs(text) {
            self.text(&para, 10.5, false);
            self.y -= 2.5;
        }
    }

    /// A small line, e.g. one row of a roster.
    pub fn line(&mut self, text: &str) {
        self.text(text, 9.5, false);
    }

    pub fn finish(self) -> Result<Vec<u8>, AppError> {
        self.doc
            .save_to_bytes()
            .map_err(|e| AppError::Internal(format!("pdf: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_and_cleans() {
        assert_eq!(wrap("one two three", 7), vec!["one two", "three"]);
        assert_eq!(printable("it\u{2019}s \u{2014} ok \u{4e2d}"), "it's - ok ?");
    }

    #[test]
    fn typed_line_breaks_are_lines_not_question_marks() {
        let cases: [(&str, usize, &[&str]); 5] = [
            (
                "12 Elm Street\r\nSpringfield, IL",
                80,
                &["12 Elm Street", "Springfield, IL"],
            ),
            ("a\rb\nc", 80, &["a", "b", "c"]),
            ("first\r\n\r\nthird", 80, &["first", "", "third"]),
            ("tab\there", 80, &["tab here"]),
            ("one two three\r\nfour", 7, &["one two", "three", "four"]),
        ];
        for (text, max, want) in cases {
            let got = lines(text, max);
            assert_eq!(got, want, "{text:?}");
            assert!(got.iter().all(|l| !l.contains('?')), "{text:?}");
        }
    }

    #[test]
    fn paragraphs_split_on_blank_lines_whatever_the_breaks() {
        assert_eq!(paragraphs("One\r\ntwo\r\n\r\nThree"), ["One\ntwo", "Three"]);
        assert_eq!(paragraphs("A\n  \nB\n\n\nC\n"), ["A", "B", "C"]);
    }

    #[test]
    fn the_page_is_us_letter() {
        let pdf = Pdf::new("t").unwrap().finish().unwrap();
        let text = String::from_utf8_lossy(&pdf);
        // 8.5 x 11 in is 612 x 792 points.
        assert!(text.contains("612") && text.contains("792"), "MediaBox is US Letter");
    }
}
