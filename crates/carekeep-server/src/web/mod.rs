//! Server-rendered pages. Handlers are thin: extract, call one use case, render.

mod account;
mod admin_users;
pub(crate) mod assets;
mod audit;
mod billing;
mod calendar;
mod calendar_kiosk;
mod calendar_reminders;
mod calendar_setup;
mod chart;
mod chart_header;
mod chart_photos;
pub(crate) mod chrome;
pub(crate) mod confirm_link;
mod esign_desk;
mod form_editor;
pub(crate) mod formats;
pub(crate) mod forms;
mod forms_review;
mod home;
mod incidents;
mod intake;
mod invite;
pub mod kiosk;
mod login;
mod mfa;
mod monitoring;
mod move_requests;
pub(crate) mod patients;
mod people;
pub(crate) mod pictures;
mod policy_review;
pub mod portal;
pub(crate) mod program;
mod readiness;
mod rights;
mod settings;
mod setup;
mod setup_backups;
mod setup_mail;
mod setup_network;
mod setup_vendors;
mod sra;
mod sra_wizard;
mod token_links;
mod waitlist;

use crate::middleware;
use crate::state::AppState;
use axum::routing::{get, post};
use axum::Router;
use carekeep_app::Principal;
use chrome::Chrome;

/// The page table: each path with its handlers. The router and the list of routes the tests
/// walk (`routes`) are both made from it, so a test cannot miss a page the router serves.
macro_rules! pages {
    ($($path:literal => $method:ident($handler:path) $(.$more:ident($more_handler:path))*,)*) => {
        /// Every page route behind the page session, as `(METHOD, path)`.
        pub fn routes() -> Vec<(String, &'static str)> {
            vec![$(
                (stringify!($method).to_uppercase(), $path),
                $((stringify!($more).to_uppercase(), $path),)*
            )*]
        }

        fn page_table() -> Router<AppState> {
            Router::new()$(.route($path, $method($handler)$(.$more($more_handler))*))*
        }
    };
}

