//! The audit log page and its CSV download.

use super::chrome;
use crate::audit_query::AuditParams;
use crate::error::WebError;
use crate::session::PageUser;
use crate::state::AppState;
use crate::urls;
use crate::web::chrome::Chrome;
use crate::web::formats::filters;
use askama::Template;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use carekeep_app::audit::people::StaffMember;
use carekeep_app::audit::view::{AuditQuery, EventView};
use carekeep_domain::audit::timeline::{self, Mark};
use carekeep_domain::audit::Action;
use std::collections::BTreeMap;

/// The patient ids an event names (`3,17`), as numbers.
fn patient_ids(e: &EventView) -> impl Iterator<Item = i64> + '_ {
    e.patients.split(',').filter_map(|p| p.trim().parse().ok())
}

/// A patient id with the name shown for it.
type Named = (i64, String);

/// Staff display names by account id.
fn staff_names(staff: &[StaffMember]) -> BTreeMap<i64, String> {
    staff.iter().map(|s| (s.id, s.display_name.clone())).collect()
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Query(params): Query<AuditParams>,
) -> Result<Response, WebError> {
    let q = params.to_query(500, &state.app.clinic_zone()).map_err(WebError::page)?;
    let events = state.app.audit_events(&p.actor(), &q).await.map_err(WebError::page)?;
    let older = (events.len() as i64 >= q.limit)
        .then(|| events.last().map(|e| params.link(Some(e.seq))))
        .flatten();
    let verification = state.app.latest_verification().await.map_err(WebError::page)?;
    let zone = state.app.clinic_zone();
    let ids: Vec<i64> = events.iter().flat_map(patient_ids).collect();
    let patient_names = state
        .app
        .audit_patient_names(&p.actor(), &ids)
        .await
        .map_err(WebError::page)?;
    let staff = state.app.audit_staff(&p.actor()).await.map_err(WebError::page)?;
    let chosen_patient = params
        .patient
        .as_deref()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .map(|id| {
            (
                id,
                patient_names
                    .get(&id)
                    .cloned()
                    .unwrap_or_else(|| format!("Patient {id}")),
            )
        });
    Ok(AuditPage {
        names: staff_names(&staff),
        staff,
        patient_names,
        chosen_patient,
        chrome: chrome(&state, &p, "/audit"),
        actions: Action::ALL.iter().map(|a| a.code()).collect(),
        user: params.user.clone().unwrap_or_default(),
        patient: params.patient.clone().unwrap_or_default(),
        action: params.action.clone().unwrap_or_default(),
        from: params.from.clone().unwrap_or_default(),
        to: params.to.clone().unwrap_or_default(),
        export_link: format!("{}?{}", urls::audit_export_csv(), params.link(None)),
        fhir_link: format!("{}?{}", urls::audit_export_fhir(), params.link(None)),
        older,
        zone: zone.clone(),
        verification: verification.map(|v| {
            let on = crate::web::formats::at(v.at, &zone);
            if v.ok {
                format!("Intact: {} events verified on {on}", v.events)
            } else {
                format!(
                    "TAMPERING FOUND on {on}: event {} was {}",
                    v.problem_seq.unwrap_or(0),
                    v.problem
                )
            }
        }),
        events,
    }
    .into_response())
}

async fn export(state: &AppState, p: PageUser, params: &AuditParams, format: &str) -> Result<Response, WebError> {
    let mut q = params
        .to_query(100_000, &state.app.clinic_zone())
        .map_err(WebError::page)?;
    q.limit = params.limit.unwrap_or(100_000).clamp(1, 100_000);
    crate::api::audit::export_as(state, &p.0.actor(), &q, format)
        .await
        .map_err(WebError::page)
}

pub async fn export_csv(
    State(state): State<AppState>,
    p: PageUser,
    Query(params): Query<AuditParams>,
) -> Result<Response, WebError> {
    export(&state, p, &params, "csv").await
}

pub async fn export_fhir(
    State(state): State<AppState>,
    p: PageUser,
    Query(params): Query<AuditParams>,
) -> Result<Response, WebError> {
    export(&state, p, &params, "fhir").await
}

// The pages this file serves, each a template with its own struct.

#[derive(Template, Debug)]
#[template(path = "audit/audit.html")]
pub struct AuditPage {
    pub chrome: Chrome,
    /// Staff by display name for the person filter, and display names by account id.
    pub staff: Vec<StaffMember>,
    pub names: BTreeMap<i64, String>,
    /// Names of the patients the events list, for a reader whose roles show them (audited).
    pub patient_names: BTreeMap<i64, String>,
    /// The patient the page is narrowed to, by name where shown.
    pub chosen_patient: Option<(i64, String)>,
    pub events: Vec<EventView>,
    pub actions: Vec<&'static str>,
    pub user: String,
    pub patient: String,
    pub action: String,
    pub from: String,
    pub to: String,
    pub export_link: String,
    pub fhir_link: String,
    pub older: Option<String>,
    pub verification: Option<String>,
    pub zone: carekeep_domain::zone::ClinicZone,
}

