//! Plain, printable PDF documents (policies, the audit binder): US Letter, the PDF standard
//! Helvetica (nothing to embed), headings, wrapped paragraphs that keep the line breaks they
//! were typed with, and page breaks; for reports, tables that carry their header onto the next
//! page, a shaded 3x3 grid (the risk heat map), and a running head with the clinic's name and
//! "Page 2 of 5" on every page. Built on `printpdf`.

use crate::AppError;
use printpdf::path::PaintMode;
use printpdf::{
    BuiltinFont, Color, Greyscale, IndirectFontRef, Line, Mm, PdfDocument, PdfDocumentReference, PdfLayerReference,
    Point, Rect, Rgb,
};

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
    /// Every page's layer, for the running head drawn once the page count is known.
    pages: Vec<PdfLayerReference>,
    /// The clinic's name and the document's title, printed on every page when set.
    running: Option<(String, String)>,
    /// The table being drawn, whose header is repeated on a new page.
    table_header: Option<(Vec<String>, Vec<f32>)>,
    /// A heading not drawn yet: it is drawn with what follows it, on the same page.
    pending_heading: Option<String>,
}

/// A cell's shade in a grid (the heat map): light tints, so black text on them stays legible,
/// and the cell's words say its level too (status by words as well as colour).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shade {
    Low,
    Moderate,
    High,
}

impl Shade {
    fn color(self) -> Color {
        let (r, g, b) = match self {
            Shade::Low => (0.85, 0.94, 0.87),
            Shade::Moderate => (0.99, 0.91, 0.72),
            Shade::High => (0.97, 0.78, 0.78),
        };
        Color::Rgb(Rgb::new(r, g, b, None))
    }
}

/// `2026-12-06` as `12/06/2026` (a report's dates, as US readers write them); anything else
/// unchanged.
pub fn us_date(iso: &str) -> String {
    let f = time::macros::format_description!("[year]-[month]-[day]");
    match time::Date::parse(iso.get(..10).unwrap_or(iso), f) {
        Ok(d) => format!("{:02}/{:02}/{}", u8::from(d.month()), d.day(), d.year()),
        Err(_) => iso.to_owned(),
    }
}

