//! The technology inventory's gaps: a device on an operating system its maker no longer
//! supports, one not patched within the clinic's cadence, one holding ePHI without disk
//! encryption. Each gap is evidence against a row of the assessment and becomes a task.
//!
//! 164.308(a)(5)(ii)(B) (protection from malicious software) and 164.308(a)(1)(ii)(B) (risk
//! management) ask for patching without a number: the 30 days here is the clinic's cadence,
//! not a regulatory figure. 164.312(a)(2)(iv) (encryption and decryption) is addressable; a
//! device carrying ePHI unencrypted is still the first thing a lost laptop's breach
//! determination asks about (the safe harbor for encrypted PHI, 164.402).

use time::Date;

/// Days within which a device is patched: the clinic's cadence.
pub const PATCH_WITHIN_DAYS: i64 = 30;

/// What the inventory knows of one device.
#[derive(Clone, Copy, Debug, Default)]
pub struct Device<'a> {
    /// An asset kind (`catalogue::ASSET_KINDS`).
    pub kind: &'a str,
    pub holds_ephi: bool,
    pub disk_encrypted: bool,
    pub last_patched: Option<Date>,
    pub support_ends: Option<Date>,
    /// Disposed of: its record ended with the disposal log.
    pub retired: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gap {
    /// The operating system's support has ended.
    Unsupported,
    /// Not patched within [`PATCH_WITHIN_DAYS`], or never recorded as patched.
    Unpatched,
    /// Holds ePHI without disk encryption.
    Unencrypted,
}

impl Gap {
    pub fn as_str(self) -> &'static str {
        match self {
            Gap::Unsupported => "unsupported",
            Gap::Unpatched => "unpatched",
            Gap::Unencrypted => "unencrypted",
        }
    }

    /// Words for staff.
    pub fn label(self) -> &'static str {
        match self {
            Gap::Unsupported => "operating system no longer supported",
            Gap::Unpatched => "not patched in the last 30 days",
            Gap::Unencrypted => "no disk encryption",
        }
    }

    /// The row of the assessment it is evidence against.
    pub fn spec(self) -> &'static str {
        match self {
            Gap::Unsupported | Gap::Unpatched => "ADM-13",
            Gap::Unencrypted => "TEC-04",
        }
    }

    /// The catalogue's threat it raises.
    pub fn threat(self) -> &'static str {
        match self {
            Gap::Unsupported | Gap::Unpatched => "unpatched",
            Gap::Unencrypted => "lost_device",
        }
    }

    /// The remediation task's title for a device.
    pub fn task(self, device: &str) -> String {
        match self {
            Gap::Unsupported => format!("Replace or upgrade {device}: its operating system is no longer supported"),
            Gap::Unpatched => format!("Patch {device} and record the date"),
            Gap::Unencrypted => format!("Turn on disk encryption on {device}"),
        }
    }
}

/// Kinds that run an operating system the clinic patches. Cloud services are the vendor's
/// to patch (its oversight is the vendor's review); paper and removable media run nothing.
fn patched_by_clinic(kind: &str) -> bool {
    matches!(
        kind,
        "server" | "workstation" | "laptop" | "phone" | "tablet" | "network"
    )
}

/// Kinds whose storage the clinic encrypts.
fn has_disk(kind: &str) -> bool {
    matches!(kind, "server" | "workstation" | "laptop" | "phone" | "tablet" | "media")
}

