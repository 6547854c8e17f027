//! What every command shares: where the clinic is, and how to open it.

use crate::Failure;
use carekeep_app::{App, SystemClock};
use carekeep_crypto::password::{PasswordHasher, DEFAULT_TARGET};
use carekeep_server::{AppState, Config};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug)]
pub struct Context {
    pub data: PathBuf,
    pub database_url: Option<String>,
    /// `--quiet`: no progress, no summary on success.
    pub quiet: bool,
}

impl Context {
    /// The configuration: defaults, the data folder's carekeep.toml, CAREKEEP_* variables,
    /// then the command line.
    pub fn config(&self) -> Result<Config, Failure> {
        let mut config =
            Config::load(&self.data, &|k| std::env::var(k).ok()).map_err(|e| Failure::Usage(e.to_string()))?;
        if let Some(url) = &self.database_url {
            config.database_url = url.clone();
            config.validate().map_err(|e| Failure::Usage(e.to_string()))?;
        }
        Ok(config)
    }

    /// Argon2id calibrated on this machine, on a thread of its own beside start-up (the
    /// first hash waits for it): a server answers well before the calibration's second is up.
    pub fn hasher(&self) -> Result<PasswordHasher, Failure> {
        let hasher = PasswordHasher::lazily(DEFAULT_TARGET);
        let warm = hasher.clone();
        std::thread::spawn(move || warm.warm());
        Ok(hasher)
    }

    pub async fn open_state(&self, config: Config) -> Result<AppState, Failure> {
        Ok(carekeep_server::open(config, Arc::new(SystemClock), self.hasher()?).await?)
    }

    /// The app on a clock the caller moves (the demo's seeded week).
    pub async fn open_state_on(&self, config: Config, clock: carekeep_app::ManualClock) -> Result<AppState, Failure> {
        Ok(carekeep_server::open(config, Arc::new(clock), self.hasher()?).await?)
    }

    pub async fn open_app(&self) -> Result<App, Failure> {
        Ok(self.open_state(self.config()?).await?.app)
    }
}

/// Reads a secret: one line from standard input, or an interactive prompt typed twice.
pub fn read_password(from_stdin: bool, prompt: &str) -> Result<String, Failure> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| Failure::Failed(format!("reading standard input: {e}")))?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    let first = rpassword::prompt_password(format!("{prompt}: "))
        .map_err(|e| Failure::Usage(format!("cannot prompt ({e}); use --password-stdin")))?;
    let again = rpassword::prompt_password("Type it again: ").map_err(|e| Failure::Usage(e.to_string()))?;
    if first != again {
        return Err(Failure::Usage("the two passwords differ".into()));
    }
    Ok(first)
}