impl AuditPage {
    /// Who did it, by display name (the username when the account is gone).
    pub fn who(&self, e: &EventView) -> String {
        who(&self.names, e)
    }
    /// The patients an event names, by name where shown: the first three, and the rest
    /// (folded away on the page so a list search does not run off it).
    pub fn patients(&self, e: &EventView) -> (Vec<Named>, Vec<Named>) {
        let mut all: Vec<(i64, String)> = patient_ids(e)
            .map(|id| {
                (
                    id,
                    self.patient_names
                        .get(&id)
                        .cloned()
                        .unwrap_or_else(|| format!("Patient {id}")),
                )
            })
            .collect();
        let rest = all.split_off(all.len().min(3));
        (all, rest)
    }
    /// An event's time (stored in UTC) on the clinic's clock, with EST/EDT.
    pub fn at(&self, rfc3339: &str) -> String {
        crate::web::formats::instant(rfc3339, &self.zone)
    }
    /// "Viewed patient information" for `phi.read`; the code stays in the exports.
    pub fn action_words(&self, code: &str) -> String {
        match code.parse::<Action>() {
            Ok(a) => a.words().to_owned(),
            Err(_) => code.to_owned(),
        }
    }
    /// "front desk, billing" for `front_desk,billing`.
    pub fn role_words(&self, roles: &str) -> String {
        crate::web::formats::role_words(roles)
    }
    /// Outcomes as words.
    pub fn outcome_words(&self, outcome: &str) -> &'static str {
        match outcome {
            "success" => "done",
            "denied" => "refused",
            _ => "failed",
        }
    }
}

fn who(names: &BTreeMap<i64, String>, e: &EventView) -> String {
    match e.actor_id.and_then(|id| names.get(&id)) {
        Some(n) => n.clone(),
        None if e.actor.is_empty() => "Carekeep itself".into(),
        None => e.actor.clone(),
    }
}

/// The most events a timeline shows at once; older ones are on the audit log's pages.
const TIMELINE_MAX: i64 = 5_000;

/// A patient's access timeline: every event of the trail that names them, as a picture and a
/// table, for the compliance officer answering "who looked at my record?" (164.312(b)). The
/// look is recorded like any look at the trail; naming the patient is its own audited read.
pub async fn timeline(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let actor = p.actor();
    let q = AuditQuery {
        patient_id: Some(id),
        limit: TIMELINE_MAX,
        ..AuditQuery::default()
    };
    let events = state.app.audit_events(&actor, &q).await.map_err(WebError::page)?;
    let names = state
        .app
        .audit_patient_names(&p.actor(), &[id])
        .await
        .map_err(WebError::page)?;
    let staff = state.app.audit_staff(&actor).await.map_err(WebError::page)?;
    let staff = staff_names(&staff);
    let zone = state.app.clinic_zone().clone();
    let at = |e: &EventView| crate::web::formats::instant(&e.at, &zone);
    let unix = |e: &EventView| {
        time::OffsetDateTime::parse(&e.at, &time::format_description::well_known::Rfc3339)
            .map(|t| t.unix_timestamp())
            .unwrap_or_default()
    };
    let rows: Vec<TimelineRow> = events
        .iter()
        .map(|e| {
            let mark = timeline::mark(&e.action, &e.outcome);
            let what = e
                .action
                .parse::<Action>()
                .map_or_else(|_| e.action.clone(), |a| a.words().to_owned());
            TimelineRow {
                seq: e.seq,
                at: at(e),
                who: who(&staff, e),
                roles: crate::web::formats::role_words(&e.actor_roles),
                what,
                parts: timeline::parts_in_words(&e.data_classes),
                mark,
                why: if mark == Mark::Emergency || e.action == "phi.break_glass" {
                    e.reason.clone()
                } else {
                    String::new()
                },
            }
        })
        .collect();
    let points: Vec<crate::web::pictures::timeline::Point> = events
        .iter()
        .zip(&rows)
        .map(|(e, r)| crate::web::pictures::timeline::Point {
            seq: e.seq,
            at: unix(e),
            person: r.who.clone(),
            mark: r.mark,
            label: format!(
                "{}: {} {}{}",
                r.at,
                r.who,
                r.what.to_lowercase(),
                if r.parts.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", r.parts)
                }
            ),
        })
        .collect();
    let day = |e: &EventView| {
        time::OffsetDateTime::from_unix_timestamp(unix(e))
            .map(|t| crate::web::formats::date(zone.local(t).date()))
            .unwrap_or_default()
    };
    // Newest first in the trail: the first day is the last event's.
    let (first, last) = (
        events.last().map(day).unwrap_or_default(),
        events.first().map(day).unwrap_or_default(),
    );
    Ok(TimelinePage {
        chrome: chrome(&state, &p, "/audit"),
        patient_id: id,
        patient: names.get(&id).cloned().unwrap_or_else(|| format!("Patient {id}")),
        picture: crate::web::pictures::timeline::picture(&points, &first, &last),
        truncated: events.len() as i64 >= TIMELINE_MAX,
        rows,
    }
    .into_response())
}

/// One row of a patient's access timeline, in words.
#[derive(Debug)]
pub struct TimelineRow {
    pub seq: i64,
    pub at: String,
    pub who: String,
    pub roles: String,
    pub what: String,
    pub parts: String,
    pub mark: Mark,
    /// The reason given for emergency access.
    pub why: String,
}

#[derive(Template, Debug)]
#[template(path = "audit/timeline.html")]
pub struct TimelinePage {
    pub chrome: Chrome,
    pub patient_id: i64,
    pub patient: String,
    pub picture: Option<String>,
    pub rows: Vec<TimelineRow>,
    pub truncated: bool,
}

impl TimelinePage {
    pub fn mark_words(&self, m: &Mark) -> &'static str {
        m.words()
    }
    pub fn is_emergency(&self, m: &Mark) -> bool {
        *m == Mark::Emergency
    }
}

crate::web::chrome::page_response!(AuditPage, TimelinePage);
