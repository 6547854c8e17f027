//! One struct per page template (askama, compiled in: nothing to deploy beside the binary).

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use carekeep_app::users::UserView;
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

macro_rules! page_response {
    ($($t:ty),*) => {$(
        impl IntoResponse for $t {
            fn into_response(self) -> Response {
                render(&self)
            }
        }
    )*};
}

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
            nav.extend(
                modules_for(policy, p)
                    .into_iter()
                    .filter(|m| m.title != "Your account")
                    .map(|m| NavItem {
                        label: m.title,
                        href: m.href,
                        current: m.href.is_some_and(|h| current.starts_with(h)),
                    }),
            );
        }
        Chrome {
            clinic: clinic.to_owned(),
            user: Some(ChromeUser {
                display_name: p.display_name.clone(),
                roles: p
                    .roles
                    .iter()
                    .map(|r| r.as_str().replace('_', " "))
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
            csrf: p.csrf_token.clone(),
            idle_seconds: p.idle_seconds,
            nav,
            read_only: false,
        }
    }

    pub fn anonymous(clinic: &str) -> Chrome {
        Chrome {
            clinic: clinic.to_owned(),
            ..Chrome::default()
        }
    }
}

#[derive(Template, Debug)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub chrome: Chrome,
    pub login_csrf: String,
    pub username: String,
    pub error: Option<String>,
    pub notice: Option<String>,
}

#[derive(Template, Debug)]
#[template(path = "home.html")]
pub struct HomePage {
    pub chrome: Chrome,
    pub display_name: String,
    pub modules: Vec<Module>,
    pub codes_left: i64,
    /// Access-monitoring findings waiting for review, for those who review them.
    pub open_findings: Option<i64>,
    pub reminders: Vec<carekeep_app::program::reminders::Reminder>,
}

#[derive(Template, Debug)]
#[template(path = "enroll.html")]
pub struct EnrollPage {
    pub chrome: Chrome,
    pub qr_svg: String,
    pub secret: String,
    pub error: Option<String>,
}

#[derive(Template, Debug)]
#[template(path = "recovery_codes.html")]
pub struct RecoveryCodesPage {
    pub chrome: Chrome,
    pub codes: Vec<String>,
}

#[derive(Debug)]
pub struct SessionLine {
    pub id: i64,
    pub created: String,
    pub last_seen: String,
    pub source_ip: String,
    pub user_agent: String,
    pub current: bool,
}

#[derive(Template, Debug)]
#[template(path = "account.html")]
pub struct AccountPage {
    pub chrome: Chrome,
    pub sessions: Vec<SessionLine>,
    pub codes_left: i64,
    pub notice: Option<String>,
    /// A refused password change: the message at its field (passwords are never shown again).
    pub r: crate::web::forms::Refused,
}

#[derive(Debug)]
pub struct UserLine {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub roles: String,
    pub mfa_enrolled: bool,
    pub mfa_required: bool,
    pub disabled: bool,
}

impl From<&UserView> for UserLine {
    fn from(u: &UserView) -> Self {
        UserLine {
            id: u.id.0,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            roles: u.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "),
            mfa_enrolled: u.mfa_enrolled,
            mfa_required: u.mfa_required,
            disabled: u.disabled,
        }
    }
}

#[derive(Template, Debug)]
#[template(path = "users.html")]
pub struct UsersPage {
    pub chrome: Chrome,
    pub users: Vec<UserLine>,
    pub notice: Option<String>,
}

#[derive(Debug)]
pub struct RoleOption {
    pub name: String,
    pub description: String,
    pub checked: bool,
}

#[derive(Template, Debug)]
#[template(path = "user_new.html")]
pub struct UserNewPage {
    pub chrome: Chrome,
    pub roles: Vec<RoleOption>,
    pub username: String,
    pub display_name: String,
    pub error: Option<String>,
}

#[derive(Template, Debug)]
#[template(path = "user_edit.html")]
pub struct UserEditPage {
    pub chrome: Chrome,
    pub user: UserLine,
    pub roles: Vec<RoleOption>,
    pub error: Option<String>,
    pub notice: Option<String>,
}

#[derive(Template, Debug)]
#[template(path = "monitoring.html")]
pub struct MonitoringPage {
    pub chrome: Chrome,
    pub findings: Vec<carekeep_app::monitoring::FindingView>,
    pub show_all: bool,
}

