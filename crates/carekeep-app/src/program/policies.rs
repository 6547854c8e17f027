//! Policies and procedures (164.316, 164.530(i)): adopted from templates, revised as new
//! versions (never overwritten), reviewed yearly, acknowledged by every staff login, exported
//! as PDF with the acknowledgement roster.

use crate::pdf::Pdf;
use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::program::policies::{review, TEMPLATES};
use carekeep_domain::program::setup::{fill, refuse_blanks};
use carekeep_domain::program::Standing;
use carekeep_domain::records::patient::parse_date;
use carekeep_domain::Capability;
use carekeep_store::policies::{self as store, VersionRow};
use carekeep_store::users;
use serde::Serialize;
use std::collections::HashMap;
use time::OffsetDateTime;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PolicyView {
    pub key: String,
    pub title: String,
    pub cite: String,
    pub adopted: bool,
    pub version: i64,
    pub version_id: i64,
    pub body: String,
    pub effective_on: String,
    pub reviewed_on: String,
    pub review_due: String,
    /// done, due_soon or gap.
    pub standing: String,
    pub approved_by: String,
    /// Active logins that have not acknowledged this version.
    pub not_acknowledged: Vec<String>,
    #[serde(skip)]
    pub not_acknowledged_ids: Vec<i64>,
    /// `(name, date)` of each acknowledgement of this version.
    pub acknowledged: Vec<(String, String)>,
    /// `(version, effective on)`, newest first.
    pub history: Vec<(i64, String)>,
}

/// A policy as a staff member reads it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PolicyToRead {
    pub key: String,
    pub title: String,
    pub version: i64,
    pub version_id: i64,
    pub effective_on: String,
    pub body: String,
    pub acknowledged: bool,
}

fn code(s: Standing) -> &'static str {
    match s {
        Standing::Gap => "gap",
        Standing::DueSoon => "due_soon",
        Standing::Done => "done",
    }
}

impl App {
    pub(crate) async fn policy_views(&self) -> Result<Vec<PolicyView>, AppError> {
        let mut conn = self.store().read().await?;
        let versions = store::versions(&mut conn).await?;
        let acks = store::acks(&mut conn).await?;
        let accounts = users::all(&mut conn).await?;
        // Invited and not set up yet: they acknowledge at their first sign-in; not a gap now.
        let invited = carekeep_store::invitations::pending_user_ids(&mut conn).await?;
        drop(conn);
        let details = self.details_on_file().await?;
        let names: HashMap<i64, &str> = accounts.iter().map(|u| (u.id.0, u.display_name.as_str())).collect();
        let today = self.clinic_today();
        let zone = self.clinic_zone();
        Ok(TEMPLATES
            .iter()
            .map(|t| {
                let mine: Vec<&VersionRow> = versions.iter().filter(|v| v.policy_key == t.key).collect();
                let current = mine.first();
                let last_review = current.and_then(|v| parse_date(&v.reviewed_on).ok());
                let (due, standing) = review(last_review, today);
                let acked: Vec<&(i64, i64, OffsetDateTime)> = current
                    .map(|v| acks.iter().filter(|a| a.0 == v.id).collect())
                    .unwrap_or_default();
                PolicyView {
                    key: t.key.into(),
                    title: current.map_or(t.title, |v| v.title.as_str()).into(),
                    cite: t.cite.into(),
                    adopted: current.is_some(),
                    version: current.map_or(0, |v| v.version),
                    version_id: current.map_or(0, |v| v.id),
                    body: current.map_or_else(|| fill(t.body, &details), |v| v.body.clone()),
                    effective_on: current.map(|v| v.effective_on.clone()).unwrap_or_default(),
                    reviewed_on: current.map(|v| v.reviewed_on.clone()).unwrap_or_default(),
                    review_due: due.map(|d| d.to_string()).unwrap_or_default(),
                    standing: code(standing).into(),
                    approved_by: current
                        .and_then(|v| names.get(&v.approved_by))
                        .map(|n| n.to_string())
                        .unwrap_or_default(),
                    not_acknowledged: if current.is_some() {
                        accounts
                            .iter()
                            .filter(|u| {
                                u.disabled_at.is_none()
                                    && !invited.contains(&u.id)
                                    && !acked.iter().any(|a| a.1 == u.id.0)
                            })
                            .map(|u| u.display_name.clone())
                            .collect()
                    } else {
                        Vec::new()
                    },
                    not_acknowledged_ids: if current.is_some() {
                        accounts
                            .iter()
                            .filter(|u| {
                                u.disabled_at.is_none()
                                    && !invited.contains(&u.id)
                                    && !acked.iter().any(|a| a.1 == u.id.0)
                            })
                            .map(|u| u.id.0)
                            .collect()
                    } else {
                        Vec::new()
                    },
                    acknowledged: acked
                        .iter()
                        .map(|a| {
                            (
                                names.get(&a.1).copied().unwrap_or("?").to_owned(),
                                zone.local(a.2).date().to_string(),
                            )
                        })
                        .collect(),
                    history: mine.iter().map(|v| (v.version, v.effective_on.clone())).collect(),
                }
            })
            .collect())
    }

