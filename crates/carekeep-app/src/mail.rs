//! Outbound email through the clinic's SMTP relay. The relay's operator receives whatever we
//! send, so the relay is tied to a vendor record: nothing goes out while that record is
//! missing, and a message carrying PHI goes only while the vendor has a BAA in force (the BAA
//! gate, 164.502(e)(1), 164.308(b)(1)). Reminders carry no PHI.

use crate::{App, AppError, Principal};
use carekeep_domain::audit::Origin;
use carekeep_store::{program as vendors, users, workforce};
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// How the connection to the relay is secured (the domain's rule decides which are allowed).
pub use carekeep_domain::program::mail_relay::Security as MailSecurity;

/// The relay and the vendor record it is tied to.
#[derive(Clone)]
pub struct MailSettings {
    pub host: String,
    pub port: u16,
    pub security: MailSecurity,
    pub username: String,
    pub password: String,
    /// `Name <address>` or an address.
    pub from: String,
    /// The name of the vendor record of the relay's operator.
    pub vendor: String,
}

impl std::fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("from", &self.from)
            .field("vendor", &self.vendor)
            .finish()
    }
}

/// What a message carries, which decides whether the BAA gate applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Content {
    /// Reminders, test messages: no patient information.
    NoPhi,
    /// Anything about a patient.
    Phi,
}

impl App {
    /// The BAA gate for an outbound integration tied to the vendor record named `vendor`:
    /// nothing goes out while the record is missing or retired, and PHI only while the
    /// vendor's BAA is in force (164.502(e)(1), 164.308(b)(1)).
    pub async fn integration_gate(&self, integration: &str, vendor: &str, carries_phi: bool) -> Result<(), AppError> {
        let found = {
            let mut conn = self.store().read().await?;
            vendors::vendors(&mut conn)
                .await?
                .into_iter()
                .find(|v| !v.retired && v.name.trim().eq_ignore_ascii_case(vendor.trim()))
        };
        let Some(found) = found else {
            return Err(AppError::Forbidden(format!(
                "the {integration} is not tied to a vendor record: add the vendor '{vendor}' on the Vendors page"
            )));
        };
        if carries_phi {
            self.phi_send_allowed(found.id).await?;
        }
        Ok(())
    }

    /// Sends one plain-text message through the relay.
    pub async fn send_mail(&self, to: &str, subject: &str, body: &str, content: Content) -> Result<(), AppError> {
        let settings = self
            .mail_in_effect()
            .await?
            .ok_or_else(|| AppError::Invalid("no email relay is set up (Set-up, Email relay)".into()))?;
        self.integration_gate("SMTP relay", &settings.vendor, content == Content::Phi)
            .await?;
        let bad = |what: &str| AppError::Invalid(format!("the {what} address is not a valid email address"));
        let message = Message::builder()
            .from(settings.from.parse().map_err(|_| bad("sender (smtp_from)"))?)
            .to(to.parse().map_err(|_| bad("recipient"))?)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned())
            .map_err(|e| AppError::Internal(format!("building a message: {e}")))?;
        transport(&settings)?
            .send(message)
            .await
            .map_err(|e| AppError::Internal(format!("the SMTP relay refused or failed: {e}")))?;
        Ok(())
    }

    /// Mails each current person with a login and a work address their reminders, once a day
    /// at most and only when they have some. Returns how many were sent.
    pub async fn mail_reminders(&self) -> Result<usize, AppError> {
        if self.mail_in_effect().await?.is_none() {
            return Ok(0);
        }
        let today = self.clinic_today();
        let day = today.to_string();
        let people = {
            let mut conn = self.store().read().await?;
            workforce::people(&mut conn).await?
        };
        let mut sent = 0;
        for person in people {
            let (Some(uid), Some(email)) = (person.user_id, person.email.as_deref()) else {
                continue;
            };
            if person.left_on.as_deref().is_some_and(|l| l <= day.as_str()) {
                continue;
            }
            let user = {
                let mut conn = self.store().read().await?;
                users::by_id(&mut conn, carekeep_domain::UserId(uid)).await?
            };
            if user.disabled_at.is_some() {
                continue;
            }
            let name = user.display_name.clone();
            let me = Principal::acting_for(
                user,
                Origin {
                    source_ip: "local".into(),
                    user_agent: "carekeep reminder mail".into(),
                    request_id: String::new(),
                },
                self.now(),
            );
            let reminders = self.reminders(&me.actor()).await?;
            if reminders.is_empty() {
                continue;
            }
            {
                let mut tx = self.store().begin().await?;
                let first = workforce::claim_reminder_mail(tx.conn(), person.id, &day).await?;
                tx.commit().await?;
                if !first {
                    continue;
                }
            }
            let body = reminder_body(&name, self.clinic_name(), &reminders);
            let subject = format!("Carekeep: {} reminder{}", reminders.len(), plural(reminders.len()));
            match self.send_mail(email, &subject, &body, Content::NoPhi).await {
                Ok(()) => sent += 1,
                Err(e) => {
                    // Give the day back so the next run tries again, then stop: the relay is
                    // the same for everyone.
                    let mut tx = self.store().begin().await?;
                    workforce::release_reminder_mail(tx.conn(), person.id, &day).await?;
                    tx.commit().await?;
                    return Err(e);
                }
            }
        }
        Ok(sent)
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn reminder_body(name: &str, clinic: &str, reminders: &[crate::program::reminders::Reminder]) -> String {
    let mut body = format!("Hello {name},\n\nCarekeep at {clinic} has reminders for you:\n\n");
    for r in reminders {
        body.push_str(&format!(
            "- {}{} (in Carekeep: {})\n",
            if r.overdue { "OVERDUE: " } else { "" },
            r.text,
            r.href
        ));
    }
    body.push_str("\nSign in to Carekeep to take care of them. This message names no patient, by design.\n");
    body
}

fn transport(s: &MailSettings) -> Result<AsyncSmtpTransport<Tokio1Executor>, AppError> {
    let relay_error = |e: lettre::transport::smtp::Error| AppError::Invalid(format!("smtp_host: {e}"));
    let mut builder = match s.security {
        MailSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&s.host).map_err(relay_error)?,
        MailSecurity::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&s.host).map_err(relay_error)?,
        MailSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host),
    }
    .port(s.port)
    .timeout(Some(Duration::from_secs(20)));
    if !s.username.is_empty() {
        builder = builder.credentials(Credentials::new(s.username.clone(), s.password.clone()));
    }
    Ok(builder.build())
}
