//! Creating a clinic: its data key, its roles and its first owner.

use crate::audit::AuditKeys;
use crate::{Actor, AppError, Clock};
use carekeep_crypto::keys::{DataKey, MasterKey};
use carekeep_crypto::password::PasswordHasher;
use carekeep_domain::access::default_roles;
use carekeep_domain::audit::{Action, AuditEvent, Outcome};
use carekeep_domain::{password, username, RoleName};
use carekeep_store::{clinic, keys, roles, users, Store};

/// The first owner account of a new clinic.
#[derive(Debug)]
pub struct FirstOwner<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
}

/// Creates the clinic in the empty database at `database_url` (migrating it first). Refuses when
/// one exists.
pub async fn init_clinic(
    database_url: &str,
    master: &MasterKey,
    hasher: &PasswordHasher,
    clock: &dyn Clock,
    clinic_name: &str,
    owner: &FirstOwner<'_>,
) -> Result<(), AppError> {
    let store = Store::open(database_url, clock.now()).await?;
    let result = create(&store, master, hasher, clock, clinic_name, owner).await;
    store.close().await;
    result
}

async fn create(
    store: &Store,
    master: &MasterKey,
    hasher: &PasswordHasher,
    clock: &dyn Clock,
    clinic_name: &str,
    owner: &FirstOwner<'_>,
) -> Result<(), AppError> {
    let name = crate::input::line("clinic's name", clinic_name, 120, true)?;
    let name = name.as_str();
    let key = username::normalize(owner.username).map_err(|e| AppError::Invalid(e.to_string()))?;
    password::check(owner.password, owner.username).map_err(|e| AppError::Invalid(e.to_string()))?;
    let hash = hasher.hash(owner.password)?;
    let now = clock.now();
    let mut tx = store.begin().await?;
    if clinic::get(tx.conn()).await?.is_some() {
        return Err(AppError::Conflict("this database already holds a clinic".into()));
    }
    clinic::create(tx.conn(), name, now).await?;
    let data_key = DataKey::generate(1);
    keys::insert(tx.conn(), data_key.id(), &master.wrap(&data_key)?, now).await?;
    for role in default_roles() {
        roles::upsert(tx.conn(), &role).await?;
    }
    let id = users::insert(
        tx.conn(),
        &users::NewUser {
            username: owner.username.trim(),
            username_key: &key,
            display_name: display_or(owner.display_name, owner.username),
            password_hash: &hash,
        },
        now,
    )
    .await?;
    let owner_role = RoleName::new("owner").map_err(|e| AppError::Internal(e.to_string()))?;
    users::set_roles(tx.conn(), id, &[owner_role], now).await?;
    let keys = AuditKeys::ensure(tx.conn(), master, now).await?;
    let cli = Actor::Cli;
    let created = AuditEvent::new(
        now,
        cli.audit_actor(),
        Action::ClinicCreated,
        Outcome::Success,
        cli.origin(),
    )
    .with_reason(name);
    keys.record(&mut tx, &created).await?;
    let owner_event = AuditEvent::new(
        now,
        cli.audit_actor(),
        Action::UserCreated,
        Outcome::Success,
        cli.origin(),
    )
    .with_target(id)
    .with_reason("roles: owner");
    keys.record(&mut tx, &owner_event).await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) fn display_or<'a>(display: &'a str, username: &'a str) -> &'a str {
    let d = display.trim();
    if d.is_empty() {
        username.trim()
    } else {
        d
    }
}
