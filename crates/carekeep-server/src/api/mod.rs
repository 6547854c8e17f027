//! The JSON API under `/api/v1`. Every route is registered through `utoipa_axum::routes!`,
//! so the OpenAPI document at `/api/v1/openapi.json` is generated from the same code that
//! routes: a route cannot exist without its description.
#![allow(
    unused_qualifications,
    reason = "utoipa's generated code for query parameters names its types in full"
)]

pub(crate) mod audit;
mod auth;
pub(crate) mod incidents;
mod json;
mod monitoring;
mod patients;
mod program;
pub(crate) mod records;
mod rights;
mod sessions;
mod sra;
mod types;
mod users;

use crate::state::AppState;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

pub use json::ApiJson;

#[derive(OpenApi)]
#[openapi(
    info(title = "Carekeep API", description = "Carekeep's JSON API. Authenticate with POST /api/v1/auth/login, then send `Authorization: Bearer <token>`."),
    modifiers(&BearerAuth),
    tags((name = "auth"), (name = "sessions"), (name = "users"), (name = "audit"), (name = "patients"), (name = "schedule"), (name = "chart"), (name = "billing"), (name = "program"), (name = "incidents"), (name = "requests"))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Every documented operation, one `routes!` group per path: each carries its handlers, its
/// path item and the schemas its types register.
fn operations() -> Vec<UtoipaMethodRouter<AppState>> {
    vec![
        routes!(auth::login),
        routes!(auth::logout),
        routes!(auth::me),
        routes!(auth::mfa_enroll),
        routes!(auth::mfa_confirm),
        routes!(auth::recovery_codes),
        routes!(sessions::list),
        routes!(sessions::end),
        routes!(users::list, users::create),
        routes!(users::show),
        routes!(users::set_roles),
        routes!(users::disable),
        routes!(users::enable),
        routes!(users::reset_password),
        routes!(users::reset_mfa),
        routes!(users::roles),
        routes!(users::define_role),
        routes!(audit::events),
        routes!(audit::export),
        routes!(monitoring::findings),
        routes!(monitoring::run),
        routes!(monitoring::review),
        routes!(patients::list, patients::create),
        routes!(patients::show),
        routes!(patients::fhir),
        routes!(patients::set_identity),
        routes!(patients::set_contact),
        routes!(patients::set_restriction),
        routes!(patients::break_glass),
        routes!(records::book),
        routes!(records::appointment_status),
        routes!(records::schedule),
        routes!(records::create_note),
        routes!(records::update_note),
        routes!(records::sign_note),
        routes!(records::addend),
        routes!(records::file_amendment),
        routes!(records::add_entry),
        routes!(records::upload),
        routes!(records::download),
        routes!(records::create_invoice),
        routes!(records::code_invoice),
        routes!(records::pay),
        routes!(records::invoices),
        routes!(program::dashboard),
        routes!(program::binder),
        routes!(program::roster, program::add_person),
        routes!(program::update_person),
        routes!(program::record_training),
        routes!(program::training_certificate),
        routes!(program::policies),
        routes!(program::revise_policy),
        routes!(program::my_policies),
        routes!(program::acknowledge_policy),
        routes!(program::reminders),
        routes!(program::npp, program::publish_npp),
        routes!(program::npp_posting),
        routes!(incidents::report, incidents::list),
        routes!(incidents::show, incidents::determine),
        routes!(incidents::add_action),
        routes!(incidents::scope),
        routes!(incidents::scope_preview),
        routes!(incidents::scope_name),
        routes!(incidents::obligations),
        routes!(incidents::obligation_done),
        routes!(incidents::letters),
        routes!(incidents::letters_sent),
        routes!(incidents::record),
        routes!(incidents::breach_log),
        routes!(incidents::attach),
        routes!(incidents::attachment),
        routes!(rights::open),
        routes!(rights::list),
        routes!(rights::extend),
        routes!(rights::decide),
        routes!(rights::terminate),
        routes!(rights::letter),
        routes!(rights::send_document),
        routes!(rights::documents),
        routes!(rights::authorize, rights::authorizations),
        routes!(rights::revoke),
        routes!(rights::disclose, rights::disclosures),
        routes!(rights::accounting),
        routes!(sra::list, sra::start),
        routes!(sra::tasks),
        routes!(sra::register),
        routes!(sra::show, sra::details),
        routes!(sra::answer),
        routes!(sra::add_asset),
        routes!(sra::update_asset),
        routes!(sra::add_risk),
        routes!(sra::update_risk),
        routes!(sra::add_task),
        routes!(sra::task_done),
        routes!(sra::status),
        routes!(sra::report),
        routes!(program::npp_acknowledgement),
        routes!(program::vendors, program::create_vendor),
        routes!(program::vendor_security),
        routes!(program::review_vendor_security),
        routes!(program::vendor, program::update_vendor),
        routes!(program::upload_document, program::download_document),
    ]
}

/// The documented API routes and their OpenAPI document.
pub fn documented() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    operations()
        .into_iter()
        .fold(OpenApiRouter::with_openapi(ApiDoc::openapi()), OpenApiRouter::routes)
        .split_for_parts()
}

/// Schema names that two different types register. The document keeps one schema per name,
/// so each such name would describe some operation with another type's body; empty when
/// every name has one meaning.
pub fn schema_name_clashes() -> Vec<String> {
    let mut seen = std::collections::BTreeMap::<String, serde_json::Value>::new();
    let mut clashes = std::collections::BTreeSet::new();
    let declared = ApiDoc::openapi().components.map(|c| c.schemas).unwrap_or_default();
    let registered = operations().into_iter().flat_map(|(schemas, _, _)| schemas);
    for (name, schema) in declared.into_iter().chain(registered) {
        let shape = serde_json::to_value(&schema).unwrap_or_default();
        match seen.get(&name) {
            Some(known) if *known != shape => {
                clashes.insert(name);
            }
            Some(_) => {}
            None => {
                seen.insert(name, shape);
            }
        }
    }
    clashes.into_iter().collect()
}

/// Where the OpenAPI document is served.
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";

/// The API router, with the OpenAPI document served beside it.
pub fn router() -> Router<AppState> {
    let (router, doc) = documented();
    router.route(OPENAPI_PATH, get(move || async move { Json(doc) }))
}

/// A use case's result as an API answer.
fn api<T>(r: Result<T, carekeep_app::AppError>) -> Result<T, crate::error::WebError> {
    r.map_err(crate::error::WebError::api)
}
