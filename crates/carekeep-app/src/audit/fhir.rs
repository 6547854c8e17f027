//! The audit trail as FHIR R4 `AuditEvent` resources in a `collection` Bundle, the form other
//! systems and auditors' tools read. Event types use the DICOM audit codes FHIR names
//! (http://dicom.nema.org/resources/ontology/DCM); Carekeep's own action code travels as the
//! subtype.
#![allow(
    clippy::indexing_slicing,
    reason = "serde_json objects built here with json!: setting a key of an object cannot panic"
)]

use crate::audit::view::{AuditQuery, EventView};
use crate::{Actor, App, AppError};
use carekeep_domain::audit::Action;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;

const DCM: &str = "http://dicom.nema.org/resources/ontology/DCM";
const ACTION_SYSTEM: &str = "urn:carekeep:audit-action";

/// DICOM event type and FHIR action code (C, R, U, D, E) for a Carekeep action code.
fn classify(action: &str) -> (&'static str, &'static str, &'static str) {
    let (code, display) = match action.split('.').next().unwrap_or("") {
        "login" | "logout" | "session" | "mfa" => ("110114", "User Authentication"),
        "phi" if action == "phi.export" || action == "phi.print" => ("110106", "Export"),
        "phi" if action == "phi.search" => ("110112", "Query"),
        "phi" => ("110110", "Patient Record"),
        "audit" => ("110101", "Audit Log Used"),
        "user" | "setting" | "key" => ("110113", "Security Alert"),
        _ => ("110100", "Application Activity"),
    };
    let verb = match action {
        "phi.create" | "user.created" | "clinic.created" | "backup.created" => "C",
        "phi.update"
        | "user.roles_changed"
        | "user.disabled"
        | "user.enabled"
        | "user.password_reset"
        | "setting.changed"
        | "mfa.reset"
        | "mfa.enrolled"
        | "key.rotated" => "U",
        "phi.delete" => "D",
        "phi.read" | "phi.search" | "phi.attachment_view" | "phi.break_glass" | "audit.viewed" => "R",
        _ => "E",
    };
    (code, display, verb)
}

/// One event as a FHIR R4 AuditEvent.
pub fn audit_event(e: &EventView) -> Value {
    let (type_code, type_display, action) = classify(&e.action);
    // 0 success; 4 minor failure (refused input or credentials); 8 serious failure.
    let outcome = match e.outcome.as_str() {
        "success" => "0",
        "failure" | "denied" => "4",
        _ => "8",
    };
    let mut agent = json!({
        "requestor": true,
        "who": { "display": e.actor },
        "network": { "address": e.source_ip, "type": "2" },
    });
    if let Some(id) = e.actor_id {
        agent["who"]["identifier"] = json!({ "system": "urn:carekeep:user", "value": id.to_string() });
    }
    if !e.actor_roles.is_empty() {
        agent["role"] = Value::Array(e.actor_roles.split(',').map(|r| json!({ "text": r })).collect());
    }
    let mut entities: Vec<Value> = e
        .patients
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| json!({ "what": { "reference": format!("Patient/{p}") }, "type": { "system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "1", "display": "Person" } }))
        .collect();
    if let Some(t) = e.target_user_id {
        entities.push(json!({ "what": { "identifier": { "system": "urn:carekeep:user", "value": t.to_string() } }, "description": "the account acted on" }));
    }
    let mut event = json!({
        "resourceType": "AuditEvent",
        "id": e.seq.to_string(),
        "type": { "system": DCM, "code": type_code, "display": type_display },
        "subtype": [{ "system": ACTION_SYSTEM, "code": e.action }],
        "action": action,
        "recorded": e.at,
        "outcome": outcome,
        "agent": [agent],
        "source": { "observer": { "display": "Carekeep" }, "type": [{ "system": "http://terminology.hl7.org/CodeSystem/security-source-type", "code": "4", "display": "Application Server" }] },
    });
    if !e.reason.is_empty() {
        event["outcomeDesc"] = json!(e.reason);
    }
    if !entities.is_empty() {
        event["entity"] = Value::Array(entities);
    }
    if !e.request_id.is_empty() {
        event["extension"] = json!([{ "url": "urn:carekeep:request-id", "valueString": e.request_id }]);
    }
    event
}

/// Events as a FHIR R4 `collection` Bundle.
pub fn bundle(events: &[EventView], generated_at: &str) -> Value {
    json!({
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": generated_at,
        "total": events.len(),
        "entry": events.iter().map(|e| json!({ "fullUrl": format!("urn:carekeep:audit-event:{}", e.seq), "resource": audit_event(e) })).collect::<Vec<_>>(),
    })
}

impl App {
    /// The matching events as a FHIR R4 Bundle of AuditEvents.
    pub async fn audit_fhir(&self, actor: &Actor<'_>, q: &AuditQuery) -> Result<Value, AppError> {
        let events = self.find_events(actor, q, Action::AuditExported).await?;
        let now = self.now().format(&Rfc3339).unwrap_or_default();
        Ok(bundle(&events, &now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(action: &str, outcome: &str) -> EventView {
        EventView {
            seq: 42,
            at: "2026-03-02T09:00:00Z".into(),
            actor_id: Some(3),
            actor: "nurse".into(),
            actor_roles: "nurse".into(),
            action: action.into(),
            outcome: outcome.into(),
            patients: "17,18".into(),
            resource_type: "chart".into(),
            resource_id: "17".into(),
            data_classes: "clinical".into(),
            source_ip: "192.0.2.1".into(),
            user_agent: "x".into(),
            request_id: "r-1".into(),
            reason: String::new(),
            target_user_id: None,
        }
    }

    #[test]
    fn events_map_to_fhir_audit_events() {
        let cases = [
            ("phi.read", "success", "110110", "R", "0"),
            ("phi.update", "success", "110110", "U", "0"),
            ("phi.export", "success", "110106", "E", "0"),
            ("login.failed", "failure", "110114", "E", "4"),
            ("user.roles_changed", "success", "110113", "U", "0"),
            ("audit.viewed", "success", "110101", "R", "0"),
        ];
        for (action, outcome, code, verb, out) in cases {
            let e = audit_event(&view(action, outcome));
            assert_eq!(e["resourceType"], "AuditEvent");
            assert_eq!(
                (e["type"]["code"].as_str(), e["action"].as_str(), e["outcome"].as_str()),
                (Some(code), Some(verb), Some(out)),
                "{action}"
            );
            assert_eq!(e["subtype"][0]["code"], action);
        }
        let e = audit_event(&view("phi.read", "success"));
        assert_eq!(e["entity"][1]["what"]["reference"], "Patient/18");
        assert_eq!(e["agent"][0]["who"]["identifier"]["value"], "3");
        assert_eq!(e["agent"][0]["network"]["address"], "192.0.2.1");
        let b = bundle(&[view("phi.read", "success")], "2026-03-02T10:00:00Z");
        assert_eq!((b["type"].as_str(), b["total"].as_u64()), (Some("collection"), Some(1)));
    }
}
