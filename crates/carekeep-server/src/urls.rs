//! Every path a handler sends the browser to, built once here. A redirect that names a path
//! the router does not serve would be a dead end after a successful form; the test below holds
//! each of these to the route table.

use axum::response::{IntoResponse, Redirect, Response};
use std::fmt::Display;

/// A path on this server, with what just happened (`?done=`) and where on the page to land.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Link {
    path: String,
    query: Vec<(&'static str, String)>,
    anchor: Option<String>,
}

impl Link {
    fn new(path: impl Into<String>) -> Self {
        Link {
            path: path.into(),
            query: Vec::new(),
            anchor: None,
        }
    }

    /// Says what was just done, so the page can confirm it (`?done=saved`).
    pub(crate) fn done(self, what: impl Display) -> Self {
        self.with("done", what)
    }

    /// Adds one query parameter.
    pub(crate) fn with(mut self, key: &'static str, value: impl Display) -> Self {
        self.query.push((key, value.to_string()));
        self
    }

    /// Lands on the section with this id, the form the person just used.
    pub(crate) fn at(mut self, anchor: impl Display) -> Self {
        self.anchor = Some(anchor.to_string());
        self
    }

    /// The browser goes here next (303 See Other after a form).
    pub(crate) fn redirect(self) -> Response {
        Redirect::to(&self.to_string()).into_response()
    }

    #[cfg(test)]
    fn path(&self) -> &str {
        &self.path
    }
}

impl Display for Link {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.path)?;
        let mut sep = '?';
        for (k, v) in &self.query {
            let v: String = form_urlencoded::byte_serialize(v.as_bytes()).collect();
            write!(f, "{sep}{k}={v}")?;
            sep = '&';
        }
        if let Some(a) = &self.anchor {
            write!(f, "#{a}")?;
        }
        Ok(())
    }
}

pub(crate) fn home() -> Link {
    Link::new("/")
}
pub(crate) fn login() -> Link {
    Link::new("/login")
}
pub(crate) fn mfa_setup() -> Link {
    Link::new("/mfa/setup")
}
pub(crate) fn account() -> Link {
    Link::new("/account")
}
pub(crate) fn monitoring() -> Link {
    Link::new("/monitoring")
}
pub(crate) fn audit_export_csv() -> Link {
    Link::new("/audit/export.csv")
}
pub(crate) fn audit_export_fhir() -> Link {
    Link::new("/audit/export.fhir.json")
}
pub(crate) fn patient(id: i64) -> Link {
    Link::new(format!("/patients/{id}"))
}
pub(crate) fn caller(patient: i64) -> Link {
    Link::new(format!("/patients/{patient}/caller"))
}
pub(crate) fn invoice(id: i64) -> Link {
    Link::new(format!("/invoices/{id}"))
}
pub(crate) fn schedule() -> Link {
    Link::new("/schedule")
}
pub(crate) fn calendar() -> Link {
    Link::new("/calendar")
}
pub(crate) fn calendar_appointment(id: i64) -> Link {
    Link::new(format!("/calendar/appointments/{id}"))
}
pub(crate) fn appointment_reminders(id: i64) -> Link {
    Link::new(format!("/calendar/appointments/{id}/reminders"))
}
pub(crate) fn waitlist() -> Link {
    Link::new("/calendar/waitlist")
}
pub(crate) fn form_review_queue() -> Link {
    Link::new("/forms/review")
}
pub(crate) fn calendar_setup() -> Link {
    Link::new("/calendar/setup")
}
pub(crate) fn requests() -> Link {
    Link::new("/requests")
}
pub(crate) fn patient_log(patient: i64) -> Link {
    Link::new(format!("/requests/patients/{patient}"))
}
pub(crate) fn incident(id: i64) -> Link {
    Link::new(format!("/incidents/{id}"))
}
pub(crate) fn new_incident() -> Link {
    Link::new("/incidents/new")
}
pub(crate) fn assessment(id: i64) -> Link {
    Link::new(format!("/program/sra/{id}"))
}
pub(crate) fn vendor(id: i64) -> Link {
    Link::new(format!("/program/vendors/{id}"))
}
pub(crate) fn person(id: i64) -> Link {
    Link::new(format!("/program/workforce/{id}"))
}
pub(crate) fn policy_admin(key: &str) -> Link {
    let key: String = form_urlencoded::byte_serialize(key.as_bytes()).collect();
    Link::new(format!("/program/policies/{key}"))
}
pub(crate) fn policies() -> Link {
    Link::new("/policies")
}
pub(crate) fn policies_admin() -> Link {
    Link::new("/program/policies")
}
pub(crate) fn npp() -> Link {
    Link::new("/program/npp")
}
pub(crate) fn user(id: i64) -> Link {
    Link::new(format!("/admin/users/{id}"))
}
pub(crate) fn setup() -> Link {
    Link::new("/setup")
}
pub(crate) fn setup_backups() -> Link {
    Link::new("/setup/backups")
}
pub(crate) fn setup_mail() -> Link {
    Link::new("/setup/mail")
}
pub(crate) fn setup_network() -> Link {
    Link::new("/setup/network")
}
pub(crate) fn trust() -> Link {
    Link::new("/trust")
}
pub(crate) fn sra_wizard(id: i64, step: usize) -> Link {
    Link::new(format!("/program/sra/{id}/wizard/{step}"))
}
pub(crate) fn setup_vendors() -> Link {
    Link::new("/setup/vendors")
}
pub(crate) fn roles() -> Link {
    Link::new("/admin/roles")
}

