//! `App`: the store, the clock, the keys and the settings every use case needs.

use crate::audit::{ensure_secret, Appender, AuditKeys};
use carekeep_crypto::blind::BlindIndexKey;

/// The purpose under which the blind-index key is stored, wrapped by the master key.
pub(crate) const BLIND_INDEX_KEY: &str = "patient_blind_index";
use crate::hash_gate::HashGate;
use crate::{Actor, AppError, Clock};
use carekeep_crypto::keys::{Keyring, MasterKey};
use carekeep_crypto::password::PasswordHasher;
use carekeep_domain::audit::{Action, AuditEvent, Outcome};
use carekeep_domain::session::Lifetime;
use carekeep_domain::Policy;
use carekeep_store::{clinic, keys, roles, Store};
use std::sync::{Arc, RwLock};

/// Settings the use cases read.
#[derive(Clone, Debug, Default)]
pub struct AppSettings {
    pub lifetime: Lifetime,
    pub monitoring: carekeep_domain::monitoring::Settings,
    pub records: RecordSettings,
    pub training: TrainingSettings,
    /// The SMTP relay, when the clinic configured one.
    pub mail: Option<crate::mail::MailSettings>,
    /// Appointment reminders: the SMS gateway and where the links in them point.
    pub reminders: crate::calendar::ReminderSettings,
    /// Facts about the machine Carekeep runs on, for the risk assessment's evidence.
    pub host: HostFacts,
}

/// How browsers reach Carekeep.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Transport {
    /// Carekeep's own TLS.
    BuiltInTls,
    /// A TLS-terminating proxy in front.
    Proxy,
    /// Plain HTTP (allowed on the loopback address only).
    #[default]
    Plain,
}

