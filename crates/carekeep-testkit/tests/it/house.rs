//! The house has no import cycles: within each crate, no module reaches (by `crate::` or
//! `super::` paths) a module that reaches back to it. A cycle ties two features so that neither
//! can be read, tested or moved alone; this fails CI when one appears, naming it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each `.rs` file under `src` with its module path (`a::b`; the crate root is empty).
fn modules(src: &Path) -> BTreeMap<String, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            let rel = path.strip_prefix(src).unwrap().with_extension("");
            let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
            if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
                parts.pop();
            }
            out.insert(parts.join("::"), path);
        }
    }
    out
}

/// `text` without its `#[cfg(test)]` items: each is cut from the attribute to the brace that
/// closes the item, so code after a test module is still read.
fn without_test_modules(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let Some(open) = after.find('{') else {
            return out;
        };
        let mut depth = 0usize;
        let mut end = after.len();
        for (i, c) in after[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// The module paths a file names: `crate::a::b::Item` gives `a::b` (the longest known module),
/// `super::x` from `a::b` gives `a::x` or `a`.
fn references(text: &str, here: &str, known: &BTreeMap<String, PathBuf>) -> BTreeSet<String> {
    // Code only: comments (intra-doc links name modules without using them) and test modules
    // are left out.
    let code: String = without_test_modules(text)
        .lines()
        .map(|l| l.split_once("//").map_or(l, |(code, _)| code))
        .collect::<Vec<_>>()
        .join("\n");
    let code = code.as_str();
    let parent = here.rsplit_once("::").map_or("", |(p, _)| p);
    let mut out = BTreeSet::new();
    for (prefix, base) in [("crate::", ""), ("super::", parent)] {
        for (at, _) in code.match_indices(prefix) {
            // `crate::` inside a longer identifier (`carekeep_crate::`) is not this crate.
            if code[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
            {
                continue;
            }
            let path: String = code[at + prefix.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let mut segments: Vec<&str> = if base.is_empty() {
                vec![]
            } else {
                base.split("::").collect()
            };
            segments.extend(
                path.split("::")
                    .take_while(|s| s.chars().next().is_some_and(|c| c.is_ascii_lowercase())),
            );
            while !segments.is_empty() {
                let candidate = segments.join("::");
                if known.contains_key(&candidate) {
                    if candidate != here {
                        out.insert(candidate);
                    }
                    break;
                }
                segments.pop();
            }
        }
    }
    out
}

/// The cycles among `edges` (Tarjan's strongly connected components of more than one module).
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.edges.get(v).into_iter().flatten() {
            if !s.index.contains_key(w.as_str()) {
                visit(s, w);
                let lw = s.low[w.as_str()];
                let lv = s.low[v];
                s.low.insert(v, lv.min(lw));
            } else if s.on_stack.contains(w.as_str()) {
                let iw = s.index[w.as_str()];
                let lv = s.low[v];
                s.low.insert(v, lv.min(iw));
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut s = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in edges.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.found
}

/// A crate's module graph: who names whom, the crate root left out (it only declares and
/// re-exports).
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let known = modules(src);
    known
        .iter()
        .filter(|(module, _)| !module.is_empty())
        .map(|(module, file)| {
            let text = std::fs::read_to_string(file).unwrap();
            let mut refs = references(&text, module, &known);
            refs.remove("");
            (module.clone(), refs)
        })
        .collect()
}

#[test]
fn no_module_of_any_crate_reaches_back_to_one_that_reaches_it() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut found = Vec::new();
    let mut modules_seen = 0;
    for entry in std::fs::read_dir(&crates).unwrap().flatten() {
        let src = entry.path().join("src");
        if !src.is_dir() {
            continue;
        }
        let g = graph(&src);
        modules_seen += g.len();
        for cycle in cycles(&g) {
            found.push(format!(
                "{}: {}",
                entry.file_name().to_string_lossy(),
                cycle.join(" <-> ")
            ));
        }
    }
    assert!(modules_seen > 100, "the crates' modules were read ({modules_seen})");
    assert!(found.is_empty(), "import cycles:\n{}", found.join("\n"));
}

/// The check finds a cycle when there is one.
#[test]
fn a_cycle_is_found() {
    let known: BTreeMap<String, PathBuf> = ["a", "b", "c", "c::d"]
        .iter()
        .map(|m| ((*m).to_owned(), PathBuf::new()))
        .collect();
    let edges: BTreeMap<String, BTreeSet<String>> = [
        ("a", references("use crate::b::Thing;", "a", &known)),
        (
            "b",
            references(
                "#[cfg(test)]\nmod tests { use crate::c; }\nfn f() { crate::a::g() }",
                "b",
                &known,
            ),
        ),
        ("c", references("use crate::a;", "c", &known)),
        (
            "c::d",
            references("use super::Item; use carekeep_crate::b;", "c::d", &known),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(edges["c::d"], BTreeSet::from(["c".to_owned()]));
    assert_eq!(cycles(&edges), vec![vec!["a".to_owned(), "b".to_owned()]]);
}

/// The `[dependencies]` of one crate's manifest, by name.
fn dependencies(krate: &str) -> BTreeSet<String> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(krate)
        .join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let section = text.split("\n[dependencies]\n").nth(1).unwrap_or_default();
    section
        .lines()
        .take_while(|l| !l.starts_with('['))
        .filter_map(|l| l.split(['=', '.']).next())
        .map(|k| k.trim().to_owned())
        .filter(|k| !k.is_empty() && !k.starts_with('#'))
        .collect()
}

/// Handlers reach data only through use cases, so the policy and the audit cannot be skipped:
/// the server and the command line do not depend on the store (their manifests cannot even
/// name it), and only the test kit and the benchmarks turn on the app's test access to it.
#[test]
fn the_server_and_the_command_line_never_reach_the_store() {
    for krate in ["carekeep-server", "carekeep"] {
        let deps = dependencies(krate);
        assert!(deps.contains("carekeep-app"), "{krate} reads its manifest");
        assert!(!deps.contains("carekeep-store"), "{krate} depends on the store");
        let manifest = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join(krate)
                .join("Cargo.toml"),
        )
        .unwrap();
        assert!(
            !manifest.contains("\"testing\""),
            "{krate} turns on the app's test access"
        );
    }
    // What the app exposes to its callers: no keyring, no store, no permit.
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("../carekeep-app/src");
    let app_rs = std::fs::read_to_string(app.join("app.rs")).unwrap();
    for private in ["pub(crate) fn store(", "pub(crate) fn sealer("] {
        assert!(app_rs.contains(private), "App keeps `{private}` to itself");
    }
    let permit = std::fs::read_to_string(app.join("permit.rs")).unwrap();
    assert!(
        permit.contains("pub(crate) struct Permit {\n    pending:"),
        "the permit's field is private to the policy's gate"
    );
    // Use cases take their caller as one type: no public method of the app takes a
    // `&Principal` (a person) where the command line could be the caller too.
    let mut sources = vec![app.clone()];
    while let Some(dir) = sources.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let heads = ["pub async fn ", "pub fn "].map(|kw| text.split(kw).skip(1));
                for sig in heads.into_iter().flatten() {
                    let head = sig.split('{').next().unwrap_or_default();
                    assert!(
                        !(head.contains("&self") && head.contains(": &Principal")),
                        "{} has a use case taking `&Principal`: {}",
                        path.display(),
                        head.lines().next().unwrap_or_default()
                    );
                }
            }
        }
    }
    // A chart is opened, and chart content written, only through the records' one door.
    let access = std::fs::read_to_string(app.join("records/access.rs")).unwrap();
    for private in [
        "pub(crate) struct Opened {\n    row:",
        "pub(crate) struct Grant {\n    _private:",
    ] {
        assert!(access.contains(private), "`{private}` keeps its fields private");
    }
    let mod_rs = std::fs::read_to_string(app.join("records/mod.rs")).unwrap();
    assert!(
        mod_rs.contains("_grant: &Grant,"),
        "sealing chart content needs the policy's grant"
    );
}

