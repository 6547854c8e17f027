//! The patient's rights requests: what they asked, its status and due date, a form to ask
//! again, and the copy once an access request is granted.

use super::pages::{portal_chrome, Here};
use crate::error::WebError;
use crate::respond::file_response;
use crate::state::AppState;
use crate::urls;
use crate::web::chrome::Chrome;
use crate::web::formats::filters;
use crate::web::formats::sentence;
use crate::web::forms::{FieldWords, Refused};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use axum_extra::extract::Form;
use carekeep_app::portal::{CopyForm, PortalPatient, PortalRequest};
use carekeep_app::AppError;
use serde::{Deserialize, Serialize};

#[derive(Template, Debug)]
#[template(path = "portal/requests.html")]
pub struct RequestsPage {
    pub chrome: Chrome,
    pub here: Here,
    pub requests: Vec<PortalRequest>,
    pub r: Refused,
}

crate::web::chrome::page_response!(RequestsPage);

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RequestForm {
    #[serde(skip_serializing)]
    pub csrf: String,
    pub kind: String,
    pub copy_form: String,
    pub words: String,
}

const FIELDS: &FieldWords = &[
    ("copy_form", &["how you want the copy"]),
    ("kind", &["what you are asking for"]),
    ("words", &["say ", "request"]),
];

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: String,
}

async fn page(state: &AppState, p: &PortalPatient, notice: Option<&str>, r: Refused) -> Result<RequestsPage, WebError> {
    let requests = state.app.portal_requests(&p.actor()).await.map_err(WebError::portal)?;
    Ok(RequestsPage {
        chrome: portal_chrome(state, p, notice),
        here: Here::Requests,
        requests,
        r,
    })
}

pub async fn list(
    State(state): State<AppState>,
    Extension(p): Extension<PortalPatient>,
    Query(q): Query<Done>,
) -> Result<Response, WebError> {
    let notice = (q.done == "filed")
        .then_some("Your request is received. The clinic answers by the date shown, and you can follow it here.");
    Ok(page(&state, &p, notice, Refused::default()).await?.into_response())
}

pub async fn file(
    State(state): State<AppState>,
    Extension(p): Extension<PortalPatient>,
    Form(f): Form<RequestForm>,
) -> Result<Response, WebError> {
    match state
        .app
        .portal_file_request(&p.actor(), &f.kind, &f.words, &f.copy_form)
        .await
    {
        Ok(_) => Ok(urls::portal_requests().done("filed").redirect()),
        Err(AppError::Invalid(m)) => {
            let r = Refused::new("request-form", &f, sentence(&m), FIELDS);
            let page = page(&state, &p, None, r).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::portal(e)),
    }
}

pub async fn copy_pdf(
    State(state): State<AppState>,
    Extension(p): Extension<PortalPatient>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let bytes = state
        .app
        .portal_copy(&p.actor(), id, CopyForm::Pdf)
        .await
        .map_err(WebError::portal)?;
    Ok(file_response("application/pdf".into(), bytes, "my-record.pdf"))
}

pub async fn copy_fhir(
    State(state): State<AppState>,
    Extension(p): Extension<PortalPatient>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let bytes = state
        .app
        .portal_copy(&p.actor(), id, CopyForm::Fhir)
        .await
        .map_err(WebError::portal)?;
    Ok(file_response(
        "application/fhir+json".into(),
        bytes,
        "my-record-fhir.json",
    ))
}
