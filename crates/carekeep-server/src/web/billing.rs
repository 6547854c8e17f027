//! The billing pages: the work list with its filters and totals, one invoice with its lines,
//! codes and ledger, the forms that add a payment, a refund or an adjustment (new entries,
//! never edits), and the receipt and statement PDFs.

use super::chrome;
use crate::error::WebError;
use crate::session::PageUser;
use crate::state::AppState;
use crate::urls;
use crate::web::chrome::Chrome;
use crate::web::forms::{FieldWords, Refused};
use askama::Template;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use carekeep_app::records::invoice_page::{
    status_code, InvoiceDetail, NewEntry, Printed, WorkFilter, WorkList, WorkRow,
};
use carekeep_app::records::NewPayment;
use carekeep_app::AppError;
use carekeep_domain::records::invoice::{parse_amount, PaidState};
use carekeep_domain::records::ledger::Kind;
use carekeep_domain::records::patient::parse_date;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The work list's status choices: the query's value, its words, the states it means.
const STATES: &[(&str, &str, &[PaidState])] = &[
    ("", "All", &[]),
    ("unpaid", "Unpaid", &[PaidState::Unpaid]),
    ("partly_paid", "Partly paid", &[PaidState::PartlyPaid]),
    (
        "open",
        "Unpaid or partly paid",
        &[PaidState::Unpaid, PaidState::PartlyPaid],
    ),
    ("paid", "Paid", &[PaidState::Paid]),
    ("nothing_owed", "Nothing owed", &[PaidState::NothingOwed]),
];

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct WorkQuery {
    status: String,
    from: String,
    to: String,
}

