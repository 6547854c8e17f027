//! The scan: the audit events since the last scan through the rules, the findings recorded
//! with the mark of what was read in one transaction (migration 0056), so each event is read
//! once however large the clinic's trail and day (issue 31).

use crate::permit::{Job, Permit};
use crate::{App, AppError};
use carekeep_domain::monitoring::{hour_of, hours_touched, role_defined, scan, scan_after, Access, Finding, Relations};
use carekeep_domain::records::patient::Identity;
use carekeep_domain::records::search::fold_name;
use carekeep_store::audit::{self as audit_store, Filter, StoredEvent};
use carekeep_store::chart_rows::{chart_rows, Part};
use carekeep_store::monitoring::kept;
use carekeep_store::records::{self, CtColumn};
use carekeep_store::{monitoring as store, users};
use std::collections::{BTreeMap, BTreeSet};
use time::{Duration, OffsetDateTime};

/// How far back a scan looks: the first scan reads this window, later ones the events since
/// the last, never older than this.
const LOOK_BACK: Duration = Duration::hours(48);
const MAX_EVENTS: i64 = 200_000;
/// Scans that lose the mark to a concurrent scan read again from where it stopped.
const TRIES: usize = 8;

fn access(e: StoredEvent, now: OffsetDateTime) -> Access {
    Access {
        seq: e.seq,
        at: OffsetDateTime::from_unix_timestamp(e.fields.at).unwrap_or(now),
        actor_id: e.fields.actor_id,
        patients: e.fields.patient_ids.split(',').filter_map(|p| p.parse().ok()).collect(),
        clinical: e.fields.data_classes.split(',').any(|c| c == "clinical"),
        target_id: e.fields.target_user_id,
        actor_roles: e.fields.actor_roles.split(',').map(str::to_owned).collect(),
        role_defined: (e.fields.action == "setting.changed")
            .then(|| role_defined(&e.fields.reason).map(str::to_owned))
            .flatten(),
        trail_review: e.fields.resource_type == "AuditEvent",
        action: e.fields.action,
    }
}

/// What a scan reads besides the events: the accounts disabled and when, and the relations.
struct Context {
    disabled: BTreeMap<i64, OffsetDateTime>,
    relations: Relations,
}

impl App {
    /// What the rules need beyond the trail, for the patients opened one at a time: when each
    /// had an appointment or a visit, and surnames (decrypted here for the comparison only).
    async fn relations(
        &self,
        conn: &mut carekeep_store::Conn,
        accesses: &[Access],
        staff: &[users::UserRow],
    ) -> Result<Relations, AppError> {
        let single: BTreeSet<i64> = accesses
            .iter()
            .filter(|a| a.action.starts_with("phi.") && a.patients.len() == 1)
            .flat_map(|a| a.patients.iter().copied())
            .collect();
        let mut rel = Relations::default();
        let scan = Permit::for_job(Job::Monitoring);
        let ids: Vec<i64> = single.iter().copied().collect();
        for row in records::patients_by_ids(conn, &ids).await? {
            let chart = chart_rows(conn, row.id, &[Part::Appointments, Part::Encounters]).await?;
            let mut times: Vec<OffsetDateTime> = chart
                .appointments
                .iter()
                .filter(|a| a.status != "cancelled")
                .map(|a| a.start_at)
                .collect();
            times.extend(chart.encounters.iter().map(|e| e.at));
            rel.care.insert(row.id, times);
            let identity: Identity = self.open_json(&scan, CtColumn::PatientIdentity, row.id, &row.identity_ct)?;
            rel.patient_surnames.insert(row.id, fold_name(&identity.family_name));
        }
        for u in staff {
            if let Some(last) = u.display_name.split_whitespace().last() {
                rel.staff_surnames.insert(u.id.0, fold_name(last));
            }
        }
        Ok(rel)
    }

    async fn context(&self, conn: &mut carekeep_store::Conn, accesses: &[Access]) -> Result<Context, AppError> {
        let staff = users::all(conn).await?;
        let disabled = staff
            .iter()
            .filter_map(|u| u.disabled_at.map(|d| (u.id.0, d)))
            .collect();
        let relations = self.relations(conn, accesses, &staff).await?;
        Ok(Context { disabled, relations })
    }

