//! Background work of a running server: a signed checkpoint when the last one is older than
//! the configured interval (164.312(c)(1) integrity), and a daily verification of the whole
//! audit trail whose result is kept as evidence, and a daily access-monitoring scan
//! (164.308(a)(1)(ii)(D) information system activity review).

use crate::state::AppState;
use std::future::Future;
use std::time::Duration;

/// How often the jobs look whether something is due.
const TICK: Duration = Duration::from_secs(60);
/// How often the whole trail is verified.
const VERIFY_EVERY: time::Duration = time::Duration::days(1);

/// Runs until `shutdown` completes. The first verification runs at start.
pub async fn run(state: AppState, shutdown: impl Future<Output = ()>) {
    let every = time::Duration::minutes(state.config.audit_checkpoint_minutes);
    let mut last_verify: Option<time::OffsetDateTime> = None;
    tokio::pin!(shutdown);
    loop {
        let now = state.app.now();
        if last_verify.is_none_or(|t| now - t >= VERIFY_EVERY) {
            match state.app.verify_and_record().await {
                Ok(report) => tracing::info!(?report, "audit trail verified"),
                Err(e) => tracing::error!(error = %e, "audit trail verification could not run"),
            }
            if let Err(e) = state.app.run_monitoring().await {
                tracing::error!(error = %e, "access monitoring could not run");
            }
            last_verify = Some(now);
        }
        // An emergency read-only copy changes nothing but its audit trail.
        if state.config.read_only {
            if let Err(e) = state.app.checkpoint_if_due(every).await {
                tracing::error!(error = %e, "audit checkpoint failed");
            }
            tokio::select! {
                () = tokio::time::sleep(TICK) => {}
                () = &mut shutdown => return,
            }
            continue;
        }
        // Leave dates take effect the day they come (164.308(a)(3)(ii)(C)).
        match state.app.run_offboarding().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(people = n, "offboarded on their leave date"),
            Err(e) => tracing::error!(error = %e, "offboarding could not run"),
        }
        // Reminder mail names no patient; a relay failure is retried on the next tick.
        match state.app.mail_reminders().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(people = n, "reminder mail sent"),
            Err(e) => tracing::warn!(error = %e, "reminder mail could not be sent"),
        }
        // Appointment reminders: minimum necessary, through the BAA gate, caps and opt-outs held.
        match state.app.send_due_reminders().await {
            Ok(run) if run == carekeep_app::calendar::ReminderRun::default() => {}
            Ok(run) => tracing::info!(
                sent = run.sent,
                held = run.held,
                failed = run.failed,
                "appointment reminders"
            ),
            Err(e) => tracing::warn!(error = %e, "appointment reminders could not run"),
        }
        // The portal's certificate from ACME, renewed before it ends (164.312(e)(1)).
        match crate::portal_tls::certificate_tick(&state).await {
            Ok(crate::portal_tls::CertificateTick::Issued(until)) => {
                tracing::info!(%until, "the portal's certificate was issued")
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "the portal's certificate could not be issued"),
        }
        // Nightly backups and the weekly restore drill (164.308(a)(7)(ii)(A), (D)).
        let scheduled = match state.config.backup_plan() {
            Ok(plan) => state.app.scheduled_backup(&plan).await.map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        if let Err(e) = scheduled {
            tracing::error!(error = %e, "scheduled backup or restore drill failed");
        }
        if let Err(e) = state.app.checkpoint_if_due(every).await {
            tracing::error!(error = %e, "audit checkpoint failed");
        }
        tokio::select! {
            () = tokio::time::sleep(TICK) => {}
            () = &mut shutdown => return,
        }
    }
}
