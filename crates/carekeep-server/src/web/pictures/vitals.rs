//! The chart's vitals trend: blood pressure (systolic and diastolic) and pulse over time, a
//! small line picture above the vitals table, which is its full text equivalent.

use super::{ink, Anchor, Svg};

/// One set of vitals as the picture needs it: when (seconds, for spacing), the date in words
/// and the readings it has.
#[derive(Clone, Debug, PartialEq)]
pub struct Reading {
    pub at: i64,
    pub date: String,
    pub systolic: Option<u16>,
    pub diastolic: Option<u16>,
    pub pulse: Option<u16>,
}

const W: f64 = 560.0;
const H: f64 = 190.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 30.0;
const BOTTOM: f64 = 28.0;

/// The series drawn: name, colour, dash (so they differ without colour) and the value.
type Series = (&'static str, &'static str, &'static str, fn(&Reading) -> Option<u16>);
const SERIES: [Series; 3] = [
    ("Systolic", ink::GAP, "", |r| r.systolic),
    ("Diastolic", ink::ACCENT, "6 4", |r| r.diastolic),
    ("Pulse", ink::OK, "2 3", |r| r.pulse),
];

/// The sentence a screen reader hears: first and last of each series.
pub fn describe(readings: &[Reading]) -> String {
    let mut parts = Vec::new();
    for (name, _, _, get) in SERIES {
        let have: Vec<(&Reading, u16)> = readings.iter().filter_map(|r| get(r).map(|v| (r, v))).collect();
        if let (Some(first), Some(last)) = (have.first(), have.last()) {
            let unit = if name == "Pulse" { "beats a minute" } else { "mmHg" };
            parts.push(format!(
                "{name} {} {unit} on {} to {} {unit} on {}",
                first.1, first.0.date, last.1, last.0.date
            ));
        }
    }
    format!(
        "{} sets of vitals. {}. Each reading is in the table below.",
        readings.len(),
        parts.join("; ")
    )
}

/// The trend over `readings` (oldest first), or nothing with fewer than two sets that have a
/// blood pressure or a pulse: one point is no trend, and the table says it.
pub fn trend(readings: &[Reading]) -> Option<String> {
    let mut rs: Vec<&Reading> = readings
        .iter()
        .filter(|r| SERIES.iter().any(|(_, _, _, get)| get(r).is_some()))
        .collect();
    rs.sort_by_key(|r| r.at);
    if rs.len() < 2 {
        return None;
    }
    let owned: Vec<Reading> = rs.iter().map(|r| (*r).clone()).collect();
    let values: Vec<f64> = owned
        .iter()
        .flat_map(|r| SERIES.iter().filter_map(move |(_, _, _, get)| get(r)))
        .map(f64::from)
        .collect();
    // Round the scale out to tens, with room above and below.
    let lo = (values.iter().cloned().fold(f64::MAX, f64::min) / 10.0).floor() * 10.0 - 10.0;
    let hi = (values.iter().cloned().fold(f64::MIN, f64::max) / 10.0).ceil() * 10.0 + 10.0;
    let (Some(first), Some(last)) = (owned.first(), owned.last()) else {
        return None;
    };
    let (t0, t1) = (first.at as f64, last.at as f64);
    let x = |at: i64| {
        if t1 > t0 {
            LEFT + (at as f64 - t0) / (t1 - t0) * (W - LEFT - RIGHT)
        } else {
            LEFT
        }
    };
    let y = |v: f64| TOP + (hi - v) / (hi - lo) * (H - TOP - BOTTOM);
    let mut svg = Svg::new("vitals-trend", W, H, "Vitals over time", &describe(&owned));
    // Grid lines every 20 (or 40 on a tall scale), labelled.
    let step = if hi - lo > 120.0 { 40.0 } else { 20.0 };
    let mut g = (lo / step).ceil() * step;
    while g <= hi {
        svg.line((LEFT, y(g)), (W - RIGHT, y(g)), ink::GRID, "");
        svg.text(LEFT - 6.0, y(g) + 4.0, Anchor::End, ink::MUTED, &format!("{g}"));
        g += step;
    }
    for (name, colour, dash, get) in SERIES {
        let pts: Vec<(f64, f64)> = owned
            .iter()
            .filter_map(|r| get(r).map(|v| (x(r.at), y(f64::from(v)))))
            .collect();
        if pts.is_empty() {
            continue;
        }
        svg.polyline(&pts, colour, dash);
        for ((px, py), r) in pts.iter().zip(owned.iter().filter(|r| get(r).is_some())) {
            svg.group_titled(&format!("{name} {} on {}", get(r).unwrap_or_default(), r.date));
            svg.circle(*px, *py, 3.5, colour);
            svg.end_group();
        }
    }
    // The legend, each with its line's dash.
    let mut lx = LEFT;
    for (name, colour, dash, _) in SERIES {
        svg.line((lx, 14.0), (lx + 22.0, 14.0), colour, dash);
        svg.text(lx + 28.0, 18.0, Anchor::Start, ink::TEXT, name);
        lx += 110.0;
    }
    svg.text(LEFT, H - 8.0, Anchor::Start, ink::MUTED, &first.date);
    svg.text(W - RIGHT, H - 8.0, Anchor::End, ink::MUTED, &last.date);
    Some(svg.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(day: i64, sys: Option<u16>, dia: Option<u16>, pulse: Option<u16>) -> Reading {
        Reading {
            at: day * 86_400,
            date: format!("01/{day:02}/2026"),
            systolic: sys,
            diastolic: dia,
            pulse,
        }
    }

    #[test]
    fn a_trend_needs_two_readings_and_is_valid_xml_with_a_title() {
        assert_eq!(trend(&[]), None);
        assert_eq!(trend(&[r(1, Some(120), Some(80), Some(70))]), None);
        // A set with only a weight is not a point on this picture.
        assert_eq!(trend(&[r(1, Some(120), Some(80), None), r(2, None, None, None)]), None);
        let svg = trend(&[
            r(3, Some(118), Some(76), None),
            r(1, Some(132), Some(88), Some(74)),
            r(2, None, None, Some(68)),
        ])
        .expect("a trend");
        let (first, title) = super::super::tests::check(&svg);
        assert_eq!((first.as_str(), title.as_str()), ("title", "Vitals over time"));
        assert!(svg.contains("<desc id=\"vitals-trend-desc\">3 sets of vitals. Systolic 132 mmHg on 01/01/2026 to 118 mmHg on 01/03/2026; Diastolic 88 mmHg on 01/01/2026 to 76 mmHg on 01/03/2026; Pulse 74 beats a minute on 01/01/2026 to 68 beats a minute on 01/02/2026."));
        assert!(svg.contains("<title>Pulse 68 on 01/02/2026</title>"));
        // Oldest at the left, newest at the right.
        assert!(svg.contains(">01/01/2026</text>") && svg.contains(">01/03/2026</text>"));
    }
}
