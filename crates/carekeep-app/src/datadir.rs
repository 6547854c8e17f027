//! The data folder: config, SQLite database, key file, attachments. The master key lives in a
//! file with mode 0600, never in the database (164.312(a)(2)(iv); HHS's guidance keeps keys
//! apart from the data they protect).

use carekeep_crypto::keys::MasterKey;
use std::io::Write;
use std::path::Path;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum KeyFileError {
    #[error(
        "the master key file {0} is missing; restore it from your key backup, or point CAREKEEP_MASTER_KEY_FILE at it"
    )]
    Missing(String),
    #[error("the master key file {path} can be read by other users (mode {mode:o}); run `chmod 600 {path}`")]
    TooOpen { path: String, mode: u32 },
    #[error("the master key file {0} is not a Carekeep master key")]
    Invalid(String),
    #[error("the master key file {0} exists already; refusing to overwrite it")]
    Exists(String),
    #[error("{path}: {reason}")]
    Io { path: String, reason: String },
    #[error("{path} in the data folder can be read by other users (mode {mode:o}); run `chmod {fix} {path}` (Carekeep keeps files 600 and folders 700)")]
    OpenToOthers { path: String, mode: u32, fix: &'static str },
}

fn io(path: &Path, e: std::io::Error) -> KeyFileError {
    KeyFileError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// Creates the data folder (mode 0700) and its `attachments` folder.
pub fn create_dirs(data_dir: &Path) -> Result<(), KeyFileError> {
    for dir in [data_dir.to_path_buf(), data_dir.join("attachments")] {
        std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
        restrict(&dir, 0o700)?;
    }
    Ok(())
}

/// Creates a folder inside the data folder, mode 0700.
pub fn create_private_dir(dir: &Path) -> Result<(), KeyFileError> {
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    restrict(dir, 0o700)
}

/// Writes a new file readable by its owner only (0600), replacing one that exists.
pub fn write_private(path: &Path, contents: &[u8]) -> Result<(), KeyFileError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| io(path, e))?;
    // An existing file keeps its mode through open(): set it.
    restrict(path, 0o600)?;
    file.write_all(contents).map_err(|e| io(path, e))?;
    file.sync_all().map_err(|e| io(path, e))
}

/// Refuses a data folder that other users can read into: the folder itself or anything in
/// it (the database and its WAL hold every audit event and all the ciphertext; the config
/// may hold the SMTP password; the key must never be shared), whatever created it. Names
/// the first such file and the `chmod` that fixes it.
pub fn check_private(data_dir: &Path) -> Result<(), KeyFileError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mut pending = vec![data_dir.to_path_buf()];
        while let Some(path) = pending.pop() {
            let meta = std::fs::symlink_metadata(&path).map_err(|e| io(&path, e))?;
            let mode = meta.permissions().mode() & 0o777;
            if meta.file_type().is_symlink() {
                continue;
            }
            if mode & 0o077 != 0 {
                return Err(KeyFileError::OpenToOthers {
                    path: path.display().to_string(),
                    mode,
                    fix: if meta.is_dir() { "700" } else { "600" },
                });
            }
            if meta.is_dir() {
                let mut children: Vec<_> = std::fs::read_dir(&path)
                    .map_err(|e| io(&path, e))?
                    .flatten()
                    .map(|e| e.path())
                    .collect();
                children.sort();
                children.reverse();
                pending.extend(children);
            }
        }
    }
    #[cfg(not(unix))]
    let _ = data_dir;
    Ok(())
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> Result<(), KeyFileError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(|e| io(path, e))
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _mode: u32) -> Result<(), KeyFileError> {
    Ok(())
}

/// Writes a new master key file with mode 0600. Refuses to overwrite one.
pub fn create_master_key(path: &Path) -> Result<MasterKey, KeyFileError> {
    if path.exists() {
        return Err(KeyFileError::Exists(path.display().to_string()));
    }
    if let Some(parent) = path.parent() {
        create_private_dir(parent)?;
    }
    let key = MasterKey::generate();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| io(path, e))?;
    file.write_all(key.to_file_contents().as_bytes())
        .map_err(|e| io(path, e))?;
    file.sync_all().map_err(|e| io(path, e))?;
    Ok(key)
}

/// Reads the master key, refusing a missing file or one others can read.
pub fn load_master_key(path: &Path) -> Result<MasterKey, KeyFileError> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => KeyFileError::Missing(shown.clone()),
        _ => io(path, e),
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(KeyFileError::TooOpen { path: shown, mode });
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    let text = zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(|e| io(path, e))?);
    MasterKey::from_file_contents(&text).map_err(|_| KeyFileError::Invalid(shown))
}

/// Where `carekeep key rotate` writes the next master key until the database has switched to
/// it; renamed over the key file once the switch has committed.
pub fn pending_key_path(path: &Path) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".next");
    std::path::PathBuf::from(name)
}

/// Writes the next master key beside the current one (mode 0600, synced).
pub fn create_pending_key(path: &Path) -> Result<MasterKey, KeyFileError> {
    create_master_key(&pending_key_path(path))
}

