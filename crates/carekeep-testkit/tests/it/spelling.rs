//! US spelling in everything staff and patients read: the page templates and the string
//! literals of the crates that write pages, PDFs, messages and the command line's output. Code
//! names (`finalised_on`, a column) are not words on screen and are left alone; so are comments
//! and test modules.

use std::path::{Path, PathBuf};

/// British spellings and what a US reader expects instead.
const BRITISH: &[(&str, &str)] = &[
    ("authorisation", "authorization"),
    ("authorisations", "authorizations"),
    ("authorise", "authorize"),
    ("authorised", "authorized"),
    ("unauthorised", "unauthorized"),
    ("organisation", "organization"),
    ("organisations", "organizations"),
    ("organise", "organize"),
    ("organised", "organized"),
    ("finalise", "finalize"),
    ("finalised", "finalized"),
    ("finalising", "finalizing"),
    ("finalisation", "finalization"),
    ("recognise", "recognize"),
    ("recognised", "recognized"),
    ("licence", "license"),
    ("behaviour", "behavior"),
    ("colour", "color"),
    ("centre", "center"),
    ("honour", "honor"),
    ("favour", "favor"),
    ("catalogue", "catalog"),
    ("judgement", "judgment"),
    ("enrolment", "enrollment"),
    ("acknowledgement", "acknowledgment"),
    ("acknowledgements", "acknowledgments"),
    ("analyse", "analyze"),
    ("summarise", "summarize"),
    ("summarised", "summarized"),
    ("minimise", "minimize"),
    ("normalise", "normalize"),
    ("normalised", "normalized"),
    ("programme", "program"),
    ("defence", "defense"),
    ("cheque", "check"),
    ("whilst", "while"),
];

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, ext, out);
        } else if path.extension().and_then(|e| e.to_str()) == Some(ext) {
            out.push(path);
        }
    }
}

/// The words of `text` as they would be read: runs of letters, a run joined by `_` or `-` to
/// another (a code name, an attribute) skipped.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .filter(|w| !w.contains('_') && !w.contains('-'))
        .map(str::to_lowercase)
}

/// A template's text outside its tags (`{{ }}`, `{% %}`, `{# #}`).
fn template_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let close = match rest[start..].chars().nth(1) {
            Some('{') => "}}",
            Some('%') => "%}",
            Some('#') => "#}",
            _ => {
                out.push('{');
                rest = &rest[start + 1..];
                continue;
            }
        };
        match rest[start..].find(close) {
            Some(end) => rest = &rest[start + end + 2..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// The string literals of a Rust file's code (comment lines and the test module left out).
fn literals(source: &str) -> Vec<String> {
    let code = source.split("#[cfg(test)]").next().unwrap_or_default();
    let mut out = Vec::new();
    for line in code.lines() {
        let line = line.trim_start();
        if line.starts_with("//") {
            continue;
        }
        let mut parts = line.split('"');
        parts.next();
        // Odd pieces are inside quotes (escaped quotes are rare enough in messages to ignore).
        for (i, piece) in parts.enumerate() {
            if i % 2 == 0 {
                out.push(piece.to_owned());
            }
        }
    }
    out
}

fn british_in(text: &str) -> Vec<String> {
    words(text)
        .filter_map(|w| BRITISH.iter().find(|(b, _)| *b == w))
        .map(|(b, us)| format!("{b} (US: {us})"))
        .collect()
}

#[test]
fn every_word_shown_is_spelled_the_us_way() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut found = Vec::new();
    let mut templates = Vec::new();
    files(&crates.join("carekeep-server/templates"), "html", &mut templates);
    assert!(templates.len() > 20, "the templates are where they were");
    for path in templates {
        let text = template_text(&std::fs::read_to_string(&path).unwrap());
        for hit in british_in(&text) {
            found.push(format!("{}: {hit}", path.display()));
        }
    }
    let mut sources = Vec::new();
    for krate in ["carekeep-server", "carekeep-app", "carekeep-domain", "carekeep"] {
        files(&crates.join(krate).join("src"), "rs", &mut sources);
    }
    for path in sources {
        for lit in literals(&std::fs::read_to_string(&path).unwrap()) {
            for hit in british_in(&lit) {
                found.push(format!("{}: {hit} in \"{lit}\"", path.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "British spellings shown to people:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_finds_what_it_looks_for() {
    assert_eq!(british_in("Finalise and sign"), ["finalise (US: finalize)"]);
    assert!(
        british_in("finalised_on aria-labelledby").is_empty(),
        "code names are not words"
    );
    assert_eq!(
        template_text("<p>{{ a.colour }} centre {% if x %}</p>"),
        "<p> centre </p>"
    );
    assert_eq!(
        literals("let a = \"colour\";\n// \"behaviour\"\nf(\"x\", \"centre\")"),
        ["colour", "x", "centre"]
    );
}
