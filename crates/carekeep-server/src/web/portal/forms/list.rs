//! The list of the patient's forms, to fill in and signed, with the E-SIGN statement agreed
//! to once before any form is signed (15 U.S.C. 7001(c)(1)).

use super::{base, chrome_for, forms_link};
use crate::error::WebError;
use crate::state::AppState;
use crate::web::chrome::Chrome;
use crate::web::portal::pages::Here;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use axum_extra::extract::Form;
use carekeep_app::forms::FormLine;
use carekeep_app::portal::PortalPatient;
use carekeep_domain::forms::{esign, Status};
use serde::Deserialize;

/// One form in the list.
#[derive(Debug)]
pub struct FormItem {
    pub id: i64,
    pub title: String,
    /// `For your visit on 12/14/2026 at 9:00 AM`, or empty.
    pub visit: String,
    pub status: &'static str,
    pub done: bool,
    pub started: bool,
}

#[derive(Template, Debug)]
#[template(path = "portal/forms.html")]
pub struct FormsPage {
    pub chrome: Chrome,
    /// `/portal` or `/kiosk`.
    pub base: &'static str,
    pub kiosk: bool,
    pub here: Here,
    pub esign_needed: bool,
    pub statement: Vec<&'static str>,
    pub agree: &'static str,
    pub to_do: Vec<FormItem>,
    pub done: Vec<FormItem>,
}

crate::web::chrome::page_response!(FormsPage);

/// `For your visit on 12/14/2026 at 9:00 AM` (or visits, for a form reused by a later
/// booking), on the clinic's clock; empty for a form asked for no visit.
fn visit_words(l: &FormLine) -> String {
    use crate::web::formats::{clock, date};
    let each: Vec<String> = l
        .visits
        .iter()
        .map(|(_, t)| format!("{} at {}", date(t.date()), clock(*t)))
        .collect();
    match each.as_slice() {
        [] => String::new(),
        [one] => format!("For your visit on {one}"),
        [rest @ .., last] => format!("For your visits on {} and {last}", rest.join(", ")),
    }
}

fn item(l: FormLine) -> FormItem {
    FormItem {
        id: l.response_id,
        visit: visit_words(&l),
        title: l.title,
        status: l.status.words(),
        done: l.status.done(),
        started: l.status == Status::Draft,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: String,
}

pub async fn list(
    State(state): State<AppState>,
    Extension(p): Extension<PortalPatient>,
    Query(q): Query<Done>,
) -> Result<Response, WebError> {
    let f = state.app.portal_forms(&p.actor()).await.map_err(WebError::page)?;
    let notice = match q.done.as_str() {
        // The tablet offers no copies to download: the desk prints one on request.
        "signed" if p.kiosk.is_some() => {
            Some("Thank you: your form is signed and sent to the clinic. Ask the front desk if you would like a copy.")
        }
        "signed" => Some("Thank you: your form is signed and sent to the clinic. You can download a copy below."),
        "agreed" => Some("Thank you: you can now fill in and sign your forms here."),
        _ => None,
    };
    let (done, to_do): (Vec<FormItem>, Vec<FormItem>) = f.forms.into_iter().map(item).partition(|i| i.done);
    Ok(FormsPage {
        chrome: chrome_for(&state, &p, notice),
        base: base(&p),
        kiosk: p.kiosk.is_some(),
        here: Here::Forms,
        esign_needed: f.esign_needed,
        statement: esign::STATEMENT.iter().map(|(_, w)| *w).collect(),
        agree: esign::AGREE,
        to_do,
        done,
    }
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AgreeForm {
    agree: String,
}

pub async fn agree(
    State(state): State<AppState>,
    Extension(p): Extension<PortalPatient>,
    Form(f): Form<AgreeForm>,
) -> Result<Response, WebError> {
    if f.agree != "yes" {
        let forms = state.app.portal_forms(&p.actor()).await.map_err(WebError::page)?;
        let (done, to_do): (Vec<FormItem>, Vec<FormItem>) = forms.forms.into_iter().map(item).partition(|i| i.done);
        let chrome =
            chrome_for(&state, &p, None).error(Some("Tick the box to agree, or ask the front desk for paper forms."));
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            FormsPage {
                chrome,
                base: base(&p),
                kiosk: p.kiosk.is_some(),
                here: Here::Forms,
                esign_needed: true,
                statement: esign::STATEMENT.iter().map(|(_, w)| *w).collect(),
                agree: esign::AGREE,
                to_do,
                done,
            },
        )
            .into_response());
    }
    state
        .app
        .portal_esign_consent(&p.actor())
        .await
        .map_err(WebError::page)?;
    Ok(forms_link(&p).done("agreed").redirect())
}
