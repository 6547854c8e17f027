//! Review into the chart (issue 28, item 5): `/forms/review` lists the signed forms waiting
//! for a clinician; `/forms/review/{id}` shows the answers and each proposed allergy,
//! medication or history item beside what the chart has (new, changed, same), accepted or
//! rejected item by item and filed in one step. Only ids travel in addresses.

use super::chrome;
use super::formats;
use crate::error::WebError;
use crate::session::PageUser;
use crate::state::AppState;
use crate::urls;
use crate::web::chrome::Chrome;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use carekeep_app::forms::Review;
use carekeep_app::{AppError, Principal};
use carekeep_domain::forms::review::{Compared, Decision};
use carekeep_domain::forms::{is_shown, Answer, FieldKind};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The prefix of each item's radio buttons (`item:medications.0`).
const ITEM: &str = "item:";

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: Option<String>,
}

/// One form waiting, as the queue shows it.
#[derive(Debug)]
pub struct QueueRow {
    pub id: i64,
    pub patient_id: i64,
    pub patient: String,
    pub title: String,
    pub submitted: String,
}

#[derive(Template, Debug)]
#[template(path = "forms/review_queue.html")]
pub struct QueuePage {
    pub chrome: Chrome,
    pub rows: Vec<QueueRow>,
}

/// One proposed item, in words.
#[derive(Debug)]
pub struct ItemRow {
    pub key: String,
    pub field_id: String,
    pub kind: &'static str,
    pub question: String,
    pub proposed: String,
    pub chart: String,
    pub compared: &'static str,
    pub open: bool,
    /// The decision as posted (a refused form keeps it) or as filed.
    pub chosen: String,
    pub missing: bool,
}

#[derive(Template, Debug)]
#[template(path = "forms/review.html")]
pub struct ReviewPage {
    pub chrome: Chrome,
    pub id: i64,
    pub patient_id: i64,
    pub title: String,
    pub version: i64,
    pub submitted: String,
    pub signed_by: String,
    pub signed_how: String,
    pub evidence_holds: bool,
    pub reviewed: bool,
    pub answers: Vec<(String, String)>,
    pub items: Vec<ItemRow>,
}

crate::web::chrome::page_response!(QueuePage, ReviewPage);

pub async fn queue(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Query(d): Query<Done>,
) -> Result<Response, WebError> {
    let lines = state.app.review_queue(&p.actor()).await.map_err(WebError::page)?;
    let zone = state.app.clinic_zone();
    let rows = lines
        .into_iter()
        .map(|l| QueueRow {
            id: l.response_id,
            patient_id: l.patient_id,
            patient: l.patient_name,
            title: l.title,
            submitted: l.submitted_at.map(|t| formats::at(t, &zone)).unwrap_or_default(),
        })
        .collect();
    let notice = match d.done.as_deref() {
        Some("filed") => Some("Filed into the chart. The form is reviewed."),
        _ => None,
    };
    Ok(QueuePage {
        chrome: chrome(&state, &p, "/forms/review").notice(notice),
        rows,
    }
    .into_response())
}

/// An answer in words (dates as 12/06/2026).
fn answer_words(a: &Answer) -> String {
    let s = match a {
        Answer::Text(s) => s.clone(),
        Answer::Many(v) => v.join(", "),
        Answer::YesNo { yes: true, detail } if !detail.is_empty() => format!("Yes: {detail}"),
        Answer::YesNo { yes, .. } => if *yes { "Yes" } else { "No" }.to_owned(),
        Answer::Medications(v) => v
            .iter()
            .map(|m| {
                [m.name.as_str(), &m.dose, &m.how_often]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .collect::<Vec<_>>()
            .join("; "),
        Answer::Allergies(v) => v
            .iter()
            .map(|x| match x.reaction.is_empty() {
                true => x.substance.clone(),
                false => format!("{} ({})", x.substance, x.reaction),
            })
            .collect::<Vec<_>>()
            .join("; "),
    };
    formats::us_dates(&s)
}

fn page_of(
    state: &AppState,
    p: &Principal,
    r: Review,
    posted: &BTreeMap<String, String>,
    missing: &[String],
) -> ReviewPage {
    let zone = state.app.clinic_zone();
    let v = &r.response;
    let answers = v
        .template
        .fields()
        .filter(|f| !matches!(f.kind, FieldKind::Signature))
        .filter(|f| is_shown(&v.template, f, &v.answers))
        .filter_map(|f| Some((f.label.clone(), answer_words(v.answers.get(&f.id)?))))
        .collect();
    let items = r
        .lines
        .iter()
        .map(|l| {
            let key = l.proposal.key.clone();
            let filed = r.decided.iter().find(|d| d.key == key).map(|d| d.decision.clone());
            let chosen = posted
                .get(&format!("{ITEM}{key}"))
                .cloned()
                .or(filed)
                .unwrap_or_default();
            ItemRow {
                field_id: key.replace('.', "-"),
                kind: l.proposal.item.kind_words(),
                question: l.proposal.question.clone(),
                proposed: l.proposal.item.words(),
                chart: match &l.compared {
                    Compared::Changed { was } => was.clone(),
                    Compared::Same => l.proposal.item.words(),
                    Compared::New => "Nothing".into(),
                },
                compared: l.compared.words(),
                open: l.compared != Compared::Same,
                missing: missing.contains(&key),
                chosen,
                key,
            }
        })
        .collect();
    let (signed_by, signed_how) = match &v.evidence {
        Some(e) => (
            e.signer.words(),
            format!(
                "{} at {}",
                match e.channel.as_str() {
                    "kiosk" => "On the clinic's tablet",
                    _ => "At the patient portal",
                },
                time::OffsetDateTime::from_unix_timestamp(e.signed_at)
                    .map(|t| formats::at(t, &zone))
                    .unwrap_or_default()
            ),
        ),
        None => (String::new(), String::new()),
    };
    ReviewPage {
        chrome: chrome(state, p, "/forms/review"),
        id: v.id,
        patient_id: v.patient_id,
        title: r.title.clone(),
        version: v.version,
        submitted: v.submitted_at.map(|t| formats::at(t, &zone)).unwrap_or_default(),
        signed_by,
        signed_how,
        evidence_holds: v.evidence_holds,
        reviewed: v.status == carekeep_domain::forms::Status::Reviewed,
        answers,
        items,
    }
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let r = state.app.form_review(&p.actor(), id).await.map_err(WebError::page)?;
    Ok(page_of(&state, &p, r, &BTreeMap::new(), &[]).into_response())
}

pub async fn file(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(posted): Form<BTreeMap<String, String>>,
) -> Result<Response, WebError> {
    let mut decisions = BTreeMap::new();
    for (k, v) in &posted {
        let Some(key) = k.strip_prefix(ITEM) else { continue };
        let d = match v.as_str() {
            "accepted" => Decision::Accept,
            "rejected" => Decision::Reject,
            _ => continue,
        };
        decisions.insert(key.to_owned(), d);
    }
    match state.app.file_form_review(&p.actor(), id, &decisions).await {
        Ok(_) => Ok(urls::form_review_queue().done("filed").redirect()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let r = state.app.form_review(&p.actor(), id).await.map_err(WebError::page)?;
            let missing: Vec<String> = r
                .lines
                .iter()
                .filter(|l| l.compared != Compared::Same && !decisions.contains_key(&l.proposal.key))
                .map(|l| l.proposal.key.clone())
                .collect();
            let mut page = page_of(&state, &p, r, &posted, &missing);
            page.chrome = page.chrome.error(Some(e.to_string()));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}
