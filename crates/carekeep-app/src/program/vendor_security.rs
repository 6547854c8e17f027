//! Vendor security oversight beyond the BAA (issue 30 item 3): for each vendor that handles
//! PHI, what the clinic knows of its security, reviewed yearly, with a rating that feeds the
//! risk register (164.308(a)(1)(ii)(A)-(B); the rules are in the domain's
//! `program::vendor_security`). About vendors, never patients: nothing here is PHI.

use super::sra::inventory::{date_of, past_date};
use super::vendors::phi_use;
use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::program::sra::catalogue;
use carekeep_domain::program::sra::risk::{Rating, Treatment};
use carekeep_domain::program::vendor_security::{self as rules, Knowledge, Report};
use carekeep_domain::Capability;
use carekeep_store::program::security::{self as store, VendorSecurityRow};
use carekeep_store::program::{self as program_store, VendorRow};
use carekeep_store::sra::{self as sra_store, RiskRow};
use serde::{Deserialize, Serialize};
use time::Date;

/// Days the clinic gets to ask a vendor for what is missing: the product's default for a
/// remediation task raised by a review.
const ASK_WITHIN_DAYS: i64 = 30;

/// A review as typed in the form or sent to the API.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct VendorSecurityInput {
    /// `none`, `soc2`, `hitrust`, `iso27001` or `other`.
    pub report: String,
    /// The report's date.
    pub report_on: String,
    /// When the vendor answered a security questionnaire.
    pub questionnaire_on: String,
    /// Breaches or security incidents the clinic knows of; empty for none.
    pub breach_history: String,
}

/// One vendor that handles PHI, with what the clinic knows of its security.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct VendorSecurityView {
    pub vendor_id: i64,
    pub vendor: String,
    pub service: String,
    pub report: String,
    pub report_label: String,
    /// Dates as `YYYY-MM-DD`, empty when not known.
    pub report_on: String,
    pub questionnaire_on: String,
    pub breach_history: String,
    pub reviewed_on: String,
    /// When the next yearly review falls due; empty when never reviewed.
    pub review_due: String,
    /// Never reviewed, or the review is more than 12 months old.
    pub review_overdue: bool,
    /// `low`, `moderate` or `high`, from what is on file today.
    pub rating: String,
    pub rating_label: String,
    /// What is missing, in words.
    pub gaps: Vec<String>,
}

fn knowledge(s: &VendorSecurityRow) -> Knowledge {
    Knowledge {
        report: Report::parse(&s.report).unwrap_or(Report::None),
        report_on: date_of(&s.report_on),
        questionnaire_on: date_of(&s.questionnaire_on),
        breached: !s.breach_history.trim().is_empty(),
        reviewed_on: date_of(&s.reviewed_on),
    }
}

fn rating_label(r: Rating) -> &'static str {
    match r {
        Rating::Low => "Low risk",
        Rating::Moderate => "Moderate risk",
        Rating::High => "High risk",
    }
}

/// The vendors that handle PHI and are still in use, each with its security row.
fn in_scope(vendors: Vec<VendorRow>, security: &[VendorSecurityRow]) -> Vec<(VendorRow, VendorSecurityRow)> {
    vendors
        .into_iter()
        .filter(|v| !v.retired && phi_use(v).needs_baa())
        .map(|v| {
            let s = security
                .iter()
                .find(|s| s.vendor_id == v.id)
                .cloned()
                .unwrap_or_else(|| VendorSecurityRow {
                    vendor_id: v.id,
                    report: "none".into(),
                    ..VendorSecurityRow::default()
                });
            (v, s)
        })
        .collect()
}