/// The page-level notice and error classes (`templates/_notice.html`) found in one template's
/// `class` attributes, with the line each is on. Askama blocks inside an attribute
/// (`{% if ok %}notice{% else %}error{% endif %}`) count as the words they can print.
fn page_message_classes(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        for attr in line.split("class=\"").skip(1) {
            // The attribute's words up to its closing quote; a `{% %}` or `{{ }}` block (which
            // may hold quotes of its own) stands for a space.
            let mut words = String::new();
            let mut rest = attr;
            loop {
                let quote = rest.find('"').unwrap_or(rest.len());
                let block = ["{%", "{{"].iter().filter_map(|b| rest.find(b)).min();
                match block {
                    Some(open) if open < quote => {
                        words.push_str(rest.get(..open).unwrap_or_default());
                        words.push(' ');
                        let close = if rest.get(open..).is_some_and(|r| r.starts_with("{%")) {
                            "%}"
                        } else {
                            "}}"
                        };
                        rest = rest
                            .get(open..)
                            .and_then(|r| r.find(close).and_then(|c| r.get(c + 2..)))
                            .unwrap_or_default();
                    }
                    _ => {
                        words.push_str(rest.get(..quote).unwrap_or_default());
                        break;
                    }
                }
            }
            for w in words.split_whitespace() {
                if w == "notice" || w == "error" {
                    found.push((n + 1, w.to_owned()));
                }
            }
        }
    }
    found
}

