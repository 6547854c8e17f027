//! The set-up path (issue 25): the clinic's details, which fill the blanks of the notice, the
//! policies and the letters, and the numbered path the owner follows from the first sign-in
//! until every step is done. The rules are `carekeep_domain::program::setup`.

use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::program::setup::{self as rules, ClinicDetails, Place};
use carekeep_domain::zone::ClinicZone;
use carekeep_domain::Capability;
use carekeep_store::clinic;

use super::dashboard::ChecklistItem;

/// The details with the clinic's time zone, as the set-up page shows and takes them.
#[derive(Clone, Debug, Default)]
pub struct DetailsInput {
    pub details: ClinicDetails,
    pub time_zone: String,
}

/// Where the clinic stands on the path.
#[derive(Clone, Debug)]
pub struct SetupPath {
    pub places: Vec<Place>,
    pub done: usize,
}

impl SetupPath {
    pub fn finished(&self) -> bool {
        self.done == self.places.len()
    }
}

fn from_row(d: clinic::Details) -> ClinicDetails {
    ClinicDetails {
        legal_name: d.legal_name,
        address: d.address,
        phone: d.phone,
        website: d.website,
        privacy_contact: d.privacy_contact,
    }
}

impl App {
    /// The details as saved (empty fields where not filled), for filling templates.
    pub(crate) async fn details_on_file(&self) -> Result<ClinicDetails, AppError> {
        let mut conn = self.store().read().await?;
        Ok(from_row(clinic::details(&mut conn).await?))
    }

    /// The clinic's details for the set-up page (those who administer the clinic).
    pub async fn clinic_details(&self, actor: &Actor<'_>) -> Result<ClinicDetails, AppError> {
        self.require(actor, Capability::AdministerUsers).await?;
        self.details_on_file().await
    }

    /// Saves the clinic's details and its time zone in one submission. Each field is checked
    /// (the message names it); the change is a setting change on the audit trail (164.312(b)).
    pub async fn save_clinic_details(&self, actor: &Actor<'_>, input: &DetailsInput) -> Result<(), AppError> {
        self.require(actor, Capability::AdministerUsers).await?;
        let typed = ClinicDetails {
            legal_name: crate::input::line("legal name", &input.details.legal_name, 200, false)?,
            address: crate::input::text("address", &input.details.address, 300, false)?,
            phone: crate::input::line("phone number", &input.details.phone, 40, false)?,
            website: crate::input::line("website", &input.details.website, 200, false)?,
            privacy_contact: crate::input::line("privacy contact", &input.details.privacy_contact, 200, false)?,
        };
        let checked = rules::check_details(&typed).map_err(|p| AppError::Invalid(p.message))?;
        let zone_name = input.time_zone.trim();
        let zone = if zone_name.is_empty() {
            return Err(AppError::Invalid("choose the clinic's time zone from the list".into()));
        } else {
            ClinicZone::named(zone_name).ok_or_else(|| {
                AppError::Invalid("the time zone is not one Carekeep knows: choose it from the list".into())
            })?
        };
        let mut tx = self.store().begin().await?;
        clinic::set_details(
            tx.conn(),
            &clinic::Details {
                legal_name: checked.legal_name,
                address: checked.address,
                phone: checked.phone,
                website: checked.website,
                privacy_contact: checked.privacy_contact,
            },
        )
        .await?;
        clinic::set_time_zone(tx.conn(), zone.name()).await?;
        let event = self
            .event(actor, Action::SettingChanged, Outcome::Success)
            .with_reason(&format!("clinic details saved; time zone {}", zone.name()));
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        self.replace_zone(zone);
        Ok(())
    }

    /// The set-up path from the dashboard's rows and the clinic's details. `network` is
    /// whether the clinic's connections are settled (the server knows: HTTPS, a TLS proxy, or
    /// this computer only).
    pub async fn setup_path(&self, actor: &Actor<'_>, network: bool) -> Result<SetupPath, AppError> {
        self.require(actor, Capability::AdministerUsers).await?;
        let rows = self.dashboard(actor).await?;
        self.setup_path_from(&rows, network).await
    }

    /// The same from dashboard rows the caller was already allowed to read.
    pub async fn setup_path_from(&self, rows: &[ChecklistItem], network: bool) -> Result<SetupPath, AppError> {
        let details = rules::complete(&self.details_on_file().await?);
        let places = rules::path(details, network, |key| {
            rows.iter().find(|r| r.key == key).is_none_or(|r| r.standing == "done")
        });
        let done = places.iter().filter(|p| p.done).count();
        Ok(SetupPath { places, done })
    }
}
