//! The patient's appointments and the clinic's privacy notice.

use crate::error::WebError;
use crate::state::AppState;
use crate::urls;
use crate::web::chrome::Chrome;
use crate::web::formats::{clock, date, filters};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use axum_extra::extract::Form;
use carekeep_app::calendar::LinkAnswer;
use carekeep_app::portal::{AppointmentLine, NoticeView, PortalPatient};
use carekeep_app::AppError;
use serde::Deserialize;

/// Which portal page is open, for the portal's own menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Here {
    Appointments,
    Notes,
    Notice,
    Requests,
    Forms,
}

/// The chrome of a signed-in portal page: the clinic's name, the session's CSRF token, and
/// what just happened. No staff menu (there is no staff person).
pub(crate) fn portal_chrome(state: &AppState, p: &PortalPatient, notice: Option<&str>) -> Chrome {
    let mut c = Chrome::anonymous(state.app.clinic_name());
    c.csrf = p.csrf_token.clone();
    c.notice(notice.map(str::to_owned))
}

/// One appointment in words.
#[derive(Debug)]
pub struct Line {
    pub id: i64,
    pub day: String,
    pub time: String,
    pub service: String,
    pub status: &'static str,
    pub may_confirm: bool,
    pub may_cancel: bool,
    /// "Ask for a new time" is offered (issue 27 item 3).
    pub may_ask_move: bool,
    /// The latest request for a new time: its words, and the clinic's reason if declined.
    pub move_words: String,
    pub move_answer: String,
}

fn line(a: AppointmentLine) -> Line {
    Line {
        id: a.id,
        day: format!("{}, {}", a.start.weekday(), date(a.start.date())),
        time: clock(a.start),
        service: a.service,
        status: a.status,
        may_confirm: a.may_confirm,
        may_cancel: a.may_cancel,
        may_ask_move: a.may_ask_move,
        move_words: a.move_status.as_ref().map(|m| m.words.to_owned()).unwrap_or_default(),
        move_answer: a.move_status.map(|m| m.answer).unwrap_or_default(),
    }
}

#[derive(Template, Debug)]
#[template(path = "portal/home.html")]
pub struct HomePage {
    pub chrome: Chrome,
    pub here: Here,
    pub given_name: String,
    pub upcoming: Vec<Line>,
    pub past: Vec<Line>,
    /// The appointment whose cancellation is being asked about (0: none).
    pub asking: i64,
    /// Signed in as the patient's personal representative (issue 27d).
    pub representative: bool,
    /// Said when the minor's own care is left out (164.502(g)(3)).
    pub left_out: Option<&'static str>,
    /// Forms still to fill in: the home page points to them.
    pub forms_to_fill: usize,
}

impl HomePage {
    /// Whether any appointment coming up may be moved online.
    pub fn any_move(&self) -> bool {
        self.upcoming.iter().any(|a| a.may_ask_move)
    }
}

#[derive(Template, Debug)]
#[template(path = "portal/notice.html")]
pub struct NoticePage {
    pub chrome: Chrome,
    pub here: Here,
    pub notice: Option<NoticeView>,
    pub acknowledged: Option<String>,
    pub effective: String,
}

#[derive(Template, Debug)]
#[template(path = "portal/notes.html")]
pub struct NotesPage {
    pub chrome: Chrome,
    pub here: Here,
    /// `None`: the clinic shares notes on request.
    pub notes: Option<Vec<NoteLine>>,
}

