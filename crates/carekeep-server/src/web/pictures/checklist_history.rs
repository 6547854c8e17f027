//! The checklist's history: gaps (and items due soon) week by week since the clinic was set
//! up, as bars; a week with nothing recorded is marked as such, not drawn as zero.

use super::escape;
use carekeep_domain::program::checklist_history::Week;
use std::fmt::Write;

const BAR: u32 = 30;
const STEP: u32 = 44;
const LEFT: u32 = 36;
const TOP: u32 = 16;
const PLOT: u32 = 120;
const BOTTOM: u32 = 40;

/// `11/22` for a week's first day.
fn short(d: time::Date) -> String {
    format!("{:02}/{:02}", u8::from(d.month()), d.day())
}

/// The picture; its text equivalent is the table the page prints beside it.
pub fn svg(weeks: &[Week]) -> String {
    let count = u32::try_from(weeks.len()).unwrap_or(0).max(1);
    let width = LEFT + count * STEP + 8;
    let height = TOP + PLOT + BOTTOM;
    let most = weeks
        .iter()
        .filter_map(|w| w.tally.map(|t| t.gaps + t.due_soon))
        .max()
        .unwrap_or(0)
        .max(1);
    let title = match (weeks.first(), weeks.last()) {
        (Some(first), Some(last)) => format!(
            "Gaps and items due soon each week, from the week of {} to the week of {}",
            short(first.starts),
            short(last.starts)
        ),
        _ => "Gaps each week: nothing recorded yet".to_owned(),
    };
    let base = TOP + PLOT;
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="history-picture" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-labelledby="history-title"><title id="history-title">{}</title>"#,
        escape(&title)
    );
    let _ = write!(
        out,
        r#"<line class="axis" x1="{LEFT}" y1="{base}" x2="{}" y2="{base}"/><text class="tick" x="{}" y="{}" text-anchor="end">{most}</text><text class="tick" x="{}" y="{base}" text-anchor="end">0</text>"#,
        width - 4,
        LEFT - 6,
        TOP + 4,
        LEFT - 6
    );
    for (i, w) in weeks.iter().enumerate() {
        let x = LEFT + 6 + u32::try_from(i).unwrap_or(0) * STEP;
        let mid = x + BAR / 2;
        match w.tally {
            Some(t) => {
                let gap_h = t.gaps * PLOT / most;
                let soon_h = t.due_soon * PLOT / most;
                if gap_h > 0 {
                    let _ = write!(
                        out,
                        r#"<rect class="gap" x="{x}" y="{}" width="{BAR}" height="{gap_h}"/>"#,
                        base - gap_h
                    );
                }
                if soon_h > 0 {
                    let _ = write!(
                        out,
                        r#"<rect class="soon" x="{x}" y="{}" width="{BAR}" height="{soon_h}"/>"#,
                        base - gap_h - soon_h
                    );
                }
                let _ = write!(
                    out,
                    r#"<text class="count" x="{mid}" y="{}" text-anchor="middle">{}</text>"#,
                    base - gap_h - soon_h - 4,
                    t.gaps
                );
            }
            None => {
                let _ = write!(
                    out,
                    r#"<text class="none" x="{mid}" y="{}" text-anchor="middle">-</text>"#,
                    base - 4
                );
            }
        }
        let _ = write!(
            out,
            r#"<text class="tick" x="{mid}" y="{}" text-anchor="middle">{}</text>"#,
            base + 16,
            short(w.starts)
        );
    }
    let _ = write!(out, r#"<text class="tick" x="{LEFT}" y="{}">Week of</text>"#, base + 34);
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use carekeep_domain::program::checklist_history::Tally;
    use time::macros::date;

    #[test]
    fn bars_by_week_and_weeks_without_a_record() {
        let weeks = [
            Week {
                starts: date!(2026 - 11 - 01),
                tally: Some(Tally {
                    done: 3,
                    due_soon: 2,
                    gaps: 10,
                }),
            },
            Week {
                starts: date!(2026 - 11 - 08),
                tally: None,
            },
            Week {
                starts: date!(2026 - 11 - 15),
                tally: Some(Tally {
                    done: 12,
                    due_soon: 0,
                    gaps: 0,
                }),
            },
        ];
        let s = svg(&weeks);
        assert!(s.contains("<title id=\"history-title\">Gaps and items due soon each week, from the week of 11/01 to the week of 11/15</title>"));
        // The tallest week fills the plot: 10 gaps + 2 due soon = 120 units.
        assert!(
            s.contains(r#"<rect class="gap" x="42" y="36" width="30" height="100"/>"#),
            "{s}"
        );
        assert!(
            s.contains(r#"<rect class="soon" x="42" y="16" width="30" height="20"/>"#),
            "{s}"
        );
        assert!(s.contains(r#"class="none""#), "the empty week is marked");
        assert!(s.contains(">11/08<"));
        assert_eq!(s.matches("<rect").count(), 2, "a week with no gaps has no bar");
        assert!(!s.contains("<script"));
    }
}
