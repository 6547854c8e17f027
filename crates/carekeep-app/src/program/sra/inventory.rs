//! The technology inventory's gaps as evidence and tasks, the disposal log that ends an
//! asset's record (164.310(d)(2)(i)-(ii)), and the clinic's security evidence: scans,
//! penetration tests, the compliance audit, Carekeep's newest known release and who receives
//! threat alerts. Written about the clinic's systems, never its patients: nothing here is PHI.

use crate::{Actor, App, AppError};
use carekeep_domain::program::sra::catalogue;
use carekeep_domain::program::sra::inventory::{self, Device, Gap};
use carekeep_domain::program::sra::risk::Treatment;
use carekeep_domain::records::patient::parse_date;
use carekeep_domain::Capability;
use carekeep_store::security::{self as store, DisposalRow, FactsRow};
use carekeep_store::sra::{self as sra_store, AssetRow, RiskRow};
use serde::{Deserialize, Serialize};
use time::Date;

/// Carekeep's own version, as built.
pub const RUNNING_RELEASE: &str = env!("CARGO_PKG_VERSION");

/// An optional date typed as `04/23/2026` or `2026-04-23`; `what` names the field in the message.
pub(crate) fn optional_date(what: &str, s: &str) -> Result<Option<String>, AppError> {
    Ok(crate::input::date(&format!("{what} date"), s, false)?.map(|d| d.to_string()))
}

/// An optional date as [`optional_date`], refused when after `today`.
pub(crate) fn past_date(what: &str, s: &str, today: Date) -> Result<Option<String>, AppError> {
    let d = optional_date(what, s)?;
    if d.as_deref().and_then(|d| parse_date(d).ok()).is_some_and(|d| d > today) {
        return Err(AppError::Invalid(format!("the {what} date cannot be in the future")));
    }
    Ok(d)
}

pub(crate) fn date_of(s: &Option<String>) -> Option<Date> {
    s.as_deref().and_then(|d| parse_date(d).ok())
}

/// The gaps of a stored asset on `today`.
pub(crate) fn asset_gaps(a: &AssetRow, today: Date) -> Vec<Gap> {
    if a.system {
        // Carekeep's own row: the machine it runs on is listed by the clinic as its own device.
        return Vec::new();
    }
    inventory::gaps(
        &Device {
            kind: &a.kind,
            holds_ephi: a.holds_ephi,
            disk_encrypted: a.encrypted,
            last_patched: date_of(&a.last_patched_on),
            support_ends: date_of(&a.support_ends_on),
            retired: a.retired_on.is_some(),
        },
        today,
    )
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DisposalInput {
    /// The date it was wiped, destroyed or handed on.
    pub disposed_on: String,
    /// wiped, destroyed or reused.
    pub action: String,
    /// How: the tool or the service.
    pub method: String,
    /// Who did it.
    pub done_by: String,
    /// The shredding vendor's certificate, where there is one.
    pub certificate: String,
}

/// What can happen to a device or medium at its end (164.310(d)(2)(i) disposal, (ii) re-use).
pub const DISPOSAL_ACTIONS: [(&str, &str); 3] = [
    ("wiped", "Wiped and disposed of"),
    ("destroyed", "Destroyed (shredded, drilled, crushed)"),
    ("reused", "Wiped and re-used"),
];

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DisposalView {
    pub id: i64,
    pub asset_id: i64,
    pub asset_name: String,
    pub disposed_on: String,
    pub action: String,
    pub action_label: String,
    pub method: String,
    pub done_by: String,
    pub certificate: String,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct FactsInput {
    pub last_scan_on: String,
    /// Where the scan's report is kept, or its reference.
    pub scan_report: String,
    pub last_pentest_on: String,
    pub pentest_report: String,
    pub last_audit_on: String,
    /// The newest Carekeep release the clinic knows of (from the release notes); nothing is fetched.
    pub latest_release: String,
    /// Who receives outside security alerts.
    pub alerts_recipient: String,
    /// From where: CISA, the vendors' advisories, an ISAC, the IT provider.
    pub alerts_sources: String,
    /// When the arrangement was last checked (yearly).
    pub alerts_checked_on: String,
}

#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct FactsView {
    /// As stored, dates `YYYY-MM-DD`.
    pub last_scan_on: String,
    pub scan_report: String,
    pub last_pentest_on: String,
    pub pentest_report: String,
    pub last_audit_on: String,
    pub latest_release: String,
    pub alerts_recipient: String,
    pub alerts_sources: String,
    pub alerts_checked_on: String,
    pub running_release: String,
    /// A newer release is known than the one running.
    pub update_known: bool,
    /// The threat-alert arrangement is recorded and checked within 12 months.
    pub alerts_current: bool,
    /// The newest report uploaded of each kind, by kind (`scan`, `pentest`, `audit`).
    pub reports: Vec<ReportFile>,
}

/// A report uploaded behind the security evidence.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ReportFile {
    pub id: i64,
    /// `scan`, `pentest` or `audit`.
    pub kind: String,
    pub kind_label: String,
    pub file_name: String,
    /// When it was uploaded, `YYYY-MM-DD` in the clinic's zone.
    pub uploaded_on: String,
}

