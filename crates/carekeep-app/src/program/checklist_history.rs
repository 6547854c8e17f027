//! The dashboard at a glance: the checklist counted ("12 of 15 done") and its history since
//! the clinic was set up, week by week. The dashboard records one count a day whenever it is
//! computed (its page, the API, the home page's reminders for those who keep the program);
//! the weeks are the domain's rule (`program::checklist_history`).

use super::dashboard::ChecklistItem;
use crate::{Actor, App, AppError};
use carekeep_domain::program::checklist_history::{self, Tally, Week};
use carekeep_domain::program::dates::Standing;
use carekeep_domain::Capability;
use carekeep_store::program::checklist_days::{self as store, DayRow};
use time::Date;

/// The checklist's count today and its weeks since set-up.
#[derive(Clone, Debug)]
pub struct ChecklistHistory {
    pub today: Tally,
    pub weeks: Vec<Week>,
}

/// The count of a computed checklist.
pub fn tally(items: &[ChecklistItem]) -> Tally {
    Tally::of(items.iter().filter_map(|i| Standing::parse(i.standing)))
}

impl App {
    /// Records today's count of the checklist (the clinic's date; a later count the same day
    /// replaces it). A clinic opened read-only cannot write: the dashboard still shows.
    pub(crate) async fn record_checklist_day(&self, items: &[ChecklistItem]) {
        let t = tally(items);
        let row = DayRow {
            day: self.clinic_today().to_string(),
            done: i64::from(t.done),
            due_soon: i64::from(t.due_soon),
            gaps: i64::from(t.gaps),
        };
        let written = async {
            let mut tx = self.store().begin().await?;
            store::record(tx.conn(), &row, self.now()).await?;
            tx.commit().await?;
            Ok::<(), AppError>(())
        };
        if let Err(e) = written.await {
            tracing::warn!(error = %e, "could not record the checklist's daily count");
        }
    }

    /// The day the clinic was set up, where its history starts.
    pub fn set_up_on(&self) -> Date {
        self.clinic_zone().local(self.clinic_created_at()).date()
    }

    /// The checklist's weeks since set-up, with `items` (the dashboard just computed) as today.
    pub async fn checklist_history(
        &self,
        actor: &Actor<'_>,
        items: &[ChecklistItem],
    ) -> Result<ChecklistHistory, AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        let start = self.set_up_on();
        let today = self.clinic_today();
        let rows = {
            let mut conn = self.store().read().await?;
            store::since(&mut conn, &start.to_string()).await?
        };
        let iso = time::macros::format_description!("[year]-[month]-[day]");
        let count = |n: i64| u32::try_from(n).unwrap_or(0);
        let mut days: Vec<(Date, Tally)> = rows
            .iter()
            .filter_map(|r| {
                Date::parse(&r.day, iso).ok().map(|d| {
                    (
                        d,
                        Tally {
                            done: count(r.done),
                            due_soon: count(r.due_soon),
                            gaps: count(r.gaps),
                        },
                    )
                })
            })
            .collect();
        let now = tally(items);
        days.push((today, now));
        Ok(ChecklistHistory {
            today: now,
            weeks: checklist_history::weekly(&days, start, today),
        })
    }
}
