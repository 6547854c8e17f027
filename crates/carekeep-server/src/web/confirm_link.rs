//! The page behind a reminder's link: no sign-in, only the clinic, the day and the time, with
//! Confirm and Cancel (and "call us"). An unknown token is an ordinary "not found" that says
//! nothing; every request counts against the address's limit, so tokens cannot be guessed at
//! speed. The form's token is the link's own (there is no session to hold one).

use super::formats::{clock, date};
use super::token_links::{limited, unknown_is_not_found};
use crate::client::origin;
use crate::error::WebError;
use crate::state::AppState;
use crate::web::chrome::Chrome;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use carekeep_app::calendar::{LinkAnswer, LinkView};
use carekeep_app::AppError;
use carekeep_domain::calendar::link::LinkState;
use serde::Deserialize;

#[derive(Template, Debug)]
#[template(path = "calendar/link.html")]
pub struct LinkPage {
    pub chrome: Chrome,
    pub token: String,
    pub clinic: String,
    pub when: String,
    pub open: bool,
    pub words: &'static str,
    /// Forms wait for this visit: the page offers the portal's forms page (the text has room
    /// for this one link only).
    pub forms: bool,
}

crate::web::chrome::page_response!(LinkPage);

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnswerForm {
    answer: String,
}

fn answer_of(r: Result<LinkView, AppError>) -> Result<LinkView, WebError> {
    r.map_err(unknown_is_not_found)
}

fn page(state: &AppState, token: String, v: &LinkView, notice: Option<&'static str>) -> Response {
    let page = LinkPage {
        chrome: Chrome::anonymous(state.app.clinic_name()).notice(notice),
        token,
        clinic: v.clinic.clone(),
        when: format!("{}, {} at {}", v.start.weekday(), date(v.start.date()), clock(v.start)),
        open: v.state == LinkState::Open,
        words: v.state.words(),
        forms: v.forms_waiting,
    };
    // The token is in this page's address: no other site is told it.
    ([(header::REFERRER_POLICY, "no-referrer")], page).into_response()
}

pub async fn show(
    State(state): State<AppState>,
    parts: Parts,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    if let Some(r) = limited(&state, &parts, ", or call the clinic") {
        return Ok(r);
    }
    let v = answer_of(state.app.confirm_link(&token, origin(&parts, &state.proxies)).await)?;
    Ok(page(&state, token, &v, None))
}

pub async fn answer(
    State(state): State<AppState>,
    parts: Parts,
    Path(token): Path<String>,
    Form(f): Form<AnswerForm>,
) -> Result<Response, WebError> {
    if let Some(r) = limited(&state, &parts, ", or call the clinic") {
        return Ok(r);
    }
    let what = match f.answer.as_str() {
        "confirm" => LinkAnswer::Confirm,
        "cancel" => LinkAnswer::Cancel,
        _ => {
            let v = answer_of(state.app.confirm_link(&token, origin(&parts, &state.proxies)).await)?;
            return Ok(page(&state, token, &v, None));
        }
    };
    let before = answer_of(state.app.confirm_link(&token, origin(&parts, &state.proxies)).await)?;
    let v = answer_of(
        state
            .app
            .answer_confirm_link(&token, what, origin(&parts, &state.trusted_proxies()))
            .await,
    )?;
    let notice = match (before.state, what) {
        (LinkState::Open, LinkAnswer::Confirm) => Some("Thank you: your appointment is confirmed."),
        (LinkState::Open, LinkAnswer::Cancel) => {
            Some("Your appointment is cancelled. Call the clinic to book another time.")
        }
        _ => None,
    };
    Ok(page(&state, token, &v, notice))
}
