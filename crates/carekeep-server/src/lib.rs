//! Carekeep's HTTP front end: configuration, the axum router (pages and JSON API), TLS, and
//! `serve(state, listener, shutdown)`, which tests call with a listener on 127.0.0.1:0.

pub mod api;
pub mod audit_query;
mod client;
pub mod config;
mod error;
pub mod jobs;
mod middleware;
pub mod network;
pub mod portal_door;
pub mod portal_tls;
mod respond;
mod routes;
mod serve;
mod session;
mod sms_hook;
mod state;
mod urls;
mod web;

pub use config::{Config, ConfigError, PortalSettings, PortalTls};
pub use error::ErrorBody;
pub use routes::{patient_router, patient_routes, router, staff_routes};
pub use serve::{check_transport, serve, serve_portal, ServeError};
pub use state::AppState;
pub use web::kiosk::{route_table as kiosk_routes, COOKIE as KIOSK_COOKIE};
pub use web::portal::{route_table as portal_routes, COOKIE as PORTAL_COOKIE};
pub use web::routes as page_routes;

use carekeep_app::datadir;
use carekeep_app::{AppError, AppSettings, Clock};
use carekeep_crypto::password::PasswordHasher;
use middleware::ratelimit::RateLimiter;

/// Requests to confirm links per address a minute: a household answering a few reminders
/// never meets it; a guesser gets 20 tries a minute at a 256-bit token.
const LINK_REQUESTS_PER_MINUTE: u32 = 20;
/// Requests to the SMS gateway's reply webhook, per address (the gateway retries a 429).
const HOOK_REQUESTS_PER_MINUTE: u32 = 120;
use std::sync::Arc;

/// Why Carekeep could not start. Each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    KeyFile(#[from] datadir::KeyFileError),
    /// The database could not be reached or read.
    #[error("{0}")]
    Database(String),
    #[error("{0}")]
    App(String),
    #[error(transparent)]
    Serve(#[from] ServeError),
}

impl From<datadir::OpenError> for StartError {
    fn from(e: datadir::OpenError) -> Self {
        match e {
            datadir::OpenError::KeyFile(e) => StartError::KeyFile(e),
            datadir::OpenError::App(AppError::Internal(m)) => StartError::Database(m),
            datadir::OpenError::App(e) => e.into(),
        }
    }
}

impl From<AppError> for StartError {
    fn from(e: AppError) -> Self {
        StartError::App(e.to_string())
    }
}

/// Opens the clinic a config points at: the master key (refused if missing or readable by
/// others), the database (migrated), and the app.
pub async fn open(config: Config, clock: Arc<dyn Clock>, hasher: PasswordHasher) -> Result<AppState, StartError> {
    config.validate()?;
    let key_path = config.master_key_path();
    let settings = AppSettings {
        lifetime: config.lifetime(),
        monitoring: carekeep_domain::monitoring::Settings {
            hours: config.clinic_hours()?,
            max_charts_per_hour: config.monitoring_max_charts_per_hour,
        },
        records: carekeep_app::RecordSettings {
            break_glass_minutes: config.break_glass_minutes,
            attachment_max_bytes: config.attachment_max_mib * 1024 * 1024,
        },
        training: carekeep_app::TrainingSettings {
            policy: carekeep_domain::program::training::TrainingPolicy {
                days_after_hire: config.training_days_after_hire,
                ..Default::default()
            },
            program_start: config.program_start()?,
            before_phi_access: config.training_before_phi_access,
        },
        mail: config.mail()?,
        reminders: config.reminders()?,
        host: carekeep_app::HostFacts {
            master_key_file: Some(key_path.clone()),
            transport: if config.tls_enabled() {
                carekeep_app::Transport::BuiltInTls
            } else if config.behind_tls_proxy {
                carekeep_app::Transport::Proxy
            } else {
                carekeep_app::Transport::Plain
            },
            backup_dir: Some(config.backup_dir.clone()).filter(|d| !d.as_os_str().is_empty()),
            backup_offsite: offsite_targets(&config),
        },
    };
    let app = datadir::open(&config.files(), clock, hasher, settings).await?;
    Ok(AppState {
        limiter: Arc::new(RateLimiter::new(config.login_rate_limit_per_minute)),
        link_limiter: Arc::new(RateLimiter::new(LINK_REQUESTS_PER_MINUTE)),
        hook_limiter: Arc::new(RateLimiter::new(HOOK_REQUESTS_PER_MINUTE)),
        proxies: Arc::new(config.proxy_trust()?),
        network: Arc::new(network::Live::default()),
        door: Arc::new(portal_door::Door::new(config.portal_rate_limit_per_minute)),
        app,
        config: Arc::new(config),
    })
}

/// The off-site targets in words, for the contingency plan: the folder and the bucket.
fn offsite_targets(config: &Config) -> Option<(String, String)> {
    let mut targets = Vec::new();
    if !config.backup_offsite_dir.as_os_str().is_empty() {
        targets.push(config.backup_offsite_dir.display().to_string());
    }
    if let Ok(Some(s3)) = config.backup_s3() {
        targets.push(format!("bucket {} at {}", s3.bucket, s3.endpoint));
    }
    (!targets.is_empty()).then(|| (targets.join(" and "), config.backup_offsite_vendor.clone()))
}
