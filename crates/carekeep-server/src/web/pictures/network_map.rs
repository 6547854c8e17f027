//! The network map (proposed 164.308(a)(1), PROPOSED, NOT LAW): the clinic's networks with
//! their devices on the left, Carekeep and its backups in the middle, each vendor handling PHI
//! on the right, and a line wherever ePHI flows. Drawn from the technology inventory.

use super::escape;
use carekeep_app::program::readiness::NetworkMap;
use std::fmt::Write;

const W: i64 = 960;
const ROW: i64 = 22;
const LEFT_X: i64 = 16;
const LEFT_W: i64 = 300;
const MID_X: i64 = 380;
const MID_W: i64 = 200;
const RIGHT_X: i64 = 644;
const RIGHT_W: i64 = 300;

/// Cuts a label to fit its box.
fn fit(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let cut: String = s.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// The map as an SVG element (`role="img"`, titled); the page lists the same in words.
pub(crate) fn svg(map: &NetworkMap) -> String {
    let mut body = String::new();
    // Left: one box per network (location), its devices listed inside.
    let mut y = 40;
    let mut left_anchors = Vec::new();
    for n in &map.networks {
        let h = 30 + ROW * i64::try_from(n.devices.len()).unwrap_or(0) + 8;
        let _ = write!(
            body,
            r##"<rect x="{LEFT_X}" y="{y}" width="{LEFT_W}" height="{h}" rx="6" fill="#f4f7fb" stroke="#4a6076"/><text x="{}" y="{}" font-weight="bold">{}</text>"##,
            LEFT_X + 10,
            y + 20,
            escape(&fit(&n.name, 34))
        );
        for (i, d) in n.devices.iter().enumerate() {
            let dy = y + 30 + ROW * i64::try_from(i).unwrap_or(0) + 14;
            let mark = match (d.holds_ephi, d.encrypted) {
                (true, true) => " (ePHI, encrypted)",
                (true, false) => " (ePHI, NOT encrypted)",
                (false, _) => "",
            };
            let colour = if d.holds_ephi && !d.encrypted {
                "#a4000f"
            } else {
                "#1b1b1b"
            };
            let _ = write!(
                body,
                r##"<text x="{}" y="{dy}" fill="{colour}">{}</text>"##,
                LEFT_X + 18,
                escape(&fit(&format!("{}{mark}", d.name), 40))
            );
        }
        left_anchors.push(y + h / 2);
        y += h + 14;
    }
    let left_bottom = y;
    // Middle: Carekeep, and its backups below it.
    let ck_y = 40;
    let _ = write!(
        body,
        r##"<rect x="{MID_X}" y="{ck_y}" width="{MID_W}" height="56" rx="6" fill="#e6f0e6" stroke="#2f6b2f" stroke-width="2"/><text x="{}" y="{}" font-weight="bold">Carekeep</text><text x="{}" y="{}">{}</text>"##,
        MID_X + 12,
        ck_y + 22,
        MID_X + 12,
        ck_y + 42,
        if map.tls {
            "connections encrypted (TLS)"
        } else {
            "connections NOT encrypted"
        }
    );
    let mut by = ck_y + 90;
    let backups: Vec<String> = if map.backups.is_empty() {
        vec!["No backups set up".to_owned()]
    } else {
        map.backups.clone()
    };
    for b in &backups {
        let _ = write!(
            body,
            r##"<rect x="{MID_X}" y="{by}" width="{MID_W}" height="44" rx="6" fill="#fff8e6" stroke="#8a6d00"/><text x="{}" y="{}">{}</text><line x1="{}" y1="{}" x2="{}" y2="{by}" stroke="#8a6d00" stroke-width="2" marker-end="url(#arrow)"/>"##,
            MID_X + 10,
            by + 27,
            escape(&fit(b, 28)),
            MID_X + MID_W / 2,
            ck_y + 56,
            MID_X + MID_W / 2,
        );
        by += 58;
    }
    // Lines: each network to Carekeep.
    for ay in &left_anchors {
        let _ = write!(
            body,
            r##"<line x1="{}" y1="{ay}" x2="{MID_X}" y2="{}" stroke="#4a6076" stroke-width="2" marker-end="url(#arrow)"/>"##,
            LEFT_X + LEFT_W,
            ck_y + 28
        );
    }
    // Right: each vendor handling PHI, with ePHI flowing out to it.
    let mut vy = 40;
    for v in &map.vendors {
        let _ = write!(
            body,
            r##"<rect x="{RIGHT_X}" y="{vy}" width="{RIGHT_W}" height="36" rx="6" fill="#f7eef7" stroke="#6b2f6b"/><text x="{}" y="{}">{}</text><line x1="{}" y1="{}" x2="{RIGHT_X}" y2="{}" stroke="#6b2f6b" stroke-width="2" marker-end="url(#arrow)"/>"##,
            RIGHT_X + 10,
            vy + 23,
            escape(&fit(v, 38)),
            MID_X + MID_W,
            ck_y + 28,
            vy + 18
        );
        vy += 48;
    }
    let height = [left_bottom, by, vy, 140].into_iter().max().unwrap_or(140) + 10;
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" width="100%" role="img" aria-labelledby="network-map-title" font-family="Helvetica, Arial, sans-serif" font-size="14" class="network-map"><title id="network-map-title">Network map: where ePHI flows between the clinic's devices, Carekeep, its backups and vendors</title><defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#4a6076"/></marker></defs><text x="{LEFT_X}" y="24" font-weight="bold">The clinic's networks and devices</text><text x="{MID_X}" y="24" font-weight="bold">Carekeep and backups</text><text x="{RIGHT_X}" y="24" font-weight="bold">Vendors handling PHI</text>{body}</svg>"##
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use carekeep_app::program::readiness::{MapDevice, MapNetwork};

    #[test]
    fn draws_every_part_and_escapes_names() {
        let map = NetworkMap {
            networks: vec![MapNetwork {
                name: "Front office <main>".into(),
                devices: vec![MapDevice {
                    name: "Reception PC".into(),
                    kind: "workstation".into(),
                    holds_ephi: true,
                    encrypted: false,
                }],
            }],
            backups: vec!["Nightly backups to /srv/backups".into()],
            vendors: vec!["Billing & Co".into()],
            tls: true,
        };
        let svg = svg(&map);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("<title id=\"network-map-title\">"));
        for part in [
            "Front office &lt;main&gt;",
            "Reception PC (ePHI, NOT encrypted)",
            "Carekeep",
            "Nightly backups",
            "Billing &amp; Co",
        ] {
            assert!(svg.contains(part), "{part}");
        }
        assert!(!svg.contains("<script"));
        let empty = svg_of_nothing();
        assert!(empty.contains("No backups set up"));
    }

    fn svg_of_nothing() -> String {
        svg(&NetworkMap {
            networks: Vec::new(),
            backups: Vec::new(),
            vendors: Vec::new(),
            tls: false,
        })
    }
}
