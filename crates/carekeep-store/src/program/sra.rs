//! The Security Risk Assessment's tables: assessments, answers, assets, risks and remediation
//! tasks. The database refuses changes to a finalised assessment (migration 0010 triggers).

use crate::{from_unix, unix, Conn, StoreError};
use sqlx::any::AnyRow;
use sqlx::Row;
use time::OffsetDateTime;

#[derive(Clone, Debug)]
pub struct AssessmentRow {
    pub id: i64,
    pub title: String,
    pub status: String,
    pub scope: String,
    pub copied_from: Option<i64>,
    pub created_at: OffsetDateTime,
    pub finalised_at: Option<OffsetDateTime>,
    pub signed_name: Option<String>,
}

fn assessment_row(r: &AnyRow) -> Result<AssessmentRow, StoreError> {
    Ok(AssessmentRow {
        id: r.try_get("id")?,
        title: r.try_get("title")?,
        status: r.try_get("status")?,
        scope: r.try_get("scope")?,
        copied_from: r.try_get("copied_from")?,
        created_at: from_unix(r.try_get("created_at")?)?,
        finalised_at: r
            .try_get::<Option<i64>, _>("finalised_at")?
            .map(from_unix)
            .transpose()?,
        signed_name: r.try_get("signed_name")?,
    })
}

const ASSESSMENT: &str = "id, title, status, scope, copied_from, created_at, finalised_at, signed_name";

