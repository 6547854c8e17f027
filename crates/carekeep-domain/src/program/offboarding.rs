//! Offboarding (164.308(a)(3)(ii)(C) termination procedures): on the leave date the account is
//! disabled and its sessions end; these are the steps a person must confirm by hand.

pub const CHECKLIST: &[&str] = &[
    "Keys, badges and alarm codes returned or changed",
    "Clinic laptops, phones and storage devices returned",
    "Shared passwords the person knew changed (Wi-Fi, email, vendor portals)",
    "Access to outside systems removed (email, billing portal, lab portal, cloud storage)",
    "Personal devices checked for clinic email or patient information",
];

/// Whose login a new or changed leave date would disable, as seen by the person setting it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeaveDateTarget {
    /// The login is the one setting the date.
    pub own_login: bool,
    /// The login holds the owner role.
    pub owner_login: bool,
}

/// Who sets a leave date, and whether they confirmed it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeaveDateSetter {
    /// The clinic's administrator at the command line (who holds the machine and its keys).
    pub command_line: bool,
    pub is_owner: bool,
    /// The "an owner confirms" box was ticked.
    pub confirmed: bool,
}

/// A leave date that would disable one's own login or an owner's needs an owner's explicit
/// confirmation (164.308(a)(3)(ii)(C) termination procedures are for people who leave, not a
/// way to lock the clinic's owner, or oneself, out by a slip of the date field).
pub fn may_set_leave_date(target: LeaveDateTarget, by: LeaveDateSetter) -> Result<(), &'static str> {
    if by.command_line || !(target.own_login || target.owner_login) {
        return Ok(());
    }
    match (by.is_owner, by.confirmed, target.own_login) {
        (true, true, _) => Ok(()),
        (true, false, true) => {
            Err("this leave date would disable your own login: tick \"An owner confirms this leave date\" to set it")
        }
        (true, false, false) => {
            Err("this leave date would disable an owner's login: tick \"An owner confirms this leave date\" to set it")
        }
        (false, _, true) => Err("this leave date would disable your own login: an owner must set it"),
        (false, _, false) => {
            Err("this leave date would disable an owner's login: only an owner may set it, confirming it")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaving_dates_for_oneself_or_an_owner_need_an_owner_confirming() {
        let t = |own_login, owner_login| LeaveDateTarget { own_login, owner_login };
        let by = |is_owner, confirmed| LeaveDateSetter {
            command_line: false,
            is_owner,
            confirmed,
        };
        let cli = LeaveDateSetter {
            command_line: true,
            is_owner: false,
            confirmed: false,
        };
        let cases = [
            // Anyone else's date: no confirmation asked.
            (t(false, false), by(false, false), true),
            // One's own: only an owner, confirming.
            (t(true, false), by(false, false), false),
            (t(true, false), by(false, true), false),
            (t(true, true), by(true, false), false),
            (t(true, true), by(true, true), true),
            // An owner's: only an owner, confirming.
            (t(false, true), by(false, true), false),
            (t(false, true), by(true, false), false),
            (t(false, true), by(true, true), true),
            // The command line holds the machine already.
            (t(false, true), cli, true),
        ];
        for (target, setter, ok) in cases {
            assert_eq!(may_set_leave_date(target, setter).is_ok(), ok, "{target:?} {setter:?}");
        }
    }
}