#[derive(Template, Debug)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub chrome: Chrome,
    pub events: Vec<carekeep_app::audit::view::EventView>,
    pub actions: Vec<&'static str>,
    pub user: String,
    pub patient: String,
    pub action: String,
    pub from: String,
    pub to: String,
    pub export_link: String,
    pub fhir_link: String,
    pub older: Option<String>,
    pub verification: Option<String>,
    pub zone: carekeep_domain::zone::ClinicZone,
}

impl AuditPage {
    /// An event's time (stored in UTC) on the clinic's clock, with EST/EDT.
    pub fn at(&self, rfc3339: &str) -> String {
        crate::web::formats::instant(rfc3339, &self.zone)
    }
    /// "Viewed patient information" for `phi.read`; the code stays in the exports.
    pub fn action_words(&self, code: &str) -> String {
        match code.parse::<carekeep_domain::audit::Action>() {
            Ok(a) => a.words().to_owned(),
            Err(_) => code.to_owned(),
        }
    }
    /// "front desk, billing" for `front_desk,billing`.
    pub fn role_words(&self, roles: &str) -> String {
        crate::web::formats::role_words(roles)
    }
    /// Outcomes as words.
    pub fn outcome_words(&self, outcome: &str) -> &'static str {
        match outcome {
            "success" => "done",
            "denied" => "refused",
            _ => "failed",
        }
    }
}

#[derive(Template, Debug)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub status: u16,
    pub title: &'static str,
    pub message: String,
}

impl ErrorPage {
    pub fn new(status: StatusCode, message: &str) -> ErrorPage {
        ErrorPage {
            status: status.as_u16(),
            title: status.canonical_reason().unwrap_or("Something went wrong"),
            message: message.to_owned(),
        }
    }
}

page_response!(
    AuditPage,
    MonitoringPage,
    LoginPage,
    HomePage,
    EnrollPage,
    RecoveryCodesPage,
    AccountPage,
    UsersPage,
    UserNewPage,
    UserEditPage,
    ErrorPage
);

/// `2026-03-02T10:00:00-05:00` (already on the clinic's clock) as `03/02/2026 10:00 AM`.
pub fn when(rfc3339: &str) -> String {
    crate::web::formats::when(rfc3339)
}

#[derive(Template, Debug)]
#[template(path = "patients.html")]
pub struct PatientsPage {
    pub chrome: Chrome,
    pub q: String,
    pub error: Option<String>,
    pub rows: Vec<carekeep_app::records::view::PatientSummary>,
    pub searched: bool,
    pub page: i64,
    pub pages: i64,
    pub can_register: bool,
}

/// Patients offered to choose from as someone types (the patient picker).
#[derive(Template, Debug)]
#[template(path = "patient_picks.html")]
pub struct PatientPicks {
    pub rows: Vec<carekeep_app::records::view::PatientSummary>,
    pub error: Option<String>,
}

impl PatientPicks {
    /// `Pemberton, Harriet, born 05/05/1970, MRN-000004`: what the picker shows once chosen.
    pub fn label(&self, r: &carekeep_app::records::view::PatientSummary) -> String {
        match &r.identity {
            Some(i) => format!(
                "{}, {}, born {}, {}",
                i.family_name,
                i.given_name,
                crate::web::formats::iso_date(&i.date_of_birth),
                i.record_number
            ),
            None => format!("Patient {}", r.id),
        }
    }
}

#[derive(Template, Debug)]
#[template(path = "patient_rows.html")]
pub struct PatientRows {
    pub rows: Vec<carekeep_app::records::view::PatientSummary>,
    pub error: Option<String>,
    pub searched: bool,
}

#[derive(Template, Debug)]
#[template(path = "patient_new.html")]
pub struct PatientNewPage {
    pub chrome: Chrome,
    pub r: crate::web::forms::Refused,
    pub f: crate::web::forms::RegisterForm,
}

/// A staff member offered in a form.
#[derive(Debug)]
pub struct StaffOption {
    pub id: i64,
    pub name: String,
}

#[derive(Template, Debug)]
#[template(path = "patient.html")]
pub struct ChartPage {
    pub chrome: Chrome,
    pub v: carekeep_app::records::view::PatientView,
    pub error: Option<String>,
    pub notice: Option<&'static str>,
    pub providers: Vec<StaffOption>,
    pub today: String,
    pub can_restrict: bool,
    pub me: i64,
    /// A refused chart form, shown again as typed.
    pub r: crate::web::forms::Refused,
}

