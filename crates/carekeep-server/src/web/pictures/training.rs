//! Training completion: one bar split into who is current, due soon and overdue (164.530(b),
//! 164.308(a)(5)), each part labelled with its count and word; the roster table below names
//! everyone with their date, the text equivalent.

use super::{ink, Anchor, Svg};

/// How many people are current, due soon and overdue.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Standing {
    pub current: usize,
    pub due_soon: usize,
    pub overdue: usize,
}

const W: f64 = 640.0;
const H: f64 = 84.0;
const BAR: f64 = 34.0;

pub fn describe(s: Standing) -> String {
    format!(
        "Training: {} current, {} due soon, {} overdue. The table below names each person with their date.",
        s.current, s.due_soon, s.overdue
    )
}

/// The bar, or nothing when no one is on the roster (or everyone has left).
pub fn picture(s: Standing) -> Option<String> {
    let total = s.current + s.due_soon + s.overdue;
    if total == 0 {
        return None;
    }
    let mut svg = Svg::new("training-completion", W, H, "Training completion", &describe(s));
    let mut x = 0.0;
    let parts = [
        ("current", s.current, ink::OK, "#e3f1e7"),
        ("due soon", s.due_soon, ink::WARN, "#fdf0cf"),
        ("overdue", s.overdue, ink::GAP, "#f9d9da"),
    ];
    for (word, n, edge, fill) in parts {
        if n == 0 {
            continue;
        }
        let w = W * n as f64 / total as f64;
        svg.group_titled(&format!("{n} {word}"));
        svg.rect(x, 4.0, w, BAR, fill, edge);
        svg.end_group();
        x += w;
    }
    // The legend under the bar: every part named with its count, even an empty one.
    let mut lx = 0.0;
    for (word, n, edge, fill) in parts {
        svg.rect(lx, BAR + 22.0, 14.0, 14.0, fill, edge);
        svg.text(lx + 20.0, BAR + 34.0, Anchor::Start, ink::TEXT, &format!("{n} {word}"));
        lx += 150.0;
    }
    Some(svg.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_due_soon_and_overdue_in_one_bar() {
        assert!(picture(Standing::default()).is_none());
        let svg = picture(Standing {
            current: 3,
            due_soon: 1,
            overdue: 2,
        })
        .expect("a bar");
        let (first, title) = super::super::tests::check(&svg);
        assert_eq!((first.as_str(), title.as_str()), ("title", "Training completion"));
        assert!(svg.contains("Training: 3 current, 1 due soon, 2 overdue."));
        assert!(svg.contains(">2 overdue</text>") && svg.contains("<title>1 due soon</title>"));
    }
}
