//! The set-up path's vendors step (issue 25, item 4): the vendors a small clinic usually has,
//! each ticked and filled in one submission, with its BAA question asked in words; the answer
//! decides "BAA needed", "not needed because ..." or "ask" (`vendor_guide::decide`), and the
//! vendor records are made as the vendors page makes them. A refusal keeps everything typed
//! and says what is wrong at the field.

use super::chrome;
use crate::error::WebError;
use crate::session::PageUser;
use crate::state::AppState;
use crate::urls;
use crate::web::chrome::Chrome;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use carekeep_app::program::vendors::GuidedVendor;
use carekeep_app::AppError;
use carekeep_domain::program::vendor_guide::{decide, Answer, Kind, Need};
use serde::Deserialize;

/// One kind of vendor as the form shows it, with what was typed.
#[derive(Debug)]
pub struct Line {
    pub key: &'static str,
    pub label: &'static str,
    pub example: &'static str,
    pub question: &'static str,
    pub ticked: bool,
    pub name: String,
    pub answer: String,
    pub baa: String,
    pub signed_on: String,
    /// `(field, message)` when this line was refused.
    pub error: Option<(&'static str, String)>,
    /// What the rule says for the answer given, once answered.
    pub verdict: String,
}

impl Line {
    pub fn error_at(&self, field: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }
}

#[derive(Template, Debug)]
#[template(path = "setup/vendors.html")]
pub struct VendorsStepPage {
    pub chrome: Chrome,
    pub lines: Vec<Line>,
    /// The vendors already on file, by name.
    pub on_file: Vec<String>,
}

crate::web::chrome::page_response!(VendorsStepPage);

fn verdict(kind: Kind, answer: &str) -> String {
    Answer::parse(answer)
        .map(|a| match decide(kind, a) {
            Need::Needed(w) => format!("BAA needed. {}", w.trim_start_matches("Needed: ")),
            Need::NotNeeded(w) => format!("No BAA needed. {}", w.trim_start_matches("Not needed: ")),
            Need::Ask(w) => w.to_owned(),
        })
        .unwrap_or_default()
}

fn lines(typed: &[(String, String)]) -> Vec<Line> {
    let get = |k: &str| {
        typed
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    Kind::ALL
        .iter()
        .map(|&kind| {
            let key = kind.key();
            let answer = get(&format!("{key}_answer"));
            Line {
                key,
                label: kind.label(),
                example: kind.example(),
                question: kind.question(),
                ticked: !get(&format!("{key}_use")).is_empty(),
                name: get(&format!("{key}_name")),
                verdict: verdict(kind, &answer),
                answer,
                baa: get(&format!("{key}_baa")),
                signed_on: get(&format!("{key}_signed_on")),
                error: None,
            }
        })
        .collect()
}

#[derive(Debug, Deserialize)]
pub struct Done {
    added: Option<usize>,
}

async fn page(
    state: &AppState,
    p: &carekeep_app::Principal,
    lines: Vec<Line>,
    notice: Option<String>,
    error: Option<String>,
) -> Result<VendorsStepPage, WebError> {
    let on_file = state
        .app
        .vendors(&p.actor())
        .await
        .map_err(WebError::page)?
        .into_iter()
        .filter(|v| !v.retired)
        .map(|v| v.name)
        .collect();
    Ok(VendorsStepPage {
        chrome: chrome(state, p, "/setup").notice(notice).error(error),
        lines,
        on_file,
    })
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Query(d): Query<Done>,
) -> Result<VendorsStepPage, WebError> {
    let notice = d.added.map(|n| match n {
        1 => "1 vendor added to your vendor list.".to_owned(),
        n => format!("{n} vendors added to your vendor list."),
    });
    page(&state, &p, lines(&[]), notice, None).await
}

pub async fn save(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Form(typed): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let mut shown = lines(&typed);
    let list: Vec<GuidedVendor> = Kind::ALL
        .iter()
        .zip(&shown)
        .filter(|(_, l)| l.ticked)
        .map(|(&kind, l)| GuidedVendor {
            kind,
            name: l.name.clone(),
            answer: l.answer.clone(),
            baa: l.baa.clone(),
            signed_on: l.signed_on.clone(),
        })
        .collect();
    if list.is_empty() {
        let e = "Tick each vendor the clinic uses, then add them.".to_owned();
        let page = page(&state, &p, shown, None, Some(e)).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    match state.app.add_guided_vendors(&p.actor(), &list).await {
        Ok(n) => Ok(urls::setup_vendors().with("added", n).redirect()),
        Err(r) if matches!(r.error, AppError::Invalid(_) | AppError::Conflict(_)) => {
            let mut m = r.error.to_string();
            if let Some(c) = m.get_mut(0..1) {
                c.make_ascii_uppercase();
            }
            if let Some(l) = shown.iter_mut().find(|l| l.key == r.kind.key()) {
                l.error = Some((r.field, m.clone()));
            }
            let summary = format!("{}: {m}", r.kind.label());
            let page = page(&state, &p, shown, None, Some(summary)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(r) => Err(WebError::page(r.error)),
    }
}
