//! Plain, printable PDF documents (policies, the audit binder): A4, the PDF standard Helvetica
//! (nothing to embed), headings, wrapped paragraphs and page breaks. Built on `printpdf`.

use crate::AppError;
use printpdf::{BuiltinFont, IndirectFontRef, Mm, PdfDocument, PdfDocumentReference, PdfLayerReference};

const PAGE_W: f32 = 210.0;
const PAGE_H: f32 = 297.0;
const MARGIN: f32 = 20.0;
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

/// Text the standard fonts can show (Windows-1252): typographic marks become plain ones, and
/// anything else outside Latin-1 a question mark.
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{201C}' | '\u{201D}' => '"',
            '\u{2013}' | '\u{2014}' => '-',
            '\u{00B0}' => '\u{00B0}',
            c if (c as u32) < 0x100 && !c.is_control() => c,
            _ => '?',
        })
        .collect()
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
        let line_mm = size * 0.45;
        let max = ((PAGE_W - 2.0 * MARGIN) * CHARS_PER_MM_AT_10PT * 10.0 / size) as usize;
        for line in wrap(&printable(text), max.max(20)) {
            self.room(line_mm);
            self.y -= line_mm;
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
        for para in text.split("\n\n") {
            self.text(para, 10.5, false);
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
}
