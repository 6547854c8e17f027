//! `carekeep`: run and administer a Carekeep clinic.
//!
//! Exit codes: 0 success; 1 the operation failed (server error, unhealthy; `audit verify`
//! found tampering); 2 bad usage, configuration or input (clap's own usage errors are 2 too).

#[macro_use]
mod out;
mod cmd_audit;
mod cmd_backup;
mod cmd_breach;
mod cmd_fhir;
mod cmd_init;
mod cmd_key;
mod cmd_serve;
mod cmd_user;
mod context;
mod progress;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "carekeep",
    version,
    about = "A self-hosted HIPAA workspace for small clinics"
)]
struct Cli {
    /// The clinic's data folder (database, key file, attachments, config).
    #[arg(long, global = true, env = "CAREKEEP_DATA", default_value = "carekeep-data")]
    data: PathBuf,
    /// A postgres:// URL, to keep the clinic in PostgreSQL instead of SQLite in the data folder.
    #[arg(long, global = true, env = "CAREKEEP_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// No progress bars and no summary on success (errors are still printed): for scripts.
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create a new clinic and its first owner account.
    Init(cmd_init::InitArgs),
    /// Serve the web UI and the JSON API.
    Serve(cmd_serve::ServeArgs),
    /// Create a demo clinic (if the folder has none) with one login per role, and serve it.
    Demo(cmd_serve::ServeArgs),
    /// Administer staff accounts.
    #[command(subcommand)]
    User(cmd_user::UserCommand),
    /// Verify and export the audit trail.
    #[command(subcommand)]
    Audit(cmd_audit::AuditCommand),
    /// Master key rotation.
    #[command(subcommand)]
    Key(cmd_key::KeyCommand),
    /// Take an encrypted backup (`--out FILE --key KEYFILE`), or `verify` one, or make a `key`.
    Backup(cmd_backup::BackupArgs),
    /// Restore a backup into the --data folder (empty unless --force), or into a new PostgreSQL
    /// database (--database-url), and verify it.
    Restore(cmd_backup::RestoreArgs),
    /// Export records (FHIR R4).
    #[command(subcommand)]
    Export(cmd_fhir::ExportCommand),
    /// Import records (FHIR R4).
    #[command(subcommand)]
    Import(cmd_fhir::ImportCommand),
    /// Breach notification rules for a hypothetical breach.
    #[command(subcommand)]
    Breach(cmd_breach::BreachCommand),
    /// Configuration helpers.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Check that the server answers; exit 0 when healthy, 1 when not.
    Healthcheck(cmd_serve::HealthArgs),
}

#[derive(Subcommand, Debug)]
enum ConfigCommand {
    /// Print a commented sample carekeep.toml.
    Example,
}

/// A failure with the exit code it maps to.
#[derive(Debug)]
pub enum Failure {
    /// Bad usage, configuration or input: exit 2.
    Usage(String),
    /// The operation failed: exit 1.
    Failed(String),
    /// `audit verify` found tampering (already printed): exit 1.
    Tampered,
}

impl From<carekeep_app::AppError> for Failure {
    fn from(e: carekeep_app::AppError) -> Self {
        use carekeep_app::AppError as E;
        match e {
            E::Invalid(_) | E::Conflict(_) | E::NotFound(_) | E::Forbidden(_) => Failure::Usage(e.to_string()),
            E::Internal(detail) => Failure::Failed(format!("internal error: {detail}")),
            other => Failure::Failed(other.to_string()),
        }
    }
}

impl From<carekeep_server::StartError> for Failure {
    fn from(e: carekeep_server::StartError) -> Self {
        use carekeep_server::StartError as S;
        match e {
            S::Config(_) | S::KeyFile(_) | S::App(_) | S::Serve(_) => Failure::Usage(e.to_string()),
            S::Database(_) => Failure::Failed(e.to_string()),
        }
    }
}

/// Everything Carekeep creates (the database, its WAL and shared memory, the config, keys,
/// backups, exports) is for the account that runs it alone: files 0600, folders 0700. Set once,
/// before anything is created, so no code path (SQLite's own files included) can forget it.
fn private_files_only() {
    #[cfg(unix)]
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
}

fn main() -> ExitCode {
    carekeep_alloc::init();
    private_files_only();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let ctx = context::Context {
        data: cli.data,
        database_url: cli.database_url,
        quiet: cli.quiet,
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Init(args) => cmd_init::run(&ctx, args).await,
            Command::Serve(args) => cmd_serve::serve(&ctx, args).await,
            Command::Demo(args) => cmd_serve::demo(&ctx, args).await,
            Command::User(cmd) => cmd_user::run(&ctx, cmd).await,
            Command::Audit(cmd) => cmd_audit::run(&ctx, cmd).await,
            Command::Key(cmd) => cmd_key::run(&ctx, cmd).await,
            Command::Breach(cmd) => cmd_breach::run(cmd),
            Command::Export(cmd) => cmd_fhir::export(&ctx, cmd).await,
            Command::Import(cmd) => cmd_fhir::import(&ctx, cmd).await,
            Command::Backup(args) => cmd_backup::backup(&ctx, args).await,
            Command::Restore(args) => cmd_backup::restore(&ctx, args).await,
            Command::Config(ConfigCommand::Example) => {
                out!("{}", carekeep_server::config::EXAMPLE);
                Ok(())
            }
            Command::Healthcheck(args) => cmd_serve::healthcheck(&ctx, args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
        Err(Failure::Failed(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(1)
        }
        Err(Failure::Tampered) => ExitCode::from(1),
    }
}