impl Transport {
    pub fn describe(self) -> &'static str {
        match self {
            Transport::BuiltInTls => "connections use TLS (Carekeep's own, rustls)",
            Transport::Proxy => "connections use TLS, terminated by the proxy in front of Carekeep",
            Transport::Plain => {
                "Carekeep serves plain HTTP on this machine only: set up TLS before other computers use it"
            }
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct HostFacts {
    pub master_key_file: Option<std::path::PathBuf>,
    pub transport: Transport,
    /// Where nightly backups go, if scheduled.
    pub backup_dir: Option<std::path::PathBuf>,
    /// Where the off-site copies go (a folder, a bucket), and the vendor that runs them, if any.
    pub backup_offsite: Option<(String, String)>,
}

impl HostFacts {
    /// Whether the master key file is readable by its owner only (`None`: not checked here).
    pub fn master_key_private(&self) -> Option<bool> {
        let path = self.master_key_file.as_ref()?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::metadata(path)
                .ok()
                .map(|m| m.permissions().mode() & 0o077 == 0)
        }
        #[cfg(not(unix))]
        {
            let _ = path;
            None
        }
    }
}

/// The clinic's training rules.
#[derive(Clone, Copy, Debug, Default)]
pub struct TrainingSettings {
    pub policy: carekeep_domain::program::training::TrainingPolicy,
    /// The day the clinic started its program (`None`: the day the clinic was set up).
    pub program_start: Option<time::Date>,
    /// Keep patient data from people until they complete their training.
    pub before_phi_access: bool,
}

/// Settings of the clinic records.
#[derive(Clone, Copy, Debug)]
pub struct RecordSettings {
    /// How long a break-glass grant lasts (164.312(a)(2)(ii) emergency access: time-limited).
    pub break_glass_minutes: i64,
    /// The largest photo or document accepted.
    pub attachment_max_bytes: usize,
}

impl Default for RecordSettings {
    fn default() -> Self {
        RecordSettings {
            break_glass_minutes: 60,
            attachment_max_bytes: 10 * 1024 * 1024,
        }
    }
}

/// Shared state of a running Carekeep. Cheap to clone.
#[derive(Clone, Debug)]
pub struct App {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Store,
    clock: Arc<dyn Clock>,
    hasher: PasswordHasher,
    hash_gate: HashGate,
    sealer: crate::seal::Sealer,
    blind: BlindIndexKey,
    audit_keys: Arc<AuditKeys>,
    appender: Appender,
    policy: RwLock<Policy>,
    settings: AppSettings,
    clinic_name: String,
    /// When the clinic was set up (`carekeep init`).
    clinic_created_at: time::OffsetDateTime,
    /// The clinic's zone: the one chosen in the settings page, else the configuration's.
    /// Changed while running (`App::set_time_zone`), read by every date shown.
    zone: RwLock<carekeep_domain::zone::ClinicZone>,
    /// What the server knows of the patients' door (issue 27): its listener and certificate.
    portal_door: RwLock<Option<carekeep_domain::program::portal_cert::DoorFacts>>,
}

impl App {
    /// Opens a clinic: unwraps its data keys with the master key and loads its roles.
    pub async fn open(
        store: Store,
        master: &MasterKey,
        clock: Arc<dyn Clock>,
        hasher: PasswordHasher,
        settings: AppSettings,
    ) -> Result<App, AppError> {
        let mut conn = store.read().await?;
        let clinic = clinic::get(&mut conn)
            .await?
            .ok_or_else(|| AppError::Invalid("this database holds no clinic yet; run `carekeep init` first".into()))?;
        let wrapped = keys::all(&mut conn).await?;
        let unwrapped = wrapped
            .iter()
            .map(|(id, w)| master.unwrap_key(*id, w))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| {
                AppError::Invalid("the master key does not open this clinic's data keys: wrong key file?".into())
            })?;
        let keyring = Keyring::new(unwrapped)?;
        let policy = Policy::new(roles::all(&mut conn).await?);
        drop(conn);
        let zone = carekeep_domain::zone::ClinicZone::named(&clinic.time_zone)
            .filter(|_| !clinic.time_zone.is_empty())
            .unwrap_or_else(|| settings.monitoring.hours.zone.clone());
        let mut tx = store.begin().await?;
        let audit_keys = Arc::new(AuditKeys::ensure(tx.conn(), master, clock.now()).await?);
        let blind = BlindIndexKey::from_bytes(&ensure_secret(tx.conn(), master, BLIND_INDEX_KEY, clock.now()).await?)?;
        tx.commit().await?;
        let appender = Appender::spawn(store.clone(), audit_keys.clone());
        let app = App {
            inner: Arc::new(Inner {
                store,
                clock,
                hasher,
                hash_gate: HashGate::for_this_machine(),
                sealer: crate::seal::Sealer::new(keyring),
                blind,
                audit_keys,
                appender,
                policy: RwLock::new(policy),
                settings,
                clinic_name: clinic.name,
                clinic_created_at: clinic.created_at,
                zone: RwLock::new(zone),
                portal_door: RwLock::new(None),
            }),
        };
        // Free text written in clear by an earlier version is sealed now. A clinic opened
        // read-only (the emergency copy) cannot write, and still opens.
        if let Err(e) = app.seal_legacy_free_text().await {
            tracing::warn!(error = %e, "could not seal free text written by an earlier version");
        }
        Ok(app)
    }

    /// Seals incident titles, discoverers, systems and monitoring review notes that an earlier
    /// version stored in clear (run when the clinic opens); nothing is written when there are
    /// none. Returns how many records were sealed.
    pub async fn seal_legacy_free_text(&self) -> Result<usize, AppError> {
        let incidents = self.seal_legacy_incident_text().await?;
        let notes = self.seal_legacy_review_notes().await?;
        if incidents + notes > 0 {
            // The replaced pages' old images live in the write-ahead log until it is folded in.
            if self.store().backend() == carekeep_store::Backend::Sqlite {
                carekeep_store::backups::sqlite_checkpoint(&mut *self.store().read().await?).await?;
            }
            tracing::info!(
                incidents,
                notes,
                "sealed free text stored in clear by an earlier version"
            );
        }
        Ok(incidents + notes)
    }