    fn monitoring_settings(&self) -> carekeep_domain::monitoring::Settings {
        let mut settings = self.settings().monitoring.clone();
        settings.hours.zone = self.clinic_zone();
        settings
    }

    /// Scans the events since the last scan (the last two days at most); returns how many
    /// new findings it recorded.
    pub async fn run_monitoring(&self) -> Result<usize, AppError> {
        for _ in 0..TRIES {
            if let Some(added) = self.scan_once().await? {
                if added > 0 {
                    tracing::warn!(added, "access monitoring recorded new findings");
                }
                return Ok(added);
            }
        }
        // Each lost try is another scan that read and kept the events up to its mark.
        tracing::warn!("access monitoring gave way to concurrent scans; the next scan reads on from them");
        Ok(0)
    }

    /// One scan; `None` when another scan moved the mark first (nothing of this one is kept).
    async fn scan_once(&self) -> Result<Option<usize>, AppError> {
        let now = self.now();
        let mut conn = self.store().read().await?;
        let last = kept::last_scanned(&mut conn).await?;
        let events = match last {
            // Never scanned: the window, by the time index (the trail before it is not read).
            0 => {
                let filter = Filter {
                    from: Some(now - LOOK_BACK),
                    limit: MAX_EVENTS,
                    whole_window: true,
                    ..Filter::default()
                };
                let mut events = audit_store::find(&mut conn, &filter).await?;
                events.reverse();
                events
            }
            _ => kept::events_after(&mut conn, last, MAX_EVENTS).await?,
        };
        let Some(newest) = events.last().map(|e| e.seq) else {
            return Ok(Some(0));
        };
        // Events older than the window (a scan after days without one) move the mark only.
        let since = (now - LOOK_BACK).unix_timestamp();
        let accesses: Vec<Access> = events
            .into_iter()
            .filter(|e| e.fields.at >= since)
            .map(|e| access(e, now))
            .collect();
        let earlier = kept::hours(&mut conn, &hours_touched(&accesses)).await?;
        let context = self.context(&mut conn, &accesses).await?;
        drop(conn);
        let (findings, hours) = scan_after(
            &accesses,
            &earlier,
            &context.disabled,
            &self.monitoring_settings(),
            &context.relations,
        );
        let mut tx = self.store().begin().await?;
        if !kept::advance(tx.conn(), last, newest.max(last)).await? {
            return Ok(None);
        }
        kept::keep_hours(tx.conn(), &hours, hour_of(now - LOOK_BACK) - 1).await?;
        let added = record(tx.conn(), &findings, now).await?;
        tx.commit().await?;
        Ok(Some(added))
    }

    /// What one scan of the whole window (the last two days) finds now, recording nothing: the
    /// kept scan is checked against it (tests, the bench).
    pub async fn monitoring_rescan(&self) -> Result<Vec<Finding>, AppError> {
        let now = self.now();
        let mut conn = self.store().read().await?;
        let filter = Filter {
            from: Some(now - LOOK_BACK),
            limit: MAX_EVENTS,
            whole_window: true,
            ..Filter::default()
        };
        let events = audit_store::find(&mut conn, &filter).await?;
        let accesses: Vec<Access> = events.into_iter().rev().map(|e| access(e, now)).collect();
        let context = self.context(&mut conn, &accesses).await?;
        Ok(scan(
            &accesses,
            &context.disabled,
            &self.monitoring_settings(),
            &context.relations,
        ))
    }
}

async fn record(conn: &mut carekeep_store::Conn, findings: &[Finding], now: OffsetDateTime) -> Result<usize, AppError> {
    let mut added = 0;
    for f in findings {
        let seqs: Vec<String> = f.seqs.iter().map(|s| s.to_string()).collect();
        if store::insert(
            conn,
            &f.key,
            f.rule.code(),
            f.actor_id,
            &seqs.join(","),
            &f.summary,
            now,
        )
        .await?
        {
            added += 1;
        }
    }
    Ok(added)
}
