//! The SRA's risk heat map: the 3x3 matrix of likelihood against impact, each cell coloured by
//! the level the matrix gives (`program::sra::risk::level`), with its count of risks and a link
//! to the list of those risks, which is the picture's text equivalent.

use super::{ink, Anchor, Svg};
use carekeep_domain::program::sra::risk::{level, Rating};

/// How many risks fall in each cell, `[likelihood][impact]`, low to high.
pub type Counts = [[usize; 3]; 3];

const CELL: f64 = 110.0;
const LEFT: f64 = 96.0;
const TOP: f64 = 16.0;

fn fill(r: Rating) -> &'static str {
    // Pale fills, so the count in dark ink keeps its contrast; the level is also in words.
    match r {
        Rating::Low => "#e3f1e7",
        Rating::Moderate => "#fdf0cf",
        Rating::High => "#f9d9da",
    }
}

/// The anchor of a cell's row in the list under the picture.
pub fn cell_anchor(likelihood: Rating, impact: Rating) -> String {
    format!("cell-{}-{}", likelihood.as_str(), impact.as_str())
}

fn count(counts: &Counts, l: usize, i: usize) -> usize {
    counts.get(l).and_then(|row| row.get(i)).copied().unwrap_or(0)
}

pub fn describe(counts: &Counts) -> String {
    let total: usize = counts.iter().flatten().sum();
    let mut high = 0;
    for (l, lr) in Rating::ALL.into_iter().enumerate() {
        for (i, ir) in Rating::ALL.into_iter().enumerate() {
            if level(lr, ir) == Rating::High {
                high += count(counts, l, i);
            }
        }
    }
    format!(
        "{total} risks on a 3 by 3 matrix of likelihood against impact; {high} of them at a high level. The list below gives each cell's risks."
    )
}

/// The heat map over `counts`.
pub fn picture(counts: &Counts) -> String {
    let (w, h) = (LEFT + CELL * 3.0 + 10.0, TOP + CELL * 3.0 + 56.0);
    let mut svg = Svg::linked("risk-heat-map", w, h, "Risk heat map", &describe(counts));
    for (l, lr) in Rating::ALL.into_iter().enumerate() {
        for (i, ir) in Rating::ALL.into_iter().enumerate() {
            // Likelihood across, impact up: high impact on the top row.
            let x = LEFT + CELL * l as f64;
            let y = TOP + CELL * (2 - i) as f64;
            let lv = level(lr, ir);
            let n = count(counts, l, i);
            svg.link(&format!("#{}", cell_anchor(lr, ir)));
            svg.group_titled(&format!(
                "Likelihood {}, impact {}: {} risk{}, level {}",
                lr.as_str(),
                ir.as_str(),
                n,
                if n == 1 { "" } else { "s" },
                lv.as_str()
            ));
            svg.rect(x, y, CELL, CELL, fill(lv), "#ffffff");
            svg.big_text(x + CELL / 2.0, y + CELL / 2.0 + 8.0, ink::TEXT, &n.to_string());
            svg.text(x + 8.0, y + CELL - 10.0, Anchor::Start, ink::MUTED, lv.as_str());
            svg.end_group();
            svg.end_link();
        }
    }
    for (k, r) in Rating::ALL.into_iter().enumerate() {
        svg.text(
            LEFT - 8.0,
            TOP + CELL * (2 - k) as f64 + CELL / 2.0 + 4.0,
            Anchor::End,
            ink::TEXT,
            r.as_str(),
        );
        svg.text(
            LEFT + CELL * k as f64 + 8.0,
            TOP + CELL * 3.0 + 20.0,
            Anchor::Start,
            ink::TEXT,
            r.as_str(),
        );
    }
    svg.text(LEFT, h - 8.0, Anchor::Start, ink::TEXT, "Likelihood →");
    svg.text(8.0, TOP + 12.0, Anchor::Start, ink::TEXT, "Impact ↑");
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nine_cells_with_counts_each_linked_to_its_risks() {
        let mut counts: Counts = [[0; 3]; 3];
        counts[2][2] = 2; // likely and severe
        counts[0][1] = 1;
        let svg = picture(&counts);
        let (first, title) = super::super::tests::check(&svg);
        assert_eq!((first.as_str(), title.as_str()), ("title", "Risk heat map"));
        assert_eq!(svg.matches("<a href=\"#cell-").count(), 9);
        assert!(svg.contains("Likelihood high, impact high: 2 risks, level high"));
        assert!(svg.contains("Likelihood low, impact moderate: 1 risk, level low"));
        assert!(svg.contains("3 risks on a 3 by 3 matrix of likelihood against impact; 2 of them at a high level."));
    }
}
