//! A patient's access timeline: one lane per person, one mark per event, its shape saying what
//! was done (so it reads without colour), each mark linking to its row in the table below,
//! which is the picture's full text equivalent.

use super::{ink, Anchor, Svg};
use carekeep_domain::audit::timeline::Mark;

/// One event on the timeline.
#[derive(Clone, Debug)]
pub struct Point {
    pub seq: i64,
    /// Seconds since 1970, for spacing.
    pub at: i64,
    pub person: String,
    pub mark: Mark,
    /// What a pointer over the mark says: who did what, when.
    pub label: String,
}

const W: f64 = 760.0;
const LEFT: f64 = 170.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 56.0;
const LANE: f64 = 30.0;

fn colour(m: Mark) -> &'static str {
    match m {
        Mark::Looked => ink::ACCENT,
        Mark::Changed => ink::OK,
        Mark::Copied => ink::WARN,
        Mark::Emergency | Mark::Refused => ink::GAP,
        Mark::Other => ink::MUTED,
    }
}

/// Draws mark `m` centred on (x, y).
fn shape(svg: &mut Svg, m: Mark, x: f64, y: f64) {
    let c = colour(m);
    match m {
        Mark::Looked => {
            svg.circle(x, y, 6.0, c);
        }
        Mark::Changed => {
            svg.rect(x - 5.5, y - 5.5, 11.0, 11.0, c, c);
        }
        Mark::Copied => {
            svg.polygon(&[(x, y - 7.0), (x + 7.0, y), (x, y + 7.0), (x - 7.0, y)], c);
        }
        Mark::Emergency => {
            svg.polygon(&[(x, y - 9.0), (x + 8.0, y + 6.0), (x - 8.0, y + 6.0)], c);
        }
        Mark::Refused => {
            svg.line((x - 6.0, y - 6.0), (x + 6.0, y + 6.0), c, "");
            svg.line((x - 6.0, y + 6.0), (x + 6.0, y - 6.0), c, "");
        }
        Mark::Other => {
            svg.circle(x, y, 4.0, c);
        }
    }
}

/// The sentence a screen reader hears before the table.
pub fn describe(points: &[Point], first: &str, last: &str) -> String {
    let mut people: Vec<&str> = points.iter().map(|p| p.person.as_str()).collect();
    people.sort_unstable();
    people.dedup();
    let emergencies = points.iter().filter(|p| p.mark == Mark::Emergency).count();
    format!(
        "{} recorded accesses by {} {} from {first} to {last}{}. Each is a row of the table below.",
        points.len(),
        people.len(),
        if people.len() == 1 { "person" } else { "people" },
        if emergencies > 0 {
            format!(", {emergencies} of them emergency access")
        } else {
            String::new()
        }
    )
}

/// The picture, or nothing when no event names the patient. `first` and `last` are the dates
/// of the first and last event in words.
pub fn picture(points: &[Point], first: &str, last: &str) -> Option<String> {
    if points.is_empty() {
        return None;
    }
    // Lanes in the order people first appear.
    let mut lanes: Vec<&str> = Vec::new();
    let mut sorted: Vec<&Point> = points.iter().collect();
    sorted.sort_by_key(|p| (p.at, p.seq));
    for p in &sorted {
        if !lanes.contains(&p.person.as_str()) {
            lanes.push(&p.person);
        }
    }
    let h = TOP + LANE * lanes.len() as f64 + 30.0;
    let (Some(first_at), Some(last_at)) = (sorted.first(), sorted.last()) else {
        return None;
    };
    let (t0, t1) = (first_at.at as f64, last_at.at as f64);
    let x = |at: i64| {
        if t1 > t0 {
            LEFT + (at as f64 - t0) / (t1 - t0) * (W - LEFT - RIGHT)
        } else {
            LEFT + (W - LEFT - RIGHT) / 2.0
        }
    };
    let mut svg = Svg::linked(
        "access-timeline",
        W,
        h,
        "Who opened this record, when",
        &describe(points, first, last),
    );
    // The legend: each mark's shape and word.
    let mut lx = 8.0;
    for m in Mark::ALL {
        if !points.iter().any(|p| p.mark == m) {
            continue;
        }
        shape(&mut svg, m, lx + 8.0, 20.0);
        svg.text(lx + 20.0, 24.0, Anchor::Start, ink::TEXT, m.words());
        lx += 30.0 + 7.5 * m.words().len() as f64;
    }
    for (i, person) in lanes.iter().enumerate() {
        let y = TOP + LANE * i as f64 + LANE / 2.0;
        svg.line((LEFT, y), (W - RIGHT, y), ink::GRID, "");
        let short: String = if person.chars().count() > 22 {
            person.chars().take(21).chain(['…']).collect()
        } else {
            (*person).to_owned()
        };
        svg.text(LEFT - 10.0, y + 4.0, Anchor::End, ink::TEXT, &short);
        for p in sorted.iter().filter(|p| p.person == *person) {
            svg.link(&format!("#event-{}", p.seq));
            svg.group_titled(&p.label);
            shape(&mut svg, p.mark, x(p.at), y);
            svg.end_group();
            svg.end_link();
        }
    }
    svg.text(LEFT, h - 8.0, Anchor::Start, ink::MUTED, first);
    svg.text(W - RIGHT, h - 8.0, Anchor::End, ink::MUTED, last);
    Some(svg.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(seq: i64, at: i64, person: &str, mark: Mark) -> Point {
        Point {
            seq,
            at,
            person: person.into(),
            mark,
            label: format!("{person} <event {seq}>"),
        }
    }

    #[test]
    fn one_lane_per_person_each_mark_linked_to_its_row() {
        assert!(picture(&[], "", "").is_none());
        let pts = [
            p(10, 100, "Dr. Rivera", Mark::Looked),
            p(11, 200, "Sam & Co", Mark::Changed),
            p(12, 300, "Dr. Rivera", Mark::Emergency),
            p(13, 300, "Dr. Rivera", Mark::Refused),
        ];
        let svg = picture(&pts, "03/02/2026", "03/04/2026").expect("a picture");
        let (first, title) = super::super::tests::check(&svg);
        assert_eq!(
            (first.as_str(), title.as_str()),
            ("title", "Who opened this record, when")
        );
        for seq in 10..=13 {
            assert!(
                svg.contains(&format!("href=\"#event-{seq}\"")),
                "event {seq} links to its row"
            );
        }
        assert!(svg.contains(">Sam &amp; Co</text>"));
        assert!(
            svg.contains("4 recorded accesses by 2 people from 03/02/2026 to 03/04/2026, 1 of them emergency access.")
        );
        // Only the marks present are in the legend.
        assert!(svg.contains(">Emergency access</text>") && !svg.contains(">Copied, printed or opened a file</text>"));
    }
}