pages! {
    "/" => get(home::show),
    "/login" => get(login::form).post(login::submit),
    "/c/{token}" => get(confirm_link::show).post(confirm_link::answer),
    "/invite" => get(invite::code_form).post(invite::accept_code),
    "/invite/{token}" => get(invite::show).post(invite::accept),
    "/logout" => post(login::logout),
    "/mfa/setup" => get(mfa::form).post(mfa::confirm),
    "/account" => get(account::show),
    "/account/sessions/{id}/end" => post(account::end_session),
    "/account/recovery-codes" => post(account::new_recovery_codes),
    "/account/password" => post(account::change_password),
    "/account/sign-out-everywhere" => post(account::sign_out_everywhere),
    "/session/status" => get(account::status),
    "/session/keepalive" => post(account::keepalive),
    "/audit" => get(audit::show),
    "/audit/export.csv" => get(audit::export_csv),
    "/audit/export.fhir.json" => get(audit::export_fhir),
    "/audit/patients/{id}" => get(audit::timeline),
    "/monitoring" => get(monitoring::list),
    "/monitoring/run" => post(monitoring::run),
    "/monitoring/{id}/review" => post(monitoring::review),
    "/patients" => get(patients::list).post(patients::register),
    "/patients/new" => get(patients::new_form),
    "/patients/search" => post(patients::search),
    "/patients/search/rows" => post(patients::search_fragment),
    "/patients/pick" => post(patients::pick),
    "/patients/{id}" => get(patients::show),
    "/patients/{id}/identity" => post(patients::set_identity),
    "/patients/{id}/contact" => post(patients::set_contact),
    "/patients/{id}/break-glass" => post(patients::break_glass),
    "/patients/{id}/restriction" => post(patients::set_restriction),
    "/patients/{id}/npp" => post(patients::npp_ack),
    "/patients/{id}/attachments" => post(chart::upload),
    "/patients/{id}/attachments/{attachment}" => get(patients::attachment),
    "/patients/{id}/export/fhir" => get(patients::export_fhir),
    "/patients/{id}/export/pdf" => get(patients::export_pdf),
    "/patients/{id}/appointments" => post(chart::book),
    "/patients/{id}/notes" => post(chart::create_note),
    "/patients/{id}/vitals" => post(chart::vitals),
    "/patients/{id}/invoices" => post(chart::create_invoice),
    "/patients/{id}/{kind}" => post(chart::entry),
    "/appointments/{id}/status" => post(chart::appointment_status),
    "/notes/{id}" => post(chart::update_note),
    "/notes/{id}/addenda" => post(chart::addend),
    "/patients/{id}/amendments/{request}" => post(chart::file_amendment),
    "/patients/{id}/people" => post(people::add_person),
    "/patients/{id}/forms" => post(intake::send),
    "/patients/{id}/forms/esign-withdrawal" => post(esign_desk::withdraw),
    "/forms" => get(intake::list),
    "/forms/adopt" => post(intake::adopt),
    "/forms/versions/{id}" => get(intake::version),
    "/forms/{id}/edit" => get(form_editor::edit).post(form_editor::save),
    "/forms/responses/{id}" => get(forms_review::show).post(forms_review::file),
    "/forms/responses/{id}/pdf" => get(intake::response_pdf),
    "/patients/{id}/people/{person}/revoke" => post(people::revoke),
    "/patients/{id}/representatives" => post(people::add_representative),
    "/patients/{id}/representatives/{person}/document" => get(people::document),
    "/patients/{id}/representatives/{person}/suspend" => post(people::suspend),
    "/patients/{id}/own-consent" => post(people::own_consent),
    "/patients/{id}/caller" => get(people::caller).post(people::search),
    "/patients/{id}/caller/record" => post(people::record),
    "/invoices/{id}/codes" => post(chart::code_invoice),
    "/invoices/{id}/payments" => post(chart::pay),
    "/invoices/{id}" => get(billing::show),
    "/invoices/{id}/entries" => post(billing::add_entry),
    "/invoices/{id}/receipt.pdf" => get(billing::receipt),
    "/invoices/{id}/statement.pdf" => get(billing::statement),
    "/schedule" => get(chart::schedule),
    "/calendar" => get(calendar::show),
    "/calendar/book" => get(calendar::book_form).post(calendar::book),
    "/calendar/appointments/{id}" => get(calendar::appointment),
    "/calendar/appointments/{id}/confirm" => post(calendar::confirm),
    "/calendar/appointments/{id}/move" => post(calendar::move_to),
    "/calendar/appointments/{id}/cancel" => post(calendar::cancel),
    "/calendar/appointments/{id}/link" => post(calendar::make_link),
    "/calendar/appointments/{id}/kiosk" => post(calendar_kiosk::open),
    "/calendar/appointments/{id}/kiosk/end" => post(calendar_kiosk::end),
    "/calendar/appointments/{id}/reminders" => get(calendar_reminders::show),
    "/calendar/appointments/{id}/texts" => post(calendar_reminders::texts),
    "/calendar/waitlist" => get(waitlist::show).post(waitlist::add),
    "/forms/review" => get(forms_review::queue),
    "/calendar/waitlist/{id}/remove" => post(waitlist::remove),
    "/calendar/waitlist/{id}/book" => post(waitlist::book),
    "/calendar/setup" => get(calendar_setup::show),
    "/calendar/setup/services" => post(calendar_setup::add_service),
    "/calendar/setup/services/{id}/forms" => post(calendar_setup::set_service_forms),
    "/calendar/setup/rooms" => post(calendar_setup::add_room),
    "/calendar/setup/reminders" => post(calendar_setup::save_reminders),
    "/calendar/setup/portal-moves" => post(calendar_setup::save_portal_moves),
    "/calendar/move-requests/{id}/move" => post(move_requests::move_as_asked),
    "/calendar/move-requests/{id}/decline" => post(move_requests::decline),
    "/calendar/setup/hours/{id}" => post(calendar_setup::set_hours),
    "/calendar/setup/time-off" => post(calendar_setup::add_time_off),
    "/calendar/setup/time-off/{id}/remove" => post(calendar_setup::remove_time_off),
    "/billing" => get(billing::work_list),
    "/program" => get(program::dashboard),
    "/program/binder.zip" => get(program::binder),
    "/program/vendors" => get(program::vendors).post(program::create_vendor),
    "/program/vendors/{id}" => get(program::vendor).post(program::update_vendor),
    "/program/vendors/{id}/document" => get(program::document).post(program::upload_document),
    "/program/vendors/{id}/security" => post(program::review_vendor_security),
    "/program/workforce" => get(program::workforce).post(program::add_person),
    "/program/workforce/{id}" => get(program::person).post(program::update_person),
    "/program/workforce/{id}/training" => post(program::record_training),
    "/program/training/{id}/certificate" => get(program::training_certificate),
    "/program/workforce/{id}/offboarding/{item}" => post(program::offboarding_step),
    "/training" => get(program::course_show).post(program::course_submit),
    "/requests" => get(rights::list).post(rights::open),
    "/requests/{id}/extension" => post(rights::extend),
    "/requests/{id}/decision" => post(rights::decide),
    "/requests/{id}/termination" => post(rights::terminate),
    "/requests/{id}/letter.pdf" => get(rights::letter),
    "/requests/{id}/documents" => post(rights::document),
    "/requests/patients/{id}/authorizations" => post(rights::authorize),
    "/requests/patients/{id}/authorizations/{authorization}/revocation" => post(rights::revoke),
    "/requests/patients" => post(rights::find_log),
    "/requests/patients/{id}" => get(rights::log),
    "/requests/patients/{id}/disclosures" => post(rights::disclose),
    "/requests/patients/{id}/accounting.pdf" => get(rights::accounting),
    "/incidents" => get(incidents::list),
    "/incidents/new" => get(incidents::new).post(incidents::report),
    "/incidents/log/{file}" => get(incidents::breach_log),
    "/incidents/{id}" => get(incidents::show).post(incidents::determine),
    "/incidents/{id}/actions" => post(incidents::add_action),
    "/incidents/{id}/scope" => post(incidents::scope),
    "/incidents/{id}/scope/preview" => post(incidents::scope_preview),
    "/incidents/{id}/scope/patients" => post(incidents::scope_name),
    "/incidents/{id}/scope/clear" => post(incidents::scope_clear),
    "/incidents/{id}/scope/patients/{patient}/remove" => post(incidents::scope_remove),
    "/incidents/{id}/obligations/{kind}/done" => post(incidents::obligation_done),
    "/incidents/{id}/letters.pdf" => get(incidents::letters),
    "/incidents/{id}/letters/sent" => post(incidents::letters_sent),
    "/incidents/{id}/record.pdf" => get(incidents::record),
    "/incidents/{id}/attachments" => post(incidents::attach),
    "/incidents/{id}/attachments/{attachment}" => get(incidents::attachment),
    "/program/sra" => get(sra::list).post(sra::start),
    "/program/sra/{id}" => get(sra::show),
    "/program/sra/{id}/details" => post(sra::details),
    "/program/sra/{id}/wizard/{step}" => get(sra_wizard::show).post(sra_wizard::save),
    "/program/sra/{id}/answers/{spec}" => post(sra::answer),
    "/program/sra/{id}/assets" => post(sra::add_asset),
    "/program/sra/{id}/assets/{asset}/disposal" => post(sra::dispose),
    "/program/sra/{id}/security" => post(sra::save_facts),
    "/program/sra/{id}/security/report/{kind}" => post(sra::upload_report),
    "/program/security-reports/{id}" => get(sra::report_file),
    "/program/readiness" => get(readiness::show),
    "/program/sra/{id}/risks" => post(sra::add_risk),
    "/program/sra/{id}/risks/{risk}/tasks" => post(sra::add_task),
    "/program/sra/{id}/tasks/{task}/done" => post(sra::task_done),
    "/program/sra/{id}/status" => post(sra::status),
    "/program/sra/{id}/report.pdf" => get(sra::report_pdf),
    "/program/npp" => get(program::npp).post(program::publish_npp),
    "/program/npp/posting" => post(program::npp_posting),
    "/program/npp/pdf" => get(program::npp_pdf),
    "/program/policies" => get(program::policies_admin),
    "/program/policies/review" => get(policy_review::show).post(policy_review::adopt),
    "/program/policies/{key}" => get(program::policy_admin).post(program::revise_policy),
    "/program/policies/{key}/reviewed" => post(program::policy_reviewed),
    "/program/policies/{key}/pdf" => get(program::policy_pdf),
    "/policies" => get(program::policies_read),
    "/policies/{version}/acknowledge" => post(program::acknowledge),
    "/policies/acknowledge" => post(policy_review::acknowledge_all),
    "/admin/users" => get(admin_users::list).post(admin_users::create),
    "/admin/users/new" => get(admin_users::new_form),
    "/admin/settings" => get(settings::show),
    "/setup" => get(setup::show),
    "/setup/details" => post(setup::save_details),
    "/setup/network" => get(setup_network::show).post(setup_network::choose),
    "/trust" => get(setup_network::trust),
    "/trust/authority.pem" => get(setup_network::authority_pem),
    "/trust/authority.crt" => get(setup_network::authority_der),
    "/setup/vendors" => get(setup_vendors::show).post(setup_vendors::save),
    "/setup/backups" => get(setup_backups::show),
    "/setup/backups/folder" => post(setup_backups::choose),
    "/setup/backups/key" => get(setup_backups::key_file),
    "/setup/backups/sheet" => get(setup_backups::sheet),
    "/setup/mail" => get(setup_mail::show).post(setup_mail::save),
    "/setup/mail/test" => post(setup_mail::test),
    "/setup/mail/remove" => post(setup_mail::remove),
    "/admin/settings/time-zone" => post(settings::save_zone),
    "/admin/settings/portal" => post(settings::save_portal),
    "/admin/roles" => get(admin_users::roles).post(admin_users::define_role),
    "/admin/users/{id}" => get(admin_users::show),
    "/admin/users/{id}/roles" => post(admin_users::set_roles),
    "/admin/users/{id}/disable" => post(admin_users::disable),
    "/admin/users/{id}/enable" => post(admin_users::enable),
    "/admin/users/{id}/reset-mfa" => post(admin_users::reset_mfa),
    "/admin/users/{id}/reset-password" => post(admin_users::reset_password),
    "/admin/users/{id}/invite" => post(admin_users::resend),
}

