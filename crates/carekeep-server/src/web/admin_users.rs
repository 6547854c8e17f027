//! Staff account administration pages (owner).

use super::chrome;
use super::forms::{FieldWords, Refused};
use crate::error::WebError;
use crate::session::PageUser;
use crate::state::AppState;
use crate::urls;
use crate::web::chrome::Chrome;
use askama::Template;
use carekeep_app::users::UserView;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use carekeep_app::staff::{Handed, Handover, NewStaff, StaffLine};
use carekeep_app::{AppError, Principal};
use carekeep_domain::{RoleName, UserId};
use serde::{Deserialize, Serialize};

/// Fixed confirmations after a change; nothing from the request is echoed back.
#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

fn notice(done: &Done) -> Option<String> {
    let text = match done.done.as_deref()? {
        "created" => "Account created. At first sign-in the person sets up two-step verification.",
        "roles" => "Roles saved. The person was signed out everywhere so the change applies now.",
        "disabled" => "Account disabled. Every session it had has ended.",
        "enabled" => "Account enabled.",
        "mfa" => "Two-step verification reset. The person sets it up again at next sign-in.",
        "password" => "Password changed. The person was signed out everywhere.",
        _ => return None,
    };
    Some(text.to_owned())
}

/// A default role's description starts with its name ("Owner: staff, ..."); shown beside
/// the name, the rest is enough.
fn without_name(description: &str, words: &str) -> String {
    description
        .strip_prefix(words)
        .and_then(|d| d.strip_prefix(": "))
        .unwrap_or(description)
        .to_owned()
}

async fn role_options(state: &AppState, p: &Principal, checked: &[RoleName]) -> Result<Vec<RoleOption>, WebError> {
    Ok(state
        .app
        .list_roles(&p.actor())
        .await
        .map_err(WebError::page)?
        .into_iter()
        .map(|r| {
            let words = r.name.words();
            RoleOption {
                checked: checked.contains(&r.name),
                description: without_name(&r.description, &words),
                words,
                name: r.name.to_string(),
            }
        })
        .collect())
}

pub async fn list(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Query(d): Query<Done>,
) -> Result<UsersPage, WebError> {
    let staff = state.app.staff_list(&p.actor()).await.map_err(WebError::page)?;
    Ok(UsersPage {
        chrome: chrome(&state, &p, "/admin/users").notice(notice(&d)),
        users: staff.iter().map(StaffRow::from).collect(),
    })
}

pub async fn new_form(State(state): State<AppState>, PageUser(p): PageUser) -> Result<UserNewPage, WebError> {
    Ok(UserNewPage {
        roles: role_options(&state, &p, &[]).await?,
        chrome: chrome(&state, &p, "/admin/users"),
        mail_configured: state.app.mail_configured().await,
        r: Refused::default(),
    })
}

/// The new person form. The password is never put back in the page; the roles ticked come
/// back through the role options.
#[derive(Default, Deserialize, Serialize)]
#[serde(default)]
pub struct NewUserForm {
    username: String,
    display_name: String,
    #[serde(skip_serializing)]
    password: String,
    job_title: String,
    hired_on: String,
    email: String,
    /// email, code, link or password.
    how: String,
    #[serde(skip_serializing)]
    role: Vec<String>,
}

impl std::fmt::Debug for NewUserForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUserForm")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// Which field of the new account form each message is about ("password: ..." first: a
/// password's message can name the username).
const NEW_USER_FIELDS: &FieldWords = &[
    ("password", &["password"]),
    ("username", &["username"]),
    ("roles", &["role"]),
    ("hired_on", &["hire date", "hired"]),
    ("email", &["email"]),
    ("job_title", &["job title"]),
    ("display_name", &["name"]),
];

