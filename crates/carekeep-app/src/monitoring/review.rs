//! Findings as the compliance officer reviews them: grouped by person and clinic day, each
//! told as a sentence (`carekeep_domain::monitoring::explain`) with the charts and the audit
//! events behind it (164.308(a)(1)(ii)(D) information system activity review).
//!
//! Patients' names come through the audit trail's own audited read
//! (`App::audit_patient_names`), so the review of a finding is itself in the trail.

use super::FindingView;
use crate::{Actor, App, AppError};
use carekeep_domain::monitoring::explain::{self, Facts};
use carekeep_domain::monitoring::Rule;
use carekeep_store::{audit as audit_store, users};
use std::collections::{BTreeMap, BTreeSet};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

/// One audit event behind a finding, with where to see it.
#[derive(Clone, Debug)]
pub struct EventLink {
    pub seq: i64,
    /// A patient's access timeline at the event, or the person's trail from the event back.
    pub href: String,
}

/// One finding, told.
#[derive(Clone, Debug)]
pub struct Told {
    pub finding: FindingView,
    pub sentence: String,
    /// The charts involved: id and name ("Patient 12" where the reader may not see names).
    pub charts: Vec<(i64, String)>,
    pub events: Vec<EventLink>,
}

/// The findings of one person on one clinic day.
#[derive(Clone, Debug)]
pub struct PersonDay {
    pub person: String,
    pub username: String,
    /// `Tuesday, 12/01/2026`, and `2026-12-01` for the audit trail's filter.
    pub day: String,
    pub iso_day: String,
    pub findings: Vec<Told>,
}

fn iso(d: Date) -> String {
    format!("{}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn rule_of(code: &str) -> Option<Rule> {
    Rule::ALL.into_iter().find(|r| r.code() == code)
}

impl App {
    /// Findings grouped by person and day, newest day first, each with its sentence.
    pub async fn findings_to_review(&self, actor: &Actor<'_>, open_only: bool) -> Result<Vec<PersonDay>, AppError> {
        let views = self.findings(actor, open_only).await?;
        let zone = self.clinic_zone();
        let seqs: Vec<i64> = views.iter().flat_map(|f| f.seqs.iter().copied()).collect();
        let (events, staff) = {
            let mut conn = self.store().read().await?;
            (
                audit_store::by_seqs(&mut conn, &seqs).await?,
                users::all(&mut conn).await?,
            )
        };
        let events: BTreeMap<i64, audit_store::StoredEvent> = events.into_iter().map(|e| (e.seq, e)).collect();
        let patient_ids = |e: &audit_store::StoredEvent| -> Vec<i64> {
            e.fields
                .patient_ids
                .split(',')
                .filter_map(|p| p.trim().parse().ok())
                .collect()
        };
        let all_patients: Vec<i64> = events.values().flat_map(patient_ids).collect();
        // Names are shown only to readers whose roles show them; the read is audited.
        let names = match actor.person() {
            Ok(_) => self.audit_patient_names(actor, &all_patients).await?,
            Err(_) => BTreeMap::new(),
        };
        let shown: BTreeMap<i64, (String, String)> = staff
            .into_iter()
            .map(|u| (u.id.0, (u.display_name, u.username)))
            .collect();
        let mut settings = self.settings().monitoring.clone();
        settings.hours.zone = zone.clone();
        let mut groups: BTreeMap<(Date, String), PersonDay> = BTreeMap::new();
        for f in views {
            let behind: Vec<&audit_store::StoredEvent> = f.seqs.iter().filter_map(|s| events.get(s)).collect();
            let times: Vec<OffsetDateTime> = behind
                .iter()
                .filter_map(|e| OffsetDateTime::from_unix_timestamp(e.fields.at).ok())
                .map(|t| zone.local(t))
                .collect();
            let patients: BTreeSet<i64> = behind.iter().flat_map(|e| patient_ids(e)).collect();
            let charts: Vec<(i64, String)> = patients
                .iter()
                .map(|id| (*id, names.get(id).cloned().unwrap_or_else(|| format!("Patient {id}"))))
                .collect();
            let (person, username) = f
                .actor_id
                .and_then(|a| shown.get(&a).cloned())
                .unwrap_or_else(|| ("Someone no longer on staff".to_owned(), String::new()));
            let chart_names: Vec<String> = charts.iter().map(|(_, n)| n.clone()).collect();
            let sentence = match rule_of(&f.rule) {
                Some(rule) => explain::explain(&Facts {
                    rule,
                    who: &person,
                    times: &times,
                    patients: &chart_names,
                    settings: &settings,
                }),
                None => f.summary.clone(),
            };
            let day = explain::day_of(&times)
                .or_else(|| {
                    OffsetDateTime::parse(&f.detected_at, &Rfc3339)
                        .ok()
                        .map(|t| zone.local(t).date())
                })
                .unwrap_or(Date::MIN);
            let links = behind
                .iter()
                .map(|e| {
                    let href = match patient_ids(e)[..] {
                        [one] => format!("/audit/patients/{one}#event-{}", e.seq),
                        _ => format!("/audit?user={username}&before={}", e.seq + 1),
                    };
                    EventLink { seq: e.seq, href }
                })
                .collect();
            groups
                .entry((day, username.clone()))
                .or_insert_with(|| PersonDay {
                    person: person.clone(),
                    username: username.clone(),
                    day: explain::day(day),
                    iso_day: iso(day),
                    findings: Vec::new(),
                })
                .findings
                .push(Told {
                    finding: f,
                    sentence,
                    charts,
                    events: links,
                });
        }
        let mut out: Vec<PersonDay> = groups.into_values().collect();
        // Newest day first; within a day, by person.
        out.sort_by(|a, b| b.iso_day.cmp(&a.iso_day).then(a.person.cmp(&b.person)));
        for g in &mut out {
            g.findings.sort_by(|a, b| a.finding.rule.cmp(&b.finding.rule));
        }
        Ok(out)
    }
}
