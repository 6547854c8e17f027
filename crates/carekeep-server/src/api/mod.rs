//! The JSON API under `/api/v1`. Every route is registered through `utoipa_axum::routes!`,
//! so the OpenAPI document at `/api/v1/openapi.json` is generated from the same code that
//! routes: a route cannot exist without its description.

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
use utoipa_axum::router::OpenApiRouter;
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

/// The documented API routes and their OpenAPI document.
pub fn documented() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .routes(routes!(auth::mfa_enroll))
        .routes(routes!(auth::mfa_confirm))
        .routes(routes!(auth::recovery_codes))
        .routes(routes!(sessions::list))
        .routes(routes!(sessions::end))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::show))
        .routes(routes!(users::set_roles))
        .routes(routes!(users::disable))
        .routes(routes!(users::enable))
        .routes(routes!(users::reset_password))
        .routes(routes!(users::reset_mfa))
        .routes(routes!(users::roles))
        .routes(routes!(users::define_role))
        .routes(routes!(audit::events))
        .routes(routes!(audit::export))
        .routes(routes!(monitoring::findings))
        .routes(routes!(monitoring::run))
        .routes(routes!(monitoring::review))
        .routes(routes!(patients::list, patients::create))
        .routes(routes!(patients::show))
        .routes(routes!(patients::fhir))
        .routes(routes!(patients::set_identity))
        .routes(routes!(patients::set_contact))
        .routes(routes!(patients::set_restriction))
        .routes(routes!(patients::break_glass))
        .routes(routes!(records::book))
        .routes(routes!(records::appointment_status))
        .routes(routes!(records::schedule))
        .routes(routes!(records::create_note))
        .routes(routes!(records::update_note))
        .routes(routes!(records::sign_note))
        .routes(routes!(records::addend))
        .routes(routes!(records::add_entry))
        .routes(routes!(records::upload))
        .routes(routes!(records::download))
        .routes(routes!(records::create_invoice))
        .routes(routes!(records::code_invoice))
        .routes(routes!(records::pay))
        .routes(routes!(records::invoices))
        .routes(routes!(program::dashboard))
        .routes(routes!(program::binder))
        .routes(routes!(program::roster, program::add_person))
        .routes(routes!(program::update_person))
        .routes(routes!(program::record_training))
        .routes(routes!(program::training_certificate))
        .routes(routes!(program::policies))
        .routes(routes!(program::revise_policy))
        .routes(routes!(program::my_policies))
        .routes(routes!(program::acknowledge_policy))
        .routes(routes!(program::reminders))
        .routes(routes!(program::npp, program::publish_npp))
        .routes(routes!(program::npp_posting))
        .routes(routes!(incidents::report, incidents::list))
        .routes(routes!(incidents::show, incidents::determine))
        .routes(routes!(incidents::add_action))
        .routes(routes!(incidents::scope))
        .routes(routes!(incidents::obligations))
        .routes(routes!(incidents::obligation_done))
        .routes(routes!(incidents::letters))
        .routes(routes!(incidents::letters_sent))
        .routes(routes!(incidents::record))
        .routes(routes!(incidents::breach_log))
        .routes(routes!(incidents::attach))
        .routes(routes!(incidents::attachment))
        .routes(routes!(rights::open))
        .routes(routes!(rights::list))
        .routes(routes!(rights::extend))
        .routes(routes!(rights::decide))
        .routes(routes!(rights::terminate))
        .routes(routes!(rights::letter))
        .routes(routes!(rights::send_document))
        .routes(routes!(rights::documents))
        .routes(routes!(rights::authorize, rights::authorizations))
        .routes(routes!(rights::revoke))
        .routes(routes!(rights::disclose, rights::disclosures))
        .routes(routes!(rights::accounting))
        .routes(routes!(sra::list, sra::start))
        .routes(routes!(sra::tasks))
        .routes(routes!(sra::register))
        .routes(routes!(sra::show, sra::details))
        .routes(routes!(sra::answer))
        .routes(routes!(sra::add_asset))
        .routes(routes!(sra::update_asset))
        .routes(routes!(sra::add_risk))
        .routes(routes!(sra::update_risk))
        .routes(routes!(sra::add_task))
        .routes(routes!(sra::task_done))
        .routes(routes!(sra::status))
        .routes(routes!(sra::report))
        .routes(routes!(program::npp_acknowledgement))
        .routes(routes!(program::vendors, program::create_vendor))
        .routes(routes!(program::vendor, program::update_vendor))
        .routes(routes!(program::upload_document, program::download_document))
        .split_for_parts()
}

/// The API router, with the OpenAPI document served beside it.
pub fn router() -> Router<AppState> {
    let (router, doc) = documented();
    router.route("/api/v1/openapi.json", get(move || async move { Json(doc) }))
}

/// A use case's result as an API answer.
fn api<T>(r: Result<T, carekeep_app::AppError>) -> Result<T, crate::error::WebError> {
    r.map_err(crate::error::WebError::api)
}
