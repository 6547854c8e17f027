//! "Patient withdrew consent to electronic forms" on the chart's forms line (issue 28, item 4;
//! E-SIGN, 15 U.S.C. 7001(c)(1)(A)): the patient, or a representative for their own consent,
//! says at the front desk that they want paper forms; staff record it through the portal's
//! own withdrawal, and the chart says "Paper forms needed" from then on.

use super::patients::{chart_page, ChartPage};
use crate::error::WebError;
use crate::session::PageUser;
use crate::state::AppState;
use crate::urls;
use crate::web::forms::Refused;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use serde::{Deserialize, Serialize};

/// The form: who withdrew, `patient` or a representative's id.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct WithdrawalForm {
    pub who: String,
}

const CHOOSE: &str = "Choose who withdrew the consent: the patient or a representative who had agreed.";

impl ChartPage {
    /// Who may be recorded as withdrawing the consent, `(value, words)`: whoever has one in
    /// effect, representatives by their name on the people card (read under the chart's own
    /// audited read of the contact class). Here, not in `patients`, so the chart does not
    /// reach back to this handler.
    pub fn esign_choices(&self) -> Vec<(String, String)> {
        let Some(card) = &self.signed_forms else {
            return Vec::new();
        };
        card.esign_consents
            .iter()
            .map(|who| match who {
                None => ("patient".to_owned(), "The patient".to_owned()),
                Some(id) => {
                    let name = self
                        .people
                        .as_ref()
                        .and_then(|pp| pp.people.iter().find(|x| x.id == *id))
                        .map_or_else(|| "A representative".to_owned(), |x| x.name.clone());
                    (id.to_string(), format!("{name} (representative)"))
                }
            })
            .collect()
    }
}

pub async fn withdraw(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<WithdrawalForm>,
) -> Result<Response, WebError> {
    let who = match f.who.trim() {
        "patient" => Some(None),
        typed => typed.parse::<i64>().ok().map(Some),
    };
    let Some(who) = who else {
        let mut page = chart_page(&state, &p, id, None, None).await?;
        page.r = Refused::for_field("esign-form", &f, CHOOSE.into(), "who");
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let withdrawn = state
        .app
        .desk_withdraw_esign(&p.actor(), id, who)
        .await
        .map_err(WebError::page)?;
    let done = if withdrawn { "esign_withdrawn" } else { "esign_none" };
    Ok(urls::patient(id).done(done).at("forms").redirect())
}