fn view(v: &VendorRow, s: &VendorSecurityRow, today: Date) -> VendorSecurityView {
    let k = knowledge(s);
    let rating = rules::rating(&k, today);
    VendorSecurityView {
        vendor_id: v.id,
        vendor: v.name.clone(),
        service: v.service.clone(),
        report: k.report.as_str().into(),
        report_label: k.report.label().into(),
        report_on: s.report_on.clone().unwrap_or_default(),
        questionnaire_on: s.questionnaire_on.clone().unwrap_or_default(),
        breach_history: s.breach_history.clone(),
        reviewed_on: s.reviewed_on.clone().unwrap_or_default(),
        review_due: rules::review_due(&k).map(|d| d.to_string()).unwrap_or_default(),
        review_overdue: rules::review_overdue(&k, today),
        rating: rating.as_str().into(),
        rating_label: rating_label(rating).into(),
        gaps: rules::gaps(&k, today).into_iter().map(String::from).collect(),
    }
}

impl App {
    /// Every vendor handling PHI with what the clinic knows of its security.
    pub async fn vendor_security(&self, actor: &Actor<'_>) -> Result<Vec<VendorSecurityView>, AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        self.vendor_security_views().await
    }

    pub(crate) async fn vendor_security_views(&self) -> Result<Vec<VendorSecurityView>, AppError> {
        let today = self.clinic_today();
        let mut conn = self.store().read().await?;
        let security = store::vendor_security(&mut conn).await?;
        let vendors = program_store::vendors(&mut conn).await?;
        Ok(in_scope(vendors, &security)
            .iter()
            .map(|(v, s)| view(v, s, today))
            .collect())
    }