pub async fn create(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    parts: axum::http::request::Parts,
    Form(f): Form<NewUserForm>,
) -> Result<Response, WebError> {
    // A typed first password wins over the choice of invitation (the older way).
    let how = if f.password.is_empty() {
        Handover::parse(&f.how)
    } else {
        Handover::Password
    };
    let input = NewStaff {
        display_name: f.display_name.clone(),
        username: f.username.clone(),
        job_title: f.job_title.clone(),
        hired_on: f.hired_on.clone(),
        email: f.email.clone(),
        roles: f.role.clone(),
        password: f.password.clone(),
    };
    let base = base_url(&state, &parts);
    match state.app.add_staff(&p.actor(), &input, how, &base).await {
        Ok(h) if how == Handover::Password => Ok(urls::user(h.user_id.0).done("created").redirect()),
        Ok(h) => Ok(handed_page(&state, &p, h, &base)),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let checked: Vec<RoleName> = f.role.iter().filter_map(|r| RoleName::new(r).ok()).collect();
            let page = UserNewPage {
                roles: role_options(&state, &p, &checked).await?,
                chrome: chrome(&state, &p, "/admin/users"),
                mail_configured: state.app.mail_configured().await,
                r: Refused::new("new-user", &f, e.to_string(), NEW_USER_FIELDS),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

/// The invitation just made or made again: the link, the mailed address or the printable
/// code, shown this once (only a hash is kept), never cached.
fn handed_page(state: &AppState, p: &Principal, h: Handed, base: &str) -> Response {
    // What happened to the handover is said once, in the page's notice or error.
    let (notice, error) = match (&h.emailed_to, &h.mail_failed, &h.code) {
        (Some(to), _, _) => (
            Some(format!("The set-up link was emailed to {} at {to}.", h.display_name)),
            None,
        ),
        (None, Some(why), _) => (
            None,
            Some(format!(
                "The email could not be sent: {why}. Give {} the link below instead.",
                h.display_name
            )),
        ),
        (None, None, None) => (Some(format!("{} is invited.", h.display_name)), None),
        (None, None, Some(_)) => (None, None),
    };
    let page = InvitedPage {
        chrome: chrome(state, p, "/admin/users").notice(notice).error(error),
        clinic: state.app.clinic_name().to_owned(),
        user_id: h.user_id.0,
        display_name: h.display_name,
        username: h.username,
        link: h.token.map(|t| format!("{base}/invite/{t}")).unwrap_or_default(),
        code: h.code.unwrap_or_default(),
        code_page: format!("{base}/invite"),
        emailed_to: h.emailed_to.unwrap_or_default(),
        expires: super::formats::at(h.expires_at, &state.app.clinic_zone()),
    };
    ([(axum::http::header::CACHE_CONTROL, "no-store")], page).into_response()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResendForm {
    how: String,
}

/// A new invitation for a person not set up yet; the earlier link or code stops working.
pub async fn resend(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    parts: axum::http::request::Parts,
    Path(id): Path<i64>,
    Form(f): Form<ResendForm>,
) -> Result<Response, WebError> {
    let base = base_url(&state, &parts);
    match state
        .app
        .resend_invitation(&p.actor(), UserId(id), Handover::parse(&f.how), &base)
        .await
    {
        Ok(h) => Ok(handed_page(&state, &p, h, &base)),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let page = edit_page(&state, &p, id, page_error(e.to_string())).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

/// This server's address as the browser used it, for a link to hand on. HTTP/2 (what a
/// browser speaks over the clinic's own HTTPS) carries the address in the request's authority,
/// not a Host header; a request that did not come over the plain listener while Carekeep serves
/// its own HTTPS came over that HTTPS.
fn base_url(state: &AppState, parts: &axum::http::request::Parts) -> String {
    let host = parts
        .headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| parts.uri.authority().map(|a| a.as_str()))
        .unwrap_or("localhost");
    let own_https =
        parts.extensions.get::<crate::network::PlainConnection>().is_none() && state.network.snapshot().serves_https();
    let scheme = if state.config.tls_cert.is_some() || state.config.behind_tls_proxy || own_https {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// What an account page says: a notice, an error about the account as a whole, or a refused
/// form (the roles as ticked; a password never comes back).
#[derive(Debug, Default)]
struct Said {
    notice: Option<String>,
    error: Option<String>,
    r: Refused,
    ticked: Option<Vec<RoleName>>,
}

async fn edit_page(state: &AppState, p: &Principal, id: i64, said: Said) -> Result<UserEditPage, WebError> {
    let user = state
        .app
        .get_user(&p.actor(), UserId(id))
        .await
        .map_err(WebError::page)?;
    let invited = state
        .app
        .pending_invitations()
        .await
        .map_err(WebError::page)?
        .contains(&user.id);
    Ok(UserEditPage {
        roles: role_options(state, p, said.ticked.as_deref().unwrap_or(&user.roles)).await?,
        chrome: chrome(state, p, "/admin/users").notice(said.notice).error(said.error),
        user: UserLine::from(&user),
        r: said.r,
        invited,
        mail_configured: state.app.mail_configured().await,
    })
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Query(d): Query<Done>,
) -> Result<UserEditPage, WebError> {
    edit_page(
        &state,
        &p,
        id,
        Said {
            notice: notice(&d),
            ..Said::default()
        },
    )
    .await
}

/// Runs an account change; bad input re-renders the account page with the message, at the
/// form's field when `refuse` places it, else at the top of the page.
async fn change<F: FnOnce(String) -> Said + Send>(
    state: &AppState,
    p: &Principal,
    id: i64,
    done: &str,
    result: Result<(), AppError>,
    refuse: F,
) -> Result<Response, WebError> {
    match result {
        Ok(()) => Ok(urls::user(id).done(done).redirect()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let page = edit_page(state, p, id, refuse(e.to_string())).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

#[derive(Deserialize)]
pub struct RolesForm {
    #[serde(default)]
    role: Vec<String>,
}

pub async fn set_roles(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<RolesForm>,
) -> Result<Response, WebError> {
    let r = state
        .app
        .set_user_roles(&p.actor(), UserId(id), &f.role)
        .await
        .map(drop);
    let ticked: Vec<RoleName> = f.role.iter().filter_map(|r| RoleName::new(r).ok()).collect();
    change(&state, &p, id, "roles", r, |m| Said {
        r: Refused::new("roles-form", &(), m, &[("roles", &["role", "administer"])]),
        ticked: Some(ticked),
        ..Said::default()
    })
    .await
}

pub async fn disable(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let r = state
        .app
        .set_user_disabled(&p.actor(), UserId(id), true)
        .await
        .map(drop);
    change(&state, &p, id, "disabled", r, page_error).await
}

pub async fn enable(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let r = state
        .app
        .set_user_disabled(&p.actor(), UserId(id), false)
        .await
        .map(drop);
    change(&state, &p, id, "enabled", r, page_error).await
}

pub async fn reset_mfa(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let r = state.app.reset_mfa(&p.actor(), UserId(id)).await;
    change(&state, &p, id, "mfa", r, page_error).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    password: String,
}

pub async fn reset_password(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<PasswordForm>,
) -> Result<Response, WebError> {
    let r = state.app.reset_password(&p.actor(), UserId(id), &f.password).await;
    change(&state, &p, id, "password", r, |m| Said {
        r: Refused::new("password-form", &(), m, &[("password", &["password"])]).secret(),
        ..Said::default()
    })
    .await
}

/// A refused action with nothing typed (disable, enable, reset two-step): said at the top.
fn page_error(message: String) -> Said {
    Said {
        error: Some(message),
        ..Said::default()
    }
}

async fn roles_page(
    state: &AppState,
    p: &Principal,
    notice: Option<String>,
    r: Refused,
    ticked: Vec<String>,
) -> Result<RolesPage, WebError> {
    use carekeep_domain::{Capability, DataClass};
    let roles = state.app.list_roles(&p.actor()).await.map_err(WebError::page)?;
    Ok(RolesPage {
        chrome: chrome(state, p, "/admin/users").notice(notice),
        r,
        ticked,
        classes: DataClass::ALL.iter().map(|c| (c.as_str(), c.words())).collect(),
        capabilities: Capability::ALL.iter().map(|c| (c.as_str(), c.words())).collect(),
        roles: roles
            .into_iter()
            .map(|r| RoleRow {
                cells: DataClass::ALL
                    .iter()
                    .map(|c| match r.grants.get(c) {
                        Some(a) if a.can_write() => "read and change",
                        Some(a) if a.can_read() => "read",
                        _ => "none",
                    })
                    .collect(),
                capabilities: r.capabilities.iter().map(|c| c.words()).collect::<Vec<_>>().join("; "),
                words: r.name.words(),
                description: without_name(&r.description, &r.name.words()),
                builtin: r.builtin,
            })
            .collect(),
    })
}

pub async fn roles(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Query(d): Query<Done>,
) -> Result<RolesPage, WebError> {
    let notice = (d.done.as_deref() == Some("role"))
        .then(|| "Role saved. It applies from the next page anyone holding it opens.".to_owned());
    roles_page(&state, &p, notice, Refused::default(), Vec::new()).await
}

/// Which part of the role form each message is about.
const ROLE_FIELDS: &FieldWords = &[
    ("description", &["describe"]),
    ("capabilities", &["capability"]),
    ("grants", &["data class", "access '"]),
    ("name", &["role"]),
];

pub async fn define_role(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let get = |k: &str| {
        f.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    };
    let grants: Vec<String> = f
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("g_")
                .filter(|_| !v.is_empty())
                .map(|c| format!("{c}={v}"))
        })
        .collect();
    let caps: Vec<&str> = f
        .iter()
        .filter(|(k, _)| k == "capability")
        .map(|(_, v)| v.as_str())
        .collect();
    match state
        .app
        .define_role(
            &p.actor(),
            get("name"),
            get("description"),
            &grants.join(","),
            &caps.join(","),
        )
        .await
    {
        Ok(_) => Ok(urls::roles().done("role").redirect()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            // Everything typed comes back: the name, the words, each class's access and the
            // capabilities ticked.
            let typed: std::collections::BTreeMap<&str, &str> = f
                .iter()
                .filter(|(k, _)| k != "capability" && k != "csrf")
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let r = Refused::new("define-role", &typed, e.to_string(), ROLE_FIELDS);
            let ticked = caps.iter().map(|c| (*c).to_owned()).collect();
            let page = roles_page(&state, &p, None, r, ticked).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

// The pages this file serves, each a template with its own struct.

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
            roles: u.roles.iter().map(RoleName::words).collect::<Vec<_>>().join(", "),
            mfa_enrolled: u.mfa_enrolled,
            mfa_required: u.mfa_required,
            disabled: u.disabled,
        }
    }
}

/// One person on the staff list: the account and its roster line.
#[derive(Debug)]
pub struct StaffRow {
    pub user: UserLine,
    pub job_title: String,
    /// Like 04/23/2026; empty when not on the roster.
    pub hired_on: String,
    pub invited: bool,
    /// The training standing in words; empty for invited people.
    pub training: &'static str,
    /// `ok`, `soon` or `gap`, for the badge's colour.
    pub training_class: &'static str,
}

impl From<&StaffLine> for StaffRow {
    fn from(s: &StaffLine) -> Self {
        let (training, training_class) = match s.training {
            "done" => ("Current", "ok"),
            "due_soon" => ("Due soon", "warning-text"),
            "gap" => ("Not done", "gap"),
            "left" => ("Left", ""),
            _ => ("", ""),
        };
        StaffRow {
            user: UserLine {
                id: s.user_id.0,
                username: s.username.clone(),
                display_name: s.display_name.clone(),
                roles: s.roles.iter().map(RoleName::words).collect::<Vec<_>>().join(", "),
                mfa_enrolled: s.mfa_enrolled,
                mfa_required: s.mfa_required,
                disabled: s.disabled,
            },
            job_title: s.job_title.clone(),
            hired_on: super::formats::iso_date(&s.hired_on),
            invited: s.invited,
            training,
            training_class,
        }
    }
}

#[derive(Template, Debug)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    pub chrome: Chrome,
    pub users: Vec<StaffRow>,
}

#[derive(Debug)]
pub struct RoleOption {
    pub name: String,
    /// The role in words.
    pub words: String,
    pub description: String,
    pub checked: bool,
}

#[derive(Template, Debug)]
#[template(path = "admin/user_new.html")]
pub struct UserNewPage {
    pub chrome: Chrome,
    pub roles: Vec<RoleOption>,
    /// A refused new person, shown again as typed (never the password).
    pub r: Refused,
    pub mail_configured: bool,
}

/// The invitation just made: its link, the address it was mailed to, or the set-up code as
/// a sheet to print, shown once (only its hash is kept).
#[derive(Template, Debug)]
#[template(path = "admin/user_invited.html")]
pub struct InvitedPage {
    pub chrome: Chrome,
    pub clinic: String,
    pub user_id: i64,
    pub display_name: String,
    pub username: String,
    /// Empty when a code was made instead.
    pub link: String,
    /// Empty when a link was made instead.
    pub code: String,
    /// Where a code is typed.
    pub code_page: String,
    pub emailed_to: String,
    /// When the link or code stops working, on the clinic's clock.
    pub expires: String,
}

#[derive(Template, Debug)]
#[template(path = "admin/user_edit.html")]
pub struct UserEditPage {
    pub chrome: Chrome,
    pub user: UserLine,
    /// Invited, not set up yet: a new invitation may be sent.
    pub invited: bool,
    pub mail_configured: bool,
    pub roles: Vec<RoleOption>,
    /// A refused roles or password form.
    pub r: Refused,
}

/// One role as a row of the roles table.
#[derive(Debug)]
pub struct RoleRow {
    pub words: String,
    pub description: String,
    pub builtin: bool,
    pub cells: Vec<&'static str>,
    pub capabilities: String,
}

#[derive(Template, Debug)]
#[template(path = "admin/roles.html")]
pub struct RolesPage {
    pub chrome: Chrome,
    /// A refused role definition, shown again as typed.
    pub r: Refused,
    /// The capabilities ticked in it.
    pub ticked: Vec<String>,
    /// Each data class: its code (the form's field) and its words (what is shown).
    pub classes: Vec<(&'static str, &'static str)>,
    pub capabilities: Vec<(&'static str, &'static str)>,
    pub roles: Vec<RoleRow>,
}

impl RolesPage {
    /// The access typed for data class `class` in a refused definition ("" for none).
    pub fn grant(&self, class: &str) -> &str {
        self.r.value("define-role", &format!("g_{class}"))
    }

    /// Was capability `cap` ticked in a refused definition?
    pub fn cap_ticked(&self, cap: &str) -> bool {
        self.ticked.iter().any(|c| c == cap)
    }
}

crate::web::chrome::page_response!(UsersPage, UserNewPage, UserEditPage, RolesPage, InvitedPage);
