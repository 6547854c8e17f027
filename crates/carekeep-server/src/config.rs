//! Configuration: one typed struct. Defaults, then `DATA/carekeep.toml`, then `CAREKEEP_*`
//! environment variables; a secret may come from a file named by `CAREKEEP_<NAME>_FILE`
//! (a secrets-manager mount). Validated once at start-up; `Debug` redacts secrets.

use carekeep_domain::session::{Lifetime, IDLE_MINUTES_RANGE};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Errors in the configuration. Each says which setting to fix.
#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{path}: {reason}")]
    Toml { path: String, reason: String },
    #[error("setting {name}: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// Carekeep's settings.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// `postgres://...` to use PostgreSQL; empty for SQLite in the data folder. A secret.
    pub database_url: String,
    /// Set when a TLS-terminating proxy sits in front; allows plain HTTP on a non-loopback
    /// address, marks cookies Secure and trusts X-Forwarded-For from the proxy.
    pub behind_tls_proxy: bool,
    /// The proxies whose X-Forwarded-For is believed (addresses or networks such as
    /// `10.0.0.0/8`), with `behind_tls_proxy`; default the loopback addresses. From anyone else
    /// the header is ignored and the connection's address is the client's.
    pub trusted_proxies: Vec<String>,
    /// PEM certificate chain and private key for built-in TLS.
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// When the owner chooses HTTPS on the set-up path (the clinic's own certificate authority
    /// or an uploaded certificate): the port HTTPS is served on.
    pub https_port: u16,
    /// When the owner chooses a way for other computers to reach Carekeep on the set-up path:
    /// the address Carekeep listens on for them (default every address, `0.0.0.0`).
    pub network_address: std::net::IpAddr,
    /// The master key file; default `DATA/keys/master.key`.
    pub master_key_file: Option<PathBuf>,
    /// Automatic logoff after this many idle minutes (164.312(a)(2)(iii)); 2 to 60.
    pub session_idle_minutes: i64,
    /// A session ends this many hours after login, active or not.
    pub session_absolute_hours: i64,
    /// Login attempts allowed per client address per minute.
    pub login_rate_limit_per_minute: u32,
    /// Seconds a client has to send a request's headers, from the moment the connection is
    /// open or idle between requests: slow and silent connections are closed after it.
    pub request_header_timeout_seconds: u64,
    /// Connections served at once; more wait to be accepted (and the log says so).
    pub max_connections: usize,
    /// Sign an audit checkpoint at least this often (minutes) while events are added; one is
    /// also signed every 1,000 events.
    pub audit_checkpoint_minutes: i64,
    /// Days the clinic is open, e.g. `mon,tue,wed,thu,fri` (access monitoring flags the rest).
    pub clinic_days: String,
    /// Opening and closing hour in the clinic's time, 0 to 24.
    pub clinic_open_hour: u8,
    pub clinic_close_hour: u8,
    /// The clinic's time zone, an IANA name such as `America/Chicago` (daylight saving
    /// included). Empty: the fixed `clinic_utc_offset`.
    pub clinic_time_zone: String,
    /// The clinic's offset from UTC, e.g. `-05:00`, with no daylight saving: kept for
    /// configurations written before `clinic_time_zone`, which wins when set.
    pub clinic_utc_offset: String,
    /// More distinct charts than this by one person in one hour is flagged as a bulk lookup.
    pub monitoring_max_charts_per_hour: usize,
    /// Minutes a break-glass grant to a restricted chart lasts (164.312(a)(2)(ii)).
    pub break_glass_minutes: i64,
    /// The largest photo or document accepted, in MiB.
    pub attachment_max_mib: usize,
    /// Days after hire within which a new person's first training is due (164.530(b)(2)(i)(B)).
    pub training_days_after_hire: i64,
    /// The day the clinic started its compliance program, `YYYY-MM-DD` (`carekeep init
    /// --program-start`). Staff already there are due their first training within the hire
    /// window from it. Empty: the day the clinic was set up.
    pub program_start: String,
    /// Keep patient data from a person until they complete their training.
    pub training_before_phi_access: bool,
    /// The SMTP relay for reminder mail; empty for none.
    pub smtp_host: String,
    pub smtp_port: u16,
    /// `starttls` (default), `tls`, or `none` (only for a relay on this machine).
    pub smtp_security: String,
    pub smtp_username: String,
    /// A secret.
    pub smtp_password: String,
    /// The sender, e.g. `Carekeep <carekeep@clinic.example>`.
    pub smtp_from: String,
    /// The vendor record of the relay's operator (the BAA gate applies to it).
    pub smtp_vendor: String,
    /// The SMS gateway for appointment reminders (`POST <base>/messages`); empty for none.
    pub sms_base_url: String,
    /// A secret: the gateway's bearer token (or set `sms_username` and `sms_password`).
    pub sms_token: String,
    pub sms_username: String,
    /// A secret.
    pub sms_password: String,
    /// The clinic's sending number or name at the gateway.
    pub sms_from: String,
    /// The vendor record of the gateway's operator (the BAA gate applies to it).
    pub sms_vendor: String,
    /// A secret shared with the gateway: it sends replies (STOP) to `POST /hooks/sms` with
    /// `Authorization: Bearer <this>`. Empty: the webhook is off (not found).
    pub sms_webhook_secret: String,
    /// The address patients reach Carekeep on, e.g. `https://clinic.example`: the
    /// confirm-or-cancel links in reminders point there. Empty: no appointment reminders.
    pub patient_url: String,
    /// The patients' door: a second listener serving only the patient-facing routes (the
    /// portal, confirm links), never the staff pages or API. HTTPS here when a portal
    /// certificate is configured (files or ACME), else plain HTTP (loopback or behind a proxy
    /// only). Unset: no second listener; confirm links stay on the staff listener.
    pub portal_listen: Option<SocketAddr>,
    /// The portal's own host name, e.g. `portal.clinic.example` (the certificate's name, and
    /// where the challenge port redirects to).
    pub portal_host: String,
    /// Requests to the portal per client address a minute (its own limit, apart from the staff
    /// sign-in's).
    pub portal_rate_limit_per_minute: u32,
    /// The portal's certificate chain and key as PEM files the clinic gives (checked at start
    /// like an uploaded certificate).
    pub portal_tls_cert: Option<PathBuf>,
    pub portal_tls_key: Option<PathBuf>,
    /// An ACME directory (RFC 8555), e.g. `https://acme-v02.api.letsencrypt.org/directory`:
    /// the portal's certificate is issued and renewed from it (HTTP-01).
    pub portal_acme_directory: String,
    /// The contact the certificate authority writes to about the account.
    pub portal_acme_email: String,
    /// A PEM file of an extra authority to trust for the ACME directory (a test CA).
    pub portal_acme_ca_pem: Option<PathBuf>,
    /// With ACME: the plain-HTTP listener for the HTTP-01 challenge, which sends everything
    /// else to HTTPS; default the portal's address on port 80.
    pub portal_http_listen: Option<SocketAddr>,
    /// Emergency mode: serve lookups only (a restored copy while the primary is down); every
    /// access is still audited. Set by `serve --read-only`.
    pub read_only: bool,
    /// Where scheduled nightly backups go; empty: no schedule.
    pub backup_dir: PathBuf,
    /// The backup key file for scheduled backups (keep a copy apart from the server).
    pub backup_key_file: Option<PathBuf>,
    /// A mounted folder (NAS, USB disk) that receives a copy of each backup; empty: none.
    pub backup_offsite_dir: PathBuf,
    /// The vendor record of the off-site target's operator, if it is not the clinic's own
    /// device: the BAA gate applies (a backup carries PHI).
    pub backup_offsite_vendor: String,
    /// An S3-compatible endpoint that receives a copy of each backup, e.g.
    /// `https://s3.us-east-1.amazonaws.com`; empty: none. Needs `backup_offsite_vendor`.
    pub backup_s3_endpoint: String,
    pub backup_s3_bucket: String,
    pub backup_s3_region: String,
    pub backup_s3_access_key: String,
    /// Better from `CAREKEEP_BACKUP_S3_SECRET_KEY_FILE` than in this file.
    pub backup_s3_secret_key: String,
    /// Prepended to each backup's name in the bucket, e.g. `carekeep/`.
    pub backup_s3_prefix: String,
    /// `bucket.host/key` addressing instead of `host/bucket/key`.
    pub backup_s3_virtual_host: bool,
    /// Log filter, e.g. `info` or `carekeep=debug`.
    pub log: String,
    /// The data folder (set from `--data`, not from the file).
    #[serde(skip)]
    pub data_dir: PathBuf,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: String::new(),
            behind_tls_proxy: false,
            trusted_proxies: carekeep_domain::client_address::LOOPBACK
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            tls_cert: None,
            tls_key: None,
            https_port: 8443,
            network_address: std::net::IpAddr::from([0, 0, 0, 0]),
            master_key_file: None,
            session_idle_minutes: 15,
            session_absolute_hours: 12,
            login_rate_limit_per_minute: 30,
            request_header_timeout_seconds: 10,
            max_connections: 256,
            audit_checkpoint_minutes: 60,
            clinic_days: "mon,tue,wed,thu,fri".into(),
            clinic_open_hour: 7,
            clinic_close_hour: 19,
            clinic_time_zone: String::new(),
            clinic_utc_offset: "+00:00".into(),
            monitoring_max_charts_per_hour: 30,
            break_glass_minutes: 60,
            attachment_max_mib: 10,
            training_days_after_hire: 30,
            program_start: String::new(),
            training_before_phi_access: false,
            smtp_host: String::new(),
            smtp_port: 587,
            smtp_security: "starttls".into(),
            smtp_username: String::new(),
            smtp_password: String::new(),
            smtp_from: String::new(),
            smtp_vendor: String::new(),
            sms_base_url: String::new(),
            sms_token: String::new(),
            sms_username: String::new(),
            sms_password: String::new(),
            sms_from: String::new(),
            sms_vendor: String::new(),
            sms_webhook_secret: String::new(),
            patient_url: String::new(),
            portal_listen: None,
            portal_host: String::new(),
            portal_rate_limit_per_minute: 120,
            portal_tls_cert: None,
            portal_tls_key: None,
            portal_acme_directory: String::new(),
            portal_acme_email: String::new(),
            portal_acme_ca_pem: None,
            portal_http_listen: None,
            read_only: false,
            backup_dir: PathBuf::new(),
            backup_key_file: None,
            backup_offsite_dir: PathBuf::new(),
            backup_offsite_vendor: String::new(),
            backup_s3_endpoint: String::new(),
            backup_s3_bucket: String::new(),
            backup_s3_region: "us-east-1".into(),
            backup_s3_access_key: String::new(),
            backup_s3_secret_key: String::new(),
            backup_s3_prefix: String::new(),
            backup_s3_virtual_host: false,
            log: "info,sqlx=warn".into(),
            data_dir: PathBuf::from("carekeep-data"),
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field(
                "database_url",
                &if self.database_url.is_empty() {
                    "(sqlite in data folder)"
                } else {
                    "<redacted>"
                },
            )
            .field("behind_tls_proxy", &self.behind_tls_proxy)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("tls_cert", &self.tls_cert)
            .field("tls_key", &self.tls_key)
            .field("https_port", &self.https_port)
            .field("network_address", &self.network_address)
            .field("master_key_file", &self.master_key_file)
            .field("session_idle_minutes", &self.session_idle_minutes)
            .field("session_absolute_hours", &self.session_absolute_hours)
            .field("login_rate_limit_per_minute", &self.login_rate_limit_per_minute)
            .field("request_header_timeout_seconds", &self.request_header_timeout_seconds)
            .field("max_connections", &self.max_connections)
            .field("audit_checkpoint_minutes", &self.audit_checkpoint_minutes)
            .field("clinic_days", &self.clinic_days)
            .field("clinic_open_hour", &self.clinic_open_hour)
            .field("clinic_close_hour", &self.clinic_close_hour)
            .field("clinic_time_zone", &self.clinic_time_zone)
            .field("clinic_utc_offset", &self.clinic_utc_offset)
            .field("monitoring_max_charts_per_hour", &self.monitoring_max_charts_per_hour)
            .field("break_glass_minutes", &self.break_glass_minutes)
            .field("attachment_max_mib", &self.attachment_max_mib)
            .field("training_days_after_hire", &self.training_days_after_hire)
            .field("program_start", &self.program_start)
            .field("training_before_phi_access", &self.training_before_phi_access)
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_security", &self.smtp_security)
            .field("smtp_username", &self.smtp_username)
            .field(
                "smtp_password",
                &if self.smtp_password.is_empty() {
                    ""
                } else {
                    "<redacted>"
                },
            )
            .field("smtp_from", &self.smtp_from)
            .field("smtp_vendor", &self.smtp_vendor)
            .field("sms_base_url", &self.sms_base_url)
            .field("sms_token", &if self.sms_token.is_empty() { "" } else { "<redacted>" })
            .field("sms_username", &self.sms_username)
            .field(
                "sms_password",
                &if self.sms_password.is_empty() { "" } else { "<redacted>" },
            )
            .field("sms_from", &self.sms_from)
            .field("sms_vendor", &self.sms_vendor)
            .field(
                "sms_webhook_secret",
                &if self.sms_webhook_secret.is_empty() {
                    ""
                } else {
                    "<redacted>"
                },
            )
            .field("patient_url", &self.patient_url)
            .field("portal_listen", &self.portal_listen)
            .field("portal_host", &self.portal_host)
            .field("portal_rate_limit_per_minute", &self.portal_rate_limit_per_minute)
            .field("portal_tls_cert", &self.portal_tls_cert)
            .field("portal_tls_key", &self.portal_tls_key)
            .field("portal_acme_directory", &self.portal_acme_directory)
            .field("portal_acme_email", &self.portal_acme_email)
            .field("portal_acme_ca_pem", &self.portal_acme_ca_pem)
            .field("portal_http_listen", &self.portal_http_listen)
            .field("read_only", &self.read_only)
            .field("backup_dir", &self.backup_dir)
            .field("backup_key_file", &self.backup_key_file)
            .field("backup_offsite_dir", &self.backup_offsite_dir)
            .field("backup_offsite_vendor", &self.backup_offsite_vendor)
            .field("backup_s3_endpoint", &self.backup_s3_endpoint)
            .field("backup_s3_bucket", &self.backup_s3_bucket)
            .field("backup_s3_region", &self.backup_s3_region)
            .field("backup_s3_access_key", &self.backup_s3_access_key)
            .field(
                "backup_s3_secret_key",
                &if self.backup_s3_secret_key.is_empty() {
                    ""
                } else {
                    "<redacted>"
                },
            )
            .field("backup_s3_prefix", &self.backup_s3_prefix)
            .field("backup_s3_virtual_host", &self.backup_s3_virtual_host)
            .field("log", &self.log)
            .field("data_dir", &self.data_dir)
            .finish()
    }
}

