//! The clinic's email relay set up in the browser (issue 25, item 3): the owner types the
//! relay and names the company that runs it on the set-up path; Carekeep keeps it in the
//! database (`mail_relay`, migration 0042, the password sealed) and reads it on every send, so
//! it works without a restart. carekeep.toml's `smtp_host`, when set, still wins.
//!
//! The company that runs the relay receives every message and address sent through it, so it
//! is a vendor record, made here when the owner names a new one, and the BAA gate decides what
//! may go through it (164.502(e)(1), 164.308(b)(1)).

use crate::mail::{Content, MailSecurity, MailSettings};
use crate::program::vendors::VendorInput;
use crate::seal::NotPhi;
use crate::{Actor, App, AppError};
use carekeep_crypto::keys::Binding;
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::program::mail_relay::{self as rules, Typed};
use carekeep_domain::Capability;
use carekeep_store::mail_relay::{self as store, RelayRow};
use zeroize::Zeroizing;

fn password_binding() -> Binding<'static> {
    Binding {
        table: "mail_relay",
        column: "password_ct",
        row: 1,
    }
}

/// What the owner typed on the relay's form.
#[derive(Clone, Debug, Default)]
pub struct RelayInput {
    pub typed: Typed,
    /// Empty keeps the password already saved.
    pub password: Zeroizing<String>,
    /// For a vendor not on the list yet: `signed`, `requested` or `none`.
    pub baa: String,
    /// Like 04/23/2026, when the BAA is signed.
    pub signed_on: String,
}

/// A refusal: the field it is about and why.
#[derive(Debug)]
pub struct RelayRefusal {
    pub field: &'static str,
    pub error: AppError,
}

fn refuse(field: &'static str, error: AppError) -> RelayRefusal {
    RelayRefusal { field, error }
}

/// The relay as the set-up page shows it (never the password).
#[derive(Clone, Debug, Default)]
pub struct RelayView {
    /// Set in carekeep.toml: the page shows it and sends there to change it.
    pub from_config: bool,
    pub host: String,
    pub port: u16,
    pub security: Option<MailSecurity>,
    pub username: String,
    pub has_password: bool,
    pub from: String,
    pub vendor: String,
    /// Whether the relay may carry invitations now.
    pub ready: bool,
    /// Why not, in words, when it may not.
    pub why_not: String,
    /// The clinic's vendors (not retired), by name, with their BAA in words.
    pub vendors: Vec<(String, String)>,
}

fn is_owner(actor: &Actor<'_>) -> bool {
    match actor {
        Actor::Cli => true,
        Actor::User(p) => p.roles.iter().any(|r| r.as_str() == "owner"),
        Actor::Patient(_) => false,
    }
}

impl App {
    /// The relay in effect: carekeep.toml's when it names one, else the one set up in the
    /// browser (read from the database each time, so a change needs no restart).
    pub async fn mail_in_effect(&self) -> Result<Option<MailSettings>, AppError> {
        if let Some(m) = self.settings().mail.as_ref() {
            return Ok(Some(m.clone()));
        }
        let row = {
            let mut conn = self.store().read().await?;
            store::get(&mut conn).await?
        };
        let Some(row) = row else { return Ok(None) };
        let Some(security) = MailSecurity::parse(&row.security) else {
            return Ok(None);
        };
        let password = match row.password_ct.as_deref() {
            Some(ct) => {
                let plain = self
                    .sealer()
                    .open_not_phi(NotPhi::MailPassword, password_binding(), ct)?;
                String::from_utf8(plain.to_vec())
                    .map_err(|_| AppError::Internal("the relay's password is not text".into()))?
            }
            None => String::new(),
        };
        Ok(Some(MailSettings {
            host: row.host,
            port: row.port,
            security,
            username: row.username,
            password,
            from: row.from_addr,
            vendor: row.vendor,
        }))
    }

    /// Whether the clinic has an email relay set up, in carekeep.toml or in the browser.
    pub async fn mail_configured(&self) -> bool {
        matches!(self.mail_in_effect().await, Ok(Some(_)))
    }

    /// The relay for the set-up page (owners and those who administer the clinic).
    pub async fn mail_relay_view(&self, actor: &Actor<'_>) -> Result<RelayView, AppError> {
        self.require(actor, Capability::AdministerUsers).await?;
        let vendors = self
            .vendors(actor)
            .await?
            .into_iter()
            .filter(|v| !v.retired)
            .map(|v| {
                let words = if v.baa_current {
                    "BAA in force"
                } else {
                    "no BAA in force yet"
                };
                (v.name, words.to_owned())
            })
            .collect();
        let from_config = self.settings().mail.is_some();
        let (row, has_password) = if let Some(m) = self.settings().mail.as_ref() {
            (
                Some((
                    m.host.clone(),
                    m.port,
                    m.security,
                    m.username.clone(),
                    m.from.clone(),
                    m.vendor.clone(),
                )),
                !m.password.is_empty(),
            )
        } else {
            let row = {
                let mut conn = self.store().read().await?;
                store::get(&mut conn).await?
            };
            match row {
                Some(r) => (
                    MailSecurity::parse(&r.security).map(|s| (r.host, r.port, s, r.username, r.from_addr, r.vendor)),
                    r.password_ct.is_some(),
                ),
                None => (None, false),
            }
        };
        let Some((host, port, security, username, from, vendor)) = row else {
            return Ok(RelayView {
                vendors,
                why_not: "no email relay is set up yet".into(),
                ..RelayView::default()
            });
        };
        let gate = self.integration_gate("email relay", &vendor, true).await;
        Ok(RelayView {
            from_config,
            host,
            port,
            security: Some(security),
            username,
            has_password,
            from,
            vendor,
            ready: gate.is_ok(),
            why_not: gate.err().map(|e| e.to_string()).unwrap_or_default(),
            vendors,
        })
    }

