//! What every page shares: rendering, the frame around a page (clinic, person, navigation),
//! the error page and times in words. Each page's own struct sits beside its handler in
//! `web/<feature>` (askama, compiled in: nothing to deploy beside the binary).

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use carekeep_app::Principal;
use carekeep_domain::{Capability, DataClass, Policy};

/// Renders a page; a template failure is a 500 whose detail goes to the log.
pub fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            let mut r = StatusCode::INTERNAL_SERVER_ERROR.into_response();
            r.extensions_mut()
                .insert(crate::respond::InternalDetail(format!("template: {e}")));
            r
        }
    }
}

/// Each page answers as its rendered template.
macro_rules! page_response {
    ($($t:ty),*) => {$(
        impl ::axum::response::IntoResponse for $t {
            fn into_response(self) -> ::axum::response::Response {
                $crate::web::chrome::render(&self)
            }
        }
    )*};
}
pub(crate) use page_response;

/// The frame around every page: clinic, person, navigation, idle-logoff timing.
#[derive(Debug, Default)]
pub struct Chrome {
    pub clinic: String,
    pub user: Option<ChromeUser>,
    pub csrf: String,
    pub idle_seconds: i64,
    pub nav: Vec<NavItem>,
    /// Read-only emergency mode: the banner says so on every page.
    pub read_only: bool,
    /// What just happened (`role=status`), shown once by `base.html` through `_notice.html`.
    pub notice: Option<String>,
    /// What went wrong with the page as a whole (`role=alert`), shown the same way. A message
    /// about one field of a form stays at that field (`web/forms.rs`, `Refused`).
    pub error: Option<String>,
    /// Where to go to put the error right (address, words), shown after it.
    pub error_link: Option<(String, String)>,
    /// The clinic's tablet in kiosk mode (issue 28, item 3): after this many seconds without
    /// a touch the page returns itself to the code screen (0: not the tablet).
    pub kiosk_idle_seconds: i64,
}

#[derive(Debug)]
pub struct ChromeUser {
    pub display_name: String,
    pub roles: String,
}

#[derive(Debug)]
pub struct NavItem {
    pub label: &'static str,
    pub href: Option<&'static str>,
    pub current: bool,
}

/// A module of Carekeep, shown to those whose roles reach it.
#[derive(Debug)]
pub struct Module {
    pub title: &'static str,
    pub description: &'static str,
    pub href: Option<&'static str>,
}

/// The modules a person's roles reach. Modules not built yet show as coming.
pub fn modules_for(policy: &Policy, p: &Principal) -> Vec<Module> {
    let reads = |c: DataClass| policy.access(p.data_roles(), c).can_read();
    let can = |c: Capability| policy.has_capability(&p.roles, c);
    let mut out = Vec::new();
    if reads(DataClass::Scheduling) {
        out.push(Module {
            title: "Schedule",
            description: "Today's appointments and check-in.",
            href: Some("/schedule"),
        });
    }
    if reads(DataClass::Scheduling) && reads(DataClass::Identity) {
        out.push(Module {
            title: "Calendar",
            description: "The day and week by provider and room; booking, moves and cancellations.",
            href: Some("/calendar"),
        });
    }
    if can(Capability::ManageCalendar) {
        out.push(Module {
            title: "Calendar set-up",
            description: "Services, rooms, working hours and time off.",
            href: Some("/calendar/setup"),
        });
    }
    if can(Capability::ManageProgram) || can(Capability::ManageCalendar) || reads(DataClass::Clinical) {
        out.push(Module {
            title: "Forms",
            description: "Intake and consent forms patients fill in and sign before a visit.",
            href: Some("/forms"),
        });
    }
    if reads(DataClass::Identity) {
        out.push(Module {
            title: "Patients",
            description: if reads(DataClass::Clinical) {
                "Find patients and open their charts."
            } else {
                "Find and register patients."
            },
            href: Some("/patients"),
        });
    }
    if policy.access(p.data_roles(), DataClass::Clinical).can_write() {
        out.push(Module {
            title: "Forms to review",
            description: "Forms patients signed, reviewed into the chart item by item.",
            href: Some("/forms/review"),
        });
    }
    if reads(DataClass::Billing) || reads(DataClass::InvoiceStatus) {
        out.push(Module {
            title: "Billing",
            description: "Invoices, payments and codes.",
            href: Some("/billing"),
        });
    }
    if can(Capability::ManageProgram) {
        out.push(Module {
            title: "Compliance",
            description: "Where the program stands; vendors and BAAs.",
            href: Some("/program"),
        });
    }
    if can(Capability::ReadAuditLog) {
        out.push(Module {
            title: "Audit log",
            description: "Who saw and changed what, and when.",
            href: Some("/audit"),
        });
        out.push(Module {
            title: "Access monitoring",
            description: "Accesses that look wrong, to review.",
            href: Some("/monitoring"),
        });
    }
    if can(Capability::HandleIncidents) {
        out.push(Module {
            title: "Incidents",
            description: "The incident log, breach assessments and notice deadlines.",
            href: Some("/incidents"),
        });
    }
    if can(Capability::HandleIncidents) {
        out.push(Module {
            title: "Requests",
            description: "Patients' requests with their legal clocks, and the disclosure log.",
            href: Some("/requests"),
        });
    }
    if can(Capability::AdministerUsers) {
        out.push(Module {
            title: "Staff accounts",
            description: "Add staff, assign roles, disable leavers.",
            href: Some("/admin/users"),
        });
        out.push(Module {
            title: "Clinic settings",
            description: "The clinic's time zone.",
            href: Some("/admin/settings"),
        });
    }
    out.push(Module {
        title: "Report an incident",
        description: "Something went wrong with patient information or a computer: tell the compliance officer now.",
        href: Some("/incidents/new"),
    });
    out.push(Module {
        title: "Policies",
        description: "The clinic's policies, to read and acknowledge.",
        href: Some("/policies"),
    });
    out.push(Module {
        title: "Training",
        description: "HIPAA for clinic staff: the course and its quiz.",
        href: Some("/training"),
    });
    out.push(Module {
        title: "Your account",
        description: "Where you are signed in; recovery codes.",
        href: Some("/account"),
    });
    out
}

