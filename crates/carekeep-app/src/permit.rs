//! The permit that opens PHI (164.312(b): every access is recorded; 164.502(b): only what the
//! policy grants).
//!
//! A [`Permit`] is the only thing [`crate::seal::Sealer::open`] accepts to decrypt a column or
//! file that can carry PHI, and only this module can make one: its fields are private, and each
//! way of making it puts the access on the audit trail first.
//! - [`App::permit`] hands the event to the group-commit appender as the permit is made; the
//!   caller decrypts while the batch commits and calls [`Permit::confirm`] before it answers,
//!   so nothing read is handed out unless its event is durable.
//! - [`App::permit_in`] records the event in the caller's transaction (a write that also reads).
//! - [`Permit::for_job`] is for the clinic's own scheduled work, which decrypts to compute a
//!   deadline or re-seal a column and shows no one anything; each job is named in [`Job`].
//!
//! What a person may see is decided before a permit is asked for (the chart's policy in
//! `records`, the capabilities in `App::require`); the permit makes the decision's record and
//! the decryption one step that cannot be split.

use crate::{App, AppError};
use carekeep_domain::audit::AuditEvent;
use carekeep_store::Tx;

/// Proof that an opening of PHI is on (or on its way to) the audit trail.
#[must_use = "confirm the permit before answering: its event must be durable"]
#[derive(Debug)]
pub(crate) struct Permit {
    pending: Option<tokio::sync::oneshot::Receiver<Result<i64, String>>>,
}

/// The clinic's own work that decrypts without a person seeing the result.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Job {
    /// Deadlines of patients' requests and breach notices, counted for the dashboard and reminders.
    Deadlines,
    /// The monitoring scan compares patients' surnames with staff's to flag a look at a
    /// relative's chart (164.308(a)(1)(ii)(D)); it writes findings, not names.
    Monitoring,
    /// A name search longer than the blind index's prefix confirms each candidate's name; a
    /// candidate that does not match is shown to no one, and those that do are in the search's
    /// event.
    MatchSearch,
    /// The portal's sign-in compares the contact typed with the contact on file of the
    /// patients born on the date typed; nobody is shown them, and the one that matches is
    /// named in the sign-in's event (164.312(d)).
    PortalSignIn,
}

impl Permit {
    /// Waits until the permit's event is durable; an error means what was read must not be
    /// handed out.
    pub(crate) async fn confirm(self) -> Result<(), AppError> {
        match self.pending {
            None => Ok(()),
            Some(wait) => wait
                .await
                .map_err(|_| AppError::Internal("the audit appender has stopped".into()))?
                .map(|_| ())
                .map_err(|e| AppError::Internal(format!("audit append failed: {e}"))),
        }
    }

    /// A permit for the clinic's own scheduled work: no person sees what it decrypts.
    pub(crate) fn for_job(_job: Job) -> Permit {
        Permit { pending: None }
    }
}

impl App {
    /// Puts `event` on the audit trail (group-committed) and returns the permit to read what it
    /// describes. Confirm the permit before answering.
    pub(crate) async fn permit(&self, event: AuditEvent) -> Result<Permit, AppError> {
        let pending = self.appender().enqueue(event).await?;
        Ok(Permit { pending: Some(pending) })
    }

    /// Records `event` in `tx` and returns the permit to read what it describes: the read and
    /// its record commit together or not at all.
    pub(crate) async fn permit_in(&self, tx: &mut Tx, event: &AuditEvent) -> Result<Permit, AppError> {
        self.record(tx, event).await?;
        Ok(Permit { pending: None })
    }
}