/// The kinds of report that can stand behind the evidence: code and words.
pub const REPORT_KINDS: [(&str, &str); 3] = [
    ("scan", "Vulnerability scan report"),
    ("pentest", "Penetration test report"),
    ("audit", "Compliance audit report"),
];

fn report_binding(id: i64) -> carekeep_crypto::keys::Binding<'static> {
    carekeep_crypto::keys::Binding {
        table: "security_reports",
        column: "content_ct",
        row: id,
    }
}

impl App {
    /// Each gap of a saved asset becomes a risk on it (the catalogue's threat, to mitigate)
    /// with a task, unless an open task of the same title is already there.
    pub(crate) async fn inventory_tasks(
        &self,
        tx: &mut carekeep_store::Tx,
        asset: &AssetRow,
    ) -> Result<Vec<i64>, AppError> {
        let today = self.clinic_today();
        let mut made = Vec::new();
        for gap in asset_gaps(asset, today) {
            let Some(threat) = catalogue::by_key(gap.threat()) else {
                continue;
            };
            let risks = sra_store::risks(tx.conn(), Some(asset.assessment_id)).await?;
            let risk_id = match risks.iter().find(|r| {
                r.asset_id == Some(asset.id) && r.threat == threat.name && r.treatment == Treatment::Mitigate.as_str()
            }) {
                Some(r) => r.id,
                None => {
                    sra_store::save_risk(
                        tx.conn(),
                        &RiskRow {
                            id: 0,
                            assessment_id: asset.assessment_id,
                            threat: threat.name.into(),
                            asset_id: Some(asset.id),
                            vulnerability: format!("{}: {}.", asset.name, gap.label()),
                            likelihood: threat.likelihood.as_str().into(),
                            impact: threat.impact.as_str().into(),
                            controls: format!("Suggested: {}", threat.controls),
                            treatment: Treatment::Mitigate.as_str().into(),
                            justification: String::new(),
                        },
                    )
                    .await?
                }
            };
            let title = gap.task(&asset.name);
            let open = sra_store::tasks(tx.conn())
                .await?
                .iter()
                .any(|t| t.risk_id == risk_id && t.title == title && t.done_on.is_none());
            if !open {
                let owner = if asset.owner.trim().is_empty() {
                    "Compliance officer"
                } else {
                    asset.owner.trim()
                };
                let due = today + time::Duration::days(inventory::PATCH_WITHIN_DAYS);
                made.push(
                    sra_store::insert_task(tx.conn(), risk_id, &title, owner, &due.to_string(), self.now()).await?,
                );
            }
        }
        Ok(made)
    }

    /// The gaps across the newest assessment's inventory, by row of the rule:
    /// `(ADM-13 devices, TEC-04 devices)` as "name (gap)" words, and how many devices and
    /// systems the clinic listed (retired ones and Carekeep's own row aside).
    pub(crate) async fn inventory_gap_words(&self) -> Result<(Vec<String>, Vec<String>, usize), AppError> {
        let today = self.clinic_today();
        let mut conn = self.store().read().await?;
        let Some(newest) = sra_store::assessments(&mut conn).await?.into_iter().next() else {
            return Ok((Vec::new(), Vec::new(), 0));
        };
        let mut patching = Vec::new();
        let mut encryption = Vec::new();
        let mut devices = 0;
        for a in sra_store::assets(&mut conn, newest.id).await? {
            if !a.system && a.retired_on.is_none() {
                devices += 1;
            }
            for g in asset_gaps(&a, today) {
                let words = format!("{} ({})", a.name, g.label());
                if g.spec() == "TEC-04" {
                    encryption.push(words);
                } else {
                    patching.push(words);
                }
            }
        }
        Ok((patching, encryption, devices))
    }

