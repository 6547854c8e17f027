//! The set-up path's email relay (issue 25, item 3), part of the staff step: the owner types
//! the relay the clinic's email provider gives, names the company that runs it (a vendor, with
//! its BAA), and can send a test message. Invitations and reminders use it at once.

use super::chrome;
use super::forms::Refused;
use crate::error::WebError;
use crate::session::PageUser;
use crate::state::AppState;
use crate::urls;
use crate::web::chrome::Chrome;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use carekeep_app::mail_relay::{RelayInput, RelayView};
use carekeep_app::{AppError, Principal};
use carekeep_domain::program::mail_relay::Typed;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

/// The relay as typed. The password is never shown again (`skip_serializing`).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RelayForm {
    host: String,
    port: String,
    security: String,
    username: String,
    #[serde(skip_serializing)]
    password: String,
    from: String,
    vendor: String,
    baa: String,
    signed_on: String,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct TestForm {
    to: String,
}

#[derive(Template, Debug)]
#[template(path = "setup/mail.html")]
pub struct MailPage {
    pub chrome: Chrome,
    pub relay: RelayView,
    pub owner: bool,
    /// The port to show: the saved one, else 587.
    pub port: String,
    /// The security to tick: the saved one, else STARTTLS.
    pub security: &'static str,
    pub r: Refused,
}

impl MailPage {
    fn security_words(&self) -> &'static str {
        self.relay.security.map_or("", |s| s.words())
    }
}

fn is_owner(p: &Principal) -> bool {
    p.roles.iter().any(|r| r.as_str() == "owner")
}

async fn page(state: &AppState, p: &Principal, r: Refused, notice: Option<&'static str>) -> Result<MailPage, WebError> {
    let relay = state.app.mail_relay_view(&p.actor()).await.map_err(WebError::page)?;
    Ok(MailPage {
        chrome: chrome(state, p, "/setup/mail").notice(notice),
        port: if relay.port == 0 {
            "587".into()
        } else {
            relay.port.to_string()
        },
        security: relay.security.map_or("starttls", |s| s.as_str()),
        relay,
        owner: is_owner(p),
        r,
    })
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Query(d): Query<Done>,
) -> Result<MailPage, WebError> {
    let notice = match d.done.as_deref() {
        Some("saved") => Some("The email relay is saved. Send a test message to check it."),
        Some("sent") => Some("The test message went to the relay. Check that it arrived."),
        Some("removed") => Some("The email relay is removed: Carekeep sends no mail until one is set up."),
        _ => None,
    };
    page(&state, &p, Refused::default(), notice).await
}

pub async fn save(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Form(f): Form<RelayForm>,
) -> Result<Response, WebError> {
    let input = RelayInput {
        typed: Typed {
            host: f.host.clone(),
            port: f.port.clone(),
            security: f.security.clone(),
            username: f.username.clone(),
            from: f.from.clone(),
            vendor: f.vendor.clone(),
        },
        password: Zeroizing::new(f.password.clone()),
        baa: f.baa.clone(),
        signed_on: f.signed_on.clone(),
    };
    match state.app.configure_mail_relay(&p.actor(), &input).await {
        Ok(()) => Ok(urls::setup_mail().done("saved").at("test").redirect()),
        Err(refusal) => match refusal.error {
            e @ AppError::Invalid(_) => {
                let mut message = e.to_string();
                if !f.password.is_empty() {
                    message.push_str(" (type the password again: it is never shown back)");
                }
                let r = Refused::for_field("relay", &f, message, refusal.field);
                Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&state, &p, r, None).await?).into_response())
            }
            e => Err(WebError::page(e)),
        },
    }
}

pub async fn test(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Form(f): Form<TestForm>,
) -> Result<Response, WebError> {
    match state.app.send_test_mail(&p.actor(), &f.to).await {
        Ok(()) => Ok(urls::setup_mail().done("sent").at("test").redirect()),
        Err(e @ (AppError::Invalid(_) | AppError::Forbidden(_) | AppError::Internal(_))) => {
            let message = match &e {
                AppError::Invalid(m) if m.contains("address") => m.clone(),
                AppError::Invalid(m) | AppError::Forbidden(m) => format!("The test message did not go: {m}"),
                AppError::Internal(m) => format!(
                    "The test message did not go ({m}). Check the server name, port, security, user name and password with your email provider."
                ),
                _ => unreachable!("matched above"),
            };
            let r = Refused::for_field("test", &f, message, "to");
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&state, &p, r, None).await?).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

pub async fn remove(State(state): State<AppState>, PageUser(p): PageUser) -> Result<Response, WebError> {
    state.app.remove_mail_relay(&p.actor()).await.map_err(WebError::page)?;
    Ok(urls::setup_mail().done("removed").redirect())
}
super::chrome::page_response!(MailPage);