/// Puts the pending key in place of the current one (an atomic rename, then the folder synced).
pub fn promote_pending_key(path: &Path) -> Result<(), KeyFileError> {
    let pending = pending_key_path(path);
    std::fs::rename(&pending, path).map_err(|e| io(path, e))?;
    if let Some(parent) = path.parent() {
        if let Ok(dir) = std::fs::File::open(parent) {
            dir.sync_all().map_err(|e| io(parent, e))?;
        }
    }
    Ok(())
}

/// Where one clinic's data lives: what opening, backing up, restoring and rotating need to know.
#[derive(Clone, Debug)]
pub struct ClinicFiles {
    pub data_dir: std::path::PathBuf,
    pub database_url: String,
    pub master_key: std::path::PathBuf,
}

impl ClinicFiles {
    /// A clinic on SQLite in `data_dir`, its key where `carekeep init` puts it.
    pub fn sqlite_in(data_dir: &Path) -> Self {
        ClinicFiles {
            data_dir: data_dir.to_path_buf(),
            database_url: format!("sqlite://{}?mode=rwc", data_dir.join("carekeep.db").display()),
            master_key: data_dir.join("keys").join("master.key"),
        }
    }

    /// Whether the database lives on PostgreSQL (`None` for a URL of neither kind).
    pub fn on_postgres(&self) -> Option<bool> {
        is_postgres_url(&self.database_url)
    }
}

/// Whether a database URL names PostgreSQL, SQLite (`Some(false)`), or neither (`None`).
pub fn is_postgres_url(url: &str) -> Option<bool> {
    carekeep_store::Backend::from_url(url).map(|b| b == carekeep_store::Backend::Postgres)
}

/// Whether `master` opens every data key in this database (to pick the right key file after a
/// rotation that stopped between its commit and the key file's rename).
pub(crate) async fn opens(store: &carekeep_store::Store, master: &MasterKey) -> Result<bool, crate::AppError> {
    let mut conn = store.read().await?;
    let wrapped = carekeep_store::keys::all(&mut conn).await?;
    Ok(wrapped.iter().all(|(id, w)| master.unwrap_key(*id, w).is_ok()))
}

/// Why a clinic did not open.
#[derive(Debug, Error)]
pub enum OpenError {
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
    #[error(transparent)]
    App(#[from] crate::AppError),
}

impl From<carekeep_store::StoreError> for OpenError {
    fn from(e: carekeep_store::StoreError) -> Self {
        OpenError::App(crate::AppError::Internal(format!("database: {e}")))
    }
}

/// Opens the clinic in `files`: the master key (refused if missing or readable by others), the
/// database (migrated), and the app.
pub async fn open(
    files: &ClinicFiles,
    clock: std::sync::Arc<dyn crate::Clock>,
    hasher: carekeep_crypto::password::PasswordHasher,
    settings: crate::AppSettings,
) -> Result<crate::App, OpenError> {
    let mut master = load_master_key(&files.master_key)?;
    let store = carekeep_store::Store::open(&files.database_url, clock.now()).await?;
    // A rotation that committed but stopped before renaming its key file leaves the database
    // wrapped under the pending key: finish it.
    let pending = pending_key_path(&files.master_key);
    if pending.exists() && !opens(&store, &master).await? {
        let next = load_master_key(&pending)?;
        if opens(&store, &next).await? {
            promote_pending_key(&files.master_key)?;
            tracing::warn!("finished an interrupted master key rotation");
            master = next;
        }
    }
    Ok(crate::App::open(store, &master, clock, hasher, settings).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_is_private_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/master.key");
        assert!(matches!(load_master_key(&path), Err(KeyFileError::Missing(_))));
        create_master_key(&path).unwrap();
        assert!(matches!(create_master_key(&path), Err(KeyFileError::Exists(_))));
        load_master_key(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let err = load_master_key(&path).unwrap_err();
            assert!(matches!(err, KeyFileError::TooOpen { mode: 0o644, .. }), "{err}");
        }
        std::fs::write(dir.path().join("bad.key"), "nope").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.path().join("bad.key"), std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        assert!(matches!(
            load_master_key(&dir.path().join("bad.key")),
            Err(KeyFileError::Invalid(_))
        ));
    }

    #[cfg(unix)]
    #[test]
    fn a_data_folder_open_to_others_is_named_with_its_fix() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        create_dirs(&data).unwrap();
        write_private(&data.join("carekeep.toml"), b"# settings\n").unwrap();
        create_master_key(&data.join("keys/master.key")).unwrap();
        check_private(&data).unwrap();
        let set = |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
        for (path, mode, fix) in [
            (data.join("carekeep.toml"), 0o644, "chmod 600"),
            (data.join("keys"), 0o755, "chmod 700"),
            (data.clone(), 0o750, "chmod 700"),
            (data.join("attachments"), 0o701, "chmod 700"),
        ] {
            let before = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            set(&path, mode);
            let err = check_private(&data).unwrap_err().to_string();
            assert!(err.contains(&format!("{fix} {}", path.display())), "{err}");
            set(&path, before);
        }
        check_private(&data).unwrap();
        // write_private narrows a file that exists already.
        set(&data.join("carekeep.toml"), 0o644);
        write_private(&data.join("carekeep.toml"), b"# again\n").unwrap();
        check_private(&data).unwrap();
    }
}
