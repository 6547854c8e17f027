//! "Patients asked to move" on the calendar (issue 27, item 3): the front desk moves an
//! appointment as the patient asked (through the calendar's own move and conflict rule), or
//! declines with a reason the patient reads in the portal. A refused form comes back on the
//! calendar page with what was typed.

use super::calendar::{calendar_page, number, start_of, Which};
use super::forms::Refused;
use crate::error::WebError;
use crate::session::PageUser;
use crate::state::AppState;
use crate::urls;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use carekeep_app::{AppError, Principal};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct MoveForm {
    /// Typed by the desk when the patient only wrote which times suit them.
    pub day: String,
    pub time: String,
    pub provider: String,
    /// `yes` when the "Move to this time" button was pressed (the typed day and time count).
    pub typed: String,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct DeclineForm {
    pub reason: String,
}

/// The calendar of the day the request is about, shown again with the refused form.
async fn refused(state: &AppState, p: &Principal, r: Refused) -> Result<Response, WebError> {
    let mut page = calendar_page(state, p, Which::default()).await?;
    page.r = r;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

pub async fn move_as_asked(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<MoveForm>,
) -> Result<Response, WebError> {
    let typed = if f.typed.is_empty() {
        Ok(None)
    } else {
        start_of(&state, &f.day, &f.time).and_then(|start| {
            let provider = number::<i64>(&f.provider, "the provider")?
                .ok_or_else(|| AppError::Invalid("choose the provider".into()))?;
            Ok(Some((start, provider)))
        })
    };
    let r = match typed {
        Ok(typed) => state.app.move_as_asked(&p.actor(), id, typed).await,
        Err(e) => Err(e),
    };
    match r {
        // The time it held may suit someone on the waitlist, as after any move.
        Ok(freed) => Ok(match super::calendar::fits(&state, freed).await? {
            Some(slot) => super::waitlist::offer_link(&slot, "moved_as_asked"),
            None => urls::calendar().done("moved_as_asked").at("move-requests"),
        }
        .redirect()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let msg = super::formats::sentence(&e.to_string());
            let field = if msg.starts_with("The time") { "time" } else { "day" };
            let r = Refused::for_field(format!("move-{id}"), &f, msg, field).ids_end_in(&id.to_string());
            refused(&state, &p, r).await
        }
        Err(e) => Err(WebError::page(e)),
    }
}

pub async fn decline(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<DeclineForm>,
) -> Result<Response, WebError> {
    match state.app.decline_move(&p.actor(), id, &f.reason).await {
        Ok(()) => Ok(urls::calendar().done("declined").at("move-requests").redirect()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let r =
                Refused::for_field(format!("decline-{id}"), &f, e.to_string(), "reason").ids_end_in(&id.to_string());
            refused(&state, &p, r).await
        }
        Err(e) => Err(WebError::page(e)),
    }
}
