//! Policies in one review (issue 25, item 5): the owner opens every template not yet adopted
//! on one page, edits each, and adopts the ticked ones with one submission; staff acknowledge
//! every pending policy on one screen with one submission.

use super::chrome;
use crate::error::WebError;
use crate::session::PageUser;
use crate::state::AppState;
use crate::urls;
use crate::web::chrome::Chrome;
use crate::web::formats::filters;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use carekeep_app::program::policies::{Adoption, PolicyToRead};
use carekeep_app::{AppError, Principal};

/// One template on the review page, as saved or as typed.
#[derive(Debug)]
pub struct Draft {
    pub key: String,
    pub cite: String,
    pub title: String,
    pub body: String,
    pub ticked: bool,
}

async fn review_page(
    state: &AppState,
    p: &Principal,
    typed: Option<(&[(String, String)], String)>,
) -> Result<ReviewPage, WebError> {
    let policies = state.app.policies(&p.actor()).await.map_err(WebError::page)?;
    let value = |name: String| {
        typed
            .as_ref()
            .and_then(|(pairs, _)| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone()))
    };
    let drafts = policies
        .into_iter()
        .filter(|v| !v.adopted)
        .map(|v| Draft {
            ticked: match &typed {
                Some((pairs, _)) => pairs.iter().any(|(k, val)| k == "adopt" && *val == v.key),
                None => true,
            },
            title: value(format!("title_{}", v.key)).unwrap_or(v.title),
            body: value(format!("body_{}", v.key)).unwrap_or(v.body),
            cite: v.cite,
            key: v.key,
        })
        .collect();
    Ok(ReviewPage {
        chrome: chrome(state, p, "/program"),
        drafts,
        effective_on: value("effective_on".into()).unwrap_or_default(),
        today: state.app.clinic_today().to_string(),
        error: typed.map(|(_, e)| e),
    })
}

pub async fn show(State(state): State<AppState>, PageUser(p): PageUser) -> Result<ReviewPage, WebError> {
    review_page(&state, &p, None).await
}

/// The review's fields arrive as pairs: `adopt` once per ticked policy, `title_KEY` and
/// `body_KEY` for each shown, `effective_on` once.
pub async fn adopt(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let items: Vec<Adoption> = pairs
        .iter()
        .filter(|(k, _)| k == "adopt")
        .map(|(_, key)| Adoption {
            key: key.clone(),
            title: field(&format!("title_{key}")),
            body: field(&format!("body_{key}")),
        })
        .collect();
    match state
        .app
        .adopt_policies(&p.actor(), &items, &field("effective_on"))
        .await
    {
        Ok(n) => Ok(urls::policies_admin().done(format!("adopted-{n}")).redirect()),
        Err(e @ AppError::Invalid(_)) => {
            let page = review_page(&state, &p, Some((&pairs, e.to_string()))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

/// Every version on the staff member's screen, acknowledged at once.
pub async fn acknowledge_all(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let mut ids = Vec::new();
    for (k, v) in &pairs {
        if k == "version" {
            ids.push(
                v.parse::<i64>()
                    .map_err(|_| WebError::page(AppError::Invalid("the page sent a policy it does not know".into())))?,
            );
        }
    }
    match state.app.acknowledge_policies(&p.actor(), &ids).await {
        Ok(_) => Ok(urls::policies().done("ack").redirect()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let policies = state.app.policies_to_read(&p.actor()).await.map_err(WebError::page)?;
            let page = ReadPage {
                chrome: chrome(&state, &p, "/policies").error(Some(e.to_string())),
                pending: policies.iter().filter(|x| !x.acknowledged).count(),
                policies,
            };
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

#[derive(Template, Debug)]
#[template(path = "program/policies_review.html")]
pub struct ReviewPage {
    pub chrome: Chrome,
    pub drafts: Vec<Draft>,
    pub effective_on: String,
    pub today: String,
    pub error: Option<String>,
}

/// The staff member's policies: every one to read, and one form for all pending.
#[derive(Template, Debug)]
#[template(path = "program/policies_read.html")]
pub struct ReadPage {
    pub chrome: Chrome,
    pub policies: Vec<PolicyToRead>,
    /// How many are waiting for this person's acknowledgment.
    pub pending: usize,
}

super::chrome::page_response!(ReviewPage, ReadPage);
