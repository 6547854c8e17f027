//! `carekeep export fhir` and `carekeep import fhir`: a clinic's records in and out as FHIR R4
//! Bundles. Export is the whole designated record set, run at the machine by whoever holds
//! the master key (no lock-in); import checks every file before writing any, then writes each
//! file in one transaction.

use crate::context::Context;
use crate::progress::Bar;
use crate::Failure;
use carekeep_app::fhir::{import, ImportReport};
use carekeep_app::progress::Progress;
use carekeep_app::{Actor, App};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(clap::Subcommand, Debug)]
pub enum ExportCommand {
    /// One patient's record (`--patient ID --out FILE`) or every patient's (`--all --out DIR`,
    /// one file per patient) as FHIR R4 collection Bundles.
    Fhir {
        /// The patient's id (as in the address of their chart).
        #[arg(long, conflicts_with = "all", required_unless_present = "all")]
        patient: Option<i64>,
        /// Every patient, one file each, into the --out folder.
        #[arg(long)]
        all: bool,
        /// The file (with --patient) or folder (with --all) to write.
        #[arg(long)]
        out: PathBuf,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Subcommand, Debug)]
pub enum ImportCommand {
    /// Load patients from FHIR R4 Bundles (transaction or collection). Every file is checked
    /// first: one malformed file and nothing is imported. Resources Carekeep cannot place are
    /// counted and listed.
    Fhir {
        /// Bundle files (JSON).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The clinical staff account imported records are filed under (default: the first
        /// active provider).
        #[arg(long = "as")]
        as_user: Option<String>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Add the records of a patient already in the clinic (same identifier, or same
        /// name, birth date and sex with a phone, email or identifier in common) to that
        /// chart. Without it such a file is refused, naming the match.
        #[arg(long)]
        merge: bool,
        /// The largest file read, in MiB: a bundle is held in memory whole while it is
        /// checked, so a larger one is refused before it is read.
        #[arg(long, default_value_t = 256)]
        max_mib: u64,
    },
}

pub async fn export(ctx: &Context, cmd: ExportCommand) -> Result<(), Failure> {
    let started = std::time::Instant::now();
    let app = ctx.open_app().await?;
    let ExportCommand::Fhir {
        patient,
        all,
        out,
        json,
    } = cmd;
    // Drawn on standard error at a terminal only; dropped (and cleared) before the summary.
    let bar = Bar::new(ctx.quiet || json);
    let (patients, resources) = if all {
        std::fs::create_dir_all(&out).map_err(|e| Failure::Usage(format!("cannot create {}: {e}", out.display())))?;
        let ids = app.all_patient_ids().await?;
        bar.step("Exporting patients", Some(ids.len() as u64));
        let mut resources = 0;
        for id in &ids {
            let bundle = app.fhir_export_custodian(*id).await?;
            resources += entries(&bundle);
            write_atomic(&out.join(format!("patient-{id}.json")), &bundle)?;
            bar.advance(1);
        }
        (ids.len(), resources)
    } else if let Some(id) = patient {
        bar.step("Exporting the patient's record", None);
        let bundle = app.fhir_export_custodian(id).await?;
        let n = entries(&bundle);
        write_atomic(&out, &bundle)?;
        (1, n)
    } else {
        (0, 0)
    };
    drop(bar);
    if ctx.quiet {
        return Ok(());
    }
    let seconds = started.elapsed().as_secs_f64();
    if json {
        outln!(
            "{}",
            serde_json::json!({
                "patients": patients,
                "resources": resources,
                "where": out.display().to_string(),
                "seconds": (seconds * 10.0).round() / 10.0,
            })
        );
    } else if let (false, Some(id)) = (all, patient) {
        outln!(
            "exported patient {id} ({resources} resources) to {} ({seconds:.1} s)",
            out.display()
        );
    } else {
        outln!(
            "exported {patients} patients ({resources} resources) to {} ({seconds:.1} s)",
            out.display()
        );
    }
    Ok(())
}

/// How many resources a bundle holds.
fn entries(bundle: &serde_json::Value) -> usize {
    bundle
        .get("entry")
        .and_then(serde_json::Value::as_array)
        .map_or(0, Vec::len)
}

/// Written beside the target, synced, then renamed: never a half-written export.
fn write_atomic(path: &Path, bundle: &serde_json::Value) -> Result<(), Failure> {
    let fail = |what: &str, e: std::io::Error| Failure::Failed(format!("{what} {}: {e}", path.display()));
    let tmp = path.with_extension("json.partial");
    let mut f = std::fs::File::create(&tmp).map_err(|e| fail("cannot write", e))?;
    serde_json::to_writer_pretty(&mut f, bundle)
        .map_err(|e| Failure::Failed(format!("cannot write {}: {e}", path.display())))?;
    f.write_all(b"\n")
        .and_then(|()| f.sync_all())
        .map_err(|e| fail("cannot write", e))?;
    std::fs::rename(&tmp, path).map_err(|e| fail("cannot move into place", e))
}

async fn filed_under(app: &App, name: Option<&str>) -> Result<i64, Failure> {
    let providers = app.bookable_providers().await?;
    match name {
        Some(name) => {
            let user = app.find_user(&Actor::Cli, name).await?;
            providers
                .iter()
                .find(|(id, _)| *id == user.id)
                .map(|(id, _)| id.0)
                .ok_or_else(|| Failure::Usage(format!("{name} is not an active member of the clinical staff")))
        }
        None => providers.first().map(|(id, _)| id.0).ok_or_else(|| {
            Failure::Usage("there is no active provider to file imported records under; add one or pass --as".into())
        }),
    }
}

fn plan_file(app: &App, path: &Path, max_mib: u64) -> Result<import::Plan, Failure> {
    let cannot = |e: std::io::Error| Failure::Usage(format!("{}: cannot read: {e}", path.display()));
    let size = std::fs::metadata(path).map_err(cannot)?.len();
    import::check_size(size, max_mib).map_err(|e| Failure::Usage(format!("{}: {e} (--max-mib)", path.display())))?;
    let bytes = std::fs::read(path).map_err(cannot)?;
    import::plan(&bytes, app.now(), app.clinic_today()).map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))
}

