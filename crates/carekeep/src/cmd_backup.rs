//! `carekeep backup`, `carekeep backup verify`, `carekeep backup key`, `carekeep restore`.

use crate::context::Context;
use crate::progress::Bar;
use crate::Failure;
use carekeep_app::backup::{self, BackupError, Manifest};
use carekeep_app::{Clock, SystemClock};
use std::path::PathBuf;

impl From<BackupError> for Failure {
    fn from(e: BackupError) -> Self {
        match e {
            BackupError::Usage(m) | BackupError::Refused(m) => Failure::Usage(m),
            BackupError::Failed(m) => Failure::Failed(m),
        }
    }
}

#[derive(clap::Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BackupArgs {
    #[command(subcommand)]
    command: Option<BackupCommand>,
    /// Where to write the backup (one encrypted file; written whole or not at all).
    #[arg(long)]
    out: Option<PathBuf>,
    /// The backup key file (make one with `carekeep backup key --out FILE`; keep it apart from
    /// the master key file).
    #[arg(long, env = "CAREKEEP_BACKUP_KEY_FILE")]
    key: Option<PathBuf>,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Subcommand, Debug)]
enum BackupCommand {
    /// Restore a backup into a temporary folder and prove it (counts and the audit chain),
    /// without touching the live data; the result is recorded as dashboard evidence.
    Verify {
        file: PathBuf,
        #[arg(long, env = "CAREKEEP_BACKUP_KEY_FILE")]
        key: PathBuf,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Make a new backup key file (mode 0600).
    Key {
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(clap::Args, Debug)]
pub struct RestoreArgs {
    /// The backup file.
    #[arg(long)]
    from: PathBuf,
    #[arg(long, env = "CAREKEEP_BACKUP_KEY_FILE")]
    key: PathBuf,
    /// Replace the clinic in a non-empty --data folder (stop the server first).
    #[arg(long)]
    force: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
}

/// The one-line summary (or its JSON), unless `--quiet`.
fn print(ctx: &Context, json: bool, m: &Manifest, what: &str, place: &str, started: std::time::Instant) {
    if ctx.quiet {
        return;
    }
    let rows: i64 = m.counts.values().sum();
    let seconds = started.elapsed().as_secs_f64();
    if json {
        outln!(
            "{}",
            serde_json::json!({
                "done": what,
                "where": place,
                "tables": m.counts.len(),
                "rows": rows,
                "audit_head": m.audit_head_seq,
                "taken_at": m.created_at,
                "database_bytes": m.database_bytes,
                "seconds": (seconds * 10.0).round() / 10.0,
            })
        );
    } else {
        outln!(
            "{what} {place}: {} tables, {rows} rows, audit trail to event {}, taken {} ({seconds:.1} s)",
            m.counts.len(),
            m.audit_head_seq,
            m.created_at
        );
    }
}

pub async fn backup(ctx: &Context, args: BackupArgs) -> Result<(), Failure> {
    let started = std::time::Instant::now();
    match args.command {
        Some(BackupCommand::Key { out }) => {
            backup::create_key(&out)?;
            if !ctx.quiet {
                outln!(
                    "backup key written to {}: keep it apart from the data folder and the master key",
                    out.display()
                );
            }
            Ok(())
        }
        Some(BackupCommand::Verify { file, key, json }) => {
            let config = ctx.config()?;
            let m = {
                let bar = Bar::new(ctx.quiet || json);
                backup::verify_reporting(
                    &config.files(),
                    &file,
                    &backup::load_key(&key)?,
                    SystemClock.now(),
                    &bar,
                )
                .await?
            };
            print(
                ctx,
                json,
                &m,
                "restored and verified",
                &file.display().to_string(),
                started,
            );
            Ok(())
        }
        None => {
            let (Some(out), Some(key)) = (args.out, args.key) else {
                return Err(Failure::Usage("give --out FILE and --key KEYFILE".into()));
            };
            let config = ctx.config()?;
            let m = {
                let bar = Bar::new(ctx.quiet || args.json);
                backup::create_reporting(&config.files(), &backup::load_key(&key)?, &out, SystemClock.now(), &bar)
                    .await?
            };
            print(
                ctx,
                args.json,
                &m,
                "backup written to",
                &out.display().to_string(),
                started,
            );
            Ok(())
        }
    }
}

pub async fn restore(ctx: &Context, args: RestoreArgs) -> Result<(), Failure> {
    let started = std::time::Instant::now();
    let target = ctx.config()?;
    let m = {
        let bar = Bar::new(ctx.quiet || args.json);
        backup::restore_reporting(
            &args.from,
            &backup::load_key(&args.key)?,
            &target.files(),
            args.force,
            SystemClock.now(),
            &bar,
        )
        .await?
    };
    let into = match target.files().on_postgres() {
        Some(true) => "the PostgreSQL database".to_owned(),
        _ => ctx.data.display().to_string(),
    };
    print(ctx, args.json, &m, "restored and verified into", &into, started);
    Ok(())
}
