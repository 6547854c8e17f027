//! A form's answers and their review into the chart (issue 28, items 4 to 6): `/forms/review`
//! lists the signed forms waiting for a clinician; `/forms/responses/{id}` is the one page of a
//! form's answers: the signature and its evidence, the answers by section, and, once
//! submitted, each proposed allergy, medication or history item beside what the chart has
//! (new, changed, same), accepted or rejected item by item and filed in one step (its POST).
//! Only ids travel in addresses.

use super::chrome;
use super::formats;
use crate::error::WebError;
use crate::session::PageUser;
use crate::state::AppState;
use crate::urls;
use crate::web::chrome::Chrome;
use crate::web::formats::filters;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use carekeep_app::forms::{answer_words, Review};
use carekeep_app::{AppError, Principal};
use carekeep_domain::forms::review::{Compared, Decision};
use carekeep_domain::forms::{is_shown, FieldKind, Mark, Status};
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
    /// As known (`YYYY-MM-DD` or less), shown the US way by the template.
    pub born: String,
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

/// One answered question.
#[derive(Debug)]
pub struct AnswerLine {
    pub label: String,
    pub answer: String,
}

#[derive(Template, Debug)]
#[template(path = "forms/response.html")]
pub struct ResponsePage {
    pub chrome: Chrome,
    pub id: i64,
    pub patient_id: i64,
    pub title: String,
    /// Whose form: "Ada Vance · born 04/23/1980 · record 12" (empty without the identity class).
    pub patient: String,
    pub version: i64,
    pub status: &'static str,
    /// Signed and submitted (or reviewed): the review part is shown.
    pub done: bool,
    pub reviewed: bool,
    /// Once reviewed: how many items were filed into the chart.
    pub filed: usize,
    pub submitted: String,
    pub signed_by: String,
    pub signed_how: String,
    /// The signature: the drawn path, or the typed name.
    pub drawn: String,
    pub typed: String,
    /// The rest of the evidence sealed with the signature, in words.
    pub evidence: Vec<(&'static str, String)>,
    pub evidence_holds: bool,
    pub sections: Vec<(String, Vec<AnswerLine>)>,
    pub items: Vec<ItemRow>,
}

crate::web::chrome::page_response!(QueuePage, ResponsePage);

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
            born: l.birth_date,
            title: l.title,
            submitted: l.submitted_at.map(|t| formats::at(t, &zone)).unwrap_or_default(),
        })
        .collect();
    let notice = match d.done.as_deref() {
        Some("filed") => Some("Filed into the chart. The form is reviewed."),
        Some("reviewed") => Some("Marked reviewed. Nothing from the form was filed into the chart."),
        _ => None,
    };
    Ok(QueuePage {
        chrome: chrome(&state, &p, "/forms/review").notice(notice),
        rows,
    }
    .into_response())
}

fn page_of(
    state: &AppState,
    p: &Principal,
    r: Review,
    posted: &BTreeMap<String, String>,
    missing: &[String],
) -> ResponsePage {
    let zone = state.app.clinic_zone();
    let v = &r.response;
    let t = &v.template;
    let sections = t
        .sections
        .iter()
        .map(|s| {
            let lines = s
                .fields
                .iter()
                .filter(|f| f.kind != FieldKind::Signature && is_shown(t, f, &v.answers))
                .map(|f| AnswerLine {
                    label: f.label.clone(),
                    answer: answer_words(v.answers.get(&f.id), &f.kind),
                })
                .collect();
            (s.title.clone(), lines)
        })
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
    let mut page = ResponsePage {
        chrome: chrome(state, p, "/forms/review"),
        id: v.id,
        patient_id: v.patient_id,
        title: r.title.clone(),
        patient: r
            .patient
            .as_ref()
            .map(|(name, born, record)| {
                let mut words = format!("{name} · born {}", formats::us_dates(born));
                if !record.is_empty() {
                    words.push_str(&format!(" · record {record}"));
                }
                words
            })
            .unwrap_or_default(),
        version: v.version,
        status: v.status.words(),
        done: v.status.done(),
        reviewed: v.status == Status::Reviewed,
        filed: r.decided.iter().filter(|d| d.decision == "accepted").count(),
        submitted: v.submitted_at.map(|t| formats::at(t, &zone)).unwrap_or_default(),
        signed_by: String::new(),
        signed_how: String::new(),
        drawn: String::new(),
        typed: String::new(),
        evidence: Vec::new(),
        evidence_holds: v.evidence_holds,
        sections,
        items,
    };
    if let Some(e) = &v.evidence {
        match &e.mark {
            Mark::Drawn(d) => page.drawn = d.clone(),
            Mark::Typed(n) => page.typed = n.clone(),
        }
        let when = time::OffsetDateTime::from_unix_timestamp(e.signed_at)
            .map(|t| formats::at(t, &zone))
            .unwrap_or_default();
        let place = match e.channel.as_str() {
            "kiosk" => "On the clinic's tablet",
            _ => "At the patient portal",
        };
        page.signed_by = e.signer.words();
        page.signed_how = format!("{place} on {when}");
        page.evidence = vec![
            ("Device (browser)", e.user_agent.clone()),
            ("Internet address", e.address.clone()),
            (
                "Form version",
                format!("{} (record {})", v.version, e.template_version_id),
            ),
            ("Form content SHA-256", e.template_sha256.clone()),
            ("Answers SHA-256", e.answers_sha256.clone()),
            ("What the signer read by the button", e.intent.clone()),
        ];
    }
    page
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
        Ok(filed) => Ok(urls::form_review_queue()
            .done(if filed.accepted > 0 { "filed" } else { "reviewed" })
            .redirect()),
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
