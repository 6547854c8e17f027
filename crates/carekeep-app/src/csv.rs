//! The one CSV writer of the program: every export (the audit trail, the breach log, the
//! audit binder's tables) goes through it, so none can forget what follows.
//!
//! A cell that a spreadsheet would read as a formula is neutralised (OWASP, "CSV Injection"):
//! a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, which
//! Excel, LibreOffice and Google Sheets show as text and never evaluate. Titles, names, browser
//! names and reasons come from people (anyone on staff reports an incident; anyone at all sends
//! a User-Agent), so any of them could carry `=HYPERLINK(...)` to whoever opens the file. A real
//! number (`-12`, `+3.5`) is left as it is, so amounts and counts stay numeric.

use crate::AppError;
use std::borrow::Cow;

/// A CSV document being written, header first.
pub struct CsvWriter {
    inner: ::csv::Writer<Vec<u8>>,
}

impl std::fmt::Debug for CsvWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CsvWriter")
    }
}

fn failed(e: ::csv::Error) -> AppError {
    AppError::Internal(format!("writing CSV: {e}"))
}

impl CsvWriter {
    /// A document with this header row.
    pub fn new<I, S>(header: I) -> Result<CsvWriter, AppError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut w = CsvWriter {
            inner: ::csv::Writer::from_writer(Vec::new()),
        };
        w.row(header)?;
        Ok(w)
    }

    /// Appends one row, each cell neutralised.
    pub fn row<I, S>(&mut self, cells: I) -> Result<(), AppError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        // Line breaks go out as LF inside a quoted cell, as they were typed; text stored
        // before the input layer made them LF may still hold a CR.
        let cells: Vec<String> = cells
            .into_iter()
            .map(|c| neutralise(&crate::input::line_breaks(c.as_ref())).into_owned())
            .collect();
        self.inner.write_record(&cells).map_err(failed)
    }

    /// The finished document.
    pub fn finish(self) -> Result<Vec<u8>, AppError> {
        self.inner
            .into_inner()
            .map_err(|e| AppError::Internal(format!("writing CSV: {}", e.error())))
    }
}

/// The cell as a spreadsheet must show it: prefixed with `'` when it would start a formula.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\n') if !is_number(cell) => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// A plain decimal number: an optional sign, digits, at most one point.
fn is_number(cell: &str) -> bool {
    let digits = cell.strip_prefix(['+', '-']).unwrap_or(cell);
    let mut points = 0;
    let mut seen_digit = false;
    for c in digits.chars() {
        match c {
            '0'..='9' => seen_digit = true,
            '.' => points += 1,
            _ => return false,
        }
    }
    seen_digit && points <= 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_numbers_kept() {
        let cases = [
            ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
            ("\t=1+1", "'\t=1+1"),
            ("\r=1+1", "'\r=1+1"),
            ("-", "'-"),
            ("+1 555 0100", "'+1 555 0100"),
            ("-12", "-12"),
            ("+3.50", "+3.50"),
            ("-0.5", "-0.5"),
            ("1-2", "1-2"),
            ("Lost laptop", "Lost laptop"),
            ("", ""),
            ("2026-03-02", "2026-03-02"),
        ];
        for (cell, want) in cases {
            assert_eq!(neutralise(cell), want, "{cell:?}");
        }
    }

    #[test]
    fn a_document_is_neutralised_cell_by_cell_and_quoted() {
        let mut w = CsvWriter::new(["title", "amount"]).unwrap();
        w.row(["=1+1", "-40"]).unwrap();
        w.row(["a, b", "7"]).unwrap();
        let text = String::from_utf8(w.finish().unwrap()).unwrap();
        assert_eq!(text, "title,amount\n'=1+1,-40\n\"a, b\",7\n");
    }

    #[test]
    fn line_breaks_stay_breaks_inside_quoted_cells() {
        let mut w = CsvWriter::new(["what"]).unwrap();
        w.row(["first line\r\nsecond line"]).unwrap();
        w.row(["old\rstyle"]).unwrap();
        w.row(["\r\n=1+1"]).unwrap();
        let text = String::from_utf8(w.finish().unwrap()).unwrap();
        assert_eq!(text, "what\n\"first line\nsecond line\"\n\"old\nstyle\"\n\"'\n=1+1\"\n");
        let back: Vec<String> = ::csv::Reader::from_reader(text.as_bytes())
            .records()
            .map(|r| r.unwrap().get(0).unwrap().to_owned())
            .collect();
        assert_eq!(back, ["first line\nsecond line", "old\nstyle", "'\n=1+1"]);
    }
}
