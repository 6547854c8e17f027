//! The tablet's own pages: the code screen, the thanks page, handing the tablet back, and the
//! script's "still here" while the patient types (so a long answer is not lost to the idle end).

use super::{COOKIE, FORM_COOKIE};
use crate::client::origin;
use crate::error::WebError;
use crate::state::AppState;
use crate::urls;
use crate::web::chrome::Chrome;
use crate::web::forms::{FieldWords, Refused};
use crate::web::portal::{cookie, removal, Tls};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use axum_extra::extract::{CookieJar, Form};
use carekeep_app::portal::PortalPatient;
use carekeep_app::AppError;
use serde::{Deserialize, Serialize};

#[derive(Template, Debug)]
#[template(path = "kiosk/code.html")]
pub struct CodeScreen {
    pub chrome: Chrome,
    pub form: CodeForm,
    pub r: Refused,
}

#[derive(Template, Debug)]
#[template(path = "kiosk/thanks.html")]
pub struct ThanksPage {
    pub chrome: Chrome,
}

crate::web::chrome::page_response!(CodeScreen, ThanksPage);

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CodeForm {
    #[serde(skip_serializing)]
    pub csrf: String,
    pub code: String,
}

const CODE_FIELDS: &FieldWords = &[("code", &["code", "digits"])];

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Ended {
    ended: Option<u8>,
}

/// The code screen's chrome: the clinic's name and the double-submit token, nothing else.
fn screen_chrome(state: &AppState, jar: CookieJar, tls: Tls) -> (Chrome, CookieJar) {
    crate::web::portal::sign_in::token_chrome(state, jar, tls, FORM_COOKIE)
}

pub async fn code_screen(
    State(state): State<AppState>,
    Extension(tls): Extension<Tls>,
    tablet: Option<Extension<PortalPatient>>,
    jar: CookieJar,
    Query(q): Query<Ended>,
) -> Response {
    if tablet.is_some() {
        return urls::kiosk_forms().redirect();
    }
    let (chrome, jar) = screen_chrome(&state, jar, tls);
    let chrome = chrome.notice(q.ended.map(|_| {
        "The tablet was left alone for a while, so the forms were closed. Answers already saved are kept.".to_owned()
    }));
    (
        jar,
        CodeScreen {
            chrome,
            form: CodeForm::default(),
            r: Refused::default(),
        },
    )
        .into_response()
}

/// The first letter up and a full stop.
fn sentence(message: &str) -> String {
    crate::web::formats::sentence(message)
}

pub async fn start(
    State(state): State<AppState>,
    Extension(tls): Extension<Tls>,
    parts: Parts,
    jar: CookieJar,
    Form(f): Form<CodeForm>,
) -> Result<Response, WebError> {
    let here = origin(&parts, &state.trusted_proxies());
    match state.app.kiosk_start(&f.code, here).await {
        Ok(started) => {
            let jar = jar.add(cookie(COOKIE, started.token, tls));
            Ok((jar, urls::kiosk_forms().redirect()).into_response())
        }
        Err(AppError::Invalid(m)) => {
            let r = Refused::new("code-form", &f, sentence(&m), CODE_FIELDS);
            let (chrome, jar) = screen_chrome(&state, jar, tls);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, jar, CodeScreen { chrome, form: f, r }).into_response())
        }
        Err(e) => Err(WebError::portal(e)),
    }
}

/// Shows nothing of anyone: reached after the session has ended (its cookie went with the
/// redirect here), so a live tablet that opens it keeps its session.
pub async fn thanks(State(state): State<AppState>) -> ThanksPage {
    ThanksPage {
        chrome: Chrome::anonymous(state.app.clinic_name()),
    }
}

pub async fn hand_back(
    State(state): State<AppState>,
    Extension(tls): Extension<Tls>,
    Extension(p): Extension<PortalPatient>,
    jar: CookieJar,
) -> Result<Response, WebError> {
    state
        .app
        .kiosk_hand_back(&p.actor(), "clinic tablet: handed back by the patient")
        .await
        .map_err(WebError::portal)?;
    Ok((jar.remove(removal(COOKIE, tls)), urls::kiosk_thanks().redirect()).into_response())
}

/// The gate has already counted this request as the tablet's activity.
pub async fn still_here(Extension(_p): Extension<PortalPatient>) -> StatusCode {
    StatusCode::NO_CONTENT
}
