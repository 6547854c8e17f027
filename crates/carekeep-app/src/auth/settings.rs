//! The clinic's settings an owner changes in the browser: its time zone. A change is a
//! configuration change on the audit trail (164.312(b) audit controls; 164.308(a)(1)(ii)(D)
//! information system activity review reads it) and takes effect at once, without a restart.

use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::zone::ClinicZone;
use carekeep_domain::Capability;

impl App {
    /// The clinic's time zone, for the settings page: only those who may change it read it
    /// there (everyone sees its times everywhere else).
    pub async fn time_zone_setting(&self, actor: &Actor<'_>) -> Result<ClinicZone, AppError> {
        self.require(actor, Capability::AdministerUsers).await?;
        Ok(self.clinic_zone())
    }

    /// Sets the clinic's time zone to the IANA zone `name` (`America/Chicago`). Only those who
    /// administer the clinic (the owner) may; the event names the old and the new zone.
    pub async fn set_time_zone(&self, actor: &Actor<'_>, name: &str) -> Result<ClinicZone, AppError> {
        self.require(actor, Capability::AdministerUsers).await?;
        let name = name.trim();
        if name.is_empty() {
            return Err(AppError::Invalid("choose the clinic's time zone from the list".into()));
        }
        let zone = ClinicZone::named(name).ok_or_else(|| {
            AppError::Invalid("the time zone is not one Carekeep knows: choose it from the list".into())
        })?;
        let before = self.clinic_zone();
        let mut tx = self.store().begin().await?;
        carekeep_store::clinic::set_time_zone(tx.conn(), zone.name()).await?;
        let event = self
            .event(actor, Action::SettingChanged, Outcome::Success)
            .with_reason(&format!("time zone {} (was {})", zone.name(), before.name()));
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        self.replace_zone(zone.clone());
        Ok(zone)
    }
}