impl Chrome {
    /// The frame for a signed-in person; `current` marks the page in the navigation.
    pub fn for_user(clinic: &str, policy: &Policy, p: &Principal, current: &str) -> Chrome {
        let mut nav = vec![NavItem {
            label: "Home",
            href: Some("/"),
            current: current == "/",
        }];
        if p.mfa_verified {
            let modules: Vec<Module> = modules_for(policy, p)
                .into_iter()
                .filter(|m| m.title != "Your account")
                .collect();
            // The longest address the page sits under is the current one: the calendar's
            // set-up is not also the calendar.
            let best = modules
                .iter()
                .filter_map(|m| m.href)
                .filter(|h| current.starts_with(h))
                .max_by_key(|h| h.len());
            nav.extend(modules.into_iter().map(|m| NavItem {
                label: m.title,
                href: m.href,
                current: m.href.is_some() && m.href == best,
            }));
        }
        Chrome {
            clinic: clinic.to_owned(),
            user: Some(ChromeUser {
                display_name: p.display_name.clone(),
                roles: p
                    .roles
                    .iter()
                    .map(carekeep_domain::RoleName::words)
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
            csrf: p.csrf_token.clone(),
            idle_seconds: p.idle_seconds,
            nav,
            read_only: false,
            notice: None,
            error: None,
            error_link: None,
            kiosk_idle_seconds: 0,
        }
    }

    /// The page's notice, if any: "Saved.", "The link is on its way."
    #[must_use]
    pub fn notice(mut self, notice: Option<impl Into<String>>) -> Chrome {
        self.notice = notice.map(Into::into);
        self
    }

    /// The page's error, if any: what went wrong with the page as a whole.
    #[must_use]
    pub fn error(mut self, error: Option<impl Into<String>>) -> Chrome {
        self.error = error.map(Into::into);
        self
    }

    pub fn anonymous(clinic: &str) -> Chrome {
        Chrome {
            clinic: clinic.to_owned(),
            ..Chrome::default()
        }
    }
}

#[derive(Template, Debug)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub status: u16,
    pub title: &'static str,
    pub message: String,
    /// Where "Go to the home page" leads: `/`, or `/portal` for patients.
    pub home: &'static str,
}

impl ErrorPage {
    pub fn new(status: StatusCode, message: &str) -> ErrorPage {
        ErrorPage {
            status: status.as_u16(),
            title: status.canonical_reason().unwrap_or("Something went wrong"),
            message: message.to_owned(),
            home: "/",
        }
    }

    /// The same page for a patient: home is the portal (`/` is 404 on the patients' listener).
    pub fn for_patients(mut self) -> ErrorPage {
        self.home = "/portal";
        self
    }
}

/// `2026-03-02T10:00:00-05:00` (already on the clinic's clock) as `03/02/2026 10:00 AM`.
pub fn when(rfc3339: &str) -> String {
    crate::web::formats::when(rfc3339)
}

page_response!(ErrorPage);

/// A page that does not exist, inside the layout so the navigation is still there.
#[derive(Template, Debug)]
#[template(path = "not_found.html")]
pub struct NotFoundPage {
    pub chrome: Chrome,
}

page_response!(NotFoundPage);