/// A signed note in words.
#[derive(Debug)]
pub struct NoteLine {
    pub when: String,
    pub author: String,
    pub parts: Vec<(&'static str, String)>,
    pub addenda: Vec<(String, String)>,
}

crate::web::chrome::page_response!(HomePage, NoticePage, NotesPage);

pub async fn notes(
    State(state): State<AppState>,
    Extension(p): Extension<PortalPatient>,
) -> Result<Response, WebError> {
    let zone = state.app.clinic_zone();
    let notes = state.app.portal_notes(&p.actor()).await.map_err(WebError::portal)?;
    Ok(NotesPage {
        chrome: portal_chrome(&state, &p, None),
        here: Here::Notes,
        notes: notes.map(|list| {
            list.into_iter()
                .map(|n| NoteLine {
                    when: crate::web::formats::instant(&n.at, &zone),
                    author: n.author,
                    parts: [
                        ("What you told us", n.subjective),
                        ("What we found", n.objective),
                        ("What we think", n.assessment),
                        ("The plan", n.plan),
                    ]
                    .into_iter()
                    .filter(|(_, t)| !t.trim().is_empty())
                    .collect(),
                    addenda: n.addenda,
                })
                .collect()
        }),
    }
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: String,
    cancel: i64,
}

pub async fn home(
    State(state): State<AppState>,
    Extension(p): Extension<PortalPatient>,
    Query(q): Query<Done>,
) -> Result<Response, WebError> {
    let notice = match q.done.as_str() {
        "confirmed" => Some("Thank you: your appointment is confirmed."),
        "cancelled" => Some("Your appointment is cancelled. Call the clinic to book another time."),
        "move_asked" => Some("Your request for a new time is sent. The clinic will answer here; until then your appointment stays as it is."),
        _ => None,
    };
    let mut page = home_page(&state, &p, q.cancel).await?;
    page.chrome = std::mem::take(&mut page.chrome).notice(notice.map(str::to_owned));
    Ok(page.into_response())
}

/// The appointments page (`asking`: the appointment whose cancellation is being asked about).
pub(super) async fn home_page(state: &AppState, p: &PortalPatient, asking: i64) -> Result<HomePage, WebError> {
    let h = state.app.portal_home(&p.actor()).await.map_err(WebError::portal)?;
    Ok(HomePage {
        chrome: portal_chrome(state, p, None),
        here: Here::Appointments,
        given_name: h.given_name,
        upcoming: h.upcoming.into_iter().map(line).collect(),
        past: h.past.into_iter().map(line).collect(),
        asking,
        representative: p.is_representative(),
        left_out: h.left_out,
        forms_to_fill: h.forms_to_fill,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnswerForm {
    answer: String,
}

pub async fn answer(
    State(state): State<AppState>,
    Extension(p): Extension<PortalPatient>,
    Path(id): Path<i64>,
    Form(f): Form<AnswerForm>,
) -> Result<Response, WebError> {
    let (what, done) = match f.answer.as_str() {
        "confirm" => (LinkAnswer::Confirm, "confirmed"),
        "cancel" => (LinkAnswer::Cancel, "cancelled"),
        _ => return Err(WebError::portal(AppError::Invalid("choose confirm or cancel".into()))),
    };
    match state.app.portal_answer(&p.actor(), id, what).await {
        Ok(()) => Ok(urls::portal_home().done(done).redirect()),
        Err(AppError::Conflict(m)) => {
            let mut page = home_page(&state, &p, 0).await?;
            page.chrome = std::mem::take(&mut page.chrome).error(Some(crate::web::formats::sentence(&m)));
            Ok((axum::http::StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(WebError::portal(e)),
    }
}

async fn notice_page(state: &AppState, p: &PortalPatient, notice: Option<&str>) -> Result<NoticePage, WebError> {
    let n = state.app.portal_notice(&p.actor()).await.map_err(WebError::portal)?;
    let zone = state.app.clinic_zone();
    Ok(NoticePage {
        chrome: portal_chrome(state, p, notice),
        here: Here::Notice,
        acknowledged: n
            .as_ref()
            .and_then(|n| n.acknowledged_at)
            .map(|t| crate::web::formats::at(t, &zone)),
        effective: n
            .as_ref()
            .map(|n| crate::web::formats::us_dates(&n.effective_on))
            .unwrap_or_default(),
        notice: n,
    })
}

pub async fn notice(
    State(state): State<AppState>,
    Extension(p): Extension<PortalPatient>,
    Query(q): Query<Done>,
) -> Result<Response, WebError> {
    let done = (q.done == "acknowledged").then_some("Thank you: your acknowledgment is saved.");
    Ok(notice_page(&state, &p, done).await?.into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AckForm {
    version: i64,
    received: Option<String>,
}

pub async fn acknowledge(
    State(state): State<AppState>,
    Extension(p): Extension<PortalPatient>,
    Form(f): Form<AckForm>,
) -> Result<Response, WebError> {
    if f.received.is_none() {
        let mut page = notice_page(&state, &p, None).await?;
        page.chrome = std::mem::take(&mut page.chrome).error(Some(
            "Tick the box to say you received the notice, then press the button.",
        ));
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    match state.app.portal_acknowledge_notice(&p.actor(), f.version).await {
        Ok(()) => Ok(urls::portal_notice().done("acknowledged").redirect()),
        Err(AppError::Conflict(m)) => {
            let mut page = notice_page(&state, &p, None).await?;
            page.chrome = std::mem::take(&mut page.chrome).error(Some(crate::web::formats::sentence(&m)));
            Ok((axum::http::StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(WebError::portal(e)),
    }
}
