//! A starter catalogue of threats a small clinic meets, written by us: each with the
//! vulnerability it usually exploits, the kind of asset it hits, and a starting likelihood
//! and impact the clinic adjusts to its own situation.

use super::risk::Rating;

#[derive(Clone, Copy, Debug)]
pub struct Threat {
    pub key: &'static str,
    pub name: &'static str,
    pub vulnerability: &'static str,
    /// Asset kinds it usually concerns.
    pub asset_kinds: &'static [&'static str],
    pub likelihood: Rating,
    pub impact: Rating,
    /// Controls that usually reduce it.
    pub controls: &'static str,
}

pub const THREATS: [Threat; 10] = [
    Threat {
        key: "ransomware",
        name: "Ransomware",
        vulnerability: "Unpatched computers, staff opening attachments, backups reachable from the office network",
        asset_kinds: &["server", "workstation", "laptop"],
        likelihood: Rating::Moderate,
        impact: Rating::High,
        controls: "Encrypted off-site backups tested by restore, automatic updates, antivirus, training",
    },
    Threat {
        key: "phishing",
        name: "Phishing email",
        vulnerability: "Staff entering passwords on fake sign-in pages",
        asset_kinds: &["cloud", "workstation"],
        likelihood: Rating::High,
        impact: Rating::Moderate,
        controls: "Two-step verification on every account, training with examples, a way to report suspicious mail",
    },
    Threat {
        key: "lost_device",
        name: "Lost or stolen laptop or phone",
        vulnerability: "Devices carried outside the office holding patient information unencrypted",
        asset_kinds: &["laptop", "phone", "tablet", "media"],
        likelihood: Rating::Moderate,
        impact: Rating::High,
        controls: "Full-disk encryption, screen lock, no patient files stored on phones, remote wipe",
    },
    Threat {
        key: "misdirected",
        name: "Misdirected fax or email",
        vulnerability: "Wrong number or address typed, autocomplete",
        asset_kinds: &["workstation", "cloud"],
        likelihood: Rating::Moderate,
        impact: Rating::Low,
        controls: "Saved recipient lists, confirming numbers, minimum necessary in what is sent",
    },
    Threat {
        key: "former_employee",
        name: "Former employee with access",
        vulnerability: "Accounts, keys and shared passwords left active after someone leaves",
        asset_kinds: &["server", "cloud", "workstation"],
        likelihood: Rating::Low,
        impact: Rating::High,
        controls: "Leave date disables the login; offboarding checklist; no shared passwords",
    },
    Threat {
        key: "unpatched",
        name: "Unpatched system",
        vulnerability: "Operating system, browser or router without security updates",
        asset_kinds: &["server", "workstation", "laptop", "network"],
        likelihood: Rating::Moderate,
        impact: Rating::Moderate,
        controls: "Automatic updates, replacing unsupported systems, a monthly check",
    },
    Threat {
        key: "vendor_breach",
        name: "Vendor breach",
        vulnerability: "A vendor holding the clinic's PHI is attacked or careless",
        asset_kinds: &["cloud"],
        likelihood: Rating::Low,
        impact: Rating::High,
        controls: "Signed BAAs requiring incident reports, sending vendors only what they need",
    },
    Threat {
        key: "snooping",
        name: "Staff snooping in records",
        vulnerability: "Broad access and curiosity about neighbours, colleagues or public figures",
        asset_kinds: &["server"],
        likelihood: Rating::Moderate,
        impact: Rating::Moderate,
        controls: "Role-based access, restricted records, access monitoring reviewed weekly, sanctions policy",
    },
    Threat {
        key: "fire_flood",
        name: "Fire or flood",
        vulnerability: "The only copy of the data in the office",
        asset_kinds: &["server", "media"],
        likelihood: Rating::Low,
        impact: Rating::High,
        controls: "Off-site encrypted backups, a written restore procedure",
    },
    Threat {
        key: "power_loss",
        name: "Power loss",
        vulnerability: "Server without a UPS; unsaved work",
        asset_kinds: &["server", "network"],
        likelihood: Rating::Moderate,
        impact: Rating::Low,
        controls: "A UPS on the server and router, a database that survives a crash, paper forms for the day",
    },
];

pub fn by_key(key: &str) -> Option<&'static Threat> {
    THREATS.iter().find(|t| t.key == key)
}

/// Asset kinds the inventory offers.
pub const ASSET_KINDS: [(&str, &str); 9] = [
    ("server", "Server"),
    ("workstation", "Desktop computer"),
    ("laptop", "Laptop"),
    ("phone", "Phone"),
    ("tablet", "Tablet"),
    ("cloud", "Cloud service or system"),
    ("network", "Network equipment"),
    ("media", "Removable media or paper"),
    ("other", "Other"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_threat_names_known_asset_kinds() {
        for t in THREATS {
            for k in t.asset_kinds {
                assert!(ASSET_KINDS.iter().any(|(key, _)| key == k), "{}: {k}", t.key);
            }
        }
        assert!(by_key("ransomware").is_some());
    }
}