fn black() -> Color {
    Color::Greyscale(Greyscale::new(0.0, None))
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
            pages: vec![layer.clone()],
            layer,
            y: PAGE_H - MARGIN,
            running: None,
            table_header: None,
            pending_heading: None,
        })
    }

    /// Prints the clinic's name and the document's title at the top of every page, and
    /// "Page 2 of 5" at the foot (a report read loose, or one page copied, still says whose
    /// and which it is).
    pub fn running_head(&mut self, clinic: &str, title: &str) {
        self.running = Some((printable(clinic), printable(title)));
    }

    /// Starts a new page (one letter per page).
    pub fn page_break(&mut self) {
        self.flush_heading(0.0);
        self.y = MARGIN;
        self.room(1.0);
    }

    fn room(&mut self, mm: f32) {
        if self.y - mm < MARGIN {
            let (page, layer) = self.doc.add_page(Mm(PAGE_W), Mm(PAGE_H), "text");
            self.layer = self.doc.get_page(page).get_layer(layer);
            self.pages.push(self.layer.clone());
            self.y = PAGE_H - MARGIN;
        }
    }

    fn rule(&self, y: f32, grey: f32, thickness: f32) {
        self.layer
            .set_outline_color(Color::Greyscale(Greyscale::new(grey, None)));
        self.layer.set_outline_thickness(thickness);
        self.layer.add_line(Line {
            points: vec![
                (Point::new(Mm(MARGIN), Mm(y)), false),
                (Point::new(Mm(PAGE_W - MARGIN), Mm(y)), false),
            ],
            is_closed: false,
        });
    }

    fn fill(&self, x: f32, y: f32, w: f32, h: f32, color: Color) {
        self.layer.set_fill_color(color);
        self.layer
            .add_rect(Rect::new(Mm(x), Mm(y), Mm(x + w), Mm(y + h)).with_mode(PaintMode::Fill));
        self.layer.set_fill_color(black());
    }

    /// A table: `columns` are each header with its share of the text width (shares add up to
    /// 1); each cell wraps inside its column, a row never splits across pages, and the header
    /// is repeated at the top of a new page.
    pub fn table(&mut self, columns: &[(&str, f32)], rows: &[Vec<String>]) {
        const SIZE: f32 = 8.5;
        let widths: Vec<f32> = columns.iter().map(|(_, w)| w * (PAGE_W - 2.0 * MARGIN)).collect();
        let headers: Vec<String> = columns.iter().map(|(h, _)| (*h).to_owned()).collect();
        self.table_header = Some((headers, widths.clone()));
        let laid: Vec<(Vec<Vec<String>>, f32)> = rows
            .iter()
            .map(|row| {
                let cells: Vec<Vec<String>> = widths
                    .iter()
                    .enumerate()
                    .map(|(i, w)| {
                        let max = ((w - 2.0) * CHARS_PER_MM_AT_10PT * 10.0 / SIZE) as usize;
                        lines(row.get(i).map_or("", String::as_str), max.max(4))
                    })
                    .collect();
                let height = cells.iter().map(Vec::len).max().unwrap_or(1) as f32 * SIZE * 0.42 + 2.0;
                (cells, height)
            })
            .collect();
        // The heading, the header and the first row stay together.
        let first = laid.first().map_or(0.0, |r| r.1).min(PAGE_H / 2.0) + 10.0;
        self.flush_heading(first);
        self.room(first);
        self.table_head();
        for (cells, height) in laid {
            if self.y - height < MARGIN {
                self.room(PAGE_H);
                self.table_head();
            }
            self.cells(&cells, &widths, SIZE, false);
            self.y -= height;
            self.rule(self.y + 0.8, 0.75, 0.4);
        }
        self.table_header = None;
        self.y -= 3.0;
    }

    fn table_head(&mut self) {
        const SIZE: f32 = 8.5;
        let Some((headers, widths)) = self.table_header.clone() else {
            return;
        };
        // A header wraps inside its column like any cell.
        let cells: Vec<Vec<String>> = headers
            .iter()
            .zip(&widths)
            .map(|(h, w)| {
                let max = ((w - 2.0) * CHARS_PER_MM_AT_10PT * 10.0 / SIZE) as usize;
                lines(h, max.max(4))
            })
            .collect();
        let rows = cells.iter().map(Vec::len).max().unwrap_or(1) as f32;
        let height = rows * SIZE * 0.42 + 3.0;
        self.fill(
            MARGIN,
            self.y - height + 0.8,
            PAGE_W - 2.0 * MARGIN,
            height,
            Color::Greyscale(Greyscale::new(0.9, None)),
        );
        self.y -= 1.0;
        self.cells(&cells, &widths, SIZE, true);
        self.y -= height - 1.0;
        self.rule(self.y + 0.8, 0.3, 0.6);
    }

    fn cells(&self, cells: &[Vec<String>], widths: &[f32], size: f32, bold: bool) {
        let font = if bold { &self.bold } else { &self.regular };
        let mut x = MARGIN;
        for (cell, w) in cells.iter().zip(widths) {
            for (n, line) in cell.iter().enumerate() {
                if !line.is_empty() {
                    let y = self.y - size * 0.42 * (n as f32 + 1.0);
                    self.layer.use_text(line.clone(), size, Mm(x + 1.0), Mm(y), font);
                }
            }
            x += w;
        }
    }

    /// A 3x3 grid of shaded cells with words in each (the risk heat map): `rows` top to bottom
    /// and `columns` left to right, each with its label, and the two axes named.
    pub fn grid(
        &mut self,
        rows_axis: &str,
        rows: [&str; 3],
        columns_axis: &str,
        columns: [&str; 3],
        cells: &[[(String, Shade); 3]; 3],
    ) {
        const CELL_W: f32 = 38.0;
        const CELL_H: f32 = 14.0;
        const LABEL_W: f32 = 40.0;
        self.flush_heading(3.0 * CELL_H + 28.0);
        self.room(3.0 * CELL_H + 28.0);
        self.y -= 6.0;
        let top = self.y - 2.0;
        for (r, (label, row)) in rows.iter().zip(cells).enumerate() {
            let y = top - (r as f32 + 1.0) * CELL_H;
            self.layer.use_text(
                printable(label),
                9.0,
                Mm(MARGIN),
                Mm(y + CELL_H / 2.0 - 1.5),
                &self.regular,
            );
            for (c, (words, shade)) in row.iter().enumerate() {
                let x = MARGIN + LABEL_W + c as f32 * CELL_W;
                self.fill(x, y, CELL_W - 1.0, CELL_H - 1.0, shade.color());
                self.layer.use_text(
                    printable(words),
                    9.0,
                    Mm(x + 2.0),
                    Mm(y + CELL_H / 2.0 - 1.5),
                    &self.bold,
                );
            }
        }
        let bottom = top - 3.0 * CELL_H;
        for (c, label) in columns.iter().enumerate() {
            let x = MARGIN + LABEL_W + c as f32 * CELL_W;
            self.layer
                .use_text(printable(label), 9.0, Mm(x + 2.0), Mm(bottom - 4.5), &self.regular);
        }
        self.layer.use_text(
            printable(columns_axis),
            9.0,
            Mm(MARGIN + LABEL_W),
            Mm(bottom - 9.5),
            &self.bold,
        );
        self.layer
            .use_text(printable(rows_axis), 9.0, Mm(MARGIN), Mm(top + 1.0), &self.bold);
        self.y = bottom - 14.0;
    }

    fn text(&mut self, text: &str, size: f32, bold: bool) {
        // Dates read the US way on paper too (12/06/2026), wherever a use case wrote ISO.
        let text = carekeep_domain::zone::us_dates(text);
        let text = text.as_str();
        let line_mm = size * 0.45;
        self.flush_heading(3.0 * line_mm);
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

    /// A drawing of strokes (a drawn signature): points in a `box_w` x `box_h` box, y down,
    /// scaled into `width_mm`, in a thin frame, kept on one page.
    pub fn drawing(&mut self, strokes: &[Vec<(f32, f32)>], box_w: f32, box_h: f32, width_mm: f32) {
        let scale = width_mm / box_w;
        let height = box_h * scale;
        self.flush_heading(height + 4.0);
        self.room(height + 4.0);
        self.y -= height + 2.0;
        let (x0, y0) = (MARGIN, self.y);
        self.layer
            .set_outline_color(Color::Greyscale(Greyscale::new(0.6, None)));
        self.layer.set_outline_thickness(0.5);
        self.layer.add_line(Line {
            points: vec![
                (Point::new(Mm(x0), Mm(y0)), false),
                (Point::new(Mm(x0 + width_mm), Mm(y0)), false),
                (Point::new(Mm(x0 + width_mm), Mm(y0 + height)), false),
                (Point::new(Mm(x0), Mm(y0 + height)), false),
            ],
            is_closed: true,
        });
        self.layer.set_outline_color(black());
        self.layer.set_outline_thickness(1.2);
        for stroke in strokes.iter().filter(|s| s.len() > 1) {
            self.layer.add_line(Line {
                points: stroke
                    .iter()
                    .map(|(x, y)| (Point::new(Mm(x0 + x * scale), Mm(y0 + height - y * scale)), false))
                    .collect(),
                is_closed: false,
            });
        }
        self.y -= 2.0;
    }

    pub fn title(&mut self, text: &str) {
        self.text(text, 18.0, true);
        self.y -= 4.0;
    }

    /// A heading, drawn with what follows it: never alone at the foot of a page.
    pub fn heading(&mut self, text: &str) {
        self.flush_heading(0.0);
        self.pending_heading = Some(text.to_owned());
    }

    /// Draws a waiting heading where `need` millimetres of what follows also fit.
    fn flush_heading(&mut self, need: f32) {
        if let Some(h) = self.pending_heading.take() {
            self.room(need + 12.0);
            self.y -= 3.0;
            self.text(&h, 13.0, true);
            self.y -= 1.5;
        }
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

    pub fn finish(mut self) -> Result<Vec<u8>, AppError> {
        self.flush_heading(0.0);
        if let Some((clinic, title)) = &self.running {
            let n = self.pages.len();
            for (i, layer) in self.pages.iter().enumerate() {
                layer.use_text(
                    format!("{clinic} - {title}"),
                    8.5,
                    Mm(MARGIN),
                    Mm(PAGE_H - 14.0),
                    &self.regular,
                );
                layer.use_text(clinic.clone(), 8.5, Mm(MARGIN), Mm(12.0), &self.regular);
                layer.use_text(
                    format!("Page {} of {n}", i + 1),
                    8.5,
                    Mm(PAGE_W - MARGIN - 22.0),
                    Mm(12.0),
                    &self.regular,
                );
            }
        }
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
    fn report_dates_are_us() {
        assert_eq!(us_date("2026-12-06"), "12/06/2026");
        assert_eq!(us_date(""), "");
        assert_eq!(us_date("soon"), "soon");
    }

    #[test]
    fn a_long_table_runs_onto_numbered_pages() {
        let mut pdf = Pdf::new("t").unwrap();
        pdf.running_head("Maple Clinic", "Report");
        let rows: Vec<Vec<String>> = (0..120).map(|i| vec![format!("row {i}"), "x ".repeat(60)]).collect();
        pdf.table(&[("Row", 0.2), ("Text", 0.8)], &rows);
        assert!(pdf.pages.len() > 2, "{} pages", pdf.pages.len());
        assert!(pdf.finish().is_ok());
    }

    #[test]
    fn the_page_is_us_letter() {
        let pdf = Pdf::new("t").unwrap().finish().unwrap();
        let text = String::from_utf8_lossy(&pdf);
        // 8.5 x 11 in is 612 x 792 points.
        assert!(text.contains("612") && text.contains("792"), "MediaBox is US Letter");
    }
}