    /// Saves the relay the owner typed, after checking every field; a vendor not on the
    /// list yet is added with its BAA as answered. Owners only; audited without the password.
    pub async fn configure_mail_relay(&self, actor: &Actor<'_>, input: &RelayInput) -> Result<(), RelayRefusal> {
        self.require(actor, Capability::AdministerUsers)
            .await
            .map_err(|e| refuse("host", e))?;
        if !is_owner(actor) {
            return Err(refuse(
                "host",
                AppError::Forbidden("only an owner sets up the email relay".into()),
            ));
        }
        if self.settings().mail.is_some() {
            return Err(refuse(
                "host",
                AppError::Invalid(
                    "the relay is set in carekeep.toml (smtp_host); change it there, or remove it there to set it up here"
                        .into(),
                ),
            ));
        }
        let relay = rules::check(&input.typed).map_err(|p| refuse(p.field, AppError::Invalid(p.message.into())))?;
        if relay.from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(refuse(
                "from",
                AppError::Invalid(
                    "the sender's address is not one a relay accepts: type it like carekeep@yourclinic.com".into(),
                ),
            ));
        }
        if input.password.chars().count() > 500 {
            return Err(refuse("password", AppError::Invalid("the password is too long".into())));
        }
        let existing = self.vendors(actor).await.map_err(|e| refuse("vendor", e))?;
        let known = existing
            .iter()
            .any(|v| !v.retired && v.name.trim().eq_ignore_ascii_case(&relay.vendor));
        let new_vendor = if known {
            None
        } else {
            let status = match input.baa.as_str() {
                "signed" | "requested" | "none" => input.baa.clone(),
                _ => {
                    return Err(refuse(
                        "baa",
                        AppError::Invalid(format!(
                            "{} is not on your vendor list yet: say whether its business associate agreement is signed",
                            relay.vendor
                        )),
                    ))
                }
            };
            let signed = crate::input::date("date the BAA was signed", &input.signed_on, status == "signed")
                .map_err(|e| refuse("signed_on", e))?;
            if signed.is_some_and(|d| d > self.clinic_today()) {
                return Err(refuse(
                    "signed_on",
                    AppError::Invalid("the date the BAA was signed is in the future".into()),
                ));
            }
            Some(VendorInput {
                name: relay.vendor.clone(),
                service: "Email relay (sends Carekeep's mail)".into(),
                receives_phi: true,
                transmits_phi: true,
                baa_status: status,
                baa_signed_on: signed.map(|d| d.to_string()).unwrap_or_default(),
                ..VendorInput::default()
            })
        };
        let kept = {
            let mut conn = self.store().read().await.map_err(|e| refuse("host", e.into()))?;
            store::get(&mut conn).await.map_err(|e| refuse("host", e.into()))?
        };
        let password_ct = if input.password.is_empty() {
            kept.and_then(|k| k.password_ct)
        } else {
            Some(
                self.sealer()
                    .seal(password_binding(), input.password.as_bytes())
                    .map_err(|e| refuse("password", e))?,
            )
        };
        if let Some(v) = new_vendor {
            self.save_vendor(actor, 0, v).await.map_err(|e| refuse("vendor", e))?;
        }
        let row = RelayRow {
            host: relay.host.clone(),
            port: relay.port,
            security: relay.security.as_str().into(),
            username: relay.username,
            password_ct,
            from_addr: relay.from,
            vendor: relay.vendor.clone(),
        };
        let saved = async {
            let mut tx = self.store().begin().await?;
            store::put(tx.conn(), &row, self.now()).await?;
            let event = self
                .event(actor, Action::SettingChanged, Outcome::Success)
                .with_reason(&format!(
                    "email relay set up: {}:{} ({}), run by {}",
                    relay.host,
                    relay.port,
                    relay.security.as_str(),
                    relay.vendor
                ));
            self.record(&mut tx, &event).await?;
            tx.commit().await?;
            Ok::<(), AppError>(())
        };
        saved.await.map_err(|e| refuse("host", e))
    }

    /// Sends a test message through the relay to `to` (it names no patient). Owners and those
    /// who administer the clinic.
    pub async fn send_test_mail(&self, actor: &Actor<'_>, to: &str) -> Result<(), AppError> {
        self.require(actor, Capability::AdministerUsers).await?;
        let to = to.trim();
        if to.is_empty() || to.parse::<lettre::Address>().is_err() {
            return Err(AppError::Invalid(
                "type the address to send the test message to, like you@yourclinic.com".into(),
            ));
        }
        let body = format!(
            "This is a test message from Carekeep at {}.\n\nIf you can read it, the clinic's email relay works: invitations and reminders can go through it.\n",
            self.clinic_name()
        );
        self.send_mail(to, "Carekeep: the email relay works", &body, Content::NoPhi)
            .await
    }

    /// Removes the relay set up in the browser: nothing is mailed until one is set up again.
    pub async fn remove_mail_relay(&self, actor: &Actor<'_>) -> Result<(), AppError> {
        self.require(actor, Capability::AdministerUsers).await?;
        if !is_owner(actor) {
            return Err(AppError::Forbidden("only an owner changes the email relay".into()));
        }
        let mut tx = self.store().begin().await?;
        store::clear(tx.conn()).await?;
        let event = self
            .event(actor, Action::SettingChanged, Outcome::Success)
            .with_reason("email relay removed");
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }
}
