//! The patient's forms (issue 28, items 3 and 4): the list with the E-SIGN statement asked
//! once, each form one part at a time (every part posts and is kept as a draft, so nothing
//! typed is lost, and a mistake is named at its field), the sign step with a drawing pad and a
//! typed fallback, and the signed copy as a PDF. The same handlers serve the clinic's tablet
//! in kiosk mode (its pages have no menu, no copies to download and no way out).

mod fields;
mod list;
mod page;
mod part;
mod sign;

pub use list::{agree, list};
pub use part::{reopen, reopen_sign, save, show};
pub use sign::{pdf, sign};

use super::pages::portal_chrome;
use crate::state::AppState;
use crate::urls;
use crate::web::chrome::Chrome;
use carekeep_app::portal::PortalPatient;

/// Where the forms are filled: the portal, or the clinic's tablet in kiosk mode.
fn base(p: &PortalPatient) -> &'static str {
    if p.kiosk.is_some() {
        "/kiosk"
    } else {
        "/portal"
    }
}

fn forms_link(p: &PortalPatient) -> urls::Link {
    if p.kiosk.is_some() {
        urls::kiosk_forms()
    } else {
        urls::portal_forms()
    }
}

fn form_link(p: &PortalPatient, id: i64) -> urls::Link {
    if p.kiosk.is_some() {
        urls::kiosk_form(id)
    } else {
        urls::portal_form(id)
    }
}

/// The chrome of a forms page: on the tablet, the seconds after which the page returns itself
/// to the code screen (the server ends the session then too).
fn chrome_for(state: &AppState, p: &PortalPatient, notice: Option<&str>) -> Chrome {
    let mut c = portal_chrome(state, p, notice);
    if p.kiosk.is_some() {
        c.kiosk_idle_seconds = carekeep_domain::forms::kiosk::page_refresh_seconds();
    }
    c
}