/// The device's gaps on `today`. A retired device has none: its record ended.
pub fn gaps(d: &Device<'_>, today: Date) -> Vec<Gap> {
    let mut out = Vec::new();
    if d.retired {
        return out;
    }
    if d.support_ends.is_some_and(|end| end < today) {
        out.push(Gap::Unsupported);
    }
    if patched_by_clinic(d.kind)
        && d.last_patched
            .is_none_or(|on| (today - on).whole_days() > PATCH_WITHIN_DAYS)
    {
        out.push(Gap::Unpatched);
    }
    if d.holds_ephi && has_disk(d.kind) && !d.disk_encrypted {
        out.push(Gap::Unencrypted);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn gaps_of_devices() {
        let today = date!(2026 - 12 - 06);
        let good = Device {
            kind: "laptop",
            holds_ephi: true,
            disk_encrypted: true,
            last_patched: Some(date!(2026 - 11 - 20)),
            support_ends: Some(date!(2028 - 10 - 01)),
            retired: false,
        };
        use Gap::*;
        let cases: [(&str, Device<'_>, &[Gap]); 10] = [
            ("all good", good, &[]),
            // 164.308(a)(5)(ii)(B): no updates come for an unsupported system.
            (
                "support ended",
                Device {
                    support_ends: Some(date!(2025 - 10 - 14)),
                    ..good
                },
                &[Unsupported],
            ),
            (
                "support ends today",
                Device {
                    support_ends: Some(today),
                    ..good
                },
                &[],
            ),
            // The clinic's 30-day cadence: day 30 is in time, day 31 is not.
            (
                "patched 30 days ago",
                Device {
                    last_patched: Some(date!(2026 - 11 - 06)),
                    ..good
                },
                &[],
            ),
            (
                "patched 31 days ago",
                Device {
                    last_patched: Some(date!(2026 - 11 - 05)),
                    ..good
                },
                &[Unpatched],
            ),
            (
                "never recorded as patched",
                Device {
                    last_patched: None,
                    ..good
                },
                &[Unpatched],
            ),
            // 164.312(a)(2)(iv): ePHI on a disk without encryption.
            (
                "unencrypted with ePHI",
                Device {
                    disk_encrypted: false,
                    ..good
                },
                &[Unencrypted],
            ),
            (
                "unencrypted without ePHI",
                Device {
                    disk_encrypted: false,
                    holds_ephi: false,
                    ..good
                },
                &[],
            ),
            // A cloud service is the vendor's to patch and encrypt.
            (
                "cloud",
                Device {
                    kind: "cloud",
                    last_patched: None,
                    disk_encrypted: false,
                    ..good
                },
                &[],
            ),
            // 164.310(d)(2)(i): a disposed device's record ended.
            (
                "retired",
                Device {
                    retired: true,
                    last_patched: None,
                    disk_encrypted: false,
                    support_ends: Some(date!(2020 - 01 - 14)),
                    ..good
                },
                &[],
            ),
        ];
        for (what, device, want) in cases {
            assert_eq!(gaps(&device, today), want, "{what}");
        }
    }

    #[test]
    fn each_gap_points_at_a_row_and_a_threat() {
        for g in [Gap::Unsupported, Gap::Unpatched, Gap::Unencrypted] {
            assert!(super::super::specs::by_id(g.spec()).is_some());
            assert!(super::super::catalogue::by_key(g.threat()).is_some());
            assert!(g.task("Front desk PC").contains("Front desk PC"));
        }
    }
}

/// Whether `known` names a newer release than `running` (dotted numbers, `v` allowed;
/// anything unreadable is not newer: the clinic typed it, nothing was fetched).
pub fn newer_release(running: &str, known: &str) -> bool {
    let parts = |s: &str| -> Option<Vec<u64>> {
        let s = s.trim().trim_start_matches(['v', 'V']);
        if s.is_empty() {
            return None;
        }
        s.split('.').map(|p| p.trim().parse::<u64>().ok()).collect()
    };
    match (parts(running), parts(known)) {
        (Some(r), Some(k)) => k > r,
        _ => false,
    }
}

#[cfg(test)]
mod release_tests {
    use super::newer_release;

    #[test]
    fn releases() {
        for (running, known, newer) in [
            ("0.1.0", "0.1.1", true),
            ("0.1.0", "v0.2", true),
            ("0.9.0", "0.10.0", true),
            ("0.1.0", "0.1.0", false),
            ("0.2.0", "0.1.9", false),
            ("0.1.0", "", false),
            ("0.1.0", "soon", false),
        ] {
            assert_eq!(newer_release(running, known), newer, "{running} {known}");
        }
    }
}
