//! The Security Risk Assessment (164.308(a)(1)(ii)(A)-(B)): a living document the running
//! system keeps honest. Every row of the Security Rule with our question; answers checked
//! against 164.306(d); the asset inventory (Carekeep itself filled in by the system); risks
//! rated on the 3x3 matrix with their treatment; remediation tasks; evidence the system knows,
//! with a flag where a human answer contradicts it. Draft, review, finalised: a finalised
//! assessment never changes (the database refuses it) and the next starts as its copy.

pub mod inventory;
pub mod report;
pub mod wizard;

use crate::program::SRA_REVIEW_NEEDED;
use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::program::dates::Standing;
use carekeep_domain::program::sra::answers::{self, Answer};
use carekeep_domain::program::sra::catalogue::{self, ASSET_KINDS};
use carekeep_domain::program::sra::lifecycle::{self, Status};
use carekeep_domain::program::sra::risk::{self, Rating, Treatment};
use carekeep_domain::program::sra::specs::{self, SPECS};
use carekeep_domain::records::patient::parse_date;
use carekeep_domain::Capability;
use carekeep_store::program as program_store;
use carekeep_store::sra::{self as store, AnswerRow, AssetRow, RiskRow};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SraSummary {
    pub id: i64,
    pub title: String,
    /// draft, review or final.
    pub status: String,
    pub created_on: String,
    pub finalised_on: String,
    pub signed_by: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SpecRow {
    pub id: &'static str,
    pub cfr: &'static str,
    pub safeguard: &'static str,
    pub standard: &'static str,
    pub title: &'static str,
    /// The title to show: the standard's name where it has no separate specification.
    pub heading: String,
    pub required: bool,
    pub question: &'static str,
    pub good: &'static str,
    /// The human answer, if given: implemented, alternative, not_implemented, not_applicable.
    pub answer: String,
    pub answer_label: String,
    pub reason: String,
    pub measure: String,
    /// What the system knows, with its date; empty where it cannot know.
    pub evidence: String,
    pub evidence_ok: Option<bool>,
    /// The human answer says implemented; the system's evidence says otherwise.
    pub contradicted: bool,
    /// A required row not implemented, or a row with no answer.
    pub gap: bool,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AssetView {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub owner: String,
    pub location: String,
    pub holds_ephi: bool,
    pub encrypted: bool,
    pub screen_lock: bool,
    pub patched: bool,
    pub backed_up: bool,
    pub vendor_id: Option<i64>,
    pub vendor: String,
    pub notes: String,
    /// Carekeep itself: filled in by the system.
    pub system: bool,
    /// Operating system and version.
    pub os: String,
    pub last_patched_on: String,
    pub support_ends_on: String,
    /// The disposal date: the asset's record ended.
    pub retired_on: String,
    /// Its gaps today, in words (unsupported, unpatched, no disk encryption).
    pub gaps: Vec<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TaskView {
    pub id: i64,
    pub risk_id: i64,
    pub assessment_id: i64,
    pub title: String,
    pub owner: String,
    pub due_on: String,
    pub done_on: String,
    /// done, due_soon or gap (overdue).
    pub standing: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RiskView {
    pub id: i64,
    pub assessment_id: i64,
    pub threat: String,
    pub asset_id: Option<i64>,
    pub asset: String,
    pub vulnerability: String,
    pub likelihood: String,
    pub impact: String,
    /// From the 3x3 matrix.
    pub level: String,
    pub controls: String,
    pub treatment: String,
    pub justification: String,
    pub tasks: Vec<TaskView>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SraView {
    #[serde(flatten)]
    pub summary: SraSummary,
    pub scope: String,
    pub editable: bool,
    pub rows: Vec<SpecRow>,
    pub assets: Vec<AssetView>,
    pub risks: Vec<RiskView>,
    pub answered: usize,
    pub gaps: usize,
    pub contradictions: usize,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AnswerInput {
    /// implemented, alternative, not_implemented or not_applicable.
    pub answer: String,
    /// Why not implemented or not applicable (required for those).
    pub reason: String,
    /// The equivalent measure in place (addressable rows not implemented as written).
    pub measure: String,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AssetInput {
    pub name: String,
    /// server, workstation, laptop, phone, tablet, cloud, network, media, other.
    pub kind: String,
    pub owner: String,
    pub location: String,
    pub holds_ephi: bool,
    pub encrypted: bool,
    pub screen_lock: bool,
    pub patched: bool,
    pub backed_up: bool,
    /// The vendor record, for cloud services and systems.
    pub vendor_id: Option<i64>,
    pub notes: String,
    /// Operating system and version.
    pub os: String,
    /// 04/23/2026 or 2026-04-23; blank if never.
    pub last_patched_on: String,
    /// When the maker's support for the operating system ends.
    pub support_ends_on: String,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RiskInput {
    /// A catalogue key (ransomware, phishing, ...) or a threat in your words.
    pub threat: String,
    pub asset_id: Option<i64>,
    pub vulnerability: String,
    /// low, moderate or high.
    pub likelihood: String,
    pub impact: String,
    pub controls: String,
    /// mitigate, accept, transfer or avoid.
    pub treatment: String,
    pub justification: String,
}

fn text(label: &str, s: &str, max: usize, required: bool) -> Result<String, AppError> {
    crate::input::text(label, s, max, required)
}

fn summary(a: &store::AssessmentRow, zone: &carekeep_domain::zone::ClinicZone) -> SraSummary {
    SraSummary {
        id: a.id,
        title: a.title.clone(),
        status: a.status.clone(),
        created_on: zone.local(a.created_at).date().to_string(),
        finalised_on: a
            .finalised_at
            .map(|t| zone.local(t).date().to_string())
            .unwrap_or_default(),
        signed_by: a.signed_name.clone().unwrap_or_default(),
    }
}

/// Which checklist items speak for which rows of the rule.
const FROM_CHECKLIST: [(&str, &[&str]); 9] = [
    ("accounts", &["TEC-01"]),
    ("mfa", &["TEC-07"]),
    ("logoff", &["TEC-03"]),
    ("audit", &["TEC-05", "TEC-06"]),
    ("monitoring", &["ADM-04"]),
    ("vendors", &["ADM-23"]),
    ("training", &["ADM-12"]),
    ("policies", &["DOC-01", "DOC-04"]),
    ("breach_plan", &["ADM-16"]),
];

/// The risks that keep an assessment from being finalized: above low, to be mitigated, and
/// with no remediation task that has an owner and a due date (`risk::needs_a_plan`). The page
/// marks each at the risk.
pub fn unplanned_risks(risks: &[RiskView]) -> Vec<i64> {
    use carekeep_domain::program::sra::risk::{is_planned, needs_a_plan, Rating, Treatment};
    risks
        .iter()
        .filter(|r| match (Rating::parse(&r.level), Treatment::parse(&r.treatment)) {
            (Some(level), Some(t)) => needs_a_plan(
                level,
                t,
                r.tasks.iter().filter(|k| is_planned(&k.owner, &k.due_on)).count(),
            ),
            _ => false,
        })
        .map(|r| r.id)
        .collect()
}

impl App {
    fn status_of(a: &store::AssessmentRow) -> Result<Status, AppError> {
        Status::parse(&a.status)
            .ok_or_else(|| AppError::Internal(format!("assessment {} has status {}", a.id, a.status)))
    }

    /// What the running system knows, by row: `(ok, words with the date)`.
    pub(crate) async fn sra_evidence(
        &self,
        actor: &Actor<'_>,
    ) -> Result<HashMap<&'static str, (bool, String)>, AppError> {
        let today = self.clinic_today();
        let mut out = HashMap::new();
        let checklist = self.dashboard(actor).await?;
        for (key, ids) in FROM_CHECKLIST {
            if let Some(item) = checklist.iter().find(|i| i.key == key) {
                for id in ids {
                    out.insert(*id, (item.standing != "gap", format!("{today}: {}", item.evidence)));
                }
            }
        }
        let host = &self.settings().host;
        let key_private = host.master_key_private();
        out.insert(
            "TEC-04",
            (
                key_private != Some(false),
                format!(
                    "{today}: patient fields, notes and attachments are encrypted with AES-256-GCM under keys wrapped by the master key; {}.",
                    match key_private {
                        Some(true) => "the master key file is readable by its owner only",
                        Some(false) => "the master key file can be read by other users of the machine: run chmod 600 on it",
                        None => "the master key file's permissions were not checked here",
                    }
                ),
            ),
        );
        // The network step's choice and the served certificate's state (issue 25, item 2).
        let (mut transport_ok, transport_words) = self.transport_evidence().await?;
        let mut transport_words = format!("{today}: {transport_words}.");
        // The patients' door, when the clinic runs one (issue 27): its own certificate.
        if let Some(door) = self.portal_door_standing() {
            transport_ok &= door.ok;
            transport_words.push(' ');
            transport_words.push_str(&door.words);
            if !door.action.is_empty() {
                transport_words.push_str(&format!(" To fix: {}.", door.action));
            }
        }
        out.insert("TEC-08", (transport_ok, transport_words.clone()));
        out.insert("TEC-09", (transport_ok, transport_words));
        out.insert(
            "TEC-02",
            (
                true,
                format!(
                    "{today}: break glass opens a restricted chart for {} minutes with a stated reason, audited and reported.",
                    self.settings().records.break_glass_minutes
                ),
            ),
        );
        out.insert(
            "ADM-14",
            (
                true,
                format!("{today}: failed sign-ins are recorded in the audit trail, repeated failures lock the account, and access outside hours or in bulk is flagged."),
            ),
        );
        let (late, people) = self.offboarding_lag().await?;
        out.insert(
            "ADM-08",
            (
                late.is_empty(),
                if late.is_empty() {
                    format!("{today}: {people} leavers, every login disabled on the leave date and every checklist closed within 7 days.")
                } else {
                    format!("{today}: offboarding steps open more than 7 days for: {}.", late.join(", "))
                },
            ),
        );
        // The technology inventory's gaps (issue 30): patching against 164.308(a)(5)(ii)(B),
        // disk encryption against 164.312(a)(2)(iv).
        let (patching, unencrypted, devices) = self.inventory_gap_words().await?;
        if devices > 0 {
            out.insert(
                "ADM-13",
                (
                    patching.is_empty(),
                    if patching.is_empty() {
                        format!("{today}: every device in the inventory is supported and patched within 30 days.")
                    } else {
                        format!("{today}: devices to patch or replace: {}.", patching.join(", "))
                    },
                ),
            );
        }
        if !unencrypted.is_empty() {
            if let Some((ok, words)) = out.get_mut("TEC-04") {
                *ok = false;
                words.push_str(&format!(
                    " Devices holding ePHI without disk encryption: {}.",
                    unencrypted.join(", ")
                ));
            }
        }
        // Vendor oversight beyond the BAA (issue 30): a vendor never reviewed, reviewed more than
        // 12 months ago, or rated high leaves the written-arrangement row open.
        if let Some((ok, words)) = self.vendor_oversight_words().await? {
            match out.get_mut("ADM-23") {
                Some((row_ok, row_words)) => {
                    *row_ok &= ok;
                    row_words.push_str(&format!(" Security beyond the BAA: {words}."));
                }
                None => {
                    out.insert("ADM-23", (ok, format!("{today}: {words}.")));
                }
            }
        }
        let facts = self.facts_row().await?;
        let files = self.newest_reports().await?;
        let scans: Vec<String> = [
            ("vulnerability scan", "scan", &facts.last_scan_on, &facts.scan_report),
            (
                "penetration test",
                "pentest",
                &facts.last_pentest_on,
                &facts.pentest_report,
            ),
        ]
        .iter()
        .filter_map(|(what, kind, on, report)| {
            on.as_ref().map(|d| {
                let mut notes = Vec::new();
                if !report.is_empty() {
                    notes.push(format!("report: {report}"));
                }
                if let Some(f) = files.iter().find(|f| f.kind == *kind) {
                    notes.push(format!("report file attached: {}", f.file_name));
                }
                if notes.is_empty() {
                    format!("last {what} {d}")
                } else {
                    format!("last {what} {d} ({})", notes.join("; "))
                }
            })
        })
        .collect();
        if !scans.is_empty() {
            out.insert("ADM-02", (true, format!("{today}: {}.", scans.join("; "))));
        }
        if let Some((_, words)) = out.get_mut("ADM-12") {
            words.push_str(&if facts.alerts_recipient.is_empty() {
                " No one is recorded as receiving outside threat alerts.".to_owned()
            } else {
                format!(
                    " Threat alerts go to {} (checked {}).",
                    facts.alerts_recipient,
                    facts.alerts_checked_on.as_deref().unwrap_or("never")
                )
            });
        }
        let disposals = {
            let mut conn = self.store().read().await?;
            carekeep_store::security::disposals(&mut conn).await?
        };
        if let Some(last) = disposals.first() {
            let words = format!(
                "{today}: {} device(s) or media in the disposal log; the last, {}, on {} ({}).",
                disposals.len(),
                last.asset_name,
                last.disposed_on,
                last.method
            );
            out.insert("PHY-07", (true, words.clone()));
            out.insert("PHY-08", (true, words));
        }
        let officers = self.compliance_officers().await?;
        out.insert(
            "ADM-05",
            (
                !officers.is_empty(),
                if officers.is_empty() {
                    format!("{today}: no active account holds the compliance role.")
                } else {
                    format!("{today}: the compliance role is held by {}.", officers.join(", "))
                },
            ),
        );
        Ok(out)
    }

    /// The assessments, newest first.
    pub async fn assessments(&self, actor: &Actor<'_>) -> Result<Vec<SraSummary>, AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        let mut conn = self.store().read().await?;
        let zone = self.clinic_zone();
        Ok(store::assessments(&mut conn)
            .await?
            .iter()
            .map(|a| summary(a, &zone))
            .collect())
    }

    /// Starts an assessment: a copy of the last finalised one to carry forward, or a fresh one.
    /// Only one may be open at a time.
    pub async fn start_assessment(&self, actor: &Actor<'_>) -> Result<i64, AppError> {
        let me = self.require(actor, Capability::ManageProgram).await?;
        let mut tx = self.store().begin().await?;
        let all = store::assessments(tx.conn()).await?;
        if let Some(open) = all.iter().find(|a| a.status != "final") {
            return Err(AppError::Conflict(format!(
                "assessment {} is still open: finish or finalize it first",
                open.id
            )));
        }
        let last = all.iter().find(|a| a.status == "final");
        let year = self.clinic_today().year();
        let title = format!("Security risk assessment {year}");
        let scope = last.map(|a| a.scope.clone()).unwrap_or_else(|| {
            format!(
                "All electronic protected health information {} creates, receives, maintains or transmits: the Carekeep server, every computer and device used to reach it, the vendors that handle PHI, backups and paper that becomes electronic.",
                self.clinic_name()
            )
        });
        let id = store::create(
            tx.conn(),
            &title,
            &scope,
            last.map(|a| a.id),
            me.map(|p| p.user_id.0),
            self.now(),
        )
        .await?;
        match last {
            Some(prev) => store::copy_contents(tx.conn(), prev.id, id, self.now()).await?,
            None => {
                store::save_asset(
                    tx.conn(),
                    &AssetRow {
                        assessment_id: id,
                        name: "Carekeep".into(),
                        kind: "server".into(),
                        holds_ephi: true,
                        system: true,
                        ..AssetRow::default()
                    },
                )
                .await?;
            }
        }
        self.vendor_risks_all(&mut tx, id).await?;
        self.sra_audit(
            &mut tx,
            actor,
            id,
            &format!(
                "assessment {id} started{}",
                last.map(|p| format!(" from {}", p.id)).unwrap_or_default()
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn sra_audit(
        &self,
        tx: &mut carekeep_store::Tx,
        actor: &Actor<'_>,
        id: i64,
        what: &str,
    ) -> Result<(), AppError> {
        let mut event = self
            .event(actor, Action::ProgramChanged, Outcome::Success)
            .with_reason(what);
        event.resource_type = "RiskAssessment".into();
        event.resource_id = id.to_string();
        self.record(tx, &event).await?;
        Ok(())
    }

    /// Opens an assessment for a change: it must exist and not be finalised.
    async fn editable(&self, tx: &mut carekeep_store::Tx, id: i64) -> Result<store::AssessmentRow, AppError> {
        let a = store::assessment(tx.conn(), id)
            .await
            .map_err(|_| AppError::NotFound("risk assessment"))?;
        if !Self::status_of(&a)?.editable() {
            return Err(AppError::Conflict(
                "this assessment is finalized and never changes; start the next one from it".into(),
            ));
        }
        Ok(a)
    }

    /// One assessment with every row, its assets, risks and tasks. A draft shows the system's
    /// evidence as it is now (and refreshes Carekeep's own asset); a finalised one shows what
    /// was recorded when it was signed.
    pub async fn assessment(&self, actor: &Actor<'_>, id: i64) -> Result<SraView, AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        let a = {
            let mut conn = self.store().read().await?;
            store::assessment(&mut conn, id)
                .await
                .map_err(|_| AppError::NotFound("risk assessment"))?
        };
        let status = Self::status_of(&a)?;
        let live = if status.editable() {
            self.refresh_system_asset(id).await?;
            Some(self.sra_evidence(actor).await?)
        } else {
            None
        };
        let mut conn = self.store().read().await?;
        let answers: HashMap<String, AnswerRow> = store::answers(&mut conn, id)
            .await?
            .into_iter()
            .map(|a| (a.spec_id.clone(), a))
            .collect();
        let assets = store::assets(&mut conn, id).await?;
        let risks = store::risks(&mut conn, Some(id)).await?;
        let tasks = store::tasks(&mut conn).await?;
        let vendors = program_store::vendors(&mut conn).await?;
        drop(conn);
        let today = self.clinic_today();
        let rows: Vec<SpecRow> = SPECS
            .iter()
            .map(|s| {
                let stored = answers.get(s.id);
                let answer = stored.and_then(|a| Answer::parse(&a.answer));
                let (evidence_ok, evidence) = match &live {
                    Some(ev) => ev
                        .get(s.id)
                        .map(|(ok, t)| (Some(*ok), t.clone()))
                        .unwrap_or((None, String::new())),
                    None => stored
                        .map(|a| (a.evidence_ok, a.evidence.clone().unwrap_or_default()))
                        .unwrap_or((None, String::new())),
                };
                SpecRow {
                    id: s.id,
                    cfr: s.cfr,
                    safeguard: s.safeguard,
                    standard: s.standard,
                    title: s.title,
                    heading: if s.title.starts_with("(standard only") {
                        s.standard.split(" [").next().unwrap_or(s.standard).to_owned()
                    } else {
                        s.title.to_owned()
                    },
                    required: s.required,
                    question: s.question,
                    good: s.good,
                    answer: answer.map(|a| a.as_str().to_owned()).unwrap_or_default(),
                    answer_label: answer.map(|a| a.label().to_owned()).unwrap_or_default(),
                    reason: stored.map(|a| a.reason.clone()).unwrap_or_default(),
                    measure: stored.map(|a| a.measure.clone()).unwrap_or_default(),
                    contradicted: answers::contradicted(answer, evidence_ok),
                    // Unanswered, the system's good evidence answers the row.
                    gap: match (answer, evidence_ok) {
                        (None, Some(ok)) => !ok,
                        _ => answers::is_gap(s, answer) || answers::contradicted(answer, evidence_ok),
                    },
                    evidence,
                    evidence_ok,
                }
            })
            .collect();
        let asset_views: Vec<AssetView> = assets
            .into_iter()
            .map(|x| AssetView {
                gaps: inventory::asset_gaps(&x, today)
                    .iter()
                    .map(|g| g.label().to_owned())
                    .collect(),
                os: x.os.clone(),
                last_patched_on: x.last_patched_on.clone().unwrap_or_default(),
                support_ends_on: x.support_ends_on.clone().unwrap_or_default(),
                retired_on: x.retired_on.clone().unwrap_or_default(),
                vendor: x
                    .vendor_id
                    .and_then(|v| vendors.iter().find(|r| r.id == v))
                    .map(|v| v.name.clone())
                    .unwrap_or_default(),
                id: x.id,
                name: x.name,
                kind: x.kind,
                owner: x.owner,
                location: x.location,
                holds_ephi: x.holds_ephi,
                encrypted: x.encrypted,
                screen_lock: x.screen_lock,
                patched: x.patched,
                backed_up: x.backed_up,
                vendor_id: x.vendor_id,
                notes: x.notes,
                system: x.system,
            })
            .collect();
        let risk_views = risks
            .into_iter()
            .map(|r| risk_view(r, &asset_views, &tasks, today))
            .collect();
        Ok(SraView {
            summary: summary(&a, &self.clinic_zone()),
            scope: a.scope,
            editable: status.editable(),
            answered: rows.iter().filter(|r| !r.answer.is_empty()).count(),
            gaps: rows.iter().filter(|r| r.gap).count(),
            contradictions: rows.iter().filter(|r| r.contradicted).count(),
            rows,
            assets: asset_views,
            risks: risk_views,
        })
    }

    /// Carekeep's own row in the inventory, from what the system knows.
    async fn refresh_system_asset(&self, id: i64) -> Result<(), AppError> {
        let host = &self.settings().host;
        let idle = self.settings().lifetime.idle.whole_minutes();
        let notes = format!(
            "Filled in by Carekeep on {}: field-level encryption on; master key file {}; {}; automatic logoff after {idle} idle minutes; backups: {}. Patching of the machine it runs on is up to you.",
            self.clinic_today(),
            match host.master_key_private() {
                Some(true) => "readable by its owner only",
                Some(false) => "readable by others (fix it)",
                None => "not checked",
            },
            host.transport.describe(),
            "not tracked by Carekeep yet"
        );
        let mut tx = self.store().begin().await?;
        let Some(mut asset) = store::assets(tx.conn(), id).await?.into_iter().find(|a| a.system) else {
            return Ok(());
        };
        let fresh = AssetRow {
            encrypted: host.master_key_private() != Some(false),
            screen_lock: idle <= 15,
            backed_up: false,
            holds_ephi: true,
            notes,
            ..asset.clone()
        };
        if fresh.notes != asset.notes || fresh.encrypted != asset.encrypted || fresh.screen_lock != asset.screen_lock {
            asset = fresh;
            store::save_asset(tx.conn(), &asset).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    pub async fn set_assessment_details(
        &self,
        actor: &Actor<'_>,
        id: i64,
        title: &str,
        scope: &str,
    ) -> Result<(), AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        let title = text("title", title, 200, true)?;
        let scope = text("scope", scope, 4000, true)?;
        let mut tx = self.store().begin().await?;
        self.editable(&mut tx, id).await?;
        store::set_details(tx.conn(), id, &title, &scope).await?;
        self.sra_audit(&mut tx, actor, id, "scope changed").await?;
        tx.commit().await?;
        Ok(())
    }

    /// Answers one row; the answer is checked against 164.306(d).
    pub async fn answer_spec(
        &self,
        actor: &Actor<'_>,
        id: i64,
        spec_id: &str,
        input: AnswerInput,
    ) -> Result<(), AppError> {
        let me = self.require(actor, Capability::ManageProgram).await?;
        let spec = specs::by_id(spec_id).ok_or(AppError::NotFound("specification"))?;
        let answer = Answer::parse(&input.answer).ok_or_else(|| {
            AppError::Invalid("choose implemented, alternative, not_implemented or not_applicable".into())
        })?;
        let reason = text("reason", &input.reason, 2000, false)?;
        let measure = text("measure", &input.measure, 2000, false)?;
        answers::check(spec, answer, &reason, &measure).map_err(AppError::Invalid)?;
        let mut tx = self.store().begin().await?;
        self.editable(&mut tx, id).await?;
        store::save_answer(
            tx.conn(),
            id,
            &AnswerRow {
                spec_id: spec.id.into(),
                answer: answer.as_str().into(),
                reason,
                measure,
                evidence: None,
                evidence_ok: None,
            },
            me.map(|p| p.user_id.0),
            self.now(),
        )
        .await?;
        self.sra_audit(&mut tx, actor, id, &format!("{} answered {}", spec.id, answer.as_str()))
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds (`asset == 0`) or changes an asset. Carekeep's own row is the system's to fill.
    pub async fn save_sra_asset(
        &self,
        actor: &Actor<'_>,
        id: i64,
        asset: i64,
        input: AssetInput,
    ) -> Result<i64, AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        let name = text("asset name", &input.name, 200, true)?;
        if !ASSET_KINDS.iter().any(|(k, _)| *k == input.kind.trim()) {
            return Err(AppError::Invalid(format!(
                "the kind must be one of: {}",
                ASSET_KINDS.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
            )));
        }
        let mut tx = self.store().begin().await?;
        self.editable(&mut tx, id).await?;
        if let Some(v) = input.vendor_id {
            program_store::vendor_by_id(tx.conn(), v)
                .await
                .map_err(|_| AppError::Invalid("that vendor is not on the vendor list".into()))?;
        }
        let existing = store::assets(tx.conn(), id).await?;
        if asset != 0 {
            match existing.iter().find(|a| a.id == asset) {
                None => return Err(AppError::NotFound("asset")),
                Some(a) if a.system => {
                    return Err(AppError::Conflict(
                        "Carekeep's own facts are filled in by the system".into(),
                    ))
                }
                Some(a) if a.retired_on.is_some() => {
                    return Err(AppError::Conflict(
                        "this asset was disposed of: its record ended with the disposal log".into(),
                    ))
                }
                Some(_) => {}
            }
        }
        // A new device or system with ePHI, or a new location, after the last finalised
        // assessment is a significant change: it needs this review finalised.
        if asset == 0 && input.holds_ephi {
            let all = store::assessments(tx.conn()).await?;
            if let Some(last) = all.iter().find(|a| a.status == "final") {
                let known = store::assets(tx.conn(), last.id).await?;
                let location = input.location.trim();
                let change = if !location.is_empty() && !known.iter().any(|k| k.location.eq_ignore_ascii_case(location))
                {
                    lifecycle::Change::NewLocation
                } else {
                    lifecycle::Change::NewAsset
                };
                self.flag_sra_review(&mut tx, change, &name).await?;
            }
        }
        let mut row = AssetRow {
            id: asset,
            assessment_id: id,
            name,
            kind: input.kind.trim().into(),
            owner: text("owner", &input.owner, 120, false)?,
            location: text("location", &input.location, 200, false)?,
            holds_ephi: input.holds_ephi,
            encrypted: input.encrypted,
            screen_lock: input.screen_lock,
            patched: input.patched,
            backed_up: input.backed_up,
            vendor_id: input.vendor_id,
            notes: text("notes", &input.notes, 2000, false)?,
            system: false,
            os: crate::input::line("operating system and version", &input.os, 120, false)?,
            last_patched_on: inventory::optional_date("last patched", &input.last_patched_on)?,
            support_ends_on: inventory::optional_date("support end", &input.support_ends_on)?,
            retired_on: None,
        };
        let saved = store::save_asset(tx.conn(), &row).await?;
        row.id = saved;
        // The inventory's gaps become risks with tasks (164.308(a)(1)(ii)(B)).
        self.inventory_tasks(&mut tx, &row).await?;
        self.sra_audit(&mut tx, actor, id, &format!("asset {saved} saved"))
            .await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Adds (`risk == 0`) or changes a risk; the level comes from the matrix.
    pub async fn save_sra_risk(
        &self,
        actor: &Actor<'_>,
        id: i64,
        risk_id: i64,
        input: RiskInput,
    ) -> Result<i64, AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        let catalogued = catalogue::by_key(input.threat.trim());
        let threat = match catalogued {
            Some(t) => t.name.to_owned(),
            None => text("threat", &input.threat, 200, true)?,
        };
        let rating = |label: &str, s: &str| {
            Rating::parse(s).ok_or_else(|| AppError::Invalid(format!("rate the {label} low, moderate or high")))
        };
        let likelihood = match (input.likelihood.trim(), catalogued) {
            ("", Some(t)) => t.likelihood,
            (s, _) => rating("likelihood", s)?,
        };
        let impact = match (input.impact.trim(), catalogued) {
            ("", Some(t)) => t.impact,
            (s, _) => rating("impact", s)?,
        };
        let treatment = Treatment::parse(&input.treatment)
            .ok_or_else(|| AppError::Invalid("choose a treatment: mitigate, accept, transfer or avoid".into()))?;
        let justification = text("justification", &input.justification, 2000, false)?;
        risk::check_treatment(risk::level(likelihood, impact), treatment, &justification)
            .map_err(|e| AppError::Invalid(e.into()))?;
        let vulnerability = match (input.vulnerability.trim(), catalogued) {
            ("", Some(t)) => t.vulnerability.to_owned(),
            _ => text("vulnerability", &input.vulnerability, 2000, false)?,
        };
        let controls = match (input.controls.trim(), catalogued) {
            ("", Some(t)) => format!("Suggested: {}", t.controls),
            _ => text("controls", &input.controls, 2000, false)?,
        };
        let mut tx = self.store().begin().await?;
        self.editable(&mut tx, id).await?;
        if let Some(asset) = input.asset_id {
            if !store::assets(tx.conn(), id).await?.iter().any(|a| a.id == asset) {
                return Err(AppError::Invalid(
                    "that asset is not in this assessment's inventory".into(),
                ));
            }
        }
        let saved = store::save_risk(
            tx.conn(),
            &RiskRow {
                id: risk_id,
                assessment_id: id,
                threat,
                asset_id: input.asset_id,
                vulnerability,
                likelihood: likelihood.as_str().into(),
                impact: impact.as_str().into(),
                controls,
                treatment: treatment.as_str().into(),
                justification,
            },
        )
        .await
        .map_err(|e| match e {
            carekeep_store::StoreError::NotFound => AppError::NotFound("risk"),
            other => other.into(),
        })?;
        self.sra_audit(&mut tx, actor, id, &format!("risk {saved} saved"))
            .await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// A remediation task for a risk being mitigated. Tasks keep moving after the assessment
    /// is finalised: the plan is worked through the year.
    pub async fn add_sra_task(
        &self,
        actor: &Actor<'_>,
        risk_id: i64,
        title: &str,
        owner: &str,
        due_on: &str,
    ) -> Result<i64, AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        let title = text("task", title, 300, true)?;
        let owner = text("owner", owner, 120, true)?;
        let due = parse_date(due_on.trim())
            .map_err(|_| AppError::Invalid("the due date must look like 04/23/2026".into()))?;
        let mut tx = self.store().begin().await?;
        let risk = store::risks(tx.conn(), None)
            .await?
            .into_iter()
            .find(|r| r.id == risk_id)
            .ok_or(AppError::NotFound("risk"))?;
        if risk.treatment != Treatment::Mitigate.as_str() {
            return Err(AppError::Invalid("tasks belong to risks being mitigated".into()));
        }
        let id = store::insert_task(tx.conn(), risk_id, &title, &owner, &due.to_string(), self.now()).await?;
        self.sra_audit(
            &mut tx,
            actor,
            risk.assessment_id,
            &format!("task {id} added to risk {risk_id}"),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn complete_sra_task(&self, actor: &Actor<'_>, task: i64) -> Result<(), AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        let mut tx = self.store().begin().await?;
        let t = store::tasks(tx.conn())
            .await?
            .into_iter()
            .find(|t| t.id == task)
            .ok_or(AppError::NotFound("task"))?;
        store::complete_task(tx.conn(), task, &self.clinic_today().to_string()).await?;
        self.sra_audit(&mut tx, actor, t.assessment_id, &format!("task {task} done"))
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every remediation task, open first.
    pub async fn sra_tasks(&self, actor: &Actor<'_>) -> Result<Vec<TaskView>, AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        let mut conn = self.store().read().await?;
        let today = self.clinic_today();
        Ok(store::tasks(&mut conn)
            .await?
            .into_iter()
            .map(|t| task_view(t, today))
            .collect())
    }

    /// The register: every risk across assessments, newest assessment first.
    pub async fn risk_register(&self, actor: &Actor<'_>) -> Result<Vec<RiskView>, AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        let mut conn = self.store().read().await?;
        let risks = store::risks(&mut conn, None).await?;
        let tasks = store::tasks(&mut conn).await?;
        let today = self.clinic_today();
        Ok(risks.into_iter().map(|r| risk_view(r, &[], &tasks, today)).collect())
    }

    /// Sends a draft for review, or a review back to draft.
    pub async fn move_assessment(&self, actor: &Actor<'_>, id: i64, to: &str) -> Result<(), AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        let to = match Status::parse(to) {
            Some(s @ (Status::Draft | Status::Review)) => s,
            _ => {
                return Err(AppError::Invalid(
                    "move it to draft or review; finalizing is its own step".into(),
                ))
            }
        };
        let mut tx = self.store().begin().await?;
        let a = self.editable(&mut tx, id).await?;
        let from = Self::status_of(&a)?;
        if !lifecycle::may_move(from, to) {
            return Err(AppError::Conflict(format!(
                "an assessment in {} cannot move to {}",
                from.as_str(),
                to.as_str()
            )));
        }
        store::set_status(tx.conn(), id, to.as_str()).await?;
        self.sra_audit(&mut tx, actor, id, &format!("moved to {}", to.as_str()))
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Finalises an assessment in review, signed by a signed-in person with their name. Every
    /// row must be answered; rows the system can answer take its answer where no one did, and
    /// the evidence is kept with each row. A contradicted answer must be fixed first.
    pub async fn finalise_assessment(&self, actor: &Actor<'_>, id: i64, signed_name: &str) -> Result<(), AppError> {
        let me = self
            .require(actor, Capability::ManageProgram)
            .await?
            .ok_or_else(|| AppError::Forbidden("an assessment is signed by a signed-in person".into()))?;
        let signed_name = text("signature (your full name)", signed_name, 120, true)?;
        lifecycle::check_signer(&signed_name).map_err(|m| AppError::Invalid(m.into()))?;
        let view = self.assessment(actor, id).await?;
        if view.summary.status != Status::Review.as_str() {
            return Err(AppError::Conflict(
                "send the assessment for review before finalizing it".into(),
            ));
        }
        let unplanned = unplanned_risks(&view.risks);
        if !unplanned.is_empty() {
            return Err(AppError::Invalid(format!(
                "{} to be mitigated without a remediation task with an owner and a due date ({}): add a task to each, with an owner and a due date, before finalizing",
                if unplanned.len() == 1 {
                    "a risk above low is".to_owned()
                } else {
                    format!("{} risks above low are", unplanned.len())
                },
                view.risks
                    .iter()
                    .filter(|r| unplanned.contains(&r.id))
                    .map(|r| r.threat.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            )));
        }
        let evidence = self.sra_evidence(actor).await?;
        let unanswered: Vec<&str> = view
            .rows
            .iter()
            .filter(|r| r.answer.is_empty() && !evidence.contains_key(r.id))
            .map(|r| r.id)
            .collect();
        if !unanswered.is_empty() {
            return Err(AppError::Invalid(format!(
                "answer every row first; still open: {}",
                unanswered.join(", ")
            )));
        }
        let contradicted: Vec<&str> = view.rows.iter().filter(|r| r.contradicted).map(|r| r.id).collect();
        if !contradicted.is_empty() {
            return Err(AppError::Invalid(format!(
                "the system's evidence contradicts the answers to {}: fix the safeguard or the answer",
                contradicted.join(", ")
            )));
        }
        let mut tx = self.store().begin().await?;
        self.editable(&mut tx, id).await?;
        let stored: HashMap<String, AnswerRow> = store::answers(tx.conn(), id)
            .await?
            .into_iter()
            .map(|a| (a.spec_id.clone(), a))
            .collect();
        for (spec_id, (ok, words)) in &evidence {
            let row = match stored.get(*spec_id) {
                Some(a) => a.clone(),
                None => AnswerRow {
                    spec_id: (*spec_id).into(),
                    answer: if *ok {
                        Answer::Implemented
                    } else {
                        Answer::NotImplemented
                    }
                    .as_str()
                    .into(),
                    reason: if *ok {
                        String::new()
                    } else {
                        "From the system's evidence.".into()
                    },
                    ..AnswerRow::default()
                },
            };
            store::save_answer(
                tx.conn(),
                id,
                &AnswerRow {
                    evidence: Some(words.clone()),
                    evidence_ok: Some(*ok),
                    ..row
                },
                Some(me.user_id.0),
                self.now(),
            )
            .await?;
        }
        store::finalise(tx.conn(), id, me.user_id.0, &signed_name, self.now()).await?;
        program_store::clear_flag(tx.conn(), SRA_REVIEW_NEEDED).await?;
        self.sra_audit(&mut tx, actor, id, &format!("finalized and signed by {signed_name}"))
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Marks the assessment as needing review after a significant change (164.308(a)(8)); the
    /// flag keeps its first reason until an assessment is finalised.
    pub(crate) async fn flag_sra_review(
        &self,
        tx: &mut carekeep_store::Tx,
        change: lifecycle::Change,
        detail: &str,
    ) -> Result<(), AppError> {
        let reason = if detail.is_empty() {
            change.describe().to_owned()
        } else {
            format!("{} ({detail})", change.describe())
        };
        program_store::raise_flag(tx.conn(), SRA_REVIEW_NEEDED, &reason, self.now()).await?;
        Ok(())
    }

    /// The dashboard's view: the last finalisation and any change since.
    pub(crate) async fn sra_standing(&self) -> Result<(Standing, String), AppError> {
        let today = self.clinic_today();
        let zone = self.clinic_zone();
        let mut conn = self.store().read().await?;
        let all = store::assessments(&mut conn).await?;
        let flag = program_store::flag_raised(&mut conn, SRA_REVIEW_NEEDED).await?;
        drop(conn);
        let last = all.iter().find(|a| a.status == "final");
        let last_on = last.and_then(|a| a.finalised_at).map(|t| zone.local(t).date());
        let changed_on = flag.as_ref().map(|(t, _)| zone.local(*t).date());
        let (due, s) = lifecycle::standing(last_on, changed_on, today);
        let open = all.iter().find(|a| a.status != "final");
        let mut words = match (last, due) {
            (Some(a), Some(due)) => format!(
                "'{}' finalized on {} by {}; next due by {due}.",
                a.title,
                last_on.map(|d| d.to_string()).unwrap_or_default(),
                a.signed_name.as_deref().unwrap_or("?")
            ),
            _ => "No finalized assessment on record.".into(),
        };
        if let Some((_, why)) = flag {
            words.push_str(&format!(" Needs review: {why}."));
        }
        if let Some(o) = open {
            words.push_str(&format!(" '{}' is open ({}).", o.title, o.status));
        }
        Ok((s, words))
    }

    /// Leavers whose offboarding steps are open more than 7 days, and how many have left.
    async fn offboarding_lag(&self) -> Result<(Vec<String>, usize), AppError> {
        let today = self.clinic_today();
        let mut conn = self.store().read().await?;
        let people = carekeep_store::workforce::people(&mut conn).await?;
        let mut late = Vec::new();
        let mut left = 0;
        for p in people.iter().filter(|p| p.offboarded) {
            left += 1;
            let since = p.left_on.as_deref().and_then(|d| parse_date(d).ok());
            let open = carekeep_store::workforce::offboarding_items(&mut conn, p.id)
                .await?
                .iter()
                .any(|(_, _, done)| !done);
            if open && since.is_some_and(|d| today - d > time::Duration::days(7)) {
                late.push(p.name.clone());
            }
        }
        Ok((late, left))
    }

    /// Active accounts holding the compliance role.
    async fn compliance_officers(&self) -> Result<Vec<String>, AppError> {
        let mut conn = self.store().read().await?;
        Ok(carekeep_store::users::all(&mut conn)
            .await?
            .into_iter()
            .filter(|u| u.disabled_at.is_none() && u.roles.iter().any(|r| r.as_str() == crate::users::COMPLIANCE_ROLE))
            .map(|u| u.username)
            .collect())
    }
}

fn task_view(t: store::TaskRow, today: time::Date) -> TaskView {
    let standing = match (&t.done_on, parse_date(&t.due_on)) {
        (Some(_), _) => "done",
        (None, Ok(due)) => match carekeep_domain::program::dates::standing(due, today) {
            Standing::Gap => "gap",
            Standing::DueSoon => "due_soon",
            Standing::Done => "open",
        },
        (None, Err(_)) => "gap",
    };
    TaskView {
        id: t.id,
        risk_id: t.risk_id,
        assessment_id: t.assessment_id,
        title: t.title,
        owner: t.owner,
        due_on: t.due_on,
        done_on: t.done_on.unwrap_or_default(),
        standing: standing.into(),
    }
}

fn risk_view(r: RiskRow, assets: &[AssetView], tasks: &[store::TaskRow], today: time::Date) -> RiskView {
    let level = match (Rating::parse(&r.likelihood), Rating::parse(&r.impact)) {
        (Some(l), Some(i)) => risk::level(l, i).as_str(),
        _ => "",
    };
    RiskView {
        asset: r
            .asset_id
            .and_then(|a| assets.iter().find(|x| x.id == a))
            .map(|a| a.name.clone())
            .unwrap_or_default(),
        tasks: tasks
            .iter()
            .filter(|t| t.risk_id == r.id)
            .cloned()
            .map(|t| task_view(t, today))
            .collect(),
        level: level.into(),
        id: r.id,
        assessment_id: r.assessment_id,
        threat: r.threat,
        asset_id: r.asset_id,
        vulnerability: r.vulnerability,
        likelihood: r.likelihood,
        impact: r.impact,
        controls: r.controls,
        treatment: r.treatment,
        justification: r.justification,
    }
}
