//! Reminders shown in the app before things fall due: each person's own (training,
//! policies to acknowledge) and, for those who keep the program, what the dashboard flags.
//! They name no patient.

use crate::{Actor, App, AppError};
use carekeep_domain::Capability;
use carekeep_store::workforce;
use serde::Serialize;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Reminder {
    pub text: String,
    pub href: String,
    /// Past due rather than coming up.
    pub overdue: bool,
}

impl App {
    pub async fn reminders(&self, actor: &Actor<'_>) -> Result<Vec<Reminder>, AppError> {
        let p = actor.person()?;
        p.require_full()?;
        let mut out = Vec::new();
        let today = self.clinic_today();
        let person = {
            let mut conn = self.store().read().await?;
            match workforce::person_by_user(&mut conn, p.user_id.0).await? {
                Some(person) => {
                    let records = workforce::training(&mut conn).await?;
                    let mine: Vec<&workforce::TrainingRow> =
                        records.iter().filter(|t| t.person_id == person.id).collect();
                    self.training_standing(&person, &mine, today)
                }
                None => None,
            }
        };
        if p.training_hold {
            out.push(Reminder {
                text: "The clinic opens patient records to you once you complete your HIPAA training.".into(),
                href: "/training".into(),
                overdue: true,
            });
        }
        if let Some((due, standing)) = person {
            use carekeep_domain::program::Standing;
            if standing != Standing::Done {
                out.push(Reminder {
                    text: format!(
                        "Your HIPAA training {} {due}.",
                        if standing == Standing::Gap {
                            "was due on"
                        } else {
                            "is due by"
                        }
                    ),
                    href: "/training".into(),
                    overdue: standing == Standing::Gap,
                });
            }
        }
        let unread = self
            .policies_to_read(actor)
            .await?
            .into_iter()
            .filter(|x| !x.acknowledged)
            .count();
        if unread > 0 {
            out.push(Reminder {
                text: format!(
                    "{unread} clinic polic{} to read and acknowledge.",
                    if unread == 1 { "y" } else { "ies" }
                ),
                href: "/policies".into(),
                overdue: false,
            });
        }
        if self.policy().has_capability(&p.roles, Capability::HandleIncidents) {
            let undetermined = self.undetermined_incidents().await?;
            if undetermined > 0 {
                out.push(Reminder {
                    text: format!(
                        "{undetermined} incident{} to assess: is it a breach?",
                        if undetermined == 1 { "" } else { "s" }
                    ),
                    href: "/incidents".into(),
                    overdue: true,
                });
            }
            if let Some((i, o)) = self
                .open_obligations()
                .await?
                .into_iter()
                // Breach notices are few and their dates hard: the next one always shows.
                .min_by(|a, b| a.1.due_on.cmp(&b.1.due_on))
            {
                out.push(Reminder {
                    text: format!("Breach notice due {}: {} (incident {i}).", o.due_on, o.title),
                    href: format!("/incidents/{i}"),
                    overdue: o.standing == "gap",
                });
            }
        }
        let actor = p.actor();
        if self.policy().has_capability(&p.roles, Capability::ManageProgram) {
            let items = self.dashboard(&actor).await?;
            let gaps = items.iter().filter(|i| i.standing == "gap").count();
            let soon = items.iter().filter(|i| i.standing == "due_soon").count();
            if gaps + soon > 0 {
                out.push(Reminder {
                    text: format!(
                        "Compliance program: {gaps} gap{} and {soon} item{} due soon.",
                        if gaps == 1 { "" } else { "s" },
                        if soon == 1 { "" } else { "s" }
                    ),
                    href: "/program".into(),
                    overdue: gaps > 0,
                });
            }
        }
        Ok(out)
    }
}
