//! The sign step's post (a drawn or typed signature; refused with each problem named) and the
//! signed copy as a PDF. On the clinic's tablet, the packet's last form sent ends the session.

use super::page::{fillable, form_page, Shown};
use crate::error::WebError;
use crate::respond::file_response;
use crate::state::AppState;
use crate::urls;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use axum_extra::extract::Form;
use carekeep_app::forms::{SignatureInput, Submitted};
use carekeep_app::portal::PortalPatient;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignForm {
    drawn: String,
    typed: String,
}

pub async fn sign(
    State(state): State<AppState>,
    Extension(p): Extension<PortalPatient>,
    Path(id): Path<i64>,
    Form(f): Form<SignForm>,
) -> Result<Response, WebError> {
    let (typed, drawn) = (f.typed.clone(), f.drawn.clone());
    match state
        .app
        .portal_submit_form(
            &p.actor(),
            id,
            SignatureInput {
                drawn: f.drawn,
                typed: f.typed,
            },
        )
        .await
        .map_err(WebError::page)?
    {
        // The thanks page shows nothing of the patient, and the tablet's cookie goes.
        Submitted::Done if p.kiosk.is_some() => {
            if state.app.kiosk_packet_done(&p.actor()).await.map_err(WebError::page)? {
                state
                    .app
                    .kiosk_hand_back(&p.actor(), "clinic tablet: ended: the packet was signed and sent")
                    .await
                    .map_err(WebError::page)?;
                return Ok(handed_back(urls::kiosk_thanks()));
            }
            Ok(urls::kiosk_forms().done("signed").redirect())
        }
        Submitted::Done => Ok(urls::portal_forms().done("signed").redirect()),
        Submitted::Refused(problems) => {
            let v = state.app.portal_form(&p.actor(), id).await.map_err(WebError::page)?;
            let esign_needed = state
                .app
                .portal_forms(&p.actor())
                .await
                .map_err(WebError::page)?
                .esign_needed;
            let shown = Shown {
                part: fillable(&v.template).len(),
                problems: &problems,
                esign_needed,
                typed,
                drawn,
                notice: None,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, form_page(&state, &p, &v, shown)).into_response())
        }
    }
}

pub async fn pdf(
    State(state): State<AppState>,
    Extension(p): Extension<PortalPatient>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let pdf = state
        .app
        .portal_form_pdf(&p.actor(), id)
        .await
        .map_err(WebError::page)?;
    Ok(file_response("application/pdf".into(), pdf.bytes, &pdf.file_name))
}

/// The tablet handed back: its session cookie removed (either name: plain or over HTTPS), and
/// on to `to` (the thanks page).
fn handed_back(to: urls::Link) -> Response {
    let mut r = to.redirect();
    for https in [false, true] {
        let gone = crate::portal_door::portal_cookie_removal(crate::portal_door::KIOSK_SESSION, https);
        if let Ok(v) = axum::http::HeaderValue::from_str(&gone.to_string()) {
            r.headers_mut().append(axum::http::header::SET_COOKIE, v);
        }
    }
    r
}