pub(crate) fn forms() -> Link {
    Link::new("/forms")
}
pub(crate) fn form_version(id: i64) -> Link {
    Link::new(format!("/forms/versions/{id}"))
}

/// The patient portal's pages (`web/portal`).
pub(crate) fn portal_sign_in() -> Link {
    Link::new("/portal/sign-in")
}
pub(crate) fn portal_code() -> Link {
    Link::new("/portal/sign-in/code")
}
pub(crate) fn portal_home() -> Link {
    Link::new("/portal")
}
pub(crate) fn portal_notice() -> Link {
    Link::new("/portal/notice")
}
pub(crate) fn portal_requests() -> Link {
    Link::new("/portal/requests")
}
pub(crate) fn portal_forms() -> Link {
    Link::new("/portal/forms")
}
pub(crate) fn portal_esign() -> Link {
    Link::new(carekeep_domain::forms::esign::WITHDRAW_PATH)
}
pub(crate) fn portal_form(id: i64) -> Link {
    Link::new(format!("/portal/forms/{id}"))
}

/// The clinic tablet's pages (`web/kiosk`): the code screen, the packet's forms, the thanks.
pub(crate) fn kiosk() -> Link {
    Link::new("/kiosk")
}
pub(crate) fn kiosk_forms() -> Link {
    Link::new("/kiosk/forms")
}
pub(crate) fn kiosk_form(id: i64) -> Link {
    Link::new(format!("/kiosk/forms/{id}"))
}
pub(crate) fn kiosk_thanks() -> Link {
    Link::new("/kiosk/thanks")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether a concrete path is served by a route template such as `/patients/{id}`.
    fn served(path: &str) -> bool {
        let portal = crate::web::portal::route_table()
            .into_iter()
            .chain(crate::web::kiosk::route_table())
            .map(|(_, t)| t);
        crate::web::routes()
            .iter()
            .map(|(_, t)| *t)
            .chain(portal)
            .any(|template| {
                let t: Vec<&str> = template.split('/').collect();
                let p: Vec<&str> = path.split('/').collect();
                t.len() == p.len()
                    && t.iter()
                        .zip(&p)
                        .all(|(t, p)| (t.starts_with('{') && !p.is_empty()) || t == p)
            })
    }

    #[test]
    fn every_link_is_a_route() {
        let all = [
            home(),
            login(),
            mfa_setup(),
            account(),
            monitoring(),
            audit_export_csv(),
            audit_export_fhir(),
            patient(7),
            invoice(7),
            schedule(),
            calendar(),
            calendar_setup(),
            waitlist(),
            form_review_queue(),
            appointment_reminders(7),
            calendar_appointment(7),
            requests(),
            patient_log(7),
            caller(7),
            incident(7),
            new_incident(),
            assessment(7),
            vendor(7),
            person(7),
            policy_admin("privacy-officer"),
            policies(),
            npp(),
            policies_admin(),
            user(7),
            roles(),
            setup(),
            setup_backups(),
            setup_network(),
            setup_mail(),
            trust(),
            setup_vendors(),
            sra_wizard(7, 2),
            portal_sign_in(),
            kiosk(),
            kiosk_forms(),
            kiosk_form(7),
            kiosk_thanks(),
            portal_code(),
            portal_home(),
            portal_notice(),
            portal_requests(),
            portal_forms(),
            portal_form(7),
            portal_esign(),
            forms(),
            form_version(7),
        ];
        for link in all {
            assert!(served(link.path()), "{} is not served by any page route", link.path());
        }
        assert!(!served("/patients/7/nowhere/else"), "the check can fail");
    }

    #[test]
    fn links_carry_what_happened_and_where_to_land() {
        assert_eq!(
            patient(3).done("saved").at("notes").to_string(),
            "/patients/3?done=saved#notes"
        );
        assert_eq!(login().with("ended", 2).to_string(), "/login?ended=2",);
        assert_eq!(requests().with("q", "a b&c").to_string(), "/requests?q=a+b%26c");
    }
}
