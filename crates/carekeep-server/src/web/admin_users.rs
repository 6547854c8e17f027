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
use carekeep_app::users::NewUserInput;
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
    let users = state.app.list_users(&p.actor()).await.map_err(WebError::page)?;
    Ok(UsersPage {
        chrome: chrome(&state, &p, "/admin/users").notice(notice(&d)),
        users: users.iter().map(UserLine::from).collect(),
    })
}

pub async fn new_form(State(state): State<AppState>, PageUser(p): PageUser) -> Result<UserNewPage, WebError> {
    Ok(UserNewPage {
        roles: role_options(&state, &p, &[]).await?,
        chrome: chrome(&state, &p, "/admin/users"),
        r: Refused::default(),
    })
}

/// The new account form. The password is never put back in the page; the roles ticked come
/// back through the role options.
#[derive(Default, Deserialize, Serialize)]
#[serde(default)]
pub struct NewUserForm {
    username: String,
    display_name: String,
    #[serde(skip_serializing)]
    password: String,
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
    ("display_name", &["name"]),
];

pub async fn create(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    parts: axum::http::request::Parts,
    Form(f): Form<NewUserForm>,
) -> Result<Response, WebError> {
    let input = NewUserInput {
        username: &f.username,
        display_name: &f.display_name,
        password: &f.password,
        roles: &f.role,
    };
    let made = if f.password.is_empty() {
        // No first password: an invitation the person opens to choose their own.
        state
            .app
            .invite_user(&p.actor(), &f.username, &f.display_name, &f.role)
            .await
            .map(|i| (i.user, Some(i.token)))
    } else {
        state.app.create_user(&p.actor(), &input).await.map(|u| (u, None))
    };
    match made {
        Ok((u, Some(token))) => {
            let page = InvitedPage {
                chrome: chrome(&state, &p, "/admin/users").notice(Some(format!("{} is invited.", u.display_name))),
                display_name: u.display_name,
                username: u.username,
                link: format!("{}/invite/{token}", base_url(&state, &parts)),
            };
            Ok(([(axum::http::header::CACHE_CONTROL, "no-store")], page).into_response())
        }
        Ok((u, None)) => Ok(urls::user(u.id.0).done("created").redirect()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let checked: Vec<RoleName> = f.role.iter().filter_map(|r| RoleName::new(r).ok()).collect();
            let page = UserNewPage {
                roles: role_options(&state, &p, &checked).await?,
                chrome: chrome(&state, &p, "/admin/users"),
                r: Refused::new("new-user", &f, e.to_string(), NEW_USER_FIELDS),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

/// This server's address as the browser used it, for a link to hand on.
fn base_url(state: &AppState, parts: &axum::http::request::Parts) -> String {
    let host = parts
        .headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if state.config.tls_cert.is_some() || state.config.behind_tls_proxy {
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
    Ok(UserEditPage {
        roles: role_options(state, p, said.ticked.as_deref().unwrap_or(&user.roles)).await?,
        chrome: chrome(state, p, "/admin/users").notice(said.notice).error(said.error),
        user: UserLine::from(&user),
        r: said.r,
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

#[derive(Template, Debug)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    pub chrome: Chrome,
    pub users: Vec<UserLine>,
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
    /// A refused new account, shown again as typed (never the password).
    pub r: Refused,
}

/// The invitation just made: its link, shown once (only its hash is kept).
#[derive(Template, Debug)]
#[template(path = "admin/user_invited.html")]
pub struct InvitedPage {
    pub chrome: Chrome,
    pub display_name: String,
    pub username: String,
    pub link: String,
}

#[derive(Template, Debug)]
#[template(path = "admin/user_edit.html")]
pub struct UserEditPage {
    pub chrome: Chrome,
    pub user: UserLine,
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
