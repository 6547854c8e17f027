//! Forms whose typed values a page shows again after a mistake: the page structs in
//! `templates` hold them, and the handlers read them, so they live apart from both.

use carekeep_app::program::vendors::{VendorInput, VendorView};
use serde::Deserialize;

/// The registration form's fields, kept to re-show after a mistake.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RegisterForm {
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: String,
    pub sex: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub emergency_contact: String,
    pub preferred: String,
}

/// The vendor form's fields; checkboxes arrive only when ticked.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VendorForm {
    pub name: String,
    pub service: String,
    pub contact: String,
    pub creates_phi: Option<String>,
    pub receives_phi: Option<String>,
    pub maintains_phi: Option<String>,
    pub transmits_phi: Option<String>,
    pub conduit_only: Option<String>,
    pub baa_status: String,
    pub baa_signed_on: String,
    pub baa_effective_on: String,
    pub baa_renewal_on: String,
    pub subcontractors: String,
    pub retired: Option<String>,
}

impl VendorForm {
    pub(crate) fn input(&self) -> VendorInput {
        VendorInput {
            name: self.name.clone(),
            service: self.service.clone(),
            contact: self.contact.clone(),
            creates_phi: self.creates_phi.is_some(),
            receives_phi: self.receives_phi.is_some(),
            maintains_phi: self.maintains_phi.is_some(),
            transmits_phi: self.transmits_phi.is_some(),
            conduit_only: self.conduit_only.is_some(),
            baa_status: self.baa_status.clone(),
            baa_signed_on: self.baa_signed_on.clone(),
            baa_effective_on: self.baa_effective_on.clone(),
            baa_renewal_on: self.baa_renewal_on.clone(),
            subcontractors: self.subcontractors.clone(),
            retired: self.retired.is_some(),
        }
    }

    pub(crate) fn from_view(v: &VendorView) -> VendorForm {
        let yes = |b: bool| b.then(|| "yes".to_owned());
        VendorForm {
            name: v.name.clone(),
            service: v.service.clone(),
            contact: v.contact.clone(),
            creates_phi: yes(v.creates_phi),
            receives_phi: yes(v.receives_phi),
            maintains_phi: yes(v.maintains_phi),
            transmits_phi: yes(v.transmits_phi),
            conduit_only: yes(v.conduit_only),
            baa_status: v.baa_status.clone(),
            baa_signed_on: v.baa_signed_on.clone(),
            baa_effective_on: v.baa_effective_on.clone(),
            baa_renewal_on: v.baa_renewal_on.clone(),
            subcontractors: v.subcontractors.clone(),
            retired: yes(v.retired),
        }
    }
}