    pub(crate) fn store(&self) -> &Store {
        &self.inner.store
    }
    /// The database, for tests that tamper with it or scan what it stores. Only the test kit
    /// and the benchmarks turn this on: the server and the CLI reach data through use cases.
    #[cfg(feature = "testing")]
    pub fn store_for_tests(&self) -> &Store {
        &self.inner.store
    }
    /// Closes the database's pools: what a command does before it exits.
    pub async fn close(&self) {
        self.inner.store.close().await;
    }
    /// The day the clinic started its compliance program: the configured date, or the day
    /// the clinic was set up (in the clinic's zone).
    pub fn program_start(&self) -> time::Date {
        self.settings()
            .training
            .program_start
            .unwrap_or_else(|| self.clinic_zone().local(self.clinic_created_at()).date())
    }
    /// When the clinic was set up (`carekeep init`).
    pub fn clinic_created_at(&self) -> time::OffsetDateTime {
        self.inner.clinic_created_at
    }
    pub fn now(&self) -> time::OffsetDateTime {
        self.inner.clock.now()
    }
    pub fn hasher(&self) -> &PasswordHasher {
        &self.inner.hasher
    }
    pub(crate) fn sealer(&self) -> &crate::seal::Sealer {
        &self.inner.sealer
    }
    pub fn blind_index(&self) -> &BlindIndexKey {
        &self.inner.blind
    }
    pub fn audit_keys(&self) -> &AuditKeys {
        &self.inner.audit_keys
    }

    pub(crate) fn appender(&self) -> &Appender {
        &self.inner.appender
    }

    /// A new audit event by `actor`, now.
    pub fn event(&self, actor: &Actor<'_>, action: Action, outcome: Outcome) -> AuditEvent {
        AuditEvent::new(self.now(), actor.audit_actor(), action, outcome, actor.origin())
    }

    pub fn settings(&self) -> &AppSettings {
        &self.inner.settings
    }
    pub fn clinic_name(&self) -> &str {
        &self.inner.clinic_name
    }

    /// The clinic's time zone (daylight saving included), for "today" and for showing times.
    /// The patients' door as the server last told it (`program::portal_cert`).
    pub(crate) fn portal_door_cell(&self) -> &RwLock<Option<carekeep_domain::program::portal_cert::DoorFacts>> {
        &self.inner.portal_door
    }

    pub fn clinic_zone(&self) -> carekeep_domain::zone::ClinicZone {
        self.inner
            .zone
            .read()
            .map(|z| z.clone())
            .unwrap_or_else(|poisoned| poisoned.into_inner().clone())
    }

    /// Puts a newly chosen time zone into force.
    pub(crate) fn replace_zone(&self, zone: carekeep_domain::zone::ClinicZone) {
        match self.inner.zone.write() {
            Ok(mut z) => *z = zone,
            Err(poisoned) => *poisoned.into_inner() = zone,
        }
    }

    /// A snapshot of the clinic's role policy.
    pub fn policy(&self) -> Policy {
        self.inner
            .policy
            .read()
            .map(|p| p.clone())
            .unwrap_or_else(|poisoned| poisoned.into_inner().clone())
    }

    /// Puts a changed set of role definitions into force.
    pub(crate) fn replace_policy(&self, policy: Policy) {
        match self.inner.policy.write() {
            Ok(mut p) => *p = policy,
            Err(poisoned) => *poisoned.into_inner() = policy,
        }
    }

    /// Hashes a password off the async runtime (Argon2 is slow by design), in one of the
    /// bounded hash slots.
    pub async fn hash_password(&self, password: &str) -> Result<String, AppError> {
        let hasher = self.inner.hasher.clone();
        let pw = secrecy::SecretString::from(password.to_owned());
        self.inner
            .hash_gate
            .run(move || {
                use secrecy::ExposeSecret;
                hasher.hash(pw.expose_secret())
            })
            .await?
            .map_err(AppError::from)
    }

    /// Verifies a password off the async runtime, in one of the bounded hash slots. With no
    /// stored hash, spends the same time.
    pub async fn verify_password(&self, password: &str, phc: Option<String>) -> Result<bool, AppError> {
        let hasher = self.inner.hasher.clone();
        let pw = secrecy::SecretString::from(password.to_owned());
        self.inner
            .hash_gate
            .run(move || {
                use secrecy::ExposeSecret;
                match phc {
                    Some(phc) => hasher.verify(pw.expose_secret(), &phc),
                    None => {
                        hasher.dummy_verify(pw.expose_secret());
                        false
                    }
                }
            })
            .await
    }

    /// The most password hashes that ran at once since start (never above
    /// [`crate::hash_gate::MAX_CONCURRENT_HASHES`]).
    pub fn peak_concurrent_hashes(&self) -> usize {
        self.inner.hash_gate.peak()
    }
}
