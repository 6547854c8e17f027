//! Server-rendered pages. Handlers are thin: extract, call one use case, render.

mod account;
mod admin_users;
mod assets;
mod audit;
mod chart;
mod home;
mod incidents;
mod login;
mod mfa;
mod monitoring;
pub(crate) mod patients;
pub(crate) mod program;
mod rights;
mod sra;

use crate::middleware;
use crate::state::AppState;
use crate::templates::Chrome;
use axum::routing::{get, post};
use axum::Router;
use carekeep_app::Principal;

/// Every page route. The page-session layer resolves the session and checks CSRF on every
/// unsafe method before any handler runs.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(home::show))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/mfa/setup", get(mfa::form).post(mfa::confirm))
        .route("/account", get(account::show))
        .route("/account/sessions/{id}/end", post(account::end_session))
        .route("/account/recovery-codes", post(account::new_recovery_codes))
        .route("/session/status", get(account::status))
        .route("/session/keepalive", post(account::keepalive))
        .route("/audit", get(audit::show))
        .route("/audit/export.csv", get(audit::export_csv))
        .route("/audit/export.fhir.json", get(audit::export_fhir))
        .route("/monitoring", get(monitoring::list))
        .route("/monitoring/run", post(monitoring::run))
        .route("/monitoring/{id}/review", post(monitoring::review))
        .route("/patients", get(patients::list).post(patients::register))
        .route("/patients/new", get(patients::new_form))
        .route("/patients/search", get(patients::search_fragment))
        .route("/patients/{id}", get(patients::show))
        .route("/patients/{id}/identity", post(patients::set_identity))
        .route("/patients/{id}/contact", post(patients::set_contact))
        .route("/patients/{id}/break-glass", post(patients::break_glass))
        .route("/patients/{id}/restriction", post(patients::set_restriction))
        .route("/patients/{id}/npp", post(patients::npp_ack))
        .route("/patients/{id}/attachments", post(chart::upload))
        .route("/patients/{id}/attachments/{attachment}", get(patients::attachment))
        .route("/patients/{id}/export/fhir", get(patients::export_fhir))
        .route("/patients/{id}/export/pdf", get(patients::export_pdf))
        .route("/patients/{id}/appointments", post(chart::book))
        .route("/patients/{id}/notes", post(chart::create_note))
        .route("/patients/{id}/vitals", post(chart::vitals))
        .route("/patients/{id}/invoices", post(chart::create_invoice))
        .route("/patients/{id}/{kind}", post(chart::entry))
        .route("/appointments/{id}/status", post(chart::appointment_status))
        .route("/notes/{id}", post(chart::update_note))
        .route("/notes/{id}/addenda", post(chart::addend))
        .route("/patients/{id}/amendments/{request}", post(chart::file_amendment))
        .route("/invoices/{id}/codes", post(chart::code_invoice))
        .route("/invoices/{id}/payments", post(chart::pay))
        .route("/schedule", get(chart::schedule))
        .route("/billing", get(chart::billing))
        .route("/program", get(program::dashboard))
        .route("/program/binder.zip", get(program::binder))
        .route("/program/vendors", get(program::vendors).post(program::create_vendor))
        .route(
            "/program/vendors/{id}",
            get(program::vendor).post(program::update_vendor),
        )
        .route(
            "/program/vendors/{id}/document",
            get(program::document).post(program::upload_document),
        )
        .route("/program/workforce", get(program::workforce).post(program::add_person))
        .route(
            "/program/workforce/{id}",
            get(program::person).post(program::update_person),
        )
        .route("/program/workforce/{id}/training", post(program::record_training))
        .route("/program/training/{id}/certificate", get(program::training_certificate))
        .route(
            "/program/workforce/{id}/offboarding/{item}",
            post(program::offboarding_step),
        )
        .route("/training", get(program::course_show).post(program::course_submit))
        .route("/requests", get(rights::list).post(rights::open))
        .route("/requests/{id}/extension", post(rights::extend))
        .route("/requests/{id}/decision", post(rights::decide))
        .route("/requests/{id}/termination", post(rights::terminate))
        .route("/requests/{id}/letter.pdf", get(rights::letter))
        .route("/requests/{id}/documents", post(rights::document))
        .route("/requests/patients/{id}/authorizations", post(rights::authorize))
        .route(
            "/requests/patients/{id}/authorizations/{authorization}/revocation",
            post(rights::revoke),
        )
        .route("/requests/patients/{id}", get(rights::log))
        .route("/requests/patients/{id}/disclosures", post(rights::disclose))
        .route("/requests/patients/{id}/accounting.pdf", get(rights::accounting))
        .route("/incidents", get(incidents::list))
        .route("/incidents/new", get(incidents::new).post(incidents::report))
        .route("/incidents/log/{file}", get(incidents::breach_log))
        .route("/incidents/{id}", get(incidents::show).post(incidents::determine))
        .route("/incidents/{id}/actions", post(incidents::add_action))
        .route("/incidents/{id}/scope", post(incidents::scope))
        .route(
            "/incidents/{id}/obligations/{kind}/done",
            post(incidents::obligation_done),
        )
        .route("/incidents/{id}/letters.pdf", get(incidents::letters))
        .route("/incidents/{id}/letters/sent", post(incidents::letters_sent))
        .route("/incidents/{id}/record.pdf", get(incidents::record))
        .route("/incidents/{id}/attachments", post(incidents::attach))
        .route("/incidents/{id}/attachments/{attachment}", get(incidents::attachment))
        .route("/program/sra", get(sra::list).post(sra::start))
        .route("/program/sra/{id}", get(sra::show))
        .route("/program/sra/{id}/details", post(sra::details))
        .route("/program/sra/{id}/answers/{spec}", post(sra::answer))
        .route("/program/sra/{id}/assets", post(sra::add_asset))
        .route("/program/sra/{id}/risks", post(sra::add_risk))
        .route("/program/sra/{id}/risks/{risk}/tasks", post(sra::add_task))
        .route("/program/sra/{id}/tasks/{task}/done", post(sra::task_done))
        .route("/program/sra/{id}/status", post(sra::status))
        .route("/program/sra/{id}/report.pdf", get(sra::report_pdf))
        .route("/program/npp", get(program::npp).post(program::publish_npp))
        .route("/program/npp/posting", post(program::npp_posting))
        .route("/program/npp/pdf", get(program::npp_pdf))
        .route("/program/policies", get(program::policies_admin))
        .route(
            "/program/policies/{key}",
            get(program::policy_admin).post(program::revise_policy),
        )
        .route("/program/policies/{key}/reviewed", post(program::policy_reviewed))
        .route("/program/policies/{key}/pdf", get(program::policy_pdf))
        .route("/policies", get(program::policies_read))
        .route("/policies/{version}/acknowledge", post(program::acknowledge))
        .route("/admin/users", get(admin_users::list).post(admin_users::create))
        .route("/admin/users/new", get(admin_users::new_form))
        .route("/admin/roles", get(admin_users::roles).post(admin_users::define_role))
        .route("/admin/users/{id}", get(admin_users::show))
        .route("/admin/users/{id}/roles", post(admin_users::set_roles))
        .route("/admin/users/{id}/disable", post(admin_users::disable))
        .route("/admin/users/{id}/enable", post(admin_users::enable))
        .route("/admin/users/{id}/reset-mfa", post(admin_users::reset_mfa))
        .route("/admin/users/{id}/reset-password", post(admin_users::reset_password))
        .layer(axum::middleware::from_fn_with_state(state, middleware::page_session))
        .route("/static/app.css", get(assets::css))
        .route("/static/app.js", get(assets::js))
        .route("/healthz", get(assets::health))
}

pub(crate) fn chrome(state: &AppState, p: &Principal, current: &str) -> Chrome {
    Chrome {
        read_only: state.config.read_only,
        ..Chrome::for_user(state.app.clinic_name(), &state.app.policy(), p, current)
    }
}

/// The `file` field of a multipart upload form: its name and bytes, if one was chosen.
pub(crate) async fn file_field(
    form: &mut axum::extract::Multipart,
) -> Result<Option<(String, Vec<u8>)>, crate::error::WebError> {
    let bad = |_| {
        crate::error::WebError::page(carekeep_app::AppError::Invalid(
            "the upload was cut short or too large; try again".into(),
        ))
    };
    let mut file = None;
    while let Some(field) = form.next_field().await.map_err(bad)? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or_default().to_owned();
            file = Some((name, field.bytes().await.map_err(bad)?.to_vec()));
        }
    }
    Ok(file)
}
