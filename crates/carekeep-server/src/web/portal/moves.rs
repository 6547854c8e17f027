//! "Ask for a new time" (issue 27, item 3): the clinic's free times for the same provider,
//! grouped by day, or a note of the times that suit the patient. The request waits for the
//! front desk; the home page shows its status.

use super::pages::{portal_chrome, Here};
use crate::error::WebError;
use crate::state::AppState;
use crate::urls;
use crate::web::chrome::Chrome;
use crate::web::formats::sentence;
use crate::web::formats::{clock, date};
use crate::web::forms::Refused;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use axum_extra::extract::Form;
use carekeep_app::portal::{MoveOptions, PortalPatient};
use carekeep_app::AppError;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// One free time to pick.
#[derive(Debug)]
pub struct Choice {
    /// Unix seconds: the form's value (a time, never a name).
    pub value: i64,
    pub time: String,
}

#[derive(Template, Debug)]
#[template(path = "portal/move.html")]
pub struct MovePage {
    pub chrome: Chrome,
    pub here: Here,
    pub id: i64,
    pub now_at: String,
    pub service: String,
    /// Free times by day: `Tuesday, 12/08/2026` and its times.
    pub days: Vec<(String, Vec<Choice>)>,
    pub r: Refused,
}

impl MovePage {
    pub fn picked(&self, value: &i64) -> bool {
        self.r.value("move-form", "slot") == value.to_string()
    }
}

crate::web::chrome::page_response!(MovePage);

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct MoveForm {
    #[serde(skip_serializing)]
    pub csrf: String,
    /// Unix seconds of the picked time; blank for none.
    pub slot: String,
    pub wishes: String,
}

fn day_words(t: OffsetDateTime) -> String {
    format!("{}, {}", t.weekday(), date(t.date()))
}

fn page(state: &AppState, p: &PortalPatient, o: MoveOptions, r: Refused) -> MovePage {
    let mut days: Vec<(String, Vec<Choice>)> = Vec::new();
    for t in o.offered {
        let day = day_words(t);
        let choice = Choice {
            value: t.unix_timestamp(),
            time: clock(t),
        };
        match days.last_mut() {
            Some((d, list)) if *d == day => list.push(choice),
            _ => days.push((day, vec![choice])),
        }
    }
    MovePage {
        chrome: portal_chrome(state, p, None),
        here: Here::Appointments,
        id: o.appointment_id,
        now_at: format!("{} at {}", day_words(o.start), clock(o.start)),
        service: o.service,
        days,
        r,
    }
}

/// A refusal the portal says in its home page's words (this appointment cannot be moved here).
async fn cannot(state: &AppState, p: &PortalPatient, e: AppError) -> Result<Response, WebError> {
    match e {
        AppError::Conflict(m) => {
            let mut home = super::pages::home_page(state, p, 0).await?;
            home.chrome = std::mem::take(&mut home.chrome).error(Some(sentence(&m)));
            Ok((StatusCode::CONFLICT, home).into_response())
        }
        e => Err(WebError::portal(e)),
    }
}

pub async fn show(
    State(state): State<AppState>,
    Extension(p): Extension<PortalPatient>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    match state.app.portal_move_options(&p.actor(), id).await {
        Ok(o) => Ok(page(&state, &p, o, Refused::default()).into_response()),
        Err(e) => cannot(&state, &p, e).await,
    }
}

pub async fn ask(
    State(state): State<AppState>,
    Extension(p): Extension<PortalPatient>,
    Path(id): Path<i64>,
    Form(f): Form<MoveForm>,
) -> Result<Response, WebError> {
    let slot = match f.slot.trim() {
        "" => Ok(None),
        s => s
            .parse::<i64>()
            .ok()
            .and_then(|n| OffsetDateTime::from_unix_timestamp(n).ok())
            .map(Some)
            .ok_or_else(|| AppError::Invalid("pick one of the times shown".into())),
    };
    let r = match slot {
        Ok(slot) => state.app.portal_ask_move(&p.actor(), id, slot, &f.wishes).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(_) => Ok(urls::portal_home().done("move_asked").redirect()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let message = sentence(&e.to_string());
            let field = if message.contains("note") { "wishes" } else { "slot" };
            // A time no longer free is shown again without it; what was written stays.
            let options = match state.app.portal_move_options(&p.actor(), id).await {
                Ok(o) => o,
                Err(e) => return cannot(&state, &p, e).await,
            };
            let r = Refused::for_field("move-form", &f, message, field);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&state, &p, options, r)).into_response())
        }
        Err(e) => Err(WebError::portal(e)),
    }
}