impl ChartPage {
    pub fn when(&self, s: &str) -> String {
        when(s)
    }
    /// The usual reasons to break glass, offered before one's own words.
    pub fn glass_reasons(&self) -> &'static [(&'static str, &'static str)] {
        carekeep_domain::records::break_glass::REASONS
    }
    pub fn writes(&self, class: &str) -> bool {
        self.v.access.writes(class)
    }
}

#[derive(Template, Debug)]
#[template(path = "schedule.html")]
pub struct SchedulePage {
    pub chrome: Chrome,
    pub day: String,
    pub prev: String,
    pub next: String,
    pub items: Vec<carekeep_app::records::view::ScheduleItem>,
    pub can_change: bool,
}

impl SchedulePage {
    /// `2:30 PM`: the appointment's times are on the clinic's clock already.
    pub fn time(&self, s: &str) -> String {
        crate::web::formats::time_of(s)
    }
    /// `12/06/2026`.
    pub fn us_day(&self) -> String {
        crate::web::formats::iso_date(&self.day)
    }
}

#[derive(Template, Debug)]
#[template(path = "billing.html")]
pub struct BillingPage {
    pub chrome: Chrome,
    pub items: Vec<carekeep_app::records::view::BillingItem>,
    pub shows_codes: bool,
}

page_response!(
    PatientsPage,
    PatientRows,
    PatientPicks,
    PatientNewPage,
    ChartPage,
    SchedulePage,
    BillingPage
);

/// One role as a row of the roles table.
#[derive(Debug)]
pub struct RoleRow {
    pub name: String,
    pub description: String,
    pub builtin: bool,
    pub cells: Vec<&'static str>,
    pub capabilities: String,
}

#[derive(Template, Debug)]
#[template(path = "roles.html")]
pub struct RolesPage {
    pub chrome: Chrome,
    pub classes: Vec<&'static str>,
    pub capabilities: Vec<&'static str>,
    pub roles: Vec<RoleRow>,
    pub notice: Option<String>,
    pub error: Option<String>,
}

page_response!(RolesPage);

/// A page that does not exist, inside the layout so the navigation is still there.
#[derive(Template, Debug)]
#[template(path = "not_found.html")]
pub struct NotFoundPage {
    pub chrome: Chrome,
}

page_response!(NotFoundPage);

/// "Mark this appointment as a no-show?": asked before a change that cannot be undone.
#[derive(Template, Debug)]
#[template(path = "confirm_status.html")]
pub struct ConfirmStatusPage {
    pub chrome: Chrome,
    pub id: i64,
    pub status: String,
    pub label: String,
    pub back: String,
    pub day: String,
    pub back_href: String,
}

page_response!(ConfirmStatusPage);

#[derive(Template, Debug)]
#[template(path = "program.html")]
pub struct ProgramPage {
    pub chrome: Chrome,
    pub items: Vec<carekeep_app::program::dashboard::ChecklistItem>,
}

#[derive(Template, Debug)]
#[template(path = "vendors.html")]
pub struct VendorsPage {
    pub chrome: Chrome,
    pub vendors: Vec<carekeep_app::program::vendors::VendorView>,
    pub f: crate::web::forms::VendorForm,
    pub form_action: &'static str,
    pub show_retired: bool,
    pub r: crate::web::forms::Refused,
}

#[derive(Template, Debug)]
#[template(path = "vendor.html")]
pub struct VendorPage {
    pub chrome: Chrome,
    pub v: carekeep_app::program::vendors::VendorView,
    pub f: crate::web::forms::VendorForm,
    pub form_action: String,
    pub show_retired: bool,
    pub notice: Option<&'static str>,
    pub error: Option<String>,
    pub r: crate::web::forms::Refused,
}

page_response!(ProgramPage, VendorsPage, VendorPage);

#[derive(Template, Debug)]
#[template(path = "workforce.html")]
pub struct WorkforcePage {
    pub chrome: Chrome,
    pub people: Vec<carekeep_app::program::workforce::PersonView>,
    pub r: crate::web::forms::Refused,
}

#[derive(Template, Debug)]
#[template(path = "person.html")]
pub struct PersonPage {
    pub chrome: Chrome,
    pub p: carekeep_app::program::workforce::PersonView,
    pub notice: Option<&'static str>,
    pub error: Option<String>,
}

