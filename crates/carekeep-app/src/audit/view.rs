//! Reading the audit trail (164.308(a)(1)(ii)(D) information system activity review): by
//! user, patient, action and time, for the compliance officer and the owner. Looking at the
//! trail, and exporting it, are themselves recorded.

use crate::csv::CsvWriter;
use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::Capability;
use carekeep_store::audit::{self as store, Filter, StoredEvent};
use carekeep_store::records::{self, CtColumn};
use carekeep_store::users;
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// How a break-glass event's reason is kept in the trail: a reference to the grant whose
/// sealed reason the views open (the text may describe the patient's condition).
const SEALED_GRANT: &str = "sealed:break_glass:";

pub(crate) fn sealed_grant_reference(grant: i64) -> String {
    format!("{SEALED_GRANT}{grant}")
}

/// What to look for. Empty fields do not filter.
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    pub username: Option<String>,
    pub patient_id: Option<i64>,
    pub action: Option<String>,
    pub from: Option<OffsetDateTime>,
    pub to: Option<OffsetDateTime>,
    pub before_seq: Option<i64>,
    pub limit: i64,
}

impl AuditQuery {
    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(u) = &self.username {
            parts.push(format!("user={u}"));
        }
        if let Some(p) = self.patient_id {
            parts.push(format!("patient={p}"));
        }
        if let Some(a) = &self.action {
            parts.push(format!("action={a}"));
        }
        if let Some(f) = self.from {
            parts.push(format!("from={}", f.unix_timestamp()));
        }
        if let Some(t) = self.to {
            parts.push(format!("to={}", t.unix_timestamp()));
        }
        if parts.is_empty() {
            "all events".into()
        } else {
            parts.join(" ")
        }
    }
}

/// One event as the views (page, API, exports) show it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct EventView {
    pub seq: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub actor_roles: String,
    pub action: String,
    pub outcome: String,
    pub patients: String,
    pub resource_type: String,
    pub resource_id: String,
    pub data_classes: String,
    pub source_ip: String,
    pub user_agent: String,
    pub request_id: String,
    pub reason: String,
    pub target_user_id: Option<i64>,
}

impl From<StoredEvent> for EventView {
    fn from(e: StoredEvent) -> Self {
        let f = e.fields;
        EventView {
            seq: e.seq,
            at: OffsetDateTime::from_unix_timestamp(f.at)
                .ok()
                .and_then(|t| t.format(&Rfc3339).ok())
                .unwrap_or_default(),
            actor_id: f.actor_id,
            actor: f.actor_name,
            actor_roles: f.actor_roles,
            action: f.action,
            outcome: f.outcome,
            patients: f.patient_ids,
            resource_type: f.resource_type,
            resource_id: f.resource_id,
            data_classes: f.data_classes,
            source_ip: f.source_ip,
            user_agent: f.user_agent,
            request_id: f.request_id,
            reason: f.reason,
            target_user_id: f.target_user_id,
        }
    }
}

impl App {
    pub(crate) async fn find_events(
        &self,
        actor: &Actor<'_>,
        q: &AuditQuery,
        action: Action,
    ) -> Result<Vec<EventView>, AppError> {
        self.require(actor, Capability::ReadAuditLog).await?;
        if let Some(a) = &q.action {
            a.parse::<Action>()
                .map_err(|_| AppError::Invalid(format!("unknown action '{a}'")))?;
        }
        let mut tx = self.store().begin().await?;
        let user_id = match &q.username {
            Some(name) => {
                let key = carekeep_domain::username::normalize(name).map_err(|e| AppError::Invalid(e.to_string()))?;
                Some(
                    users::by_key(tx.conn(), &key)
                        .await?
                        .ok_or(AppError::NotFound("user"))?
                        .id
                        .0,
                )
            }
            None => None,
        };
        let filter = Filter {
            user_id,
            patient_id: q.patient_id,
            action: q.action.clone(),
            from: q.from,
            to: q.to,
            before_seq: q.before_seq,
            limit: q.limit,
            whole_window: false,
        };
        let events = store::find(tx.conn(), &filter).await?;
        let mut views: Vec<EventView> = events.into_iter().map(EventView::from).collect();
        // The look itself goes on the record, in the same transaction: no record, no look. It
        // is the permit to open the emergency-access reasons it shows.
        let event = self.event(actor, action, Outcome::Success).with_reason(&q.describe());
        let permit = self.permit_in(&mut tx, &event).await?;
        for v in &mut views {
            if let Some(grant) = v.reason.strip_prefix(SEALED_GRANT).and_then(|g| g.parse().ok()) {
                v.reason = match records::break_glass_reason(tx.conn(), grant).await? {
                    Some(ct) => self.open_json(&permit, CtColumn::BreakGlassReason, grant, &ct)?,
                    None => format!("(the reason of emergency access grant {grant} is missing)"),
                };
            }
        }
        tx.commit().await?;
        Ok(views)
    }

    /// Events matching the query, newest first.
    pub async fn audit_events(&self, actor: &Actor<'_>, q: &AuditQuery) -> Result<Vec<EventView>, AppError> {
        self.find_events(actor, q, Action::AuditViewed).await
    }

    /// The matching events as CSV.
    pub async fn audit_csv(&self, actor: &Actor<'_>, q: &AuditQuery) -> Result<String, AppError> {
        let events = self.find_events(actor, q, Action::AuditExported).await?;
        let mut w = CsvWriter::new([
            "seq",
            "at",
            "actor_id",
            "actor",
            "actor_roles",
            "action",
            "outcome",
            "patients",
            "resource_type",
            "resource_id",
            "data_classes",
            "source_ip",
            "user_agent",
            "request_id",
            "reason",
            "target_user_id",
        ])?;
        for e in &events {
            let opt = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
            let row = [
                e.seq.to_string(),
                e.at.clone(),
                opt(e.actor_id),
                e.actor.clone(),
                e.actor_roles.clone(),
                e.action.clone(),
                e.outcome.clone(),
                e.patients.clone(),
                e.resource_type.clone(),
                e.resource_id.clone(),
                e.data_classes.clone(),
                e.source_ip.clone(),
                e.user_agent.clone(),
                e.request_id.clone(),
                e.reason.clone(),
                opt(e.target_user_id),
            ];
            w.row(row)?;
        }
        let bytes = w.finish()?;
        String::from_utf8(bytes).map_err(|e| AppError::Internal(e.to_string()))
    }
}