pub async fn create(
    conn: &mut Conn,
    title: &str,
    scope: &str,
    copied_from: Option<i64>,
    by: Option<i64>,
    now: OffsetDateTime,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO sra_assessments (title, scope, copied_from, created_at, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(title)
    .bind(scope)
    .bind(copied_from)
    .bind(unix(now))
    .bind(by)
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

/// Every assessment, newest first.
pub async fn assessments(conn: &mut Conn) -> Result<Vec<AssessmentRow>, StoreError> {
    sqlx::query(&format!("SELECT {ASSESSMENT} FROM sra_assessments ORDER BY id DESC"))
        .fetch_all(conn)
        .await?
        .iter()
        .map(assessment_row)
        .collect()
}

pub async fn assessment(conn: &mut Conn, id: i64) -> Result<AssessmentRow, StoreError> {
    let r = sqlx::query(&format!("SELECT {ASSESSMENT} FROM sra_assessments WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    assessment_row(&r)
}

pub async fn set_details(conn: &mut Conn, id: i64, title: &str, scope: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE sra_assessments SET title = $1, scope = $2 WHERE id = $3")
        .bind(title)
        .bind(scope)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_status(conn: &mut Conn, id: i64, status: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE sra_assessments SET status = $1 WHERE id = $2")
        .bind(status)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn finalise(
    conn: &mut Conn,
    id: i64,
    by: i64,
    signed_name: &str,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE sra_assessments SET status = 'final', finalised_at = $1, finalised_by = $2, signed_name = $3 WHERE id = $4",
    )
    .bind(unix(now))
    .bind(by)
    .bind(signed_name)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Clone, Debug, Default)]
pub struct AnswerRow {
    pub spec_id: String,
    pub answer: String,
    pub reason: String,
    pub measure: String,
    /// The system's evidence, kept with the answer when the assessment is finalised.
    pub evidence: Option<String>,
    pub evidence_ok: Option<bool>,
}

pub async fn answers(conn: &mut Conn, assessment: i64) -> Result<Vec<AnswerRow>, StoreError> {
    sqlx::query(
        "SELECT spec_id, answer, reason, measure, evidence, evidence_ok FROM sra_answers WHERE assessment_id = $1 ORDER BY spec_id",
    )
    .bind(assessment)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| {
        Ok(AnswerRow {
            spec_id: r.try_get("spec_id")?,
            answer: r.try_get("answer")?,
            reason: r.try_get("reason")?,
            measure: r.try_get("measure")?,
            evidence: r.try_get("evidence")?,
            evidence_ok: r.try_get::<Option<i64>, _>("evidence_ok")?.map(|v| v != 0),
        })
    })
    .collect()
}

pub async fn save_answer(
    conn: &mut Conn,
    assessment: i64,
    a: &AnswerRow,
    by: Option<i64>,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sra_answers (assessment_id, spec_id, answer, reason, measure, evidence, evidence_ok, updated_at, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (assessment_id, spec_id) DO UPDATE SET answer = excluded.answer, reason = excluded.reason,
           measure = excluded.measure, evidence = excluded.evidence, evidence_ok = excluded.evidence_ok,
           updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(assessment)
    .bind(&a.spec_id)
    .bind(&a.answer)
    .bind(&a.reason)
    .bind(&a.measure)
    .bind(a.evidence.as_deref())
    .bind(a.evidence_ok.map(i64::from))
    .bind(unix(now))
    .bind(by)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Clone, Debug, Default)]
pub struct AssetRow {
    pub id: i64,
    pub assessment_id: i64,
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
    pub notes: String,
    /// Carekeep itself, its facts filled in by the system.
    pub system: bool,
    /// Operating system and version.
    pub os: String,
    pub last_patched_on: Option<String>,
    pub support_ends_on: Option<String>,
    /// Set by a disposal: the asset's record ends there.
    pub retired_on: Option<String>,
}

pub async fn assets(conn: &mut Conn, assessment: i64) -> Result<Vec<AssetRow>, StoreError> {
    sqlx::query(
        "SELECT id, assessment_id, name, kind, owner, location, holds_ephi, encrypted, screen_lock, patched, backed_up,
                vendor_id, notes, system, os, last_patched_on, support_ends_on, retired_on FROM sra_assets WHERE assessment_id = $1 ORDER BY system DESC, id",
    )
    .bind(assessment)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| {
        let flag = |c: &str| -> Result<bool, StoreError> { Ok(r.try_get::<i64, _>(c)? != 0) };
        Ok(AssetRow {
            id: r.try_get("id")?,
            assessment_id: r.try_get("assessment_id")?,
            name: r.try_get("name")?,
            kind: r.try_get("kind")?,
            owner: r.try_get("owner")?,
            location: r.try_get("location")?,
            holds_ephi: flag("holds_ephi")?,
            encrypted: flag("encrypted")?,
            screen_lock: flag("screen_lock")?,
            patched: flag("patched")?,
            backed_up: flag("backed_up")?,
            vendor_id: r.try_get("vendor_id")?,
            notes: r.try_get("notes")?,
            system: flag("system")?,
            os: r.try_get("os")?,
            last_patched_on: r.try_get("last_patched_on")?,
            support_ends_on: r.try_get("support_ends_on")?,
            retired_on: r.try_get("retired_on")?,
        })
    })
    .collect()
}

/// Inserts (`id == 0`) or updates an asset of its assessment; returns the id.
pub async fn save_asset(conn: &mut Conn, a: &AssetRow) -> Result<i64, StoreError> {
    let sql = if a.id == 0 {
        "INSERT INTO sra_assets (assessment_id, name, kind, owner, location, holds_ephi, encrypted, screen_lock, patched,
            backed_up, vendor_id, notes, system, os, last_patched_on, support_ends_on, retired_on)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id"
    } else {
        "UPDATE sra_assets SET name = $2, kind = $3, owner = $4, location = $5, holds_ephi = $6, encrypted = $7,
            screen_lock = $8, patched = $9, backed_up = $10, vendor_id = $11, notes = $12, system = $13,
            os = $14, last_patched_on = $15, support_ends_on = $16, retired_on = $17
         WHERE assessment_id = $1 AND id = $18 RETURNING id"
    };
    let mut q = sqlx::query(sql)
        .bind(a.assessment_id)
        .bind(&a.name)
        .bind(&a.kind)
        .bind(&a.owner)
        .bind(&a.location)
        .bind(i64::from(a.holds_ephi))
        .bind(i64::from(a.encrypted))
        .bind(i64::from(a.screen_lock))
        .bind(i64::from(a.patched))
        .bind(i64::from(a.backed_up))
        .bind(a.vendor_id)
        .bind(&a.notes)
        .bind(i64::from(a.system))
        .bind(&a.os)
        .bind(a.last_patched_on.clone())
        .bind(a.support_ends_on.clone())
        .bind(a.retired_on.clone());
    if a.id != 0 {
        q = q.bind(a.id);
    }
    Ok(q.fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?
        .try_get("id")?)
}

#[derive(Clone, Debug, Default)]
pub struct RiskRow {
    pub id: i64,
    pub assessment_id: i64,
    pub threat: String,
    pub asset_id: Option<i64>,
    pub vulnerability: String,
    pub likelihood: String,
    pub impact: String,
    pub controls: String,
    pub treatment: String,
    pub justification: String,
}

const RISK: &str =
    "id, assessment_id, threat, asset_id, vulnerability, likelihood, impact, controls, treatment, justification";

fn risk_row(r: &AnyRow) -> Result<RiskRow, StoreError> {
    Ok(RiskRow {
        id: r.try_get("id")?,
        assessment_id: r.try_get("assessment_id")?,
        threat: r.try_get("threat")?,
        asset_id: r.try_get("asset_id")?,
        vulnerability: r.try_get("vulnerability")?,
        likelihood: r.try_get("likelihood")?,
        impact: r.try_get("impact")?,
        controls: r.try_get("controls")?,
        treatment: r.try_get("treatment")?,
        justification: r.try_get("justification")?,
    })
}

/// The risks of one assessment, or of all of them (the register) when `assessment` is `None`.
pub async fn risks(conn: &mut Conn, assessment: Option<i64>) -> Result<Vec<RiskRow>, StoreError> {
    let rows = match assessment {
        Some(a) => {
            sqlx::query(&format!(
                "SELECT {RISK} FROM sra_risks WHERE assessment_id = $1 ORDER BY id"
            ))
            .bind(a)
            .fetch_all(conn)
            .await?
        }
        None => {
            sqlx::query(&format!("SELECT {RISK} FROM sra_risks ORDER BY assessment_id DESC, id"))
                .fetch_all(conn)
                .await?
        }
    };
    rows.iter().map(risk_row).collect()
}

pub async fn save_risk(conn: &mut Conn, r: &RiskRow) -> Result<i64, StoreError> {
    let sql = if r.id == 0 {
        "INSERT INTO sra_risks (assessment_id, threat, asset_id, vulnerability, likelihood, impact, controls, treatment,
            justification) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"
    } else {
        "UPDATE sra_risks SET threat = $2, asset_id = $3, vulnerability = $4, likelihood = $5, impact = $6, controls = $7,
            treatment = $8, justification = $9 WHERE assessment_id = $1 AND id = $10 RETURNING id"
    };
    let mut q = sqlx::query(sql)
        .bind(r.assessment_id)
        .bind(&r.threat)
        .bind(r.asset_id)
        .bind(&r.vulnerability)
        .bind(&r.likelihood)
        .bind(&r.impact)
        .bind(&r.controls)
        .bind(&r.treatment)
        .bind(&r.justification);
    if r.id != 0 {
        q = q.bind(r.id);
    }
    Ok(q.fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?
        .try_get("id")?)
}

