//! The set-up path as a row of numbered stops joined by a line: a filled stop is done, the
//! ringed one is next. Its text equivalent is the numbered list beside it.

use super::{ink, Anchor, Svg};
use carekeep_domain::program::setup::Place;

const STEP: f64 = 60.0;
const HEIGHT: f64 = 64.0;

/// The path; `id` names the picture on its page.
pub fn svg(id: &str, places: &[Place]) -> String {
    let done = places.iter().filter(|p| p.done).count();
    let next = places.iter().find(|p| p.next).map_or_else(
        || "every step is done".to_owned(),
        |p| format!("next: step {}, {}", p.number, p.step.title()),
    );
    let title = format!("Set-up path: {done} of {} steps done", places.len());
    let width = STEP * places.len().max(1) as f64;
    let mut s = Svg::new(id, width, HEIGHT, &title, &format!("{title}; {next}."));
    if places.len() > 1 {
        s.line((STEP / 2.0, 24.0), (width - STEP / 2.0, 24.0), ink::GRID, "");
    }
    for (i, p) in places.iter().enumerate() {
        let x = STEP * i as f64 + STEP / 2.0;
        let state = if p.done {
            "done"
        } else if p.next {
            "next"
        } else {
            "to do"
        };
        s.group_titled(&format!("Step {}: {} ({state})", p.number, p.step.title()));
        if p.next {
            s.circle(x, 24.0, 19.0, ink::ACCENT);
        }
        s.circle(
            x,
            24.0,
            15.0,
            if p.done {
                ink::OK
            } else if p.next {
                "#ffffff"
            } else {
                ink::GRID
            },
        );
        let mark = if p.done { "✓".to_owned() } else { p.number.to_string() };
        s.text(
            x - 4.5,
            29.0,
            Anchor::Start,
            if p.done { "#ffffff" } else { ink::TEXT },
            &mark,
        );
        s.text(x - 12.0, 58.0, Anchor::Start, ink::MUTED, state);
        s.end_group();
    }
    s.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use carekeep_domain::program::setup::path;

    #[test]
    fn the_path_is_drawn_with_its_count() {
        let places = path(true, false, |_| false);
        let s = svg("setup-path", &places);
        let (_, title) = super::super::tests::check(&s);
        assert_eq!(title, "Set-up path: 1 of 9 steps done");
        assert!(s.contains("Step 2: Network and secure connections (next)"), "{s}");
        assert!(s.contains("Step 9: Security risk assessment (to do)"));
        assert!(!s.contains("<script"));
    }
}