    /// Records a device or medium wiped, destroyed or re-used; its record in the open
    /// assessment ends there (it has no more gaps and is not carried into the next).
    pub async fn dispose_asset(
        &self,
        actor: &Actor<'_>,
        id: i64,
        asset: i64,
        input: DisposalInput,
    ) -> Result<i64, AppError> {
        let me = self.require(actor, Capability::ManageProgram).await?;
        let on = match parse_date(input.disposed_on.trim()) {
            Ok(d) if d <= self.clinic_today() => d,
            Ok(_) => return Err(AppError::Invalid("the disposal date cannot be in the future".into())),
            Err(_) => return Err(AppError::Invalid("the disposal date must look like 04/23/2026".into())),
        };
        let Some((action, _)) = DISPOSAL_ACTIONS.iter().find(|(k, _)| *k == input.action.trim()) else {
            return Err(AppError::Invalid(
                "choose what was done: wiped, destroyed or re-used".into(),
            ));
        };
        let method = crate::input::line("method (how it was done)", &input.method, 300, true)?;
        let done_by = crate::input::line("person or company who did it (done by)", &input.done_by, 200, true)?;
        let certificate = crate::input::line("certificate", &input.certificate, 300, false)?;
        let mut tx = self.store().begin().await?;
        self.editable(&mut tx, id).await?;
        let Some(mut row) = sra_store::assets(tx.conn(), id)
            .await?
            .into_iter()
            .find(|a| a.id == asset)
        else {
            return Err(AppError::NotFound("asset"));
        };
        if row.system {
            return Err(AppError::Conflict(
                "Carekeep itself is not disposed of here: record the machine it runs on as its own device".into(),
            ));
        }
        if row.retired_on.is_some() {
            return Err(AppError::Conflict("this asset's disposal is already recorded".into()));
        }
        row.retired_on = Some(on.to_string());
        sra_store::save_asset(tx.conn(), &row).await?;
        let logged = store::insert_disposal(
            tx.conn(),
            &DisposalRow {
                id: 0,
                assessment_id: id,
                asset_id: asset,
                asset_name: row.name.clone(),
                disposed_on: on.to_string(),
                action: (*action).into(),
                method,
                done_by,
                certificate,
            },
            me.map(|p| p.user_id.0),
            self.now(),
        )
        .await?;
        self.sra_audit(
            &mut tx,
            actor,
            id,
            &format!("asset {asset} disposed of ({action}), disposal {logged}"),
        )
        .await?;
        tx.commit().await?;
        Ok(logged)
    }

    /// The disposal log, newest first.
    pub async fn disposals(&self, actor: &Actor<'_>) -> Result<Vec<DisposalView>, AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        let mut conn = self.store().read().await?;
        Ok(store::disposals(&mut conn)
            .await?
            .into_iter()
            .map(|d| DisposalView {
                action_label: DISPOSAL_ACTIONS
                    .iter()
                    .find(|(k, _)| *k == d.action)
                    .map_or_else(|| d.action.clone(), |(_, w)| (*w).to_owned()),
                id: d.id,
                asset_id: d.asset_id,
                asset_name: d.asset_name,
                disposed_on: d.disposed_on,
                action: d.action,
                method: d.method,
                done_by: d.done_by,
                certificate: d.certificate,
            })
            .collect())
    }

    pub(crate) async fn facts_row(&self) -> Result<FactsRow, AppError> {
        let mut conn = self.store().read().await?;
        Ok(store::facts(&mut conn).await?)
    }

    /// The clinic's security evidence with Carekeep's own release beside the newest known.
    pub async fn security_facts(&self, actor: &Actor<'_>) -> Result<FactsView, AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        let f = self.facts_row().await?;
        let today = self.clinic_today();
        let alerts_current = !f.alerts_recipient.trim().is_empty()
            && date_of(&f.alerts_checked_on).is_some_and(|d| carekeep_domain::program::add_months(d, 12) >= today);
        Ok(FactsView {
            update_known: inventory::newer_release(RUNNING_RELEASE, &f.latest_release),
            running_release: RUNNING_RELEASE.into(),
            alerts_current,
            last_scan_on: f.last_scan_on.unwrap_or_default(),
            scan_report: f.scan_report,
            last_pentest_on: f.last_pentest_on.unwrap_or_default(),
            pentest_report: f.pentest_report,
            last_audit_on: f.last_audit_on.unwrap_or_default(),
            latest_release: f.latest_release,
            alerts_recipient: f.alerts_recipient,
            alerts_sources: f.alerts_sources,
            alerts_checked_on: f.alerts_checked_on.unwrap_or_default(),
            reports: self.newest_reports().await?,
        })
    }

    /// The newest report of each kind.
    pub(crate) async fn newest_reports(&self) -> Result<Vec<ReportFile>, AppError> {
        let zone = self.clinic_zone();
        let mut conn = self.store().read().await?;
        let all = store::security_reports(&mut conn).await?;
        Ok(REPORT_KINDS
            .iter()
            .filter_map(|(kind, label)| {
                all.iter().find(|r| r.kind == *kind).map(|r| ReportFile {
                    id: r.id,
                    kind: r.kind.clone(),
                    kind_label: (*label).into(),
                    file_name: r.file_name.clone(),
                    uploaded_on: zone.local(r.uploaded_at).date().to_string(),
                })
            })
            .collect())
    }