    pub async fn policies(&self, actor: &Actor<'_>) -> Result<Vec<PolicyView>, AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        self.policy_views().await
    }

    /// The date a policy takes effect: today when left empty.
    fn effective_date(&self, typed: &str) -> Result<time::Date, AppError> {
        match typed.trim() {
            "" => Ok(self.clinic_today()),
            d => parse_date(d).map_err(|_| AppError::Invalid("the effective date must look like 04/23/2026".into())),
        }
    }

    /// Adds a version of a policy as approved by `by`, audited in the same transaction.
    async fn approve_version(
        &self,
        tx: &mut carekeep_store::Tx,
        actor: &Actor<'_>,
        by: i64,
        (key, title, body): (&str, &str, &str),
        effective: time::Date,
    ) -> Result<i64, AppError> {
        let (id, version) =
            store::add_version(tx.conn(), key, title, body, &effective.to_string(), by, self.now()).await?;
        let mut event = self
            .event(actor, Action::ProgramChanged, Outcome::Success)
            .with_reason(&format!(
                "policy {key} version {version} approved, effective {effective}"
            ));
        event.resource_type = "Policy".into();
        event.resource_id = id.to_string();
        self.record(tx, &event).await?;
        Ok(version)
    }

    /// Adopts a template or revises a policy: a new version, approved by `actor`, in effect
    /// from `effective_on`; staff must acknowledge it.
    pub async fn revise_policy(
        &self,
        actor: &Actor<'_>,
        key: &str,
        title: &str,
        body: &str,
        effective_on: &str,
    ) -> Result<i64, AppError> {
        let me = self
            .require(actor, Capability::ManageProgram)
            .await?
            .ok_or_else(|| AppError::Forbidden("a policy is approved by a signed-in person".into()))?;
        if !TEMPLATES.iter().any(|t| t.key == key) {
            return Err(AppError::NotFound("policy"));
        }
        let title = crate::input::line("title", title, 200, true)?;
        let body = crate::input::text("policy text", body, 50_000, true)?;
        let (title, body) = (title.as_str(), body.as_str());
        // 164.316(a), 164.530(i)(1): a policy fits the clinic; no blank is adopted.
        if let Some(refusal) = refuse_blanks("this policy", body) {
            return Err(AppError::Invalid(refusal));
        }
        let effective = self.effective_date(effective_on)?;
        let mut tx = self.store().begin().await?;
        let version = self
            .approve_version(&mut tx, actor, me.user_id.0, (key, title, body), effective)
            .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Records that the current version was reviewed today and still stands.
    pub async fn mark_policy_reviewed(&self, actor: &Actor<'_>, key: &str) -> Result<(), AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        let current = self
            .policy_views()
            .await?
            .into_iter()
            .find(|p| p.key == key && p.adopted)
            .ok_or(AppError::NotFound("adopted policy"))?;
        let mut tx = self.store().begin().await?;
        store::mark_reviewed(tx.conn(), current.version_id, &self.clinic_today().to_string()).await?;
        let mut event = self
            .event(actor, Action::ProgramChanged, Outcome::Success)
            .with_reason(&format!("policy {key} version {} reviewed, unchanged", current.version));
        event.resource_type = "Policy".into();
        event.resource_id = current.version_id.to_string();
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The adopted policies as a staff member reads them, with whether they acknowledged each.
    pub async fn policies_to_read(&self, actor: &Actor<'_>) -> Result<Vec<PolicyToRead>, AppError> {
        let p = actor.person()?;
        p.require_full()?;
        let views = self.policy_views().await?;
        Ok(views
            .into_iter()
            .filter(|v| v.adopted)
            .map(|v| PolicyToRead {
                acknowledged: !v.not_acknowledged_ids.contains(&p.user_id.0),
                key: v.key,
                title: v.title,
                version: v.version,
                version_id: v.version_id,
                effective_on: v.effective_on,
                body: v.body,
            })
            .collect())
    }

    /// The signed-in person acknowledges a policy version.
    pub async fn acknowledge_policy(&self, actor: &Actor<'_>, version_id: i64) -> Result<(), AppError> {
        let p = actor.person()?;
        p.require_full()?;
        let known = self
            .policy_views()
            .await?
            .iter()
            .any(|v| v.adopted && v.version_id == version_id);
        if !known {
            return Err(AppError::NotFound("current policy version"));
        }
        let mut tx = self.store().begin().await?;
        if store::acknowledge(tx.conn(), version_id, p.user_id.0, self.now()).await? {
            let mut event = self
                .event(&p.actor(), Action::ProgramChanged, Outcome::Success)
                .with_reason("policy acknowledged");
            event.resource_type = "Policy".into();
            event.resource_id = version_id.to_string();
            self.record(&mut tx, &event).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// One policy's current version as a PDF, with who acknowledged it.
    pub async fn policy_pdf(&self, actor: &Actor<'_>, key: &str) -> Result<Vec<u8>, AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        let v = self
            .policy_views()
            .await?
            .into_iter()
            .find(|p| p.key == key && p.adopted)
            .ok_or(AppError::NotFound("adopted policy"))?;
        let facts = if key == "contingency" {
            Some(self.contingency_facts().await?)
        } else {
            None
        };
        let mut pdf = Pdf::new(&v.title)?;
        write_policy(&mut pdf, self.clinic_name(), &v);
        if let Some(lines) = facts {
            pdf.heading(&format!(
                "This clinic's backup and restore, from Carekeep on {}",
                self.clinic_today()
            ));
            for l in lines {
                pdf.line(&l);
            }
        }
        pdf.finish()
    }

    /// The contingency plan's facts from the running system (164.308(a)(7)(ii)(A)-(D)): the
    /// backup schedule, the off-site copy, the last backup and drill, and the restore steps.
    pub(crate) async fn contingency_facts(&self) -> Result<Vec<String>, AppError> {
        let host = &self.settings().host;
        let (backup, drill) = {
            let mut conn = self.store().read().await?;
            (
                carekeep_store::backups::latest(&mut conn, "backup").await?,
                carekeep_store::backups::latest(&mut conn, "verify").await?,
            )
        };
        let run = |r: &Option<(OffsetDateTime, bool, String)>| match r {
            Some((at, ok, detail)) => format!("{} ({}): {detail}", at.date(), if *ok { "worked" } else { "FAILED" }),
            None => "none on record".into(),
        };
        // The folder from carekeep.toml, else the one chosen in the browser (Set-up: backups).
        let chosen = {
            let mut conn = self.store().read().await?;
            carekeep_store::clinic::backup_settings(&mut conn).await?.0
        };
        let folder = host
            .backup_dir
            .as_ref()
            .map(|d| d.display().to_string())
            .or_else(|| (!chosen.is_empty()).then_some(chosen));
        Ok(vec![
            match folder {
                Some(d) => format!("Backups: nightly into {d}, encrypted with the backup key; kept 7 daily, 4 weekly, 12 monthly."),
                None => "Backups: no nightly schedule is set yet; the owner chooses the backup folder under Set-up, Backups.".into(),
            },
            match &host.backup_offsite {
                Some((d, v)) if !v.is_empty() => format!("Off-site copy: {d} (run by {v}; sent only under a BAA in force)."),
                Some((d, _)) => format!("Off-site copy: {d} (the clinic's own device)."),
                None => "Off-site copy: none configured.".into(),
            },
            format!("Last backup: {}.", run(&backup)),
            format!("Last restore drill: {}.", run(&drill)),
            "To restore: on a machine with Carekeep, run `carekeep --data NEW-FOLDER restore --from BACKUP-FILE --key BACKUP-KEY`; it checks the counts and the audit trail. While the primary is down, serve the copy with `carekeep --data NEW-FOLDER serve --read-only` for lookups; record changes on paper.".into(),
        ])
    }
}

/// A policy's pages in a PDF (also used by the audit binder).
pub(crate) fn write_policy(pdf: &mut Pdf, clinic: &str, v: &PolicyView) {
    pdf.title(&format!("{clinic}: {}", v.title));
    pdf.line(&format!(
        "Version {}, in effect from {}; approved by {}; last reviewed {}; next review due {}. 45 CFR {}.",
        v.version, v.effective_on, v.approved_by, v.reviewed_on, v.review_due, v.cite
    ));
    pdf.paragraph("");
    pdf.paragraph(&v.body);
    pdf.heading("Acknowledged by");
    if v.acknowledged.is_empty() {
        pdf.line("Nobody yet.");
    }
    for (name, on) in &v.acknowledged {
        pdf.line(&format!("{name}, {on}"));
    }
    if !v.not_acknowledged.is_empty() {
        pdf.heading("Not yet acknowledged");
        pdf.line(&v.not_acknowledged.join(", "));
    }
}

/// One template as the owner edited it in the review of every policy not yet adopted.
#[derive(Clone, Debug, Default)]
pub struct Adoption {
    pub key: String,
    pub title: String,
    pub body: String,
}

impl App {
    /// Adopts several policies at once (issue 25): each edited on one page, all adopted with one
    /// submission, approved by `actor`, in effect from `effective_on`. Every policy is checked
    /// before any is saved (a blank left is named with the policy's title), so the review is
    /// adopted whole or not at all.
    pub async fn adopt_policies(
        &self,
        actor: &Actor<'_>,
        items: &[Adoption],
        effective_on: &str,
    ) -> Result<usize, AppError> {
        let me = self
            .require(actor, Capability::ManageProgram)
            .await?
            .ok_or_else(|| AppError::Forbidden("a policy is approved by a signed-in person".into()))?;
        if items.is_empty() {
            return Err(AppError::Invalid("tick at least one policy to adopt".into()));
        }
        let mut checked = Vec::with_capacity(items.len());
        for it in items {
            let t = TEMPLATES
                .iter()
                .find(|t| t.key == it.key)
                .ok_or(AppError::NotFound("policy"))?;
            let title = crate::input::line("title", &it.title, 200, false)?;
            let title = if title.is_empty() { t.title.to_owned() } else { title };
            let body = crate::input::text("policy text", &it.body, 50_000, false)?;
            if body.is_empty() {
                return Err(AppError::Invalid(format!("the policy text of \"{title}\" is needed")));
            }
            if let Some(refusal) = refuse_blanks(&format!("\"{title}\""), &body) {
                return Err(AppError::Invalid(refusal));
            }
            checked.push((t.key, title, body));
        }
        let effective = self.effective_date(effective_on)?;
        let mut tx = self.store().begin().await?;
        for (key, title, body) in &checked {
            self.approve_version(&mut tx, actor, me.user_id.0, (key, title, body), effective)
                .await?;
        }
        tx.commit().await?;
        Ok(checked.len())
    }

    /// The signed-in person acknowledges every policy version listed, on one screen with one
    /// submission (164.530(b)(1) training on the policies; 164.316(b)(2)(ii) availability).
    /// Only current versions are taken; a version replaced meanwhile is refused, so nobody
    /// acknowledges text they were not shown.
    pub async fn acknowledge_policies(&self, actor: &Actor<'_>, version_ids: &[i64]) -> Result<usize, AppError> {
        let p = actor.person()?;
        p.require_full()?;
        if version_ids.is_empty() {
            return Err(AppError::Invalid(
                "there is no policy to acknowledge on this page".into(),
            ));
        }
        let views = self.policy_views().await?;
        if let Some(stale) = version_ids
            .iter()
            .find(|id| !views.iter().any(|v| v.adopted && v.version_id == **id))
        {
            return Err(AppError::Conflict(format!(
                "a policy was changed while you read it (version {stale}): read the page again"
            )));
        }
        let mut tx = self.store().begin().await?;
        let mut recorded = 0;
        for id in version_ids {
            if store::acknowledge(tx.conn(), *id, p.user_id.0, self.now()).await? {
                let mut event = self
                    .event(&p.actor(), Action::ProgramChanged, Outcome::Success)
                    .with_reason("policy acknowledged");
                event.resource_type = "Policy".into();
                event.resource_id = id.to_string();
                self.record(&mut tx, &event).await?;
                recorded += 1;
            }
        }
        tx.commit().await?;
        Ok(recorded)
    }
}
