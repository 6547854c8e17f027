//! The demo clinic: one account per default role plus an owner who is also the provider, each
//! already enrolled in MFA with a known secret. Only demo mode ever writes secrets in clear.

#![allow(
    clippy::indexing_slicing,
    reason = "the demo's fixed tables are indexed modulo their own length"
)]

mod forms;
pub mod records;

pub use forms::seed_forms;

use crate::users::NewUserInput;
use crate::{mfa, Actor, App, AppError};
use carekeep_crypto::token::random_bytes;
use carekeep_crypto::totp::TotpSecret;
use carekeep_domain::audit::{Action, Outcome};
use serde::Serialize;

/// A demo login, as written to `demo-credentials.json`.
#[derive(Debug, Serialize)]
pub struct DemoCredential {
    pub username: String,
    pub password: String,
    pub roles: Vec<String>,
    pub totp_secret: String,
}

const ACCOUNTS: &[(&str, &str, &[&str])] = &[
    ("drowner", "Dr. Dana Owner", &["owner", "provider"]),
    ("provider", "Dr. Priya Provider", &["provider"]),
    ("nurse", "Nora Nurse", &["nurse"]),
    ("frontdesk", "Frank Frontdesk", &["front_desk"]),
    ("billing", "Bella Billing", &["billing"]),
    ("compliance", "Cora Compliance", &["compliance_officer"]),
];

/// The demo clinic's first owner, created by `init`.
pub const OWNER: (&str, &str) = ("owner", "Oscar Owner");

const WORDS: &[&str] = &[
    "maple", "harbor", "lantern", "meadow", "copper", "violet", "canyon", "ember", "willow", "falcon", "pebble",
    "orchid", "summit", "thistle", "juniper", "saffron",
];

/// A memorable random password: four words and two digits.
fn demo_password() -> String {
    let r = random_bytes::<5>();
    let w = |b: u8| WORDS[usize::from(b) % WORDS.len()];
    format!("{}-{}-{}-{}-{:02}", w(r[0]), w(r[1]), w(r[2]), w(r[3]), r[4] % 100)
}

/// A fresh password for the demo's first owner.
pub fn owner_password() -> String {
    demo_password()
}

/// Enrols the first owner (created by `init` with `owner_password`) and creates the other
/// demo accounts. Returns every demo credential.
pub async fn seed(app: &App, owner_password: &str) -> Result<Vec<DemoCredential>, AppError> {
    let owner = app.find_user(&Actor::Cli, OWNER.0).await?;
    let secret = TotpSecret::generate();
    let mut tx = app.store().begin().await?;
    mfa::enroll(app, &mut tx, owner.id, &secret, 0).await?;
    app.record(
        &mut tx,
        &app.event(&Actor::Cli, Action::MfaEnrolled, Outcome::Success)
            .with_target(owner.id),
    )
    .await?;
    tx.commit().await?;
    let mut out = vec![DemoCredential {
        username: OWNER.0.to_string(),
        password: owner_password.to_string(),
        roles: vec!["owner".to_string()],
        totp_secret: secret.to_base32(),
    }];
    for (username, display, roles) in ACCOUNTS {
        let password = demo_password();
        let role_names: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
        let user = app
            .create_user(
                &Actor::Cli,
                &NewUserInput {
                    username,
                    display_name: display,
                    password: &password,
                    roles: &role_names,
                },
            )
            .await?;
        let secret = TotpSecret::generate();
        let mut tx = app.store().begin().await?;
        mfa::enroll(app, &mut tx, user.id, &secret, 0).await?;
        app.record(
            &mut tx,
            &app.event(&Actor::Cli, Action::MfaEnrolled, Outcome::Success)
                .with_target(user.id),
        )
        .await?;
        tx.commit().await?;
        out.push(DemoCredential {
            username: username.to_string(),
            password,
            roles: role_names,
            totp_secret: secret.to_base32(),
        });
    }
    Ok(out)
}

/// The demo clinic's details, filled as an owner would on the set-up path, so its notice and
/// policies have no blanks (the test kit's clinic stays fresh, as after `carekeep init`).
pub async fn fill_details(app: &App) -> Result<(), AppError> {
    let mut tx = app.store().begin().await?;
    carekeep_store::clinic::set_details(
        tx.conn(),
        &carekeep_store::clinic::Details {
            legal_name: app.clinic_name().to_owned(),
            address: "100 Main Street\nSpringfield, IL 62701".into(),
            phone: "5552010100".into(),
            website: "www.example.com".into(),
            privacy_contact: "Cora Compliance, compliance officer".into(),
        },
    )
    .await?;
    app.record(
        &mut tx,
        &app.event(&Actor::Cli, Action::SettingChanged, Outcome::Success)
            .with_reason("clinic details saved (demo)"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