pub async fn import(ctx: &Context, cmd: ImportCommand) -> Result<(), Failure> {
    let app = ctx.open_app().await?;
    let ImportCommand::Fhir {
        files,
        as_user,
        json,
        merge,
        max_mib,
    } = cmd;
    let started = std::time::Instant::now();
    let by = filed_under(&app, as_user.as_deref()).await?;
    // The bar counts bytes of the files read: a single large bundle moves as it is checked
    // and again as it is written.
    let sizes: Vec<u64> = files
        .iter()
        .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
        .collect();
    let total: u64 = sizes.iter().sum();
    let bar = Bar::new(ctx.quiet || json);
    bar.step(&format!("Checking {} files", files.len()), Some(total));
    // Every file is read and checked before any is written (and matched against the
    // clinic's patients: a match is merged only when asked); plans are dropped between
    // files so memory stays that of the largest file, however many there are.
    for (path, size) in files.iter().zip(&sizes) {
        let plan = plan_file(&app, path, max_mib)?;
        let matches = app.fhir_matches(&plan).await?;
        bar.advance(*size);
        if !merge {
            if let Some(m) = matches.first() {
                return Err(Failure::Usage(format!(
                    "{}: entry {} is patient {} already in the clinic (same {}); pass --merge to add its records to that chart. Nothing was imported.",
                    path.display(),
                    m.entry,
                    m.patient_id,
                    m.reason
                )));
            }
        }
    }
    let mut report = ImportReport::default();
    bar.step(&format!("Importing {} files", files.len()), Some(total));
    for (path, size) in files.iter().zip(&sizes) {
        let plan = plan_file(&app, path, max_mib)?;
        let matches = app.fhir_matches(&plan).await?;
        report.add(app.fhir_import(&Actor::Cli, plan, by, &matches).await?);
        bar.advance(*size);
    }
    drop(bar);
    if ctx.quiet {
        return Ok(());
    }
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| Failure::Failed(e.to_string()))?
        );
        return Ok(());
    }
    outln!(
        "imported {} files in {:.1} s: {} resources read; {} patients, {} appointments, {} notes ({} addenda), {} vital-sign sets, {} diagnoses, {} medications, {} allergies, {} photos and documents, {} invoices, {} payments",
        files.len(),
        started.elapsed().as_secs_f64(),
        report.resources,
        report.patients,
        report.appointments,
        report.notes,
        report.addenda,
        report.vitals,
        report.diagnoses,
        report.medications,
        report.allergies,
        report.attachments,
        report.invoices,
        report.payments
    );
    for m in &report.merged {
        outln!(
            "entry {} matched patient {} (same {}): its records were added to that chart",
            m.entry,
            m.patient_id,
            m.reason
        );
    }
    outln!("{} resources or fields not imported:", report.unmapped_total());
    for (why, n) in &report.unmapped {
        outln!("  {n:>6}  {why}");
    }
    Ok(())
}