#[derive(Template, Debug)]
#[template(path = "course.html")]
pub struct CoursePage {
    pub chrome: Chrome,
    pub title: &'static str,
    pub pass: u32,
    pub sections: &'static [carekeep_domain::program::course::Section],
    pub questions: &'static [carekeep_domain::program::course::Question],
    pub result: Option<carekeep_domain::program::course::QuizResult>,
    pub error: Option<String>,
}

page_response!(WorkforcePage, PersonPage, CoursePage);

#[derive(Template, Debug)]
#[template(path = "policies_admin.html")]
pub struct PoliciesAdminPage {
    pub chrome: Chrome,
    pub policies: Vec<carekeep_app::program::policies::PolicyView>,
}

#[derive(Template, Debug)]
#[template(path = "policy_admin.html")]
pub struct PolicyAdminPage {
    pub chrome: Chrome,
    pub p: carekeep_app::program::policies::PolicyView,
    pub today: String,
    pub notice: Option<&'static str>,
    pub error: Option<String>,
}

#[derive(Template, Debug)]
#[template(path = "policies_read.html")]
pub struct PoliciesReadPage {
    pub chrome: Chrome,
    pub policies: Vec<carekeep_app::program::policies::PolicyToRead>,
    pub notice: Option<&'static str>,
}

page_response!(PoliciesAdminPage, PolicyAdminPage, PoliciesReadPage);

#[derive(Template, Debug)]
#[template(path = "npp.html")]
pub struct NppPage {
    pub chrome: Chrome,
    pub v: carekeep_app::program::npp::NppView,
    pub today: String,
    pub notice: Option<&'static str>,
    pub error: Option<String>,
}

page_response!(NppPage);

#[derive(Template, Debug)]
#[template(path = "sra_list.html")]
pub struct SraListPage {
    pub chrome: Chrome,
    pub assessments: Vec<carekeep_app::program::sra::SraSummary>,
    pub register: Vec<carekeep_app::program::sra::RiskView>,
    pub tasks: Vec<carekeep_app::program::sra::TaskView>,
    pub error: Option<String>,
}

#[derive(Template, Debug)]
#[template(path = "sra.html")]
pub struct SraPage {
    pub chrome: Chrome,
    pub a: carekeep_app::program::sra::SraView,
    pub vendors: Vec<carekeep_app::program::vendors::VendorView>,
    pub threats: Vec<(&'static str, &'static str)>,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub today: String,
    pub notice: Option<String>,
    pub error: Option<String>,
    /// A refused row, as typed.
    pub refused: crate::web::forms::Refused,
}

page_response!(SraListPage, SraPage);

#[derive(Template, Debug)]
#[template(path = "incident_new.html")]
pub struct IncidentNewPage {
    pub chrome: Chrome,
    pub today: String,
    pub done: Option<i64>,
    pub error: Option<String>,
}

#[derive(Template, Debug)]
#[template(path = "incidents.html")]
pub struct IncidentsPage {
    pub chrome: Chrome,
    pub incidents: Vec<carekeep_app::incidents::IncidentSummary>,
    pub year: i32,
}

#[derive(Template, Debug)]
#[template(path = "incident.html")]
pub struct IncidentPage {
    pub chrome: Chrome,
    pub i: carekeep_app::incidents::IncidentView,
    pub notice: Option<String>,
    pub error: Option<String>,
}

page_response!(IncidentNewPage, IncidentsPage, IncidentPage);

#[derive(Template, Debug)]
#[template(path = "requests.html")]
pub struct RequestsPage {
    pub chrome: Chrome,
    pub requests: Vec<carekeep_app::rights::RequestView>,
    pub documents: Vec<carekeep_app::rights::decisions::DocumentView>,
    pub today: String,
    pub notice: Option<String>,
    pub error: Option<String>,
    /// The refused "log a request" form, as typed.
    pub refused: crate::web::forms::Refused,
}

#[derive(Template, Debug)]
#[template(path = "disclosures.html")]
pub struct DisclosuresPage {
    pub chrome: Chrome,
    pub patient_id: i64,
    pub patient: String,
    pub log: Vec<carekeep_app::rights::DisclosureView>,
    pub authorizations: Vec<carekeep_app::rights::decisions::AuthorizationView>,
    pub error: Option<String>,
}

impl RequestsPage {
    /// The documents sent for one request.
    pub fn sent(&self, request: &i64) -> Vec<&carekeep_app::rights::decisions::DocumentView> {
        self.documents.iter().filter(|d| d.request_id == *request).collect()
    }
}

page_response!(RequestsPage, DisclosuresPage);