    /// Records a review of one vendor's security as of today. A rating above low becomes a
    /// risk in the open assessment's register, with a task to get what is missing.
    pub async fn review_vendor_security(
        &self,
        actor: &Actor<'_>,
        vendor_id: i64,
        input: VendorSecurityInput,
    ) -> Result<VendorSecurityView, AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        let today = self.clinic_today();
        let Some(report) = Report::parse(if input.report.trim().is_empty() {
            "none"
        } else {
            &input.report
        }) else {
            return Err(AppError::Invalid("choose the security report on file (or none)".into()));
        };
        let report_on = past_date("security report", &input.report_on, today)?;
        if report != Report::None && report_on.is_none() {
            return Err(AppError::Invalid(
                "give the security report's date (the period it covers ends, or it was issued)".into(),
            ));
        }
        let row = VendorSecurityRow {
            vendor_id,
            report: report.as_str().into(),
            report_on: if report == Report::None { None } else { report_on },
            questionnaire_on: past_date("questionnaire", &input.questionnaire_on, today)?,
            breach_history: crate::input::text("breach history", &input.breach_history, 2000, false)?,
            reviewed_on: Some(today.to_string()),
            rating: None,
        };
        let rating = rules::rating(&knowledge(&row), today);
        let row = VendorSecurityRow {
            rating: Some(rating.as_str().into()),
            ..row
        };
        let mut tx = self.store().begin().await?;
        let vendor = program_store::vendor_by_id(tx.conn(), vendor_id)
            .await
            .map_err(|_| AppError::NotFound("vendor"))?;
        if vendor.retired || !phi_use(&vendor).needs_baa() {
            return Err(AppError::Conflict(
                "this vendor does not handle patient information, so there is no security review to record".into(),
            ));
        }
        store::save_vendor_security(tx.conn(), &row, self.now()).await?;
        let open = sra_store::assessments(tx.conn())
            .await?
            .into_iter()
            .find(|a| a.status != "final");
        if let Some(a) = open {
            self.vendor_risks(&mut tx, a.id, &[(vendor.clone(), row.clone())])
                .await?;
        }
        let mut event = self
            .event(actor, Action::ProgramChanged, Outcome::Success)
            .with_reason(&format!("vendor security reviewed: {}", rating.as_str()));
        event.resource_type = "Vendor".into();
        event.resource_id = vendor_id.to_string();
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(view(&vendor, &row, today))
    }

    /// Puts each vendor rated above low into assessment `id`'s register: a "Vendor breach" risk
    /// (likelihood from the rating, impact from the catalogue) to mitigate, with a task to get
    /// what is missing, unless an open one of the same title is there already.
    pub(crate) async fn vendor_risks(
        &self,
        tx: &mut carekeep_store::Tx,
        id: i64,
        vendors: &[(VendorRow, VendorSecurityRow)],
    ) -> Result<(), AppError> {
        let today = self.clinic_today();
        let Some(threat) = catalogue::by_key("vendor_breach") else {
            return Ok(());
        };
        for (v, s) in vendors {
            let k = knowledge(s);
            let rating = rules::rating(&k, today);
            if rating == Rating::Low {
                continue;
            }
            let prefix = format!("{}: ", v.name);
            let vulnerability = format!("{prefix}{}.", rules::gaps(&k, today).join("; "));
            let existing = sra_store::risks(tx.conn(), Some(id))
                .await?
                .into_iter()
                .find(|r| r.threat == threat.name && r.asset_id.is_none() && r.vulnerability.starts_with(&prefix));
            let risk = RiskRow {
                id: existing.as_ref().map_or(0, |r| r.id),
                assessment_id: id,
                threat: threat.name.into(),
                asset_id: None,
                vulnerability,
                likelihood: rating.as_str().into(),
                impact: threat.impact.as_str().into(),
                controls: existing
                    .as_ref()
                    .map_or_else(|| format!("Suggested: {}", threat.controls), |r| r.controls.clone()),
                treatment: existing
                    .as_ref()
                    .map_or_else(|| Treatment::Mitigate.as_str().into(), |r| r.treatment.clone()),
                justification: existing.as_ref().map(|r| r.justification.clone()).unwrap_or_default(),
            };
            let risk_id = sra_store::save_risk(tx.conn(), &risk).await?;
            let risk_id = if risk.id == 0 { risk_id } else { risk.id };
            if risk.treatment != Treatment::Mitigate.as_str() {
                continue;
            }
            let title = if rules::evidence_current(&k, today) {
                format!("Ask {} how it closed its breach and what changed", v.name)
            } else {
                format!(
                    "Get {}'s current security report or a completed security questionnaire",
                    v.name
                )
            };
            let has_open = sra_store::tasks(tx.conn())
                .await?
                .iter()
                .any(|t| t.risk_id == risk_id && t.title == title && t.done_on.is_none());
            if !has_open {
                let due = today + time::Duration::days(ASK_WITHIN_DAYS);
                sra_store::insert_task(
                    tx.conn(),
                    risk_id,
                    &title,
                    "Compliance officer",
                    &due.to_string(),
                    self.now(),
                )
                .await?;
            }
        }
        Ok(())
    }

    /// Every vendor in scope, for a new assessment's register.
    pub(crate) async fn vendor_risks_all(&self, tx: &mut carekeep_store::Tx, id: i64) -> Result<(), AppError> {
        let security = store::vendor_security(tx.conn()).await?;
        let vendors = program_store::vendors(tx.conn()).await?;
        let scope = in_scope(vendors, &security);
        self.vendor_risks(tx, id, &scope).await
    }

    /// The assessment's evidence for vendor oversight: `(ok, words)`, or `None` when no vendor
    /// handles PHI.
    pub(crate) async fn vendor_oversight_words(&self) -> Result<Option<(bool, String)>, AppError> {
        let views = self.vendor_security_views().await?;
        if views.is_empty() {
            return Ok(None);
        }
        let behind: Vec<String> = views
            .iter()
            .filter(|v| v.review_overdue || v.rating == "high")
            .map(|v| format!("{} ({})", v.vendor, v.gaps.join("; ")))
            .collect();
        Ok(Some(if behind.is_empty() {
            (
                true,
                format!(
                    "every vendor handling PHI ({}) had its security reviewed in the last 12 months",
                    views.len()
                ),
            )
        } else {
            (false, format!("vendor security to review: {}", behind.join(", ")))
        }))
    }
}
