//! `carekeep breach obligations`: the notices a hypothetical breach would owe and by when,
//! computed by the same rules as an incident in the app, without storing anything.

use crate::Failure;
use carekeep_app::incidents::obligation_views;
use carekeep_domain::incidents::obligations::{obligations, parse_by_state, parse_law_enforcement, Facts};
use carekeep_domain::records::patient::parse_date;

#[derive(clap::Subcommand, Debug)]
pub enum BreachCommand {
    /// Print the obligations (notice to individuals, HHS, the annual log, media per state,
    /// substitute notice, a business associate's notice) for a breach of unsecured PHI, with
    /// due dates and citations (45 CFR 164.404-164.412). Nothing is stored.
    Obligations(ObligationsArgs),
}

#[derive(clap::Args, Debug)]
pub struct ObligationsArgs {
    /// The discovery date, YYYY-MM-DD: the first day any workforce member or agent (other
    /// than the wrongdoer) knew, or would have known with reasonable diligence
    /// (164.404(a)(2)). Every clock runs from it.
    #[arg(long, value_name = "YYYY-MM-DD")]
    discovered: String,
    /// How many individuals are affected in total (500 or more: HHS with the notices,
    /// 164.408(b); fewer: the annual log, 164.408(c)).
    #[arg(long, value_name = "N")]
    affected: u32,
    /// Residents affected per State or jurisdiction, e.g. TX=501,OK=20 (more than 500 in one
    /// State: media notice there, 164.406).
    #[arg(long, value_name = "ST=N,...", default_value = "")]
    by_state: String,
    /// Individuals whose contact details are insufficient or out of date (substitute notice,
    /// 164.404(d)(2): fewer than 10, any alternative means; 10 or more, a 90-day web posting or
    /// major media plus a toll-free number).
    #[arg(long, value_name = "N", default_value_t = 0)]
    unreachable: u32,
    /// The PHI was secured (encrypted under HHS guidance with the key not compromised, or
    /// destroyed): not unsecured PHI, so nothing is owed under Subpart D (164.402).
    #[arg(long)]
    secured: bool,
    /// A law-enforcement delay (164.412): written:YYYY-MM-DD (held until that day),
    /// oral:YYYY-MM-DD (the day of the oral statement; held 30 days at most), or
    /// oral:YYYY-MM-DD:written:YYYY-MM-DD (confirmed in writing within the 30 days).
    #[arg(long, value_name = "DELAY")]
    law_enforcement_delay: Option<String>,
    /// A business associate discovered the breach: adds its notice to the clinic (164.410)
    /// and counts its discovery date as the clinic's (the earlier clock).
    #[arg(long)]
    business_associate: bool,
    /// Print JSON (the same fields as GET /api/v1/incidents/{id}/obligations).
    #[arg(long)]
    json: bool,
}

pub fn run(cmd: BreachCommand) -> Result<(), Failure> {
    let BreachCommand::Obligations(a) = cmd;
    let discovered =
        parse_date(a.discovered.trim()).map_err(|_| Failure::Usage("--discovered must look like 2026-11-22".into()))?;
    let by_state = parse_by_state(&a.by_state).map_err(|e| Failure::Usage(format!("--by-state: {e}")))?;
    let in_states: u32 = by_state.iter().map(|(_, n)| n).sum();
    if in_states > a.affected {
        return Err(Failure::Usage(format!(
            "--by-state adds up to {in_states}, more than --affected {}",
            a.affected
        )));
    }
    if a.unreachable > a.affected {
        return Err(Failure::Usage("--unreachable is more than --affected".into()));
    }
    let law_enforcement = a
        .law_enforcement_delay
        .as_deref()
        .map(parse_law_enforcement)
        .transpose()
        .map_err(|e| Failure::Usage(format!("--law-enforcement-delay: {e}")))?;
    let owed = if a.secured {
        Vec::new()
    } else {
        obligations(&Facts {
            discovered: Some(discovered),
            affected: a.affected,
            by_state,
            unreachable: a.unreachable,
            law_enforcement,
            business_associate: a.business_associate,
        })
    };
    // Standing is relative to the discovery date: a hypothetical has no "today".
    let views = obligation_views(&owed, &[], discovered);
    if a.json {
        let text = serde_json::to_string_pretty(&views).map_err(|e| Failure::Failed(e.to_string()))?;
        outln!("{text}");
        return Ok(());
    }
    if views.is_empty() {
        outln!("Nothing is owed under 45 CFR 164.400-414: secured PHI is not unsecured PHI (164.402).");
        return Ok(());
    }
    for v in &views {
        outln!("{}  {}  (45 CFR {})", v.due_on, v.title, v.cfr);
        for c in &v.contents {
            outln!("            - {c}");
        }
    }
    Ok(())
}