/// Every page route. The page-session layer resolves the session and checks CSRF on every
/// unsafe method before any handler runs.
pub fn router(state: AppState) -> Router<AppState> {
    page_table()
        .layer(axum::middleware::from_fn_with_state(state, middleware::page_session))
        .route(ASSET_ROUTES[0].1, get(assets::css))
        .route(ASSET_ROUTES[1].1, get(assets::js))
        .route(ASSET_ROUTES[2].1, get(assets::health))
}

/// The routes outside the page session, as `(METHOD, path)`: the router above serves them.
pub const ASSET_ROUTES: [(&str, &str); 3] = [
    ("GET", "/static/app.css"),
    ("GET", "/static/app.js"),
    ("GET", "/healthz"),
];

/// A page that does not exist: inside the layout with the person's own navigation when they
/// are signed in (the session read without counting as activity), the plain error otherwise.
pub(crate) async fn not_found(state: &AppState, headers: &axum::http::HeaderMap) -> axum::response::Response {
    use axum::response::IntoResponse;
    let jar = axum_extra::extract::CookieJar::from_headers(headers);
    let signed_in = match jar.get(crate::session::SESSION_COOKIE) {
        Some(c) => state.app.authenticate(c.value(), false).await.ok(),
        None => None,
    };
    match signed_in {
        Some(p) => (
            axum::http::StatusCode::NOT_FOUND,
            chrome::NotFoundPage {
                chrome: chrome(state, &p, ""),
            },
        )
            .into_response(),
        None => crate::error::WebError::page(carekeep_app::AppError::NotFound("page")).into_response(),
    }
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
