//! The chart's header: what a clinician needs before anything else, from the view the policy
//! already allowed (nothing here reads more). The rules of what is current, which appointment
//! is next and which alerts show are the domain's (`records::chart_header`).

use super::formats;
use super::pictures::vitals::{self, Reading};
use carekeep_app::records::view::{EntryView, PatientView};
use carekeep_domain::records::chart_header::{self as rule, Alert, AlertFacts, Listed};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// One alert: its kind (for the style) and its words.
#[derive(Debug)]
pub struct AlertLine {
    pub kind: &'static str,
    pub words: String,
}

/// The header, each part present only when its class was readable.
#[derive(Debug, Default)]
pub struct ChartHeader {
    /// Current allergies; `None` when the reader may not see clinical data.
    pub allergies: Option<Vec<String>>,
    pub problems: Vec<String>,
    pub medications: Vec<String>,
    pub alerts: Vec<AlertLine>,
    /// `None` when the reader may not see the schedule; `Some(None)` when nothing is booked.
    pub next_appointment: Option<Option<String>>,
    /// The vitals trend picture, when there are two readings or more.
    pub vitals_trend: Option<String>,
    /// The notice of privacy practices has no acknowledgment (164.520(c)(2)(ii)).
    pub notice_missing: bool,
    /// How many documents (files other than photos) the chart holds.
    pub documents: usize,
}

fn status_of(e: &EntryView) -> (&str, &str) {
    let d = e.data.get("detail");
    let s = |k| d.and_then(|d| d.get(k)).and_then(|v| v.as_str()).unwrap_or("");
    (s("status"), s("verification"))
}

fn current(entries: &[EntryView], kind: Listed) -> Vec<String> {
    entries
        .iter()
        .filter(|e| {
            let (status, verification) = status_of(e);
            rule::is_current(kind, status, verification)
        })
        .map(|e| e.summary.clone())
        .collect()
}

fn instant(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

/// The readings the trend draws, from the vitals entries (their stored form).
fn readings(entries: &[EntryView]) -> Vec<Reading> {
    let num = |e: &EntryView, k: &str| {
        e.data
            .get(k)
            .and_then(serde_json::Value::as_u64)
            .and_then(|v| u16::try_from(v).ok())
    };
    entries
        .iter()
        .filter_map(|e| {
            let at = instant(&e.at)?;
            Some(Reading {
                at: at.unix_timestamp(),
                date: formats::date(at.date()),
                systolic: num(e, "systolic_mmhg"),
                diastolic: num(e, "diastolic_mmhg"),
                pulse: num(e, "pulse_bpm"),
            })
        })
        .collect()
}

pub fn build(v: &PatientView, now: OffsetDateTime) -> ChartHeader {
    let mut h = ChartHeader::default();
    if let Some(cl) = &v.clinical {
        h.allergies = Some(current(&cl.allergies, Listed::Allergy));
        h.problems = current(&cl.diagnoses, Listed::Diagnosis);
        h.medications = current(&cl.medications, Listed::Medication);
        h.vitals_trend = vitals::trend(&readings(&cl.vitals));
        h.documents = cl.attachments.iter().filter(|a| !a.is_image).count();
    }
    if let Some(s) = &v.scheduling {
        let times: Vec<(OffsetDateTime, OffsetDateTime, &str)> = s
            .appointments
            .iter()
            .filter_map(|a| Some((instant(&a.start)?, instant(&a.end)?, a.status.as_str())))
            .collect();
        let shown: Vec<_> = s
            .appointments
            .iter()
            .filter(|a| instant(&a.start).is_some() && instant(&a.end).is_some())
            .collect();
        h.next_appointment = Some(rule::next_appointment(now, &times).and_then(|i| shown.get(i)).map(|a| {
            format!(
                "{}, {} with {}{}",
                formats::when(&a.start),
                a.service,
                a.provider_name,
                if a.status == "checked_in" { " (checked in)" } else { "" }
            )
        }));
    }
    let facts = AlertFacts {
        break_glass_open: v.access.break_glass_until.is_some(),
        restricted: v.access.restricted,
        requests_to_honour: v.access.honour.len(),
        notice_acknowledged: v.identity.as_ref().map(|_| v.access.npp.is_some()),
    };
    for alert in rule::alerts(facts) {
        match alert {
            Alert::BreakGlassOpen => h.alerts.push(AlertLine {
                kind: "glass",
                words: format!(
                    "Emergency access is open until {}. Every view of this restricted chart is recorded and reported to the compliance officer.",
                    v.access.break_glass_until.as_deref().map(formats::when).unwrap_or_default()
                ),
            }),
            Alert::Restricted => h.alerts.push(AlertLine {
                kind: "restricted",
                words: "Restricted chart: only the providers named on it may open the clinical record.".into(),
            }),
            Alert::Honour => h.alerts.extend(v.access.honour.iter().map(|w| AlertLine {
                kind: "honor",
                words: w.clone(),
            })),
            // The header's notice line says it, beside the buttons that record one.
            Alert::NoticeNotAcknowledged => h.notice_missing = true,
        }
    }
    h
}