#[derive(Clone, Debug)]
pub struct TaskRow {
    pub id: i64,
    pub risk_id: i64,
    pub assessment_id: i64,
    pub title: String,
    pub owner: String,
    pub due_on: String,
    pub done_on: Option<String>,
}

/// Every remediation task, open ones first by due date.
pub async fn tasks(conn: &mut Conn) -> Result<Vec<TaskRow>, StoreError> {
    sqlx::query(
        "SELECT t.id, t.risk_id, r.assessment_id, t.title, t.owner, t.due_on, t.done_on
         FROM sra_tasks t JOIN sra_risks r ON r.id = t.risk_id
         ORDER BY t.done_on IS NOT NULL, t.due_on, t.id",
    )
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| {
        Ok(TaskRow {
            id: r.try_get("id")?,
            risk_id: r.try_get("risk_id")?,
            assessment_id: r.try_get("assessment_id")?,
            title: r.try_get("title")?,
            owner: r.try_get("owner")?,
            due_on: r.try_get("due_on")?,
            done_on: r.try_get("done_on")?,
        })
    })
    .collect()
}

pub async fn insert_task(
    conn: &mut Conn,
    risk: i64,
    title: &str,
    owner: &str,
    due_on: &str,
    now: OffsetDateTime,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO sra_tasks (risk_id, title, owner, due_on, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(risk)
    .bind(title)
    .bind(owner)
    .bind(due_on)
    .bind(unix(now))
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

pub async fn complete_task(conn: &mut Conn, id: i64, done_on: &str) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE sra_tasks SET done_on = $1 WHERE id = $2 AND done_on IS NULL")
        .bind(done_on)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Carries an assessment's answers (without their evidence), assets and risks into a new one.
/// Tasks stay with the risks they belong to.
pub async fn copy_contents(conn: &mut Conn, from: i64, to: i64, now: OffsetDateTime) -> Result<(), StoreError> {
    for a in answers(&mut *conn, from).await? {
        let carried = AnswerRow {
            evidence: None,
            evidence_ok: None,
            ..a
        };
        save_answer(&mut *conn, to, &carried, None, now).await?;
    }
    let mut asset_ids = Vec::new();
    // A disposed asset's record ended with its disposal: it is not carried forward.
    for a in assets(&mut *conn, from)
        .await?
        .into_iter()
        .filter(|a| a.retired_on.is_none())
    {
        let old = a.id;
        let new = save_asset(
            &mut *conn,
            &AssetRow {
                id: 0,
                assessment_id: to,
                ..a
            },
        )
        .await?;
        asset_ids.push((old, new));
    }
    for r in risks(&mut *conn, Some(from)).await? {
        save_risk(
            &mut *conn,
            &RiskRow {
                id: 0,
                assessment_id: to,
                asset_id: r
                    .asset_id
                    .and_then(|old| asset_ids.iter().find(|(o, _)| *o == old).map(|(_, n)| *n)),
                ..r
            },
        )
        .await?;
    }
    Ok(())
}