/// Every template, by its path under `templates/`.
fn templates() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../carekeep-server/templates");
    let mut out = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "html") {
                let name = path.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
                out.push((name, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// A page says what just happened, or what went wrong with it as a whole, in one place:
/// `_notice.html`, included once by `base.html` from the page's `chrome`. No template marks up a
/// page-level notice or error of its own (a message about one field stays at the field, with
/// `field-error`; a refused form's summary is `error-summary`, from `_form.html`).
#[test]
fn page_level_notices_and_errors_are_rendered_only_by_the_shared_partial() {
    let all = templates();
    assert!(all.len() > 50, "the templates were read ({})", all.len());
    let mut found = Vec::new();
    for (name, text) in &all {
        if name == "_notice.html" {
            continue;
        }
        for (line, class) in page_message_classes(text) {
            found.push(format!("{name}:{line}: class \"{class}\""));
        }
        let includes = text.matches("{% include \"_notice.html\" %}").count();
        let expected = usize::from(name == "base.html");
        if includes != expected {
            found.push(format!(
                "{name}: includes _notice.html {includes} times, not {expected}"
            ));
        }
    }
    let partial = &all.iter().find(|(n, _)| n == "_notice.html").expect("_notice.html").1;
    for shown in ["chrome.notice", "chrome.error", "role=\"status\"", "role=\"alert\""] {
        assert!(partial.contains(shown), "_notice.html shows {shown}");
    }
    assert!(
        found.is_empty(),
        "page-level notice or error markup outside _notice.html (set chrome.notice / chrome.error instead):\n{}",
        found.join("\n")
    );
}

/// The scan sees a notice or an error class however the template spells it.
#[test]
fn the_notice_scan_finds_inline_markup() {
    assert_eq!(
        page_message_classes("<h1>T</h1>\n<p class=\"notice\" role=\"status\">Saved.</p>"),
        vec![(2, "notice".to_owned())]
    );
    assert_eq!(
        page_message_classes("<p class=\"{% if r.passed %}notice{% else %}error{% endif %}\">"),
        vec![(1, "notice".to_owned()), (1, "error".to_owned())]
    );
    assert_eq!(
        page_message_classes("<p class=\"{% if v.starts_with(\"Intact\") %}notice{% endif %} x\">"),
        vec![(1, "notice".to_owned())]
    );
    assert_eq!(
        page_message_classes("<div class=\"card error big\">"),
        vec![(1, "error".to_owned())]
    );
    assert!(page_message_classes(
        "<p class=\"field-error\" role=\"alert\">x</p><div class=\"error-summary\"><p class=\"notice-board\">"
    )
    .is_empty());
}