    /// Keeps a report behind the security evidence, encrypted (PDF, JPEG or PNG).
    pub async fn upload_security_report(
        &self,
        actor: &Actor<'_>,
        kind: &str,
        name: &str,
        bytes: &[u8],
    ) -> Result<i64, AppError> {
        let me = self.require(actor, Capability::ManageProgram).await?;
        let Some((kind, label)) = REPORT_KINDS.iter().find(|(k, _)| *k == kind) else {
            return Err(AppError::NotFound("kind of report"));
        };
        let max = self.settings().records.attachment_max_bytes;
        if bytes.is_empty() || bytes.len() > max {
            return Err(AppError::Invalid(format!(
                "a report file must be between 1 byte and {} MiB",
                max / (1024 * 1024)
            )));
        }
        let content_type = match carekeep_domain::files::sniff(bytes) {
            Some(t) if t != "image/webp" => t,
            _ => return Err(AppError::Invalid("upload the report file as a PDF, JPEG or PNG".into())),
        };
        let name = crate::input::line("file name", name, 200, false)?;
        let mut tx = self.store().begin().await?;
        let id = store::insert_security_report(
            tx.conn(),
            kind,
            &name,
            content_type,
            me.map(|p| p.user_id.0),
            self.now(),
        )
        .await?;
        let ct = self.sealer().seal(report_binding(id), bytes)?;
        store::set_security_report_content(tx.conn(), id, &ct).await?;
        let mut event = self
            .event(
                actor,
                carekeep_domain::audit::Action::ProgramChanged,
                carekeep_domain::audit::Outcome::Success,
            )
            .with_reason(&format!("{} uploaded", label.to_lowercase()));
        event.resource_type = "SecurityEvidence".into();
        event.resource_id = id.to_string();
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A report's content type, bytes and file name. Audited as a document view.
    pub async fn security_report(&self, actor: &Actor<'_>, id: i64) -> Result<(String, Vec<u8>, String), AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        let (row, ct) = {
            let mut conn = self.store().read().await?;
            store::security_report(&mut conn, id)
                .await
                .map_err(|_| AppError::NotFound("report"))?
        };
        let bytes = self
            .sealer()
            .open_not_phi(crate::seal::NotPhi::SecurityReport, report_binding(id), &ct)?;
        let mut event = self.event(
            actor,
            carekeep_domain::audit::Action::ProgramDocumentViewed,
            carekeep_domain::audit::Outcome::Success,
        );
        event.resource_type = "SecurityEvidence".into();
        event.resource_id = id.to_string();
        self.append_event(event).await?;
        Ok((row.content_type, bytes.to_vec(), row.file_name))
    }

    /// Saves the security evidence; dates may not be in the future.
    pub async fn save_security_facts(&self, actor: &Actor<'_>, input: FactsInput) -> Result<(), AppError> {
        let me = self.require(actor, Capability::ManageProgram).await?;
        let today = self.clinic_today();
        let past = |what: &str, s: &str| past_date(what, s, today);
        let row = FactsRow {
            last_scan_on: past("vulnerability scan", &input.last_scan_on)?,
            scan_report: crate::input::line("scan report", &input.scan_report, 300, false)?,
            last_pentest_on: past("penetration test", &input.last_pentest_on)?,
            pentest_report: crate::input::line("penetration test report", &input.pentest_report, 300, false)?,
            last_audit_on: past("compliance audit", &input.last_audit_on)?,
            latest_release: crate::input::line("newest release", &input.latest_release, 40, false)?,
            alerts_recipient: crate::input::line("alerts recipient", &input.alerts_recipient, 200, false)?,
            alerts_sources: crate::input::line("alert sources", &input.alerts_sources, 300, false)?,
            alerts_checked_on: past("alerts checked", &input.alerts_checked_on)?,
        };
        if !row.alerts_recipient.is_empty() && row.alerts_checked_on.is_none() {
            return Err(AppError::Invalid(
                "give the date the threat-alert arrangement was last checked (alerts checked)".into(),
            ));
        }
        let mut tx = self.store().begin().await?;
        store::save_facts(tx.conn(), &row, me.map(|p| p.user_id.0), self.now()).await?;
        let mut event = self
            .event(
                actor,
                carekeep_domain::audit::Action::ProgramChanged,
                carekeep_domain::audit::Outcome::Success,
            )
            .with_reason("security evidence saved");
        event.resource_type = "SecurityEvidence".into();
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }
}
