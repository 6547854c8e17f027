//! The dashboard's "12 of 15 done" as a bar: done, due soon and gaps side by side.

use super::escape;
use carekeep_domain::program::checklist_history::Tally;
use std::fmt::Write;

const WIDTH: u32 = 600;
const HEIGHT: u32 = 28;

/// The bar, labelled by its headline and the rest in words (its text equivalent, which the
/// page also prints beside it).
pub fn svg(t: Tally) -> String {
    let total = t.total().max(1);
    let words = format!("{}: {}", t.headline(), t.rest());
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="progress-picture" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" preserveAspectRatio="none" role="img" aria-labelledby="progress-title"><title id="progress-title">{}</title>"#,
        escape(&words)
    );
    let mut x = 0;
    for (n, class) in [(t.done, "done"), (t.due_soon, "soon"), (t.gaps, "gap")] {
        if n == 0 {
            continue;
        }
        let w = n * WIDTH / total;
        // The last segment reaches the end whatever the rounding.
        let w = if x + w > WIDTH - 2 { WIDTH - x } else { w };
        let _ = write!(
            out,
            r#"<rect class="{class}" x="{x}" y="0" width="{w}" height="{HEIGHT}"/>"#
        );
        x += w;
    }
    if x < WIDTH && t.total() > 0 {
        let _ = write!(
            out,
            r#"<rect class="gap" x="{x}" y="0" width="{}" height="{HEIGHT}"/>"#,
            WIDTH - x
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_fill_the_bar_in_proportion() {
        let s = svg(Tally {
            done: 12,
            due_soon: 1,
            gaps: 2,
        });
        assert!(s.contains("<title id=\"progress-title\">12 of 15 done: 1 due soon, 2 gaps</title>"));
        assert!(s.contains(r#"class="done" x="0" y="0" width="480""#), "{s}");
        assert!(s.contains(r#"class="soon" x="480" y="0" width="40""#), "{s}");
        assert!(s.contains(r#"class="gap" x="520" y="0" width="80""#), "{s}");
        assert!(!s.contains("<script"));
        let all_done = svg(Tally {
            done: 3,
            due_soon: 0,
            gaps: 0,
        });
        assert!(all_done.contains(r#"class="done" x="0" y="0" width="600""#));
        assert!(!all_done.contains("class=\"gap\""));
    }
}
