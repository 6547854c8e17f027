//! What falls due this week for those who keep the program (the compliance officer's home
//! page): staff training, risk remediation tasks, patients' requests and breach notices, each
//! by its own date, overdue first. Which dates count is the domain's `dates::this_week`.
//! Nothing here names a patient: a request is "a patient's request", a notice its incident.

use crate::{Actor, App, AppError};
use carekeep_domain::program::dates::this_week;
use carekeep_domain::Capability;
use time::Date;

/// Something due on `on`.
#[derive(Clone, Debug)]
pub struct DueItem {
    pub on: Date,
    pub text: String,
    pub href: String,
    pub overdue: bool,
}

fn iso(s: &str) -> Option<Date> {
    Date::parse(s.get(..10)?, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

impl App {
    /// Everything overdue or due in the next seven days, by date.
    pub async fn due_this_week(&self, actor: &Actor<'_>) -> Result<Vec<DueItem>, AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        let today = self.clinic_today();
        let mut out = Vec::new();
        let mut add = |on: Date, text: String, href: String| {
            if let Some(overdue) = this_week(on, today) {
                out.push(DueItem {
                    on,
                    text,
                    href,
                    overdue,
                });
            }
        };
        for person in self.roster(actor).await? {
            if matches!(person.training_standing.as_str(), "gap" | "due_soon") {
                if let Some(on) = iso(&person.training_due) {
                    add(
                        on,
                        format!("HIPAA training for {}", person.name),
                        format!("/program/workforce/{}", person.id),
                    );
                }
            }
        }
        for task in self.sra_tasks(actor).await? {
            if task.done_on.is_empty() {
                if let Some(on) = iso(&task.due_on) {
                    let owner = if task.owner.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", task.owner)
                    };
                    add(on, format!("Risk task: {}{owner}", task.title), "/program/sra".into());
                }
            }
        }
        for (_, on) in self.open_request_clocks().await? {
            add(on, "Answer a patient's request".into(), "/requests".into());
        }
        let incidents = actor
            .principal()
            .is_some_and(|p| self.policy().has_capability(&p.roles, Capability::HandleIncidents));
        if incidents {
            for (incident, o) in self.open_obligations().await? {
                if let Some(on) = iso(&o.due_on) {
                    add(
                        on,
                        format!("Breach notice: {} (incident {incident})", o.title),
                        format!("/incidents/{incident}"),
                    );
                }
            }
        }
        out.sort_by(|a, b| a.on.cmp(&b.on).then_with(|| a.text.cmp(&b.text)));
        Ok(out)
    }
}