/// The shortest shared secret the SMS webhook accepts.
const WEBHOOK_SECRET_MIN: usize = 24;

/// The config file's name inside the data folder.
pub const FILE_NAME: &str = "carekeep.toml";

/// The patients' door (`portal_listen` and its certificate).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortalSettings {
    pub listen: SocketAddr,
    /// Lower case, no trailing dot; may be empty without ACME.
    pub host: String,
    pub tls: PortalTls,
}

/// Where the portal's certificate comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortalTls {
    /// None: plain HTTP (loopback, or behind the clinic's TLS proxy).
    Plain,
    /// PEM files the clinic gives.
    Files { cert: PathBuf, key: PathBuf },
    /// Issued and renewed by an ACME directory over HTTP-01 (challenges on `http_listen`).
    Acme {
        directory: String,
        email: String,
        ca_pem: Option<PathBuf>,
        http_listen: SocketAddr,
    },
}

/// A DNS host name: dot-separated labels of letters, digits and inner hyphens.
fn is_host_name(s: &str) -> bool {
    s.len() <= 253
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

impl Config {
    fn from_text(text: &str, path: &str) -> Result<Config, ConfigError> {
        toml::from_str::<Config>(text).map_err(|e| ConfigError::Toml {
            path: path.to_owned(),
            reason: e.message().to_owned(),
        })
    }

    /// Parses and checks a configuration file's text without the environment (`path` names
    /// it in errors): what `carekeep` does with a file, for the config fuzz target.
    pub fn parse(text: &str, path: &str) -> Result<Config, ConfigError> {
        let config = Config::from_text(text, path)?;
        config.validate()?;
        Ok(config)
    }

    /// Loads the configuration for a data folder, reading the environment through `env`.
    pub fn load(data_dir: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let path = data_dir.join(FILE_NAME);
        let mut config = match std::fs::read_to_string(&path) {
            Ok(text) => Config::from_text(&text, &path.display().to_string())?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Config::default(),
            Err(e) => {
                return Err(ConfigError::Read {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                })
            }
        };
        config.data_dir = data_dir.to_path_buf();
        config.apply_env(env)?;
        config.validate()?;
        Ok(config)
    }

    fn apply_env(&mut self, env: &dyn Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        fn parse<T: std::str::FromStr>(name: &'static str, v: &str) -> Result<T, ConfigError>
        where
            T::Err: std::fmt::Display,
        {
            v.trim().parse().map_err(|e: T::Err| ConfigError::Invalid {
                name,
                reason: e.to_string(),
            })
        }
        let secret = |name: &'static str| -> Result<Option<String>, ConfigError> {
            if let Some(file) = env(&format!("{name}_FILE")) {
                return std::fs::read_to_string(&file)
                    .map(|s| Some(s.trim().to_owned()))
                    .map_err(|e| ConfigError::Read {
                        path: file,
                        reason: e.to_string(),
                    });
            }
            Ok(env(name))
        };
        if let Some(v) = env("CAREKEEP_LISTEN") {
            self.listen = parse("CAREKEEP_LISTEN", &v)?;
        }
        if let Some(v) = secret("CAREKEEP_DATABASE_URL")? {
            self.database_url = v;
        }
        if let Some(v) = env("CAREKEEP_BEHIND_TLS_PROXY") {
            self.behind_tls_proxy = parse("CAREKEEP_BEHIND_TLS_PROXY", &v)?;
        }
        if let Some(v) = env("CAREKEEP_TRUSTED_PROXIES") {
            self.trusted_proxies = v
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
        }
        if let Some(v) = env("CAREKEEP_TLS_CERT") {
            self.tls_cert = Some(v.into());
        }
        if let Some(v) = env("CAREKEEP_TLS_KEY") {
            self.tls_key = Some(v.into());
        }
        if let Some(v) = env("CAREKEEP_HTTPS_PORT") {
            self.https_port = parse("CAREKEEP_HTTPS_PORT", &v)?;
        }
        if let Some(v) = env("CAREKEEP_NETWORK_ADDRESS") {
            self.network_address = parse("CAREKEEP_NETWORK_ADDRESS", &v)?;
        }
        if let Some(v) = env("CAREKEEP_MASTER_KEY_FILE") {
            self.master_key_file = Some(v.into());
        }
        if let Some(v) = env("CAREKEEP_SESSION_IDLE_MINUTES") {
            self.session_idle_minutes = parse("CAREKEEP_SESSION_IDLE_MINUTES", &v)?;
        }
        if let Some(v) = env("CAREKEEP_SESSION_ABSOLUTE_HOURS") {
            self.session_absolute_hours = parse("CAREKEEP_SESSION_ABSOLUTE_HOURS", &v)?;
        }
        if let Some(v) = env("CAREKEEP_LOGIN_RATE_LIMIT_PER_MINUTE") {
            self.login_rate_limit_per_minute = parse("CAREKEEP_LOGIN_RATE_LIMIT_PER_MINUTE", &v)?;
        }
        if let Some(v) = env("CAREKEEP_REQUEST_HEADER_TIMEOUT_SECONDS") {
            self.request_header_timeout_seconds = parse("CAREKEEP_REQUEST_HEADER_TIMEOUT_SECONDS", &v)?;
        }
        if let Some(v) = env("CAREKEEP_MAX_CONNECTIONS") {
            self.max_connections = parse("CAREKEEP_MAX_CONNECTIONS", &v)?;
        }
        if let Some(v) = env("CAREKEEP_AUDIT_CHECKPOINT_MINUTES") {
            self.audit_checkpoint_minutes = parse("CAREKEEP_AUDIT_CHECKPOINT_MINUTES", &v)?;
        }
        if let Some(v) = env("CAREKEEP_CLINIC_DAYS") {
            self.clinic_days = v;
        }
        if let Some(v) = env("CAREKEEP_CLINIC_OPEN_HOUR") {
            self.clinic_open_hour = parse("CAREKEEP_CLINIC_OPEN_HOUR", &v)?;
        }
        if let Some(v) = env("CAREKEEP_CLINIC_CLOSE_HOUR") {
            self.clinic_close_hour = parse("CAREKEEP_CLINIC_CLOSE_HOUR", &v)?;
        }
        if let Some(v) = env("CAREKEEP_CLINIC_TIME_ZONE") {
            self.clinic_time_zone = v;
        }
        if let Some(v) = env("CAREKEEP_CLINIC_UTC_OFFSET") {
            self.clinic_utc_offset = v;
        }
        if let Some(v) = env("CAREKEEP_MONITORING_MAX_CHARTS_PER_HOUR") {
            self.monitoring_max_charts_per_hour = parse("CAREKEEP_MONITORING_MAX_CHARTS_PER_HOUR", &v)?;
        }
        if let Some(v) = env("CAREKEEP_BREAK_GLASS_MINUTES") {
            self.break_glass_minutes = parse("CAREKEEP_BREAK_GLASS_MINUTES", &v)?;
        }
        if let Some(v) = env("CAREKEEP_ATTACHMENT_MAX_MIB") {
            self.attachment_max_mib = parse("CAREKEEP_ATTACHMENT_MAX_MIB", &v)?;
        }
        if let Some(v) = env("CAREKEEP_TRAINING_DAYS_AFTER_HIRE") {
            self.training_days_after_hire = parse("CAREKEEP_TRAINING_DAYS_AFTER_HIRE", &v)?;
        }
        if let Some(v) = env("CAREKEEP_PROGRAM_START") {
            self.program_start = v;
        }
        if let Some(v) = env("CAREKEEP_TRAINING_BEFORE_PHI_ACCESS") {
            self.training_before_phi_access = parse("CAREKEEP_TRAINING_BEFORE_PHI_ACCESS", &v)?;
        }
        if let Some(v) = env("CAREKEEP_SMTP_HOST") {
            self.smtp_host = v;
        }
        if let Some(v) = env("CAREKEEP_SMTP_PORT") {
            self.smtp_port = parse("CAREKEEP_SMTP_PORT", &v)?;
        }
        if let Some(v) = env("CAREKEEP_SMTP_SECURITY") {
            self.smtp_security = v;
        }
        if let Some(v) = env("CAREKEEP_SMTP_USERNAME") {
            self.smtp_username = v;
        }
        if let Some(v) = secret("CAREKEEP_SMTP_PASSWORD")? {
            self.smtp_password = v;
        }
        if let Some(v) = env("CAREKEEP_SMTP_FROM") {
            self.smtp_from = v;
        }
        if let Some(v) = env("CAREKEEP_SMTP_VENDOR") {
            self.smtp_vendor = v;
        }
        if let Some(v) = env("CAREKEEP_SMS_BASE_URL") {
            self.sms_base_url = v;
        }
        if let Some(v) = secret("CAREKEEP_SMS_TOKEN")? {
            self.sms_token = v;
        }
        if let Some(v) = env("CAREKEEP_SMS_USERNAME") {
            self.sms_username = v;
        }
        if let Some(v) = secret("CAREKEEP_SMS_PASSWORD")? {
            self.sms_password = v;
        }
        if let Some(v) = env("CAREKEEP_SMS_FROM") {
            self.sms_from = v;
        }
        if let Some(v) = env("CAREKEEP_SMS_VENDOR") {
            self.sms_vendor = v;
        }
        if let Some(v) = secret("CAREKEEP_SMS_WEBHOOK_SECRET")? {
            self.sms_webhook_secret = v;
        }
        if let Some(v) = env("CAREKEEP_PATIENT_URL") {
            self.patient_url = v;
        }
        if let Some(v) = env("CAREKEEP_PORTAL_LISTEN") {
            self.portal_listen = Some(parse("CAREKEEP_PORTAL_LISTEN", &v)?);
        }
        if let Some(v) = env("CAREKEEP_PORTAL_HOST") {
            self.portal_host = v;
        }
        if let Some(v) = env("CAREKEEP_PORTAL_RATE_LIMIT_PER_MINUTE") {
            self.portal_rate_limit_per_minute = parse("CAREKEEP_PORTAL_RATE_LIMIT_PER_MINUTE", &v)?;
        }
        if let Some(v) = env("CAREKEEP_PORTAL_TLS_CERT") {
            self.portal_tls_cert = Some(v.into());
        }
        if let Some(v) = env("CAREKEEP_PORTAL_TLS_KEY") {
            self.portal_tls_key = Some(v.into());
        }
        if let Some(v) = env("CAREKEEP_PORTAL_ACME_DIRECTORY") {
            self.portal_acme_directory = v;
        }
        if let Some(v) = env("CAREKEEP_PORTAL_ACME_EMAIL") {
            self.portal_acme_email = v;
        }
        if let Some(v) = env("CAREKEEP_PORTAL_ACME_CA_PEM") {
            self.portal_acme_ca_pem = Some(v.into());
        }
        if let Some(v) = env("CAREKEEP_PORTAL_HTTP_LISTEN") {
            self.portal_http_listen = Some(parse("CAREKEEP_PORTAL_HTTP_LISTEN", &v)?);
        }
        if let Some(v) = env("CAREKEEP_READ_ONLY") {
            self.read_only = parse("CAREKEEP_READ_ONLY", &v)?;
        }
        if let Some(v) = env("CAREKEEP_BACKUP_DIR") {
            self.backup_dir = v.into();
        }
        if let Some(v) = env("CAREKEEP_BACKUP_KEY_FILE") {
            self.backup_key_file = Some(v.into());
        }
        if let Some(v) = env("CAREKEEP_BACKUP_OFFSITE_DIR") {
            self.backup_offsite_dir = v.into();
        }
        if let Some(v) = env("CAREKEEP_BACKUP_OFFSITE_VENDOR") {
            self.backup_offsite_vendor = v;
        }
        for (name, field) in [
            ("CAREKEEP_BACKUP_S3_ENDPOINT", &mut self.backup_s3_endpoint),
            ("CAREKEEP_BACKUP_S3_BUCKET", &mut self.backup_s3_bucket),
            ("CAREKEEP_BACKUP_S3_REGION", &mut self.backup_s3_region),
            ("CAREKEEP_BACKUP_S3_ACCESS_KEY", &mut self.backup_s3_access_key),
            ("CAREKEEP_BACKUP_S3_PREFIX", &mut self.backup_s3_prefix),
        ] {
            if let Some(v) = env(name) {
                *field = v;
            }
        }
        if let Some(v) = secret("CAREKEEP_BACKUP_S3_SECRET_KEY")? {
            self.backup_s3_secret_key = v;
        }
        if let Some(v) = env("CAREKEEP_BACKUP_S3_VIRTUAL_HOST") {
            self.backup_s3_virtual_host = parse("CAREKEEP_BACKUP_S3_VIRTUAL_HOST", &v)?;
        }
        if let Some(v) = env("CAREKEEP_LOG") {
            self.log = v;
        }
        Ok(())
    }

    /// Checks every setting; the first bad one is named.
    /// The proxies whose `X-Forwarded-For` counts: none unless `behind_tls_proxy`.
    pub fn proxy_trust(&self) -> Result<Vec<carekeep_domain::client_address::Cidr>, ConfigError> {
        let nets = self
            .trusted_proxies
            .iter()
            .map(|s| s.parse())
            .collect::<Result<Vec<_>, String>>()
            .map_err(|reason| ConfigError::Invalid {
                name: "trusted_proxies",
                reason,
            })?;
        Ok(if self.behind_tls_proxy { nets } else { Vec::new() })
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        self.proxy_trust()?;
        if !IDLE_MINUTES_RANGE.contains(&self.session_idle_minutes) {
            return Err(ConfigError::Invalid {
                name: "session_idle_minutes",
                reason: format!(
                    "{} is outside {} to {} minutes (automatic logoff, 164.312(a)(2)(iii))",
                    self.session_idle_minutes,
                    IDLE_MINUTES_RANGE.start(),
                    IDLE_MINUTES_RANGE.end()
                ),
            });
        }
        if !(1..=24).contains(&self.session_absolute_hours) {
            return Err(ConfigError::Invalid {
                name: "session_absolute_hours",
                reason: format!("{} is outside 1 to 24 hours", self.session_absolute_hours),
            });
        }
        if !(1..=1440).contains(&self.audit_checkpoint_minutes) {
            return Err(ConfigError::Invalid {
                name: "audit_checkpoint_minutes",
                reason: format!("{} is outside 1 to 1440 minutes", self.audit_checkpoint_minutes),
            });
        }
        self.clinic_hours()?;
        if self.monitoring_max_charts_per_hour == 0 {
            return Err(ConfigError::Invalid {
                name: "monitoring_max_charts_per_hour",
                reason: "must be at least 1".into(),
            });
        }
        if !(5..=480).contains(&self.break_glass_minutes) {
            return Err(ConfigError::Invalid {
                name: "break_glass_minutes",
                reason: format!("{} is outside 5 to 480 minutes", self.break_glass_minutes),
            });
        }
        if !(1..=100).contains(&self.attachment_max_mib) {
            return Err(ConfigError::Invalid {
                name: "attachment_max_mib",
                reason: format!("{} is outside 1 to 100 MiB", self.attachment_max_mib),
            });
        }
        if !(1..=365).contains(&self.training_days_after_hire) {
            return Err(ConfigError::Invalid {
                name: "training_days_after_hire",
                reason: format!("{} is outside 1 to 365 days", self.training_days_after_hire),
            });
        }
        self.program_start()?;
        self.mail()?;
        self.reminders()?;
        if !self.backup_dir.as_os_str().is_empty() && self.backup_key_file.is_none() {
            return Err(ConfigError::Invalid {
                name: "backup_key_file",
                reason: "scheduled backups (backup_dir) need the backup key file: make one with `carekeep backup key --out FILE`".into(),
            });
        }
        if !(1..=300).contains(&self.request_header_timeout_seconds) {
            return Err(ConfigError::Invalid {
                name: "request_header_timeout_seconds",
                reason: format!("{} is outside 1 to 300 seconds", self.request_header_timeout_seconds),
            });
        }
        if self.max_connections == 0 {
            return Err(ConfigError::Invalid {
                name: "max_connections",
                reason: "must be at least 1".into(),
            });
        }
        if self.login_rate_limit_per_minute == 0 {
            return Err(ConfigError::Invalid {
                name: "login_rate_limit_per_minute",
                reason: "must be at least 1".into(),
            });
        }
        if self.tls_cert.is_some() != self.tls_key.is_some() {
            return Err(ConfigError::Invalid {
                name: "tls_cert/tls_key",
                reason: "set both the certificate and the key, or neither".into(),
            });
        }
        self.portal()?;
        if !self.database_url.is_empty() && carekeep_app::datadir::is_postgres_url(&self.database_url).is_none() {
            return Err(ConfigError::Invalid {
                name: "database_url",
                reason: "use a postgres:// URL, or leave it empty for SQLite in the data folder".into(),
            });
        }
        self.backup_s3()?;
        Ok(())
    }

    /// The S3-compatible off-site target, if one is configured; each setting checked.
    pub fn backup_s3(&self) -> Result<Option<carekeep_app::backup::S3Target>, ConfigError> {
        let endpoint = self.backup_s3_endpoint.trim();
        if endpoint.is_empty() {
            return Ok(None);
        }
        let invalid = |name, reason: &str| ConfigError::Invalid {
            name,
            reason: reason.to_owned(),
        };
        let url: reqwest::Url = endpoint.parse().map_err(|_| {
            invalid(
                "backup_s3_endpoint",
                "give the endpoint's URL, e.g. https://s3.us-east-1.amazonaws.com",
            )
        })?;
        let local = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        if url.scheme() != "https" && !(url.scheme() == "http" && local) {
            return Err(invalid(
                "backup_s3_endpoint",
                "use https:// (plain http is allowed only to a bucket on this machine)",
            ));
        }
        for (name, value) in [
            ("backup_s3_bucket", &self.backup_s3_bucket),
            ("backup_s3_region", &self.backup_s3_region),
            ("backup_s3_access_key", &self.backup_s3_access_key),
            ("backup_s3_secret_key", &self.backup_s3_secret_key),
        ] {
            if value.trim().is_empty() {
                return Err(invalid(name, "set it too when backup_s3_endpoint is set"));
            }
        }
        if self.backup_offsite_vendor.trim().is_empty() {
            return Err(invalid(
                "backup_offsite_vendor",
                "a bucket is run by a cloud vendor: name its vendor record (the BAA gate applies to off-site backups)",
            ));
        }
        Ok(Some(carekeep_app::backup::S3Target {
            endpoint: url,
            bucket: self.backup_s3_bucket.trim().to_owned(),
            region: self.backup_s3_region.trim().to_owned(),
            access_key: self.backup_s3_access_key.trim().to_owned(),
            secret_key: self.backup_s3_secret_key.trim().to_owned(),
            prefix: self.backup_s3_prefix.trim().to_owned(),
            virtual_host: self.backup_s3_virtual_host,
        }))
    }

    /// The SMTP relay, if one is configured; each setting checked by the same rule as the
    /// set-up page's (`carekeep_domain::program::mail_relay::check`).
    pub fn mail(&self) -> Result<Option<carekeep_app::mail::MailSettings>, ConfigError> {
        use carekeep_app::mail::MailSettings;
        use carekeep_domain::program::mail_relay::{check, Typed};
        if self.smtp_host.trim().is_empty() {
            return Ok(None);
        }
        let relay = check(&Typed {
            host: self.smtp_host.clone(),
            port: self.smtp_port.to_string(),
            security: self.smtp_security.clone(),
            username: self.smtp_username.clone(),
            from: self.smtp_from.clone(),
            vendor: self.smtp_vendor.clone(),
        })
        .map_err(|p| ConfigError::Invalid {
            name: match p.field {
                "host" => "smtp_host",
                "port" => "smtp_port",
                "security" => "smtp_security",
                "username" => "smtp_username",
                "from" => "smtp_from",
                _ => "smtp_vendor",
            },
            reason: p.message.to_owned(),
        })?;
        if relay.from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(ConfigError::Invalid {
                name: "smtp_from",
                reason: "set the sender, e.g. Carekeep <carekeep@clinic.example>".to_owned(),
            });
        }
        Ok(Some(MailSettings {
            host: relay.host,
            port: relay.port,
            security: relay.security,
            username: relay.username,
            password: self.smtp_password.clone(),
            from: relay.from,
            vendor: relay.vendor,
        }))
    }

    /// Appointment reminders: the SMS gateway, if one is configured, and the patients' address;
    /// each setting checked.
    pub fn reminders(&self) -> Result<carekeep_app::calendar::ReminderSettings, ConfigError> {
        use carekeep_app::calendar::{ReminderSettings, SmsAuth, SmsSettings};
        let invalid = |name, reason: &str| ConfigError::Invalid {
            name,
            reason: reason.to_owned(),
        };
        let web = |name, url: &str| -> Result<(), ConfigError> {
            let local = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
                .iter()
                .any(|l| {
                    url.strip_prefix(l)
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
                });
            if url.starts_with("https://") || local {
                Ok(())
            } else {
                Err(invalid(name, "use an https:// address (http:// only on this machine)"))
            }
        };
        let patient_url = self.patient_url.trim().trim_end_matches('/').to_owned();
        if !patient_url.is_empty() {
            web("patient_url", &patient_url)?;
        }
        if !self.sms_webhook_secret.is_empty() && self.sms_webhook_secret.chars().count() < WEBHOOK_SECRET_MIN {
            return Err(invalid(
                "sms_webhook_secret",
                "use at least 24 characters (anyone who knows it can opt patients out of texts)",
            ));
        }
        let base = self.sms_base_url.trim().trim_end_matches('/');
        if base.is_empty() {
            return Ok(ReminderSettings { sms: None, patient_url });
        }
        web("sms_base_url", base)?;
        let auth = match (self.sms_token.is_empty(), self.sms_username.trim().is_empty()) {
            (false, true) => SmsAuth::Bearer(self.sms_token.clone()),
            (true, false) => SmsAuth::Basic {
                username: self.sms_username.trim().to_owned(),
                password: self.sms_password.clone(),
            },
            _ => {
                return Err(invalid(
                    "sms_token",
                    "set either the gateway's token or sms_username and sms_password",
                ))
            }
        };
        if self.sms_from.trim().is_empty() {
            return Err(invalid("sms_from", "set the clinic's sending number at the gateway"));
        }
        if self.sms_vendor.trim().is_empty() {
            return Err(invalid(
                "sms_vendor",
                "name the vendor record of the gateway's operator (the BAA gate applies to every outbound integration)",
            ));
        }
        Ok(ReminderSettings {
            sms: Some(SmsSettings {
                base_url: base.to_owned(),
                auth,
                from: self.sms_from.trim().to_owned(),
                vendor: self.sms_vendor.trim().to_owned(),
            }),
            patient_url,
        })
    }

    /// The database URL in effect.
    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!("sqlite://{}?mode=rwc", self.data_dir.join("carekeep.db").display())
        } else {
            self.database_url.clone()
        }
    }

    /// Where this clinic's database and key are, for opening, backups and key rotation.
    pub fn files(&self) -> carekeep_app::datadir::ClinicFiles {
        carekeep_app::datadir::ClinicFiles {
            data_dir: self.data_dir.clone(),
            database_url: self.database_url(),
            master_key: self.master_key_path(),
        }
    }

    /// The off-site copy's targets.
    pub fn offsite(&self) -> Result<carekeep_app::backup::Offsite, ConfigError> {
        Ok(carekeep_app::backup::Offsite {
            dir: self.backup_offsite_dir.clone(),
            s3: self.backup_s3()?,
            vendor: self.backup_offsite_vendor.clone(),
        })
    }

    /// The nightly backup's settings; an off-site setting that does not parse was refused at start.
    pub fn backup_plan(&self) -> Result<carekeep_app::backup::Plan, ConfigError> {
        Ok(carekeep_app::backup::Plan {
            clinic: self.files(),
            backup_dir: self.backup_dir.clone(),
            key_file: self.backup_key_file.clone(),
            offsite: self.offsite()?,
        })
    }

    pub fn master_key_path(&self) -> PathBuf {
        self.master_key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("keys").join("master.key"))
    }

    pub fn lifetime(&self) -> Lifetime {
        Lifetime {
            idle: time::Duration::minutes(self.session_idle_minutes),
            absolute: time::Duration::hours(self.session_absolute_hours),
        }
    }

    /// The program's start date, when set.
    pub fn program_start(&self) -> Result<Option<time::Date>, ConfigError> {
        let s = self.program_start.trim();
        if s.is_empty() {
            return Ok(None);
        }
        time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]"))
            .map(Some)
            .map_err(|_| ConfigError::Invalid {
                name: "program_start",
                reason: format!("'{s}' is not a date: write it as 2026-12-01"),
            })
    }

    /// The clinic's opening hours, for access monitoring.
    pub fn clinic_hours(&self) -> Result<carekeep_domain::monitoring::ClinicHours, ConfigError> {
        use time::Weekday::*;
        let days = self
            .clinic_days
            .split(',')
            .map(|d| match d.trim().to_ascii_lowercase().as_str() {
                "mon" => Ok(Monday),
                "tue" => Ok(Tuesday),
                "wed" => Ok(Wednesday),
                "thu" => Ok(Thursday),
                "fri" => Ok(Friday),
                "sat" => Ok(Saturday),
                "sun" => Ok(Sunday),
                other => Err(ConfigError::Invalid {
                    name: "clinic_days",
                    reason: format!("'{other}' is not a day: use mon, tue, wed, thu, fri, sat, sun"),
                }),
            })
            .collect::<Result<Vec<_>, _>>()?;
        if self.clinic_open_hour >= self.clinic_close_hour || self.clinic_close_hour > 24 {
            return Err(ConfigError::Invalid {
                name: "clinic_open_hour/clinic_close_hour",
                reason: "opening must be before closing, both from 0 to 24".into(),
            });
        }
        let offset = time::UtcOffset::parse(
            self.clinic_utc_offset.trim(),
            time::macros::format_description!("[offset_hour sign:mandatory]:[offset_minute]"),
        )
        .map_err(|_| ConfigError::Invalid {
            name: "clinic_utc_offset",
            reason: "use the form -05:00 or +01:00".into(),
        })?;
        let zone = match self.clinic_time_zone.trim() {
            "" => carekeep_domain::zone::ClinicZone::fixed(offset),
            name => carekeep_domain::zone::ClinicZone::named(name).ok_or_else(|| ConfigError::Invalid {
                name: "clinic_time_zone",
                reason: format!(
                    "'{name}' is not a time zone; use an IANA name such as America/Chicago or America/New_York"
                ),
            })?,
        };
        Ok(carekeep_domain::monitoring::ClinicHours {
            zone,
            days,
            open_hour: self.clinic_open_hour,
            close_hour: self.clinic_close_hour,
        })
    }

    /// The patients' door as configured, checked: `None` without `portal_listen`.
    pub fn portal(&self) -> Result<Option<PortalSettings>, ConfigError> {
        let invalid = |name: &'static str, reason: &str| ConfigError::Invalid {
            name,
            reason: reason.to_owned(),
        };
        let files = self.portal_tls_cert.is_some() || self.portal_tls_key.is_some();
        let acme = !self.portal_acme_directory.trim().is_empty();
        let Some(listen) = self.portal_listen else {
            if files || acme {
                return Err(invalid(
                    "portal_listen",
                    "a portal certificate is configured but not the portal's address: set portal_listen",
                ));
            }
            return Ok(None);
        };
        if self.portal_rate_limit_per_minute == 0 {
            return Err(invalid("portal_rate_limit_per_minute", "must be at least 1"));
        }
        let host = self.portal_host.trim().trim_end_matches('.').to_ascii_lowercase();
        if !host.is_empty() && !is_host_name(&host) {
            return Err(invalid(
                "portal_host",
                "write the portal's host name alone, e.g. portal.clinic.example (no https://, no port, no path)",
            ));
        }
        let tls = match (&self.portal_tls_cert, &self.portal_tls_key, acme) {
            (Some(_), Some(_), true) => {
                return Err(invalid(
                    "portal_tls_cert/portal_acme_directory",
                    "give the portal's certificate files or an ACME directory, not both",
                ))
            }
            (Some(cert), Some(key), false) => PortalTls::Files {
                cert: cert.clone(),
                key: key.clone(),
            },
            (None, None, true) => {
                let directory = self.portal_acme_directory.trim().to_owned();
                // RFC 8555 section 6.1: ACME runs over HTTPS only.
                if !directory.starts_with("https://") {
                    return Err(invalid(
                        "portal_acme_directory",
                        "must be an https:// URL (RFC 8555 6.1)",
                    ));
                }
                if host.is_empty() {
                    return Err(invalid(
                        "portal_host",
                        "ACME issues the certificate for the portal's host name: set portal_host",
                    ));
                }
                let email = self.portal_acme_email.trim().to_owned();
                if !email.is_empty() && !email.contains('@') {
                    return Err(invalid(
                        "portal_acme_email",
                        "write an email address, e.g. it@clinic.example",
                    ));
                }
                PortalTls::Acme {
                    directory,
                    email,
                    ca_pem: self.portal_acme_ca_pem.clone(),
                    http_listen: self
                        .portal_http_listen
                        .unwrap_or_else(|| SocketAddr::new(listen.ip(), 80)),
                }
            }
            (None, None, false) => PortalTls::Plain,
            _ => {
                return Err(invalid(
                    "portal_tls_cert/portal_tls_key",
                    "set both the certificate and the key, or neither",
                ))
            }
        };
        Ok(Some(PortalSettings { listen, host, tls }))
    }

    pub fn tls_enabled(&self) -> bool {
        self.tls_cert.is_some()
    }

    /// Cookies are marked Secure whenever browsers reach Carekeep over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.tls_enabled() || self.behind_tls_proxy
    }
}

