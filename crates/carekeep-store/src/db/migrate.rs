//! Embedded migrations, one list per backend with the same names in the same order (a test
//! checks it). A shipped migration is never edited; a change is a new file in both folders.

use crate::{Backend, StoreError};
use sqlx::{AnyConnection, Connection, Row};

struct Migration {
    version: i64,
    name: &'static str,
    sql: &'static str,
}

macro_rules! migrations {
    ($dir:literal: $($version:literal $name:literal),* $(,)?) => {
        &[$(Migration {
            version: $version,
            name: $name,
            sql: include_str!(concat!("../../migrations/", $dir, "/", $name, ".sql")),
        }),*]
    };
}

const SQLITE: &[Migration] = migrations!("sqlite": 1 "0001_foundation", 2 "0002_audit", 3 "0003_monitoring", 4 "0004_records", 5 "0005_program", 6 "0006_workforce", 7 "0007_policies", 8 "0008_npp", 9 "0009_mail", 10 "0010_sra", 11 "0011_incidents", 12 "0012_rights", 13 "0013_backups", 14 "0014_rights_documents", 15 "0015_patient_index_by_patient", 16 "0016_audit_target_partial", 17 "0017_audit_classes_packed", 18 "0018_audit_agents", 19 "0019_sealed_free_text", 20 "0020_clinic_time_zone", 22 "0022_first_week", 23 "0023_calendar", 24 "0024_inventory", 25 "0025_calendar_book", 26 "0026_billing", 27 "0027_clinic_details", 28 "0028_security_reports", 29 "0029_reminders", 30 "0030_backup_settings", 31 "0031_invitations", 34 "0034_network", 36 "0036_reminder_detail", 37 "0037_waitlist", 38 "0038_portal_cert", 39 "0039_portal", 40 "0040_people", 42 "0042_mail_relay", 43 "0043_portal_representative", 44 "0044_portal_moves", 45 "0045_forms", 46 "0046_npp_unacked_count", 47 "0047_form_review", 48 "0048_portal_rep_email", 49 "0049_kiosk", 50 "0050_form_response_visits", 52 "0052_audit_indexes_lean", 56 "0056_monitoring_kept_scan", 57 "0057_audit_actor_at", 58 "0058_audit_actor_once");
const POSTGRES: &[Migration] = migrations!("postgres": 1 "0001_foundation", 2 "0002_audit", 3 "0003_monitoring", 4 "0004_records", 5 "0005_program", 6 "0006_workforce", 7 "0007_policies", 8 "0008_npp", 9 "0009_mail", 10 "0010_sra", 11 "0011_incidents", 12 "0012_rights", 13 "0013_backups", 14 "0014_rights_documents", 15 "0015_patient_index_by_patient", 16 "0016_audit_target_partial", 17 "0017_audit_classes_packed", 18 "0018_audit_agents", 19 "0019_sealed_free_text", 20 "0020_clinic_time_zone", 22 "0022_first_week", 23 "0023_calendar", 24 "0024_inventory", 25 "0025_calendar_book", 26 "0026_billing", 27 "0027_clinic_details", 28 "0028_security_reports", 29 "0029_reminders", 30 "0030_backup_settings", 31 "0031_invitations", 34 "0034_network", 36 "0036_reminder_detail", 37 "0037_waitlist", 38 "0038_portal_cert", 39 "0039_portal", 40 "0040_people", 42 "0042_mail_relay", 43 "0043_portal_representative", 44 "0044_portal_moves", 45 "0045_forms", 46 "0046_npp_unacked_count", 47 "0047_form_review", 48 "0048_portal_rep_email", 49 "0049_kiosk", 50 "0050_form_response_visits", 52 "0052_audit_indexes_lean", 56 "0056_monitoring_kept_scan", 57 "0057_audit_actor_at", 58 "0058_audit_actor_once");

fn list(backend: Backend) -> &'static [Migration] {
    match backend {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    }
}

/// The migration names for a backend, in order.
pub fn migration_names(backend: Backend) -> Vec<&'static str> {
    list(backend).iter().map(|m| m.name).collect()
}

/// Applies every migration not yet applied, each in its own transaction.
pub(crate) async fn run(conn: &mut AnyConnection, backend: Backend, now: i64) -> Result<(), StoreError> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .execute(&mut *conn)
    .await?;
    let applied: Vec<i64> = sqlx::query("SELECT version FROM schema_migrations ORDER BY version")
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get::<i64, _>(0))
        .collect::<Result<_, _>>()?;
    for m in list(backend).iter().filter(|m| !applied.contains(&m.version)) {
        let mut tx = conn.begin().await?;
        sqlx::raw_sql(m.sql).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
            .bind(m.version)
            .bind(m.name)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::info!(version = m.version, name = m.name, "applied migration");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// STYLE.md rule 3: both backends carry the same migrations under the same names.
    #[test]
    fn both_backends_have_the_same_migrations() {
        let names = |l: &[Migration]| l.iter().map(|m| (m.version, m.name)).collect::<Vec<_>>();
        assert_eq!(names(SQLITE), names(POSTGRES));
        let dir = |d: &str| {
            let mut v: Vec<String> = std::fs::read_dir(format!("{}/migrations/{d}", env!("CARGO_MANIFEST_DIR")))
                .unwrap()
                .map(|e| {
                    e.unwrap()
                        .file_name()
                        .to_string_lossy()
                        .trim_end_matches(".sql")
                        .to_owned()
                })
                .collect();
            v.sort();
            v
        };
        assert_eq!(dir("sqlite"), dir("postgres"));
        assert_eq!(
            dir("sqlite"),
            names(SQLITE).iter().map(|(_, n)| n.to_string()).collect::<Vec<_>>()
        );
    }
}
