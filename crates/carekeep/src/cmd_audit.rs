//! `carekeep audit ...`: verify the trail, export its signed checkpoints.

use crate::context::Context;
use crate::Failure;
use carekeep_app::audit::{ExportedCheckpoint, VerifyReport};
use carekeep_app::Actor;
use std::path::PathBuf;

#[derive(clap::Subcommand, Debug)]
pub enum AuditCommand {
    /// Verify the audit trail: exit 0 when intact, 1 naming the first bad event and what was
    /// done to it, 2 on error.
    Verify {
        /// A checkpoints file kept elsewhere (from `audit checkpoints --out`): proves nothing up
        /// to its checkpoints was rewritten, even by someone holding the database and the server.
        #[arg(long)]
        checkpoints: Option<PathBuf>,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Export events as CSV or as FHIR R4 AuditEvents (a Bundle); filters as on the Audit log page.
    Export {
        /// csv or fhir.
        #[arg(long)]
        format: String,
        /// Where to write (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Events done by or to this username.
        #[arg(long)]
        user: Option<String>,
        /// Events that touched this patient id.
        #[arg(long)]
        patient: Option<String>,
        /// An action code, e.g. login.failed.
        #[arg(long)]
        action: Option<String>,
        /// First day, YYYY-MM-DD.
        #[arg(long)]
        from: Option<String>,
        /// Last day, YYYY-MM-DD.
        #[arg(long)]
        to: Option<String>,
    },
    /// Write every signed checkpoint to a file to keep somewhere other than this machine.
    Checkpoints {
        #[arg(long)]
        out: PathBuf,
    },
}

pub async fn run(ctx: &Context, cmd: AuditCommand) -> Result<(), Failure> {
    let app = ctx.open_app().await?;
    let result = match cmd {
        AuditCommand::Verify { checkpoints, json } => {
            let outside = match checkpoints {
                Some(path) => read_checkpoints(&path)?,
                None => Vec::new(),
            };
            let report = {
                let bar = crate::progress::Bar::new(ctx.quiet || json);
                app.verify_audit(&outside, &bar).await?
            };
            // A tampered trail is reported even under --quiet: it is the answer, not chatter.
            if !ctx.quiet || matches!(report, VerifyReport::Tampered { .. }) {
                print_report(&report, json);
            }
            match report {
                VerifyReport::Intact { .. } => Ok(()),
                VerifyReport::Tampered { .. } => Err(Failure::Tampered),
            }
        }
        AuditCommand::Export {
            format,
            out,
            user,
            patient,
            action,
            from,
            to,
        } => {
            let params = carekeep_server::audit_query::AuditParams {
                user,
                patient,
                action,
                from,
                to,
                before: None,
                limit: None,
            };
            let mut q = params.to_query(i64::MAX, &app.clinic_zone()).map_err(Failure::from)?;
            q.limit = i64::MAX;
            let text = match format.as_str() {
                "csv" => app.audit_csv(&Actor::Cli, &q).await?,
                "fhir" => app.audit_fhir(&Actor::Cli, &q).await?.to_string(),
                other => return Err(Failure::Usage(format!("unknown format '{other}': use csv or fhir"))),
            };
            match out {
                Some(path) => {
                    std::fs::write(&path, text).map_err(|e| Failure::Failed(format!("{}: {e}", path.display())))?;
                    eprintln!("wrote {}", path.display());
                }
                None => out!("{text}"),
            }
            Ok(())
        }
        AuditCommand::Checkpoints { out } => {
            let list = app.audit_checkpoints().await?;
            let text = list
                .iter()
                .map(|c| serde_json::to_string(c).map_err(|e| Failure::Failed(e.to_string())))
                .collect::<Result<Vec<_>, _>>()?
                .join("\n");
            std::fs::write(&out, text + "\n").map_err(|e| Failure::Failed(format!("{}: {e}", out.display())))?;
            outln!(
                "wrote {} checkpoints to {}; keep a copy off this machine",
                list.len(),
                out.display()
            );
            Ok(())
        }
    };
    app.close().await;
    result
}

fn read_checkpoints(path: &std::path::Path) -> Result<Vec<ExportedCheckpoint>, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| Failure::Usage(format!("{} line {}: {e}", path.display(), i + 1)))
        })
        .collect()
}

fn print_report(report: &VerifyReport, json: bool) {
    match report {
        VerifyReport::Intact {
            events,
            head,
            checkpoints,
        } => {
            if json {
                outln!(
                    "{}",
                    serde_json::json!({"intact": true, "events": events, "head": head, "checkpoints": checkpoints})
                );
            } else {
                outln!("intact: {events} events verified (head {head}, {checkpoints} signed checkpoints held)");
            }
        }
        VerifyReport::Tampered { problem, .. } => {
            if json {
                outln!(
                    "{}",
                    serde_json::json!({"intact": false, "seq": problem.seq, "problem": problem.kind.as_str()})
                );
            } else {
                outln!("TAMPERED: event {} was {}", problem.seq, problem.kind.as_str());
            }
        }
    }
}
