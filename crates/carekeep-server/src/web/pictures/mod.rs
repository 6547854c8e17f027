//! Pictures drawn on the server as SVG: no script, no request of their own, so they print with
//! the page and pass the CSP. One file per picture; this tiny writer escapes every text and
//! attribute it is given, and every picture opens with a `<title>` and a `<desc>` (its text
//! equivalent for screen readers, also given as a table or list beside it on the page).

pub mod checklist_history;
pub mod heat_map;
pub mod key_qr;
pub mod network_map;
pub mod progress;
pub mod setup_path;
pub mod timeline;
pub mod training;
pub mod vitals;

use std::fmt::Write;

/// `&`, `<`, `>`, `"` and `'` as entities: safe in text and in quoted attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML 1.0.
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// An SVG being written. Numbers are written with one decimal at most.
pub struct Svg {
    out: String,
}

/// Where a text's x sits in it.
#[derive(Clone, Copy)]
pub enum Anchor {
    Start,
    End,
}

impl Anchor {
    fn word(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::End => "end",
        }
    }
}

fn n(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

impl Svg {
    /// A picture `width` x `height` in its own units, scaled to its container's width. `id`
    /// is unique on the page (the title and description are named after it).
    pub fn new(id: &str, width: f64, height: f64, title: &str, desc: &str) -> Svg {
        Svg::with_role("img", id, width, height, title, desc)
    }

    /// A picture whose marks are links: a group (an image's children are not reachable,
    /// so links inside one would be hidden from a screen reader).
    pub fn linked(id: &str, width: f64, height: f64, title: &str, desc: &str) -> Svg {
        Svg::with_role("group", id, width, height, title, desc)
    }

    fn with_role(role: &str, id: &str, width: f64, height: f64, title: &str, desc: &str) -> Svg {
        let id = escape(id);
        let mut out = String::new();
        let _ = write!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="picture" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="{role}" aria-labelledby="{id}-title {id}-desc" font-family="system-ui, sans-serif" font-size="13"><title id="{id}-title">{t}</title><desc id="{id}-desc">{d}</desc>"#,
            w = n(width),
            h = n(height),
            t = escape(title),
            d = escape(desc),
        );
        Svg { out }
    }

    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, stroke: &str) -> &mut Self {
        let _ = write!(
            self.out,
            r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="{}"/>"#,
            n(x),
            n(y),
            n(w.max(0.0)),
            n(h.max(0.0)),
            escape(fill),
            escape(stroke)
        );
        self
    }

    pub fn line(&mut self, (x1, y1): (f64, f64), (x2, y2): (f64, f64), stroke: &str, dash: &str) -> &mut Self {
        let _ = write!(
            self.out,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}""#,
            n(x1),
            n(y1),
            n(x2),
            n(y2),
            escape(stroke)
        );
        if !dash.is_empty() {
            let _ = write!(self.out, r#" stroke-dasharray="{}""#, escape(dash));
        }
        self.out.push_str("/>");
        self
    }

    /// A line through `points`, with an optional dash pattern so it is told apart without colour.
    pub fn polyline(&mut self, points: &[(f64, f64)], stroke: &str, dash: &str) -> &mut Self {
        let pts: Vec<String> = points.iter().map(|(x, y)| format!("{},{}", n(*x), n(*y))).collect();
        let _ = write!(
            self.out,
            r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2""#,
            pts.join(" "),
            escape(stroke)
        );
        if !dash.is_empty() {
            let _ = write!(self.out, r#" stroke-dasharray="{}""#, escape(dash));
        }
        self.out.push_str("/>");
        self
    }

    pub fn circle(&mut self, x: f64, y: f64, r: f64, fill: &str) -> &mut Self {
        let _ = write!(
            self.out,
            r#"<circle cx="{}" cy="{}" r="{}" fill="{}"/>"#,
            n(x),
            n(y),
            n(r),
            escape(fill)
        );
        self
    }

    pub fn polygon(&mut self, points: &[(f64, f64)], fill: &str) -> &mut Self {
        let pts: Vec<String> = points.iter().map(|(x, y)| format!("{},{}", n(*x), n(*y))).collect();
        let _ = write!(
            self.out,
            r#"<polygon points="{}" fill="{}"/>"#,
            pts.join(" "),
            escape(fill)
        );
        self
    }

    /// A shape's own tooltip and name: a `<title>` inside a group.
    pub fn group_titled(&mut self, title: &str) -> &mut Self {
        let _ = write!(self.out, "<g><title>{}</title>", escape(title));
        self
    }

    pub fn end_group(&mut self) -> &mut Self {
        self.out.push_str("</g>");
        self
    }

    pub fn text(&mut self, x: f64, y: f64, anchor: Anchor, fill: &str, s: &str) -> &mut Self {
        let _ = write!(
            self.out,
            r#"<text x="{}" y="{}" text-anchor="{}" fill="{}">{}</text>"#,
            n(x),
            n(y),
            anchor.word(),
            escape(fill),
            escape(s)
        );
        self
    }

    /// A larger, bold text (a count that should be read at a glance).
    pub fn big_text(&mut self, x: f64, y: f64, fill: &str, s: &str) -> &mut Self {
        let _ = write!(
            self.out,
            r#"<text x="{}" y="{}" text-anchor="middle" font-size="28" font-weight="700" fill="{}">{}</text>"#,
            n(x),
            n(y),
            escape(fill),
            escape(s)
        );
        self
    }

    /// A link around what follows, up to [`Svg::end_link`]; `href` is a path of this site.
    pub fn link(&mut self, href: &str) -> &mut Self {
        let _ = write!(self.out, r#"<a href="{}">"#, escape(href));
        self
    }

    pub fn end_link(&mut self) -> &mut Self {
        self.out.push_str("</a>");
        self
    }

    pub fn finish(mut self) -> String {
        self.out.push_str("</svg>");
        self.out
    }
}

/// Ink colours with enough contrast on white (WCAG AA for text), matching app.css.
pub mod ink {
    pub const TEXT: &str = "#1b1f24";
    pub const MUTED: &str = "#4a5560";
    pub const GRID: &str = "#c9d1d9";
    pub const ACCENT: &str = "#0b5cad";
    pub const OK: &str = "#0f6b2f";
    pub const GAP: &str = "#a4161a";
    pub const WARN: &str = "#7a4d00";
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Parses `svg` as XML (fails on anything malformed) and returns its root's first child
    /// element name and the text of its `<title>`.
    pub(crate) fn check(svg: &str) -> (String, String) {
        use quick_xml::events::Event;
        let mut r = quick_xml::Reader::from_str(svg);
        let mut depth = 0usize;
        let mut names = Vec::new();
        let mut title = String::new();
        let mut in_title = false;
        loop {
            match r.read_event().expect("the SVG is well-formed XML") {
                Event::Start(e) => {
                    depth += 1;
                    let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap_or_default();
                    if depth == 1 {
                        assert_eq!(name, "svg");
                        assert!(e.try_get_attribute("role").ok().flatten().is_some());
                    }
                    if depth == 2 {
                        names.push(name.clone());
                    }
                    in_title = depth == 2 && name == "title";
                }
                Event::End(_) => {
                    depth -= 1;
                    in_title = false;
                }
                Event::Text(t) if in_title => title.push_str(&String::from_utf8_lossy(t.as_ref())),
                Event::GeneralRef(g) if in_title => {
                    title.push('&');
                    title.push_str(&String::from_utf8_lossy(g.as_ref()));
                    title.push(';');
                }
                Event::Eof => break,
                _ => {}
            }
        }
        assert_eq!(depth, 0, "every element is closed");
        (names.first().cloned().unwrap_or_default(), title)
    }

    #[test]
    fn text_and_attributes_are_escaped() {
        let mut s = Svg::new("x\"y", 10.0, 10.0, "A & <b>", "it's \"quoted\"\u{7}");
        s.text(1.0, 2.0, Anchor::Start, "#000", "</svg><script>");
        s.link("/a?b=1&c=\"2\"").end_link();
        let svg = s.finish();
        assert!(!svg.contains("<script>"));
        assert!(!svg.contains('\u{7}'));
        let (first, title) = check(&svg);
        assert_eq!(first, "title");
        assert_eq!(title, "A &amp; &lt;b&gt;");
    }
}
