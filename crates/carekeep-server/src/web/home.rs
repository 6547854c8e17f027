//! The home page: what today holds for this person, by what their roles do. The front desk
//! sees today's appointments and who has arrived; clinicians their next patients and their
//! unsigned notes; the compliance officer what falls due this week; the owner what is left of
//! setting up the program (the dashboard's open rows, worst first). The navigation above
//! already lists every module, so the page does not repeat it.

use super::chrome;
use super::formats;
use crate::error::WebError;
use crate::session::PageUser;
use crate::state::AppState;
use crate::web::chrome::{modules_for, Chrome, Module};
use askama::Template;
use axum::extract::State;
use carekeep_domain::records::appointment::Status;
use carekeep_domain::{Capability, DataClass};
use time::format_description::well_known::Rfc3339;

/// An appointment of today as the home page lists it.
#[derive(Debug)]
pub struct TodayLine {
    pub patient_id: i64,
    pub patient: String,
    pub time: String,
    pub provider: String,
    pub service: String,
    pub status: String,
    pub arrived: bool,
}

/// A note to sign.
#[derive(Debug)]
pub struct NoteLine {
    pub patient_id: i64,
    pub patient: String,
    pub when: String,
}

/// A dated line: due this week, or a set-up step.
#[derive(Debug)]
pub struct DueLine {
    pub when: String,
    pub text: String,
    pub href: String,
    pub overdue: bool,
}

pub async fn show(State(state): State<AppState>, PageUser(p): PageUser) -> Result<HomePage, WebError> {
    let app = &state.app;
    let codes_left = app.recovery_codes_left(&p.actor()).await.map_err(WebError::page)?;
    let actor = p.actor();
    let open_findings = app.open_findings(&actor).await.map_err(WebError::page)?;
    let reminders = app.reminders(&p.actor()).await.map_err(WebError::page)?;
    let policy = app.policy();
    let writes = |c: DataClass| policy.access(p.data_roles(), c).can_write();
    let can = |c: Capability| policy.has_capability(&p.roles, c);
    let clinician = p.mfa_verified && writes(DataClass::Clinical);
    let desk = p.mfa_verified && !clinician && writes(DataClass::Scheduling);

    let now = app.now();
    let line = |i: &carekeep_app::records::view::ScheduleItem| {
        let status = Status::parse(&i.appointment.status).ok();
        TodayLine {
            patient_id: i.appointment.patient_id,
            patient: i.patient_name.clone(),
            time: formats::time_of(&i.appointment.start),
            provider: i.appointment.provider_name.clone(),
            service: i.appointment.service.clone(),
            status: i.appointment.status_label.clone(),
            arrived: status.is_some_and(Status::arrived),
        }
    };
    let (mut today, mut next, mut next_mine) = (None, None, true);
    if desk || clinician {
        let day = app
            .schedule(&p.actor(), app.clinic_today())
            .await
            .map_err(WebError::page)?;
        if desk {
            today = Some(day.iter().map(&line).collect::<Vec<_>>());
        } else {
            let ahead: Vec<_> = day
                .iter()
                .filter(|i| {
                    Status::parse(&i.appointment.status).is_ok_and(Status::still_to_see)
                        && time::OffsetDateTime::parse(&i.appointment.end, &Rfc3339).is_ok_and(|end| end > now)
                })
                .collect();
            let mine: Vec<TodayLine> = ahead
                .iter()
                .copied()
                .filter(|i| i.appointment.provider_id == p.user_id.0)
                .map(&line)
                .collect();
            // A nurse is booked with no one: the clinic's next patients are theirs too.
            next_mine = !mine.is_empty() || ahead.is_empty();
            next = Some(if next_mine {
                mine
            } else {
                ahead.iter().copied().map(&line).collect()
            });
        }
    }
    let unsigned = if clinician {
        Some(
            app.my_unsigned_notes(&p.actor())
                .await
                .map_err(WebError::page)?
                .into_iter()
                .map(|n| NoteLine {
                    patient_id: n.patient_id,
                    patient: n.patient_name,
                    when: formats::when(&n.at),
                })
                .collect::<Vec<_>>(),
        )
    } else {
        None
    };
    let keeps_program = p.mfa_verified && can(Capability::ManageProgram);
    let owner = keeps_program && can(Capability::AdministerUsers);
    let this_week = if keeps_program && !owner {
        Some(
            app.due_this_week(&actor)
                .await
                .map_err(WebError::page)?
                .into_iter()
                .map(|d| DueLine {
                    when: formats::date(d.on),
                    text: d.text,
                    href: d.href,
                    overdue: d.overdue,
                })
                .collect::<Vec<_>>(),
        )
    } else {
        None
    };
    let (set_up, set_up_headline) = if owner {
        let items = app.dashboard(&actor).await.map_err(WebError::page)?;
        let tally = carekeep_app::program::checklist_history::tally(&items);
        let left = items
            .into_iter()
            .filter(|i| i.standing != "done")
            .map(|i| DueLine {
                when: i.standing_label.to_owned(),
                overdue: i.standing == "gap",
                href: i.href.unwrap_or("/program").to_owned(),
                text: if i.action.is_empty() {
                    i.title.to_owned()
                } else {
                    format!("{}: {}", i.title, i.action)
                },
            })
            .collect::<Vec<_>>();
        (Some(left), tally.headline())
    } else {
        (None, String::new())
    };
    // Someone none of the above applies to (billing, say) gets where to start, once.
    let start_here = if today.is_none() && next.is_none() && this_week.is_none() && set_up.is_none() {
        modules_for(&policy, &p)
    } else {
        Vec::new()
    };
    Ok(HomePage {
        start_here,
        reminders,
        chrome: chrome(&state, &p, "/"),
        display_name: p.display_name.clone(),
        today_heading: formats::date(app.clinic_today()),
        codes_left,
        open_findings,
        today,
        next,
        next_mine,
        unsigned,
        this_week,
        set_up,
        set_up_headline,
    })
}

// The pages this file serves, each a template with its own struct.

#[derive(Template, Debug)]
#[template(path = "home.html")]
pub struct HomePage {
    pub chrome: Chrome,
    pub display_name: String,
    /// Today's date, `12/06/2026`.
    pub today_heading: String,
    pub codes_left: i64,
    /// Access-monitoring findings waiting for review, for those who review them.
    pub open_findings: Option<i64>,
    pub reminders: Vec<carekeep_app::program::reminders::Reminder>,
    /// The front desk: every appointment today.
    pub today: Option<Vec<TodayLine>>,
    /// Clinicians: the patients still to see today, their own (or the clinic's when none are
    /// booked with them, `next_mine` false).
    pub next: Option<Vec<TodayLine>>,
    pub next_mine: bool,
    /// Clinicians: their notes not yet signed.
    pub unsigned: Option<Vec<NoteLine>>,
    /// The compliance officer: overdue and due in the next seven days.
    pub this_week: Option<Vec<DueLine>>,
    /// The owner: the program's open rows, worst first, and "12 of 15 done".
    pub set_up: Option<Vec<DueLine>>,
    pub set_up_headline: String,
    /// For those with none of the lists above: their modules, each in a line.
    pub start_here: Vec<Module>,
}

impl HomePage {
    /// How many of today's patients have arrived.
    pub fn arrived(&self) -> usize {
        self.today
            .as_ref()
            .map_or(0, |t| t.iter().filter(|l| l.arrived).count())
    }
}

crate::web::chrome::page_response!(HomePage);
