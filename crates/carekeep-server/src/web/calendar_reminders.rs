//! A patient's reminders, reached from an appointment (`/calendar/appointments/{id}/reminders`):
//! whether they opted out of text messages, with the staff's record of an opt-out or of a
//! request for texts again, and the sent log (what was sent, when, to which address, masked,
//! through which vendor, and the outcome). Reading it is an audited read of the patient's
//! contact details and schedule (`App::reminder_log`); the text's confirm link is not shown.

use super::chrome;
use crate::error::WebError;
use crate::session::PageUser;
use crate::state::AppState;
use crate::urls;
use crate::web::chrome::Chrome;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum_extra::extract::Form;
use carekeep_app::AppError;
use carekeep_domain::calendar::texting::{masked, Channel};
use serde::Deserialize;
use time::OffsetDateTime;

/// One line of the sent log, in words.
#[derive(Debug)]
pub struct Line {
    pub when: String,
    pub appointment_id: i64,
    pub how: &'static str,
    pub to: String,
    pub vendor: String,
    pub outcome: String,
    pub text: String,
}

#[derive(Template, Debug)]
#[template(path = "calendar/reminders.html")]
pub struct RemindersPage {
    pub chrome: Chrome,
    pub appointment_id: i64,
    pub patient: String,
    /// "On 12/06/2026 at 2:30 PM, by replying STOP" when opted out.
    pub opted_out: Option<String>,
    pub lines: Vec<Line>,
}

crate::web::chrome::page_response!(RemindersPage);

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TextsForm {
    /// `stop` or `resume`.
    want: String,
}

/// The outcome in words: `sent`, `held: <why>`, `failed: <why>`.
fn outcome_words(outcome: &str) -> String {
    let lower_first = |s: &str| {
        let mut c = s.trim().chars();
        c.next()
            .map(|f| f.to_lowercase().chain(c).collect::<String>())
            .unwrap_or_default()
    };
    if outcome == "sent" {
        "Sent".into()
    } else if let Some(why) = outcome.strip_prefix("held:") {
        format!("Not sent: {}", lower_first(why))
    } else if let Some(why) = outcome.strip_prefix("failed:") {
        format!("Failed: {}", lower_first(why))
    } else {
        outcome.to_owned()
    }
}

/// The message without its one-time link's token: staff need to see what it said, not to
/// hold the patient's key to the appointment.
fn without_token(text: &str) -> String {
    text.split(' ')
        .map(|w| match w.find("/c/") {
            Some(i) => format!("{}/c/…", w.get(..i).unwrap_or_default()),
            None => w.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn local_when(state: &AppState, t: OffsetDateTime) -> String {
    super::formats::at(t, &state.app.clinic_zone())
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Query(d): Query<Done>,
) -> Result<RemindersPage, WebError> {
    let a = state
        .app
        .calendar_appointment(&p.actor(), id)
        .await
        .map_err(WebError::page)?;
    let log = state
        .app
        .reminder_log(&p.actor(), a.patient_id)
        .await
        .map_err(WebError::page)?;
    let lines = log
        .sent
        .iter()
        .rev()
        .map(|s| {
            let channel = Channel::parse(&s.channel);
            Line {
                when: local_when(&state, s.at),
                appointment_id: s.appointment_id,
                how: match channel {
                    Some(Channel::Sms) => "Text message",
                    Some(Channel::Email) => "Email",
                    None => "None chosen",
                },
                to: match channel {
                    Some(c) if !s.address.is_empty() => masked(c, &s.address),
                    _ => "None".into(),
                },
                vendor: if s.vendor.is_empty() {
                    "None".into()
                } else {
                    s.vendor.clone()
                },
                outcome: outcome_words(&s.outcome),
                text: without_token(&s.text),
            }
        })
        .collect();
    let opted_out = log.opted_out.map(|o| {
        format!(
            "Opted out of text messages on {}, {}.",
            local_when(&state, o.at).replacen(' ', " at ", 1),
            if o.by_reply {
                "by replying STOP"
            } else {
                "as recorded by staff"
            }
        )
    });
    Ok(RemindersPage {
        chrome: chrome(&state, &p, "/calendar").notice(match d.done.as_deref() {
            Some("stopped") => Some("Recorded: no more text messages to this patient."),
            Some("resumed") => Some("Recorded: text messages to this patient may resume."),
            _ => None,
        }),
        appointment_id: id,
        patient: a.patient_name,
        opted_out,
        lines,
    })
}

pub async fn texts(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<TextsForm>,
) -> Result<Response, WebError> {
    let a = state
        .app
        .calendar_appointment(&p.actor(), id)
        .await
        .map_err(WebError::page)?;
    let done = match f.want.as_str() {
        "stop" => {
            state
                .app
                .record_sms_opt_out(&p.actor(), a.patient_id)
                .await
                .map_err(WebError::page)?;
            "stopped"
        }
        "resume" => {
            match state.app.record_sms_opt_in(&p.actor(), a.patient_id).await {
                // Already opted in (a second click, another tab): nothing to change.
                Ok(()) | Err(AppError::NotFound(_)) => {}
                Err(e) => return Err(WebError::page(e)),
            }
            "resumed"
        }
        _ => return Err(WebError::page(AppError::Invalid("choose stop or resume".into()))),
    };
    Ok(urls::appointment_reminders(id).done(done).at("texts").redirect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_and_texts_in_words() {
        assert_eq!(outcome_words("sent"), "Sent");
        assert_eq!(
            outcome_words("held: The patient opted out of text messages"),
            "Not sent: the patient opted out of text messages"
        );
        assert_eq!(
            outcome_words("failed: the relay refused or could not be reached"),
            "Failed: the relay refused or could not be reached"
        );
        assert_eq!(
            without_token("Lakeside: appointment Mon. Confirm/cancel: https://c.example/c/AbC123 Reply STOP"),
            "Lakeside: appointment Mon. Confirm/cancel: https://c.example/c/… Reply STOP"
        );
    }
}
