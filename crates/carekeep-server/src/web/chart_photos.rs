//! The chart's photos as a clinician compares them: oldest first, grouped by treatment area
//! (the pair label) and by visit (the day taken, on the clinic's clock), with the first
//! "before" and the latest "after" of an area side by side, each dated.

use super::formats;
use carekeep_app::records::view::AttachmentView;
use std::collections::BTreeMap;

/// One photo as the page shows it.
#[derive(Clone, Debug)]
pub struct Photo {
    pub id: i64,
    pub date: String,
    pub when: String,
    pub pair: String,
    pub caption: String,
}

/// The photos of one visit (a day) in an area.
#[derive(Debug)]
pub struct Visit {
    pub date: String,
    pub photos: Vec<Photo>,
}

/// One treatment area: its before-and-after, if it has both, and its visits oldest first.
#[derive(Debug)]
pub struct Area {
    pub name: String,
    pub compare: Option<(Photo, Photo)>,
    pub visits: Vec<Visit>,
}

fn photo(a: &AttachmentView) -> Photo {
    Photo {
        id: a.id,
        date: formats::iso_date(&a.at),
        when: formats::when(&a.at),
        pair: a.pair.clone(),
        caption: a.caption.clone(),
    }
}

/// The chart's images grouped for the page; areas in the order their first photo was taken.
pub fn group(attachments: &[AttachmentView]) -> Vec<Area> {
    let mut images: Vec<&AttachmentView> = attachments.iter().filter(|a| a.is_image).collect();
    // By the instant (offsets differ across a clock change); the id breaks ties.
    let instant = |a: &AttachmentView| {
        time::OffsetDateTime::parse(&a.at, &time::format_description::well_known::Rfc3339)
            .map(|t| t.unix_timestamp())
            .unwrap_or_default()
    };
    images.sort_by_key(|a| (instant(a), a.id));
    let mut order: Vec<String> = Vec::new();
    let mut by_area: BTreeMap<String, Vec<&AttachmentView>> = BTreeMap::new();
    for a in images {
        let name = a.pair_label.trim().to_owned();
        if !order.contains(&name) {
            order.push(name.clone());
        }
        by_area.entry(name).or_default().push(a);
    }
    order
        .into_iter()
        .map(|name| {
            let list = by_area.remove(&name).unwrap_or_default();
            let before = list.iter().find(|a| a.pair == "before");
            let after = list.iter().rev().find(|a| a.pair == "after");
            let compare = match (before, after) {
                (Some(b), Some(a)) => Some((photo(b), photo(a))),
                _ => None,
            };
            let mut visits: Vec<Visit> = Vec::new();
            for a in list {
                let p = photo(a);
                match visits.last_mut() {
                    Some(v) if v.date == p.date => v.photos.push(p),
                    _ => visits.push(Visit {
                        date: p.date.clone(),
                        photos: vec![p],
                    }),
                }
            }
            Area {
                name: if name.is_empty() { "Other photos".into() } else { name },
                compare,
                visits,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn att(id: i64, at: &str, pair: &str, label: &str) -> AttachmentView {
        AttachmentView {
            id,
            at: at.into(),
            uploaded_by: String::new(),
            content_type: "image/png".into(),
            size_bytes: 1,
            filename: String::new(),
            caption: String::new(),
            kind: "photo".into(),
            pair: pair.into(),
            pair_label: label.into(),
            is_image: true,
        }
    }

    #[test]
    fn oldest_first_by_area_and_visit_with_before_and_after_side_by_side() {
        // Newest first, as the chart lists them.
        let list = [
            att(5, "2026-04-01T10:00:00-04:00", "after", "left cheek"),
            att(4, "2026-03-15T11:00:00-04:00", "", "forehead"),
            att(3, "2026-03-02T09:10:00-05:00", "", "left cheek"),
            att(2, "2026-03-02T09:05:00-05:00", "before", "left cheek"),
            att(1, "2026-02-01T09:00:00-05:00", "", ""),
        ];
        let areas = group(&list);
        let names: Vec<&str> = areas.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["Other photos", "left cheek", "forehead"]);
        let cheek = &areas[1];
        let (b, a) = cheek.compare.as_ref().expect("a before and an after");
        assert_eq!(
            (b.id, b.date.as_str(), a.id, a.date.as_str()),
            (2, "03/02/2026", 5, "04/01/2026")
        );
        let visits: Vec<(&str, Vec<i64>)> = cheek
            .visits
            .iter()
            .map(|v| (v.date.as_str(), v.photos.iter().map(|p| p.id).collect()))
            .collect();
        assert_eq!(visits, [("03/02/2026", vec![2, 3]), ("04/01/2026", vec![5])]);
        assert!(areas[2].compare.is_none());
    }
}