pub async fn work_list(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Query(q): Query<WorkQuery>,
) -> Result<Response, WebError> {
    let states = STATES
        .iter()
        .find(|(code, _, _)| *code == q.status)
        .map_or(&[][..], |(_, _, s)| *s)
        .to_vec();
    let date = |s: &str, which: &'static str| -> Result<Option<time::Date>, (&'static str, String)> {
        match s.trim() {
            "" => Ok(None),
            t => parse_date(t).map(Some).map_err(|_| {
                (
                    which,
                    format!(
                        "The {} day must look like 12/06/2026.",
                        if which == "from" { "first" } else { "last" }
                    ),
                )
            }),
        }
    };
    let mut page = BillingPage {
        chrome: chrome(&state, &p, "/billing"),
        list: WorkList::default(),
        status: q.status.clone(),
        from: q.from.clone(),
        to: q.to.clone(),
        states: STATES.iter().map(|(c, w, _)| (*c, *w)).collect(),
        field_error: None,
    };
    let range = date(&q.from, "from").and_then(|f| date(&q.to, "to").map(|t| (f, t)));
    let (from, to) = match range {
        Ok(r) => r,
        Err(e) => {
            page.field_error = Some(e);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    match state
        .app
        .billing_work(&p.actor(), &WorkFilter { states, from, to })
        .await
    {
        Ok(list) => {
            page.list = list;
            Ok(page.into_response())
        }
        Err(AppError::Invalid(m)) => {
            page.field_error = Some(("from", format!("{}.", capitalized(&m))));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    done: Option<String>,
}

async fn invoice_page(
    state: &AppState,
    p: &carekeep_app::Principal,
    id: i64,
    notice: Option<&'static str>,
    refused: Refused,
) -> Result<InvoicePage, WebError> {
    let invoice = state.app.invoice(&p.actor(), id).await.map_err(WebError::page)?;
    Ok(InvoicePage {
        chrome: chrome(state, p, "/billing").notice(notice),
        invoice,
        refused,
    })
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<InvoicePage, WebError> {
    let notice = match q.done.as_deref() {
        Some("payment") => Some("The payment is recorded."),
        Some("refund") => Some("The refund is recorded as a new entry."),
        Some("adjustment") => Some("The adjustment is recorded as a new entry."),
        _ => None,
    };
    invoice_page(&state, &p, id, notice, Refused::default()).await
}

/// One form for the three kinds of entry; each form sends its own `kind`.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct EntryForm {
    kind: String,
    amount: String,
    method: String,
    direction: String,
    reason: String,
}

const ENTRY_FIELDS: &FieldWords = &[
    ("amount", &["amount", "more than", "above zero", "balance"]),
    ("method", &["method"]),
    ("reason", &["reason"]),
];

pub async fn add_entry(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<EntryForm>,
) -> Result<Response, WebError> {
    let kind = Kind::parse(&f.kind).ok_or_else(|| WebError::page(AppError::Invalid("choose what to record".into())))?;
    let result = match parse_amount(&f.amount) {
        Err(e) => Err(AppError::from(e)),
        Ok(amount_cents) if kind == Kind::Payment => state
            .app
            .record_payment(
                &p.actor(),
                id,
                NewPayment {
                    amount_cents,
                    method: f.method.clone(),
                },
            )
            .await
            .map(|_| ()),
        Ok(amount_cents) => {
            state
                .app
                .add_ledger_entry(
                    &p.actor(),
                    id,
                    NewEntry {
                        kind,
                        amount_cents,
                        lower: f.direction != "raise",
                        method: f.method.clone(),
                        reason: f.reason.clone(),
                    },
                )
                .await
        }
    };
    match result {
        Ok(()) => Ok(urls::invoice(id).done(kind.code()).at("ledger").redirect()),
        Err(e @ AppError::Invalid(_)) => {
            let form = format!("{}-form", kind.code());
            let r = Refused::new(form, &f, capitalized(&e.to_string()), ENTRY_FIELDS).ids_end_in(kind.code());
            let page = invoice_page(&state, &p, id, None, r).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

async fn printed(state: &AppState, p: &PageUser, id: i64, which: Printed) -> Result<Response, WebError> {
    let bytes = state
        .app
        .invoice_pdf(&p.0.actor(), id, which)
        .await
        .map_err(WebError::page)?;
    let name = match which {
        Printed::Receipt => format!("invoice-{id}-receipt.pdf"),
        Printed::Statement => format!("invoice-{id}-statement.pdf"),
    };
    Ok(crate::respond::file_response("application/pdf".into(), bytes, &name))
}

pub async fn receipt(State(state): State<AppState>, p: PageUser, Path(id): Path<i64>) -> Result<Response, WebError> {
    printed(&state, &p, id, Printed::Receipt).await
}

pub async fn statement(State(state): State<AppState>, p: PageUser, Path(id): Path<i64>) -> Result<Response, WebError> {
    printed(&state, &p, id, Printed::Statement).await
}

// The pages this file serves, each a template with its own struct.

#[derive(Template, Debug)]
#[template(path = "records/billing.html")]
pub struct BillingPage {
    pub chrome: Chrome,
    pub list: WorkList,
    pub status: String,
    pub from: String,
    pub to: String,
    pub states: Vec<(&'static str, &'static str)>,
    /// A date the filter could not read: the field and the message.
    pub field_error: Option<(&'static str, String)>,
}

impl BillingPage {
    fn day(&self, t: &OffsetDateTime) -> String {
        crate::web::formats::date(t.date())
    }
    fn shows_codes(&self) -> bool {
        self.list.rows.iter().any(|r| r.codes.is_some())
    }
    fn code(&self, r: &WorkRow) -> &'static str {
        status_code(r.state)
    }
    fn error_at(&self, field: &str) -> Option<&str> {
        self.field_error
            .as_ref()
            .filter(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }
}

#[derive(Template, Debug)]
#[template(path = "records/invoice.html")]
pub struct InvoicePage {
    pub chrome: Chrome,
    pub invoice: InvoiceDetail,
    pub refused: Refused,
}

impl InvoicePage {
    fn day(&self, t: &OffsetDateTime) -> String {
        crate::web::formats::date(t.date())
    }
    fn at(&self, t: &OffsetDateTime) -> String {
        format!(
            "{} {}",
            crate::web::formats::date(t.date()),
            crate::web::formats::clock(*t)
        )
    }
}

crate::web::chrome::page_response!(BillingPage, InvoicePage);
