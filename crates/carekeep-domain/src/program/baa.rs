//! Vendors and business associate agreements (164.502(e), 164.504(e), 164.308(b)(1)).

use super::dates::{standing, Standing};
use serde::{Deserialize, Serialize};
use time::Date;

/// What a vendor does with the clinic's PHI, from the guided questions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhiUse {
    pub creates: bool,
    pub receives: bool,
    pub maintains: bool,
    pub transmits: bool,
    /// Only carries PHI it never looks at and keeps no more than transiently (the postal service,
    /// an internet provider): the conduit exception. Keeping copies (cloud storage, email
    /// hosting) is never a conduit.
    pub conduit_only: bool,
}

impl PhiUse {
    /// 164.502(e)(1): a vendor that creates, receives, maintains or transmits PHI for the clinic
    /// is a business associate and needs a BAA, unless it is a mere conduit (which transmits and
    /// does nothing else).
    pub fn needs_baa(self) -> bool {
        let touches = self.creates || self.receives || self.maintains || self.transmits;
        let conduit = self.conduit_only && self.transmits && !self.creates && !self.maintains;
        touches && !conduit
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BaaStatus {
    None,
    Requested,
    Signed,
    Expired,
    Terminated,
}

impl BaaStatus {
    pub const ALL: [BaaStatus; 5] = [
        BaaStatus::None,
        BaaStatus::Requested,
        BaaStatus::Signed,
        BaaStatus::Expired,
        BaaStatus::Terminated,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            BaaStatus::None => "none",
            BaaStatus::Requested => "requested",
            BaaStatus::Signed => "signed",
            BaaStatus::Expired => "expired",
            BaaStatus::Terminated => "terminated",
        }
    }
    pub fn parse(s: &str) -> Option<BaaStatus> {
        BaaStatus::ALL.into_iter().find(|b| b.as_str() == s.trim())
    }
}

/// A vendor's agreement as recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Baa {
    pub status: BaaStatus,
    pub effective: Option<Date>,
    /// When it ends or must be renewed; `None` for an agreement with no end date.
    pub renewal: Option<Date>,
}

/// Whether a signed BAA is in force today.
pub fn current(baa: &Baa, today: Date) -> bool {
    baa.status == BaaStatus::Signed
        && baa.effective.is_none_or(|e| e <= today)
        && baa.renewal.is_none_or(|r| today <= r)
}

/// The vendor's standing on the dashboard: a vendor that needs a BAA without a current one is a
/// gap; one whose BAA ends within the warning window is due soon.
pub fn vendor_standing(phi: PhiUse, baa: &Baa, today: Date) -> Standing {
    if !phi.needs_baa() {
        return Standing::Done;
    }
    if !current(baa, today) {
        return Standing::Gap;
    }
    baa.renewal.map_or(Standing::Done, |r| standing(r, today))
}

/// The BAA gate: Carekeep sends PHI through an outbound integration (email relay, off-site
/// backup, any future service) only when its vendor has a BAA in force today (164.502(e)(1),
/// 164.308(b)(1)).
pub fn may_send_phi(phi: PhiUse, baa: &Baa, today: Date) -> Result<(), &'static str> {
    if !phi.needs_baa() {
        return Ok(());
    }
    match baa.status {
        BaaStatus::Signed if current(baa, today) => Ok(()),
        BaaStatus::Signed => Err("the vendor's business associate agreement is not in force today"),
        BaaStatus::None | BaaStatus::Requested => Err("the vendor has no signed business associate agreement"),
        BaaStatus::Expired => Err("the vendor's business associate agreement has expired"),
        BaaStatus::Terminated => Err("the vendor's business associate agreement was terminated"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 22);

    fn phi() -> PhiUse {
        PhiUse {
            maintains: true,
            ..PhiUse::default()
        }
    }

    fn signed(renewal: Option<Date>) -> Baa {
        Baa {
            status: BaaStatus::Signed,
            effective: Some(date!(2025 - 01 - 01)),
            renewal,
        }
    }

    /// 164.502(e)(1) and the conduit exception.
    #[test]
    fn who_needs_a_baa() {
        let cases = [
            (PhiUse::default(), false, "touches no PHI"),
            (phi(), true, "cloud storage keeps PHI"),
            (
                PhiUse {
                    transmits: true,
                    conduit_only: true,
                    ..PhiUse::default()
                },
                false,
                "an internet provider is a conduit",
            ),
            (
                PhiUse {
                    transmits: true,
                    maintains: true,
                    conduit_only: true,
                    ..PhiUse::default()
                },
                true,
                "keeping copies is never a conduit",
            ),
            (
                PhiUse {
                    receives: true,
                    ..PhiUse::default()
                },
                true,
                "a billing service receives PHI",
            ),
            (
                PhiUse {
                    transmits: true,
                    ..PhiUse::default()
                },
                true,
                "an email relay that is not a mere conduit",
            ),
        ];
        for (use_, want, why) in cases {
            assert_eq!(use_.needs_baa(), want, "{why}");
        }
    }

    #[test]
    fn standings_and_the_gate() {
        let cases = [
            (signed(None), Standing::Done, true, "signed, no end date"),
            (
                signed(Some(date!(2026 - 11 - 23))),
                Standing::DueSoon,
                true,
                "expires tomorrow: still in force, due soon",
            ),
            (
                signed(Some(TODAY)),
                Standing::DueSoon,
                true,
                "ends today: in force through today",
            ),
            (
                signed(Some(date!(2026 - 11 - 21))),
                Standing::Gap,
                false,
                "ended yesterday",
            ),
            (
                signed(Some(date!(2027 - 06 - 01))),
                Standing::Done,
                true,
                "renewal months away",
            ),
            (
                Baa {
                    effective: Some(date!(2026 - 12 - 01)),
                    ..signed(None)
                },
                Standing::Gap,
                false,
                "signed, not yet effective",
            ),
            (
                Baa {
                    status: BaaStatus::Requested,
                    effective: None,
                    renewal: None,
                },
                Standing::Gap,
                false,
                "requested only",
            ),
            (
                Baa {
                    status: BaaStatus::None,
                    effective: None,
                    renewal: None,
                },
                Standing::Gap,
                false,
                "none",
            ),
            (
                Baa {
                    status: BaaStatus::Terminated,
                    ..signed(None)
                },
                Standing::Gap,
                false,
                "terminated",
            ),
            (
                Baa {
                    status: BaaStatus::Expired,
                    ..signed(None)
                },
                Standing::Gap,
                false,
                "expired",
            ),
        ];
        for (baa, want, sends, why) in cases {
            assert_eq!(vendor_standing(phi(), &baa, TODAY), want, "{why}");
            assert_eq!(may_send_phi(phi(), &baa, TODAY).is_ok(), sends, "{why}");
        }
        let none = Baa {
            status: BaaStatus::None,
            effective: None,
            renewal: None,
        };
        assert_eq!(
            vendor_standing(PhiUse::default(), &none, TODAY),
            Standing::Done,
            "no PHI, no BAA needed"
        );
        assert!(may_send_phi(PhiUse::default(), &none, TODAY).is_ok());
    }
}
