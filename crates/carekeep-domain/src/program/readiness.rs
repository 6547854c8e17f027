//! Readiness for the proposed Security Rule (HHS NPRM, 90 FR 898, January 6, 2025; RIN
//! 0945-AA22). PROPOSED, NOT LAW: no final rule is published and the 2013 Security Rule stays
//! in force. This profile says what would change for the clinic and where its own evidence
//! stands; it never feeds the dashboard's legal standing, and nothing here is a compliance
//! failure under the current rule.

use super::dates::add_months;
use time::Date;

/// The banner every screen and page of the profile carries.
pub const BANNER: &str = "PROPOSED, NOT LAW: the January 2025 proposed Security Rule (90 FR 898). No final rule has been published; today's Security Rule is unchanged and this profile does not change the clinic's standing.";

/// Restore within 72 hours (NPRM, contingency planning).
pub const RESTORE_WITHIN_SECONDS: i64 = 72 * 3600;

/// What the system knows, gathered by the app.
#[derive(Clone, Debug, Default)]
pub struct Evidence {
    /// Addressable rows of the current assessment answered "not implemented" or "alternative":
    /// under the proposal every specification would be required.
    pub addressable_not_implemented: Vec<String>,
    pub encrypted_at_rest: bool,
    pub encrypted_in_transit: bool,
    /// Devices holding ePHI without disk encryption.
    pub unencrypted_devices: usize,
    /// Every active account enrolled in two-step verification.
    pub mfa_everywhere: bool,
    /// Devices and systems in the inventory (not retired), and those missing an owner, a
    /// location or an operating system version.
    pub inventory: usize,
    pub inventory_incomplete: usize,
    /// The last restore drill: its date, whether it worked, and its measured seconds.
    pub last_drill: Option<(Date, bool, Option<i64>)>,
    pub last_scan: Option<Date>,
    pub last_pentest: Option<Date>,
    pub last_audit: Option<Date>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    NotReady,
    /// Nothing on record to tell.
    Unknown,
}

impl Readiness {
    pub fn as_str(self) -> &'static str {
        match self {
            Readiness::Ready => "ready",
            Readiness::NotReady => "not_ready",
            Readiness::Unknown => "unknown",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Readiness::Ready => "Ready",
            Readiness::NotReady => "Not ready",
            Readiness::Unknown => "Not known",
        }
    }
}

/// One item of the profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub key: &'static str,
    pub title: &'static str,
    /// What the proposal would ask.
    pub proposal: &'static str,
    pub standing: Readiness,
    /// What the system knows, in words.
    pub evidence: String,
}

/// A date as US staff write it: 12/06/2026.
pub fn us_date(d: Date) -> String {
    format!("{:02}/{:02}/{}", u8::from(d.month()), d.day(), d.year())
}

fn duration_words(seconds: i64) -> String {
    match seconds {
        s if s < 60 => format!("{s} seconds"),
        s if s < 3600 => format!("{} minutes", (s + 30) / 60),
        s => format!("{:.1} hours", s as f64 / 3600.0),
    }
}

/// A date within `months` of today.
fn within(on: Option<Date>, months: i32, today: Date) -> Readiness {
    match on {
        Some(d) if add_months(d, months) >= today => Readiness::Ready,
        Some(_) => Readiness::NotReady,
        None => Readiness::Unknown,
    }
}

fn dated(what: &str, on: Option<Date>) -> String {
    match on {
        Some(d) => format!("Last {what}: {}.", us_date(d)),
        None => format!("No {what} on record."),
    }
}

