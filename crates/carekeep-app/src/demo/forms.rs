//! The demo clinic's forms: a few built-in forms adopted and three services that ask for them,
//! as an owner would set them up, so a visit booked in the demo sends its packet and the
//! calendar shows what is missing. Seeded after the week's visits, which stay without packets
//! (they are past).

use super::records::acting_as;
use crate::calendar::ServiceInput;
use crate::{App, AppError};
use carekeep_domain::forms::Frequency;

/// A built-in form's key and how often a service asks for it.
type Asked = (&'static str, Frequency);

/// The services, their length in minutes, and the forms each asks for with how often.
const SERVICES: &[(&str, &str, &[Asked])] = &[
    (
        "Annual physical",
        "40",
        &[
            ("medical_history", Frequency::Yearly),
            ("medications_allergies", Frequency::EveryVisit),
            ("consent_to_treat", Frequency::Once),
        ],
    ),
    (
        "IV hydration",
        "60",
        &[
            ("iv_therapy_consent", Frequency::EveryVisit),
            ("medications_allergies", Frequency::EveryVisit),
            ("consent_to_treat", Frequency::Once),
        ],
    ),
    (
        "Laser treatment",
        "45",
        &[
            ("laser_consent", Frequency::EveryVisit),
            ("photo_consent", Frequency::Once),
            ("consent_to_treat", Frequency::Once),
        ],
    ),
];

/// Adopts the forms the services ask for and saves the services with their forms.
pub async fn seed_forms(app: &App) -> Result<(), AppError> {
    let owner = acting_as(app, super::OWNER.0).await?;
    let doc = acting_as(app, "provider").await?;
    let mut adopted: Vec<(&str, i64)> = Vec::new();
    for (name, minutes, forms) in SERVICES {
        let mut asked = Vec::new();
        for (key, how_often) in *forms {
            let id = match adopted.iter().find(|(k, _)| k == key) {
                Some((_, id)) => *id,
                None => {
                    let id = app.adopt_form(&owner.actor(), key).await?;
                    adopted.push((key, id));
                    id
                }
            };
            asked.push((id, how_often.as_str().to_owned()));
        }
        let service = app
            .save_service(
                &owner.actor(),
                0,
                ServiceInput {
                    name: (*name).into(),
                    minutes: (*minutes).into(),
                    buffer_minutes: "10".into(),
                    room_id: 0,
                    equipment: String::new(),
                    forms: String::new(),
                    providers: vec![doc.user_id.0],
                    retired: false,
                },
            )
            .await?;
        app.set_service_forms(&owner.actor(), service, &asked).await?;
    }
    Ok(())
}
