//! `carekeep init`: a new clinic in a data folder (or a PostgreSQL database).

use crate::context::{read_password, Context};
use crate::Failure;
use carekeep_app::datadir;
use carekeep_app::setup::{init_clinic, FirstOwner};
use carekeep_app::{Clock, SystemClock};
use carekeep_crypto::keys::MasterKey;
use carekeep_crypto::password::PasswordHasher;
use carekeep_server::{config, Config};

#[derive(clap::Args, Debug)]
pub struct InitArgs {
    /// The clinic's name, as shown on every page.
    #[arg(long, default_value = "My Clinic")]
    clinic_name: String,
    /// The first owner's username (prompted for when missing and a terminal is attached).
    #[arg(long)]
    owner_username: Option<String>,
    /// The first owner's full name.
    #[arg(long, default_value = "")]
    owner_name: String,
    /// Read the owner's password from one line of standard input (for scripts).
    #[arg(long)]
    owner_password_stdin: bool,
    /// The clinic's time zone, an IANA name (America/Chicago, America/Los_Angeles...): dates,
    /// "today", opening hours and reminders follow it, daylight saving included. Written to
    /// carekeep.toml as `clinic_time_zone`, where it can be changed later.
    #[arg(long, default_value = "America/New_York")]
    time_zone: String,
    /// The day the clinic starts its compliance program (04/23/2026 or 2026-04-23; default:
    /// today in the clinic's time zone). Staff already working then are due their first
    /// training within the hire window from this day. Written to carekeep.toml as
    /// `program_start`.
    #[arg(long)]
    program_start: Option<String>,
}

pub async fn run(ctx: &Context, args: InitArgs) -> Result<(), Failure> {
    let username = match args.owner_username {
        Some(u) => u,
        None => prompt_line("Owner's username")?,
    };
    let zone = carekeep_domain::zone::ClinicZone::named(&args.time_zone).ok_or_else(|| {
        Failure::Usage(format!(
            "--time-zone '{}' is not a time zone; use an IANA name such as America/Chicago",
            args.time_zone.trim()
        ))
    })?;
    let program_start = match &args.program_start {
        Some(s) => carekeep_domain::records::patient::parse_date(s).map_err(|_| {
            Failure::Usage(format!(
                "--program-start '{}' is not a date; write it as 12/01/2026",
                s.trim()
            ))
        })?,
        None => zone.local(SystemClock.now()).date(),
    };
    let password = read_password(args.owner_password_stdin, "Owner's password (at least 12 characters)")?;
    let hasher = ctx.hasher()?;
    prepare_folder(ctx)?;
    set_line(ctx, "clinic_time_zone", zone.name())?;
    set_line(ctx, "program_start", &program_start.to_string())?;
    let cfg = ctx.config()?;
    let master = create_or_load_key(&cfg)?;
    create_clinic(
        &cfg,
        &master,
        &hasher,
        &args.clinic_name,
        &FirstOwner {
            username: &username,
            display_name: &args.owner_name,
            password: &password,
        },
    )
    .await?;
    outln!(
        "Created clinic '{}' in {}",
        args.clinic_name.trim(),
        cfg.data_dir.display()
    );
    outln!(
        "Master key: {}  (back it up somewhere other than this machine: without it the data cannot be read)",
        cfg.master_key_path().display()
    );
    outln!("Time zone: {} (clinic_time_zone in carekeep.toml)", zone.name());
    outln!(
        "Program start: {:02}/{:02}/{} (program_start in carekeep.toml)",
        u8::from(program_start.month()),
        program_start.day(),
        program_start.year()
    );
    outln!("Next: carekeep serve --data {}", cfg.data_dir.display());
    Ok(())
}

/// Creates the folder and a default carekeep.toml, and loads the configuration.
pub fn prepare_folder(ctx: &Context) -> Result<Config, Failure> {
    datadir::create_dirs(&ctx.data).map_err(|e| Failure::Usage(e.to_string()))?;
    let path = ctx.data.join(config::FILE_NAME);
    if !path.exists() {
        datadir::write_private(&path, config::EXAMPLE.as_bytes()).map_err(|e| Failure::Failed(e.to_string()))?;
    }
    ctx.config()
}

/// Writes a setting into carekeep.toml (the clinic's zone, the program's start): its line
/// replaced, or added.
fn set_line(ctx: &Context, key: &str, value: &str) -> Result<(), Failure> {
    let path = ctx.data.join(config::FILE_NAME);
    let text = std::fs::read_to_string(&path).map_err(|e| Failure::Failed(format!("{}: {e}", path.display())))?;
    let line = format!("{key} = \"{value}\"");
    let mut found = false;
    let mut out: Vec<String> = text
        .lines()
        .map(|l| {
            if l.trim_start().split(['=', ' ']).next() == Some(key) {
                found = true;
                line.clone()
            } else {
                l.to_owned()
            }
        })
        .collect();
    if !found {
        out.push(line);
    }
    let mut body = out.join("\n");
    body.push('\n');
    datadir::write_private(&path, body.as_bytes()).map_err(|e| Failure::Failed(e.to_string()))
}

pub fn create_or_load_key(cfg: &Config) -> Result<MasterKey, Failure> {
    let path = cfg.master_key_path();
    if path.exists() {
        datadir::load_master_key(&path).map_err(|e| Failure::Usage(e.to_string()))
    } else {
        datadir::create_master_key(&path).map_err(|e| Failure::Usage(e.to_string()))
    }
}

pub async fn create_clinic(
    cfg: &Config,
    master: &MasterKey,
    hasher: &PasswordHasher,
    name: &str,
    owner: &FirstOwner<'_>,
) -> Result<(), Failure> {
    let clock = SystemClock;
    Ok(init_clinic(&cfg.database_url(), master, hasher, &clock, name, owner).await?)
}

fn prompt_line(label: &str) -> Result<String, Failure> {
    use std::io::{IsTerminal, Write};
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Usage(format!("{label} is required: pass it as a flag")));
    }
    out!("{label}: ");
    std::io::stdout().flush().ok();
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| Failure::Failed(e.to_string()))?;
    Ok(line.trim().to_owned())
}