/// The commented sample printed by `carekeep config example`.
pub const EXAMPLE: &str = include_str!("../carekeep.example.toml");

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn defaults_then_file_then_env() {
        let dir = tempfile::tempdir().unwrap();
        let c = Config::load(dir.path(), &env_of(&[])).unwrap();
        assert_eq!(c.session_idle_minutes, 15);
        std::fs::write(
            dir.path().join(FILE_NAME),
            "session_idle_minutes = 10\nlisten = \"127.0.0.1:9000\"\n",
        )
        .unwrap();
        let c = Config::load(dir.path(), &env_of(&[])).unwrap();
        assert_eq!((c.session_idle_minutes, c.listen.port()), (10, 9000));
        let c = Config::load(dir.path(), &env_of(&[("CAREKEEP_SESSION_IDLE_MINUTES", "5")])).unwrap();
        assert_eq!(c.session_idle_minutes, 5);
    }

    #[test]
    fn secrets_come_from_files_and_are_redacted() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("db-url");
        std::fs::write(&secret, "postgres://ck:hunter2@db/ck\n").unwrap();
        let env = env_of(&[("CAREKEEP_DATABASE_URL_FILE", secret.to_str().unwrap())]);
        let c = Config::load(dir.path(), &env).unwrap();
        assert_eq!(c.database_url, "postgres://ck:hunter2@db/ck");
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn bad_settings_are_named() {
        let dir = tempfile::tempdir().unwrap();
        for (k, v, name) in [
            ("CAREKEEP_SESSION_IDLE_MINUTES", "61", "session_idle_minutes"),
            ("CAREKEEP_SESSION_IDLE_MINUTES", "1", "session_idle_minutes"),
            ("CAREKEEP_TLS_CERT", "/x.pem", "tls_cert/tls_key"),
            ("CAREKEEP_DATABASE_URL", "mysql://x", "database_url"),
            ("CAREKEEP_LISTEN", "nowhere", "CAREKEEP_LISTEN"),
            ("CAREKEEP_TRUSTED_PROXIES", "10.0.0.0/8,proxy.lan", "trusted_proxies"),
            (
                "CAREKEEP_REQUEST_HEADER_TIMEOUT_SECONDS",
                "0",
                "request_header_timeout_seconds",
            ),
            ("CAREKEEP_MAX_CONNECTIONS", "0", "max_connections"),
        ] {
            let err = Config::load(dir.path(), &env_of(&[(k, v)])).unwrap_err().to_string();
            assert!(err.contains(name), "{k}={v}: {err}");
        }
        std::fs::write(dir.path().join(FILE_NAME), "color = \"blue\"\n").unwrap();
        let err = Config::load(dir.path(), &env_of(&[])).unwrap_err().to_string();
        assert!(err.contains("color"), "{err}");
    }

    #[test]
    fn the_example_parses_to_the_defaults() {
        let parsed: Config = toml::from_str(EXAMPLE).unwrap();
        let d = Config::default();
        assert_eq!(
            (
                parsed.listen,
                parsed.session_idle_minutes,
                parsed.session_absolute_hours,
                parsed.login_rate_limit_per_minute
            ),
            (
                d.listen,
                d.session_idle_minutes,
                d.session_absolute_hours,
                d.login_rate_limit_per_minute
            )
        );
        assert_eq!(parsed.trusted_proxies, d.trusted_proxies);
        assert_eq!(
            (parsed.request_header_timeout_seconds, parsed.max_connections),
            (d.request_header_timeout_seconds, d.max_connections)
        );
    }

    #[test]
    fn forwarded_for_is_trusted_only_from_the_listed_proxies_behind_a_proxy() {
        let dir = tempfile::tempdir().unwrap();
        let c = Config::load(dir.path(), &env_of(&[])).unwrap();
        assert!(
            c.proxy_trust().unwrap().is_empty(),
            "no proxy declared: no header believed"
        );
        let env = env_of(&[
            ("CAREKEEP_BEHIND_TLS_PROXY", "true"),
            ("CAREKEEP_TRUSTED_PROXIES", "10.0.0.5, 10.0.1.0/24"),
        ]);
        let c = Config::load(dir.path(), &env).unwrap();
        let trust = c.proxy_trust().unwrap();
        assert_eq!(trust.len(), 2);
        assert!(trust.iter().any(|n| n.contains("10.0.1.9".parse().unwrap())));
        assert!(!trust.iter().any(|n| n.contains("127.0.0.1".parse().unwrap())));
    }

    #[test]
    fn the_portal_is_one_block_checked_at_start() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(FILE_NAME),
            "portal_listen = \"0.0.0.0:8443\"\nportal_host = \"Portal.Clinic.Example\"\n\
             portal_acme_directory = \"https://acme-v02.api.letsencrypt.org/directory\"\n\
             portal_acme_email = \"it@clinic.example\"\n",
        )
        .unwrap();
        let c = Config::load(dir.path(), &env_of(&[])).unwrap();
        let p = c.portal().unwrap().unwrap();
        assert_eq!(p.host, "portal.clinic.example");
        assert!(matches!(p.tls, PortalTls::Acme { http_listen, .. } if http_listen == "0.0.0.0:80".parse().unwrap()));
        let env = env_of(&[("CAREKEEP_PORTAL_LISTEN", "127.0.0.1:9443")]);
        assert_eq!(
            Config::load(dir.path(), &env).unwrap().portal_listen,
            Some("127.0.0.1:9443".parse().unwrap())
        );

        let base = || Config {
            portal_listen: Some("127.0.0.1:9443".parse().unwrap()),
            ..Config::default()
        };
        assert!(matches!(
            base().portal(),
            Ok(Some(PortalSettings {
                tls: PortalTls::Plain,
                ..
            }))
        ));
        assert!(matches!(Config::default().portal(), Ok(None)));
        let refused = |c: Config, name: &str| match c.portal() {
            Err(ConfigError::Invalid { name: n, .. }) => assert_eq!(n, name),
            other => panic!("{name}: {other:?}"),
        };
        refused(
            Config {
                portal_listen: None,
                portal_acme_directory: "https://acme.example/dir".into(),
                portal_host: "p.example".into(),
                ..Config::default()
            },
            "portal_listen",
        );
        refused(
            Config {
                portal_acme_directory: "https://acme.example/dir".into(),
                ..base()
            },
            "portal_host",
        );
        refused(
            Config {
                portal_acme_directory: "http://acme.example/dir".into(),
                portal_host: "p.example".into(),
                ..base()
            },
            "portal_acme_directory",
        );
        refused(
            Config {
                portal_host: "https://p.example/".into(),
                ..base()
            },
            "portal_host",
        );
        refused(
            Config {
                portal_tls_cert: Some("c.pem".into()),
                ..base()
            },
            "portal_tls_cert/portal_tls_key",
        );
        refused(
            Config {
                portal_tls_cert: Some("c.pem".into()),
                portal_tls_key: Some("k.pem".into()),
                portal_acme_directory: "https://acme.example/dir".into(),
                portal_host: "p.example".into(),
                ..base()
            },
            "portal_tls_cert/portal_acme_directory",
        );
        refused(
            Config {
                portal_rate_limit_per_minute: 0,
                ..base()
            },
            "portal_rate_limit_per_minute",
        );
    }
}