/// The profile on `today`.
pub fn profile(e: &Evidence, today: Date) -> Vec<Item> {
    let flag = |ok: bool| if ok { Readiness::Ready } else { Readiness::NotReady };
    let restore = match e.last_drill {
        None => (Readiness::Unknown, "No restore drill on record.".to_owned()),
        Some((on, false, _)) => (
            Readiness::NotReady,
            format!("The last restore drill, on {}, failed.", us_date(on)),
        ),
        Some((on, true, None)) => (
            Readiness::Unknown,
            format!(
                "The last restore drill, on {}, worked but its time to restore was not measured; run the drill again.",
                us_date(on)
            ),
        ),
        Some((on, true, Some(s))) => (
            flag(s <= RESTORE_WITHIN_SECONDS),
            format!(
                "The last restore drill, on {}, restored the clinic in {}.",
                us_date(on),
                duration_words(s)
            ),
        ),
    };
    vec![
        Item {
            key: "no_addressable",
            title: "No addressable specifications",
            proposal: "Every implementation specification would be required, with limited exceptions.",
            standing: flag(e.addressable_not_implemented.is_empty()),
            evidence: if e.addressable_not_implemented.is_empty() {
                "Every addressable row of the current assessment is implemented as written.".into()
            } else {
                format!(
                    "Addressable rows not implemented as written: {}.",
                    e.addressable_not_implemented.join(", ")
                )
            },
        },
        Item {
            key: "encryption",
            title: "Encryption everywhere",
            proposal: "ePHI encrypted at rest and in transit, with limited exceptions.",
            standing: flag(e.encrypted_at_rest && e.encrypted_in_transit && e.unencrypted_devices == 0),
            evidence: format!(
                "Carekeep's data {} encrypted at rest; connections {}; {} device(s) holding ePHI without disk encryption.",
                if e.encrypted_at_rest { "is" } else { "is not fully" },
                if e.encrypted_in_transit { "use TLS" } else { "are not encrypted" },
                e.unencrypted_devices
            ),
        },
        Item {
            key: "mfa",
            title: "Two-step verification everywhere",
            proposal: "Multi-factor authentication on every system with ePHI, with limited exceptions.",
            standing: flag(e.mfa_everywhere),
            evidence: if e.mfa_everywhere {
                "Every active Carekeep account uses two-step verification.".into()
            } else {
                "Some active Carekeep accounts do not use two-step verification.".into()
            },
        },
        Item {
            key: "inventory",
            title: "Technology asset inventory and network map",
            proposal: "A written inventory of technology assets (identification, version, person accountable, location) and a network map of how ePHI moves, reviewed periodically.",
            standing: match (e.inventory, e.inventory_incomplete) {
                (0, _) => Readiness::NotReady,
                (_, 0) => Readiness::Ready,
                _ => Readiness::NotReady,
            },
            evidence: format!(
                "{} device(s) and system(s) in the inventory, {} missing an owner, a location or a version; the network map below is drawn from it.",
                e.inventory, e.inventory_incomplete
            ),
        },
        Item {
            key: "restore",
            title: "Restore within 72 hours",
            proposal: "Restore the loss of relevant systems and data within 72 hours, with a criticality analysis.",
            standing: restore.0,
            evidence: restore.1,
        },
        Item {
            key: "scans",
            title: "Vulnerability scans every 6 months",
            proposal: "A vulnerability scan at least every 6 months.",
            standing: within(e.last_scan, 6, today),
            evidence: dated("vulnerability scan", e.last_scan),
        },
        Item {
            key: "pentest",
            title: "Penetration test yearly",
            proposal: "A penetration test at least once every 12 months.",
            standing: within(e.last_pentest, 12, today),
            evidence: dated("penetration test", e.last_pentest),
        },
        Item {
            key: "audit",
            title: "Compliance audit yearly",
            proposal: "An audit of compliance with the Security Rule at least once every 12 months.",
            standing: within(e.last_audit, 12, today),
            evidence: dated("compliance audit", e.last_audit),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn item(e: &Evidence, key: &str) -> Item {
        profile(e, date!(2026 - 12 - 06))
            .into_iter()
            .find(|i| i.key == key)
            .unwrap()
    }

    /// NPRM item 5 (restore within 72 hours): the standing reads the drill's measured time.
    #[test]
    fn restore_reads_the_drill() {
        let on = date!(2026 - 12 - 01);
        let cases = [
            (None, Readiness::Unknown, "No restore drill"),
            (Some((on, false, Some(10))), Readiness::NotReady, "failed"),
            (Some((on, true, None)), Readiness::Unknown, "not measured"),
            (Some((on, true, Some(42))), Readiness::Ready, "in 42 seconds"),
            (Some((on, true, Some(72 * 3600))), Readiness::Ready, "72.0 hours"),
            (Some((on, true, Some(72 * 3600 + 1))), Readiness::NotReady, "72.0 hours"),
            (Some((on, true, Some(150))), Readiness::Ready, "3 minutes"),
        ];
        for (drill, want, words) in cases {
            let i = item(
                &Evidence {
                    last_drill: drill,
                    ..Evidence::default()
                },
                "restore",
            );
            assert_eq!(i.standing, want, "{drill:?}");
            assert!(i.evidence.contains(words), "{drill:?}: {}", i.evidence);
        }
    }

    /// NPRM item 10: scans every 6 months, a penetration test every 12; item 6: a yearly audit.
    #[test]
    fn intervals() {
        let cases = [
            ("scans", date!(2026 - 06 - 06), Readiness::Ready),
            ("scans", date!(2026 - 06 - 05), Readiness::NotReady),
            ("pentest", date!(2025 - 12 - 06), Readiness::Ready),
            ("pentest", date!(2025 - 12 - 05), Readiness::NotReady),
            ("audit", date!(2025 - 12 - 05), Readiness::NotReady),
        ];
        for (key, on, want) in cases {
            let e = Evidence {
                last_scan: Some(on),
                last_pentest: Some(on),
                last_audit: Some(on),
                ..Evidence::default()
            };
            assert_eq!(item(&e, key).standing, want, "{key} {on}");
            assert_eq!(item(&Evidence::default(), key).standing, Readiness::Unknown);
        }
    }

    /// NPRM items 1, 3, 7, 8.
    #[test]
    fn the_rest() {
        let ready = Evidence {
            encrypted_at_rest: true,
            encrypted_in_transit: true,
            mfa_everywhere: true,
            inventory: 3,
            ..Evidence::default()
        };
        for key in ["no_addressable", "encryption", "mfa", "inventory"] {
            assert_eq!(item(&ready, key).standing, Readiness::Ready, "{key}");
        }
        let not = [
            (
                "no_addressable",
                Evidence {
                    addressable_not_implemented: vec!["TEC-04".into()],
                    ..ready.clone()
                },
            ),
            (
                "encryption",
                Evidence {
                    unencrypted_devices: 1,
                    ..ready.clone()
                },
            ),
            (
                "encryption",
                Evidence {
                    encrypted_in_transit: false,
                    ..ready.clone()
                },
            ),
            (
                "mfa",
                Evidence {
                    mfa_everywhere: false,
                    ..ready.clone()
                },
            ),
            (
                "inventory",
                Evidence {
                    inventory: 0,
                    ..ready.clone()
                },
            ),
            (
                "inventory",
                Evidence {
                    inventory_incomplete: 1,
                    ..ready.clone()
                },
            ),
        ];
        for (key, e) in not {
            assert_eq!(item(&e, key).standing, Readiness::NotReady, "{key}");
        }
        assert!(BANNER.starts_with("PROPOSED, NOT LAW"));
    }
}
