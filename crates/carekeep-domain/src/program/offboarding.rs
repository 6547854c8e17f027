//! Offboarding (164.308(a)(3)(ii)(C) termination procedures): on the leave date the account is
//! disabled and its sessions end; these are the steps a person must confirm by hand.

pub const CHECKLIST: &[&str] = &[
    "Keys, badges and alarm codes returned or changed",
    "Clinic laptops, phones and storage devices returned",
    "Shared passwords the person knew changed (Wi-Fi, email, vendor portals)",
    "Access to outside systems removed (email, billing portal, lab portal, cloud storage)",
    "Personal devices checked for clinic email or patient information",
];
