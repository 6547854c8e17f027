//! Signing in to the portal: the contact and date of birth, then the code. The first answer
//! is the same whether or not anyone matches; nothing typed is lost on a mistake.

use super::gate::PortalEnded;
use super::{cookie, read, removal, Tls, CHALLENGE_COOKIE, COOKIE, SIGN_IN_CSRF_COOKIE};
use crate::client::origin;
use crate::error::WebError;
use crate::state::AppState;
use crate::urls;
use crate::web::chrome::Chrome;
use crate::web::forms::{FieldWords, Refused};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use axum_extra::extract::{CookieJar, Form};
use carekeep_app::portal::PortalPatient;
use carekeep_app::AppError;
use carekeep_crypto::token::new_token;
use serde::{Deserialize, Serialize};

#[derive(Template, Debug)]
#[template(path = "portal/sign_in.html")]
pub struct SignInPage {
    pub chrome: Chrome,
    pub form: SignInForm,
    pub r: Refused,
}

#[derive(Template, Debug)]
#[template(path = "portal/code.html")]
pub struct CodePage {
    pub chrome: Chrome,
    pub form: CodeForm,
    pub r: Refused,
}

crate::web::chrome::page_response!(SignInPage, CodePage);

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SignInForm {
    #[serde(skip_serializing)]
    pub csrf: String,
    pub contact: String,
    pub date_of_birth: String,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CodeForm {
    #[serde(skip_serializing)]
    pub csrf: String,
    pub code: String,
}

const SIGN_IN_FIELDS: &FieldWords = &[
    ("date_of_birth", &["date of birth"]),
    ("contact", &["email", "mobile", "codes were asked"]),
];
const CODE_FIELDS: &FieldWords = &[("code", &["code"])];

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignInQuery {
    ended: Option<u8>,
    signed_out: Option<u8>,
}

/// The sign-in forms' chrome with the double-submit token, set on the browser if new.
fn sign_in_chrome(state: &AppState, jar: CookieJar, tls: Tls) -> (Chrome, CookieJar) {
    token_chrome(state, jar, tls, SIGN_IN_CSRF_COOKIE)
}

/// A page for someone not signed in (the portal's sign-in, the tablet's code screen): the
/// clinic's name and a double-submit token kept in the cookie `name`, set if new.
pub(crate) fn token_chrome(state: &AppState, jar: CookieJar, tls: Tls, name: &'static str) -> (Chrome, CookieJar) {
    let (token, jar) = match read(&jar, name, tls) {
        Some(c) => (c, jar),
        None => {
            let t = new_token();
            let jar = jar.add(cookie(name, t.clone(), tls));
            (t, jar)
        }
    };
    let mut chrome = Chrome::anonymous(state.app.clinic_name());
    chrome.csrf = token;
    (chrome, jar)
}

pub async fn show(
    State(state): State<AppState>,
    Extension(tls): Extension<Tls>,
    jar: CookieJar,
    ended: Option<Extension<PortalEnded>>,
    patient: Option<Extension<PortalPatient>>,
    Query(q): Query<SignInQuery>,
) -> Response {
    if patient.is_some() {
        return urls::portal_home().redirect();
    }
    let (chrome, jar) = sign_in_chrome(&state, jar, tls);
    // Said before anyone types, rather than promising a code that cannot come.
    let chrome = chrome.error((!state.app.portal_codes_can_be_sent().await).then_some(
        "This clinic cannot send sign-in codes yet: it has no text message or email service set up. Please call the clinic.",
    ));
    let chrome = chrome.notice(if ended.is_some() || q.ended.is_some() {
        Some("You were signed out after 15 minutes without activity, to keep your information private. Sign in again.")
    } else if q.signed_out.is_some() {
        Some("You are signed out.")
    } else {
        None
    });
    let page = SignInPage {
        chrome,
        form: SignInForm::default(),
        r: Refused::default(),
    };
    (jar, page).into_response()
}

pub async fn ask(
    State(state): State<AppState>,
    Extension(tls): Extension<Tls>,
    parts: Parts,
    jar: CookieJar,
    Form(f): Form<SignInForm>,
) -> Result<Response, WebError> {
    let here = origin(&parts, &state.trusted_proxies());
    match state.app.portal_request_code(&f.contact, &f.date_of_birth, here).await {
        Ok(sent) => {
            let jar = jar.add(cookie(CHALLENGE_COOKIE, sent.challenge, tls));
            Ok((jar, urls::portal_code().redirect()).into_response())
        }
        Err(AppError::Invalid(m)) => {
            let r = Refused::new("sign-in-form", &f, crate::web::formats::sentence(&m), SIGN_IN_FIELDS);
            let (chrome, jar) = sign_in_chrome(&state, jar, tls);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, jar, SignInPage { chrome, form: f, r }).into_response())
        }
        Err(e) => Err(WebError::portal(e)),
    }
}

pub async fn show_code(State(state): State<AppState>, Extension(tls): Extension<Tls>, jar: CookieJar) -> Response {
    if read(&jar, CHALLENGE_COOKIE, tls).is_none() {
        return urls::portal_sign_in().redirect();
    }
    let (chrome, jar) = sign_in_chrome(&state, jar, tls);
    (
        jar,
        CodePage {
            chrome,
            form: CodeForm::default(),
            r: Refused::default(),
        },
    )
        .into_response()
}

pub async fn verify(
    State(state): State<AppState>,
    Extension(tls): Extension<Tls>,
    parts: Parts,
    jar: CookieJar,
    Form(f): Form<CodeForm>,
) -> Result<Response, WebError> {
    let Some(challenge) = read(&jar, CHALLENGE_COOKIE, tls) else {
        return Ok(urls::portal_sign_in().redirect());
    };
    let here = origin(&parts, &state.trusted_proxies());
    match state.app.portal_verify_code(&challenge, &f.code, here).await {
        Ok(signed) => {
            let jar = jar
                .remove(removal(CHALLENGE_COOKIE, tls))
                .add(cookie(COOKIE, signed.token, tls));
            Ok((jar, urls::portal_home().redirect()).into_response())
        }
        Err(AppError::Invalid(m)) => {
            let r = Refused::new("code-form", &f, crate::web::formats::sentence(&m), CODE_FIELDS);
            let (chrome, jar) = sign_in_chrome(&state, jar, tls);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, jar, CodePage { chrome, form: f, r }).into_response())
        }
        Err(e) => Err(WebError::portal(e)),
    }
}

pub async fn sign_out(
    State(state): State<AppState>,
    Extension(tls): Extension<Tls>,
    jar: CookieJar,
    Extension(p): Extension<PortalPatient>,
) -> Result<Response, WebError> {
    state.app.portal_sign_out(&p.actor()).await.map_err(WebError::portal)?;
    Ok((
        jar.remove(removal(COOKIE, tls)),
        urls::portal_sign_in().with("signed_out", 1).redirect(),
    )
        .into_response())
}
