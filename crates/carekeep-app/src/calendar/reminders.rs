//! Appointment reminders (issue 26, step 5): by email through the clinic's SMTP relay and by
//! text through an SMS gateway speaking the common REST shape (`POST <base>/messages` with
//! `to`, `from`, `body`; bearer or basic auth). Both relays receive a patient's address and
//! the fact of an appointment, so both go through the BAA gate (164.502(e)(1), 164.308(b)(1)).
//! The text is minimum necessary (`carekeep_domain::calendar::message`): the clinic, the day
//! and time, and a one-time confirm-or-cancel link. Channel and address follow the patient's
//! preferences and granted confidential-communication requests (164.522(b)); texts follow the
//! conditions for health-care texts without prior written consent (the number the patient
//! gave, one a day, three a week, opt-out honoured at once). Every attempt is a line of the
//! append-only sent log (address and text sealed) and an audit event naming ids only.

use crate::mail::Content;
use crate::permit::Permit;
use crate::{Actor, App, AppError};
use carekeep_crypto::keys::Binding;
use carekeep_domain::audit::{Action, AuditActor, AuditEvent, Origin, Outcome};
use carekeep_domain::calendar::message::reminder;
use carekeep_domain::calendar::reminders::{accommodation, due, Accommodation, LEAD};
use carekeep_domain::calendar::texting::{is_opt_out, may_send, normalize_us_number, route, Channel, Preferences};
use carekeep_domain::records::appointment::Status;
use carekeep_domain::records::patient::{Contact, ContactMethod};
use carekeep_domain::DataClass;
use carekeep_store::records::CtColumn;
use carekeep_store::reminders as store;
use carekeep_store::{bookings, records as records_store, rights as rights_store};
use std::time::Duration;
use time::OffsetDateTime;

/// How the gateway checks who is calling.
#[derive(Clone)]
pub enum SmsAuth {
    Bearer(String),
    Basic { username: String, password: String },
}

/// The SMS gateway and the vendor record of its operator.
#[derive(Clone)]
pub struct SmsSettings {
    /// The gateway's base URL; messages are posted to `<base>/messages`.
    pub base_url: String,
    pub auth: SmsAuth,
    /// The clinic's sending number or name at the gateway.
    pub from: String,
    /// The name of the vendor record of the gateway's operator.
    pub vendor: String,
}

impl std::fmt::Debug for SmsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsSettings")
            .field("base_url", &self.base_url)
            .field("auth", &"<redacted>")
            .field("from", &self.from)
            .field("vendor", &self.vendor)
            .finish()
    }
}

/// What reminders need beyond the mail relay.
#[derive(Clone, Debug, Default)]
pub struct ReminderSettings {
    pub sms: Option<SmsSettings>,
    /// The address patients reach Carekeep on (`https://clinic.example`); the links in
    /// reminders point there. Empty: no reminders are sent.
    pub patient_url: String,
}

/// What one run of the reminder job did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReminderRun {
    pub sent: usize,
    pub held: usize,
    pub failed: usize,
}

/// One line of a patient's sent log, for staff who may read the patient's contact details.
#[derive(Clone, Debug)]
pub struct SentView {
    pub appointment_id: i64,
    pub at: OffsetDateTime,
    pub channel: String,
    pub vendor: String,
    pub outcome: String,
    pub address: String,
    pub text: String,
}

/// A patient's opt-out of text messages, as staff see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptOutView {
    pub at: OffsetDateTime,
    /// The patient replied STOP (else staff recorded it).
    pub by_reply: bool,
}

/// A patient's reminders for staff: the text opt-out and the sent log, oldest first.
#[derive(Clone, Debug)]
pub struct ReminderLog {
    pub opted_out: Option<OptOutView>,
    pub sent: Vec<SentView>,
}

const SENT: &str = "sent";

fn job_actor() -> AuditActor {
    AuditActor {
        user_id: None,
        name: "carekeep reminders".into(),
        roles: Vec::new(),
    }
}

fn job_origin() -> Origin {
    Origin {
        source_ip: "local".into(),
        user_agent: "carekeep reminders".into(),
        request_id: String::new(),
    }
}

/// The address and the text are bound to the appointment: a log line is never updated, so
/// it has no id to bind to before its insert.
fn binding(column: &'static str, appointment: i64) -> Binding<'static> {
    Binding {
        table: "reminder_sends",
        column,
        row: appointment,
    }
}

fn preferred(method: ContactMethod) -> Option<Channel> {
    match method {
        ContactMethod::Text => Some(Channel::Sms),
        ContactMethod::Email => Some(Channel::Email),
        ContactMethod::Phone | ContactMethod::Mail => None,
    }
}

/// What the job decided for one appointment.
enum Plan {
    Held(&'static str),
    Send { channel: Channel, address: String },
}

/// Where reminders go, in words for the front desk at booking.
pub(crate) fn reminder_route_words(prefs: &Preferences) -> String {
    match route(prefs) {
        Ok(r) => match r.channel {
            Channel::Sms => {
                let shown = normalize_us_number(&r.address).map_or(r.address.clone(), |n| {
                    let part = |r: std::ops::Range<usize>| n.get(r).unwrap_or_default().to_owned();
                    format!("({}) {}-{}", part(0..3), part(3..6), part(6..10))
                });
                format!("Reminders by text message to {shown}")
            }
            Channel::Email => format!("Reminders by email to {}", r.address),
        },
        Err(held) => format!("No reminders: {}", held.words().to_lowercase()),
    }
}

impl App {
    /// The patient's preferences for reminders: their contact details, a text opt-out, and
    /// granted confidential-communication requests (164.522(b)), read under `permit`.
    pub(crate) fn reminder_preferences(
        &self,
        permit: &Permit,
        contact: &Contact,
        granted: &[carekeep_store::rights::RequestRow],
        opted_out: Option<OffsetDateTime>,
    ) -> Result<Preferences, AppError> {
        let mut prefs = Preferences {
            mobile: Some(contact.phone.clone()).filter(|p| !p.trim().is_empty()),
            email: Some(contact.email.clone()).filter(|e| !e.trim().is_empty()),
            prefer: preferred(contact.preferred),
            sms_opted_out: opted_out,
            ..Preferences::default()
        };
        for r in granted {
            let d = self.request_details(permit, r.id, &r.details_ct)?;
            match accommodation(&d.accommodation) {
                Accommodation::Only(channel, address) if prefs.confidential.is_none() => {
                    prefs.confidential = Some((channel, address));
                }
                // A second request, or one naming no address: nothing is sent (fail closed).
                _ => prefs.no_messages = true,
            }
        }
        Ok(prefs)
    }

    /// The granted confidential-communication requests and the text opt-out of a patient.
    pub(crate) async fn reminder_requests(
        &self,
        conn: &mut carekeep_store::Conn,
        patient: i64,
    ) -> Result<(Vec<carekeep_store::rights::RequestRow>, Option<OffsetDateTime>), AppError> {
        let granted = rights_store::requests(conn, Some(patient))
            .await?
            .into_iter()
            .filter(|r| r.kind == "confidential_communication" && r.status == "granted")
            .collect();
        Ok((granted, store::opted_out(conn, patient).await?))
    }

    /// Sends every reminder now due (48 hours before the appointment); each appointment gets
    /// one, and one that was held or failed is tried again the next clinic day. Fails only when
    /// reminders cannot run at all (no link address set).
    pub async fn send_due_reminders(&self) -> Result<ReminderRun, AppError> {
        let settings = &self.settings().reminders;
        let mut run = ReminderRun::default();
        if self.mail_in_effect().await?.is_none() && settings.sms.is_none() {
            return Ok(run);
        }
        let base = settings.patient_url.trim().trim_end_matches('/');
        if base.is_empty() {
            return Err(AppError::Invalid(
                "reminders need patient_url, the address patients reach Carekeep on".into(),
            ));
        }
        let now = self.now();
        let (today, _) = self.clinic_day(self.clinic_zone().local(now).date());
        let rows = {
            let mut conn = self.store().read().await?;
            bookings::between(&mut conn, now, now + LEAD).await?
        };
        for row in rows {
            if Status::parse(&row.status)? != Status::Booked || !due(now, row.start_at, LEAD) {
                continue;
            }
            {
                let mut conn = self.store().read().await?;
                if store::settled(&mut conn, row.id, today).await? {
                    continue;
                }
            }
            match self.remind(&row, base).await? {
                Some(true) => run.sent += 1,
                Some(false) => run.failed += 1,
                None => run.held += 1,
            }
        }
        Ok(run)
    }

    /// One appointment's reminder: `Some(true)` sent, `Some(false)` failed, `None` held.
    async fn remind(&self, row: &bookings::BookingRow, base: &str) -> Result<Option<bool>, AppError> {
        let now = self.now();
        let (patient, granted, opted_out, sent) = {
            let mut conn = self.store().read().await?;
            let patient = records_store::patient_by_id(&mut conn, row.patient_id).await?;
            let (granted, opted_out) = self.reminder_requests(&mut conn, row.patient_id).await?;
            let sent: Vec<OffsetDateTime> = store::for_patient(&mut conn, row.patient_id)
                .await?
                .into_iter()
                .filter(|s| s.outcome == SENT)
                .map(|s| s.at)
                .collect();
            (patient, granted, opted_out, sent)
        };
        let mut event = AuditEvent::new(now, job_actor(), Action::PhiRead, Outcome::Success, job_origin());
        event.patients = vec![row.patient_id];
        event.resource_type = "Appointment".into();
        event.resource_id = row.id.to_string();
        event.data_classes = vec![DataClass::Contact, DataClass::Scheduling];
        event.reason = "contact read to send the appointment reminder".into();
        let permit = self.permit(event).await?;
        let contact: Contact = if patient.contact_ct.is_empty() {
            Contact::default()
        } else {
            self.open_json(&permit, CtColumn::PatientContact, patient.id, &patient.contact_ct)?
        };
        let prefs = self.reminder_preferences(&permit, &contact, &granted, opted_out)?;
        // The service only when the clinic turned that on (off by default: minimum necessary).
        let detail = self.reminder_detail().await?;
        let service: Option<String> = if detail.service && !row.service_ct.is_empty() {
            Some(self.open_json(&permit, CtColumn::AppointmentService, row.id, &row.service_ct)?)
        } else {
            None
        };
        permit.confirm().await?;
        let plan = match route(&prefs) {
            Err(held) => Plan::Held(held.words()),
            Ok(r) => match may_send(&self.clinic_zone(), &r, &prefs, &sent, now) {
                Err(held) => Plan::Held(held.words()),
                Ok(()) => Plan::Send {
                    channel: r.channel,
                    address: r.address,
                },
            },
        };
        let Plan::Send { channel, address } = plan else {
            let Plan::Held(why) = plan else { unreachable!() };
            self.log_send(row, None, "", &format!("held: {why}"), None).await?;
            return Ok(None);
        };
        let vendor = match channel {
            Channel::Email => self.mail_in_effect().await?.map(|m| m.vendor),
            Channel::Sms => self.settings().reminders.sms.as_ref().map(|s| s.vendor.clone()),
        };
        let Some(vendor) = vendor else {
            let why = match channel {
                Channel::Email => "held: no SMTP relay is set up",
                Channel::Sms => "held: no SMS gateway is set up",
            };
            self.log_send(row, Some(channel), "", why, None).await?;
            return Ok(None);
        };
        // The gateway or relay receives a patient's address: only under a BAA in force.
        let integration = match channel {
            Channel::Email => "SMTP relay",
            Channel::Sms => "SMS gateway",
        };
        if self.integration_gate(integration, &vendor, true).await.is_err() {
            self.log_send(
                row,
                Some(channel),
                &vendor,
                "held: the vendor has no BAA in force",
                None,
            )
            .await?;
            return Ok(None);
        }
        let token = {
            let mut tx = self.store().begin().await?;
            let token = self.issue_confirm_link(tx.conn(), row.id, row.start_at).await?;
            tx.commit().await?;
            token
        };
        let link = format!("{base}/c/{token}");
        // The visit's forms still to fill in (issue 28): the reminder carries the portal's
        // forms page, no form's name.
        let forms_waiting = {
            let mut conn = self.store().read().await?;
            carekeep_store::forms::responses_for_appointments(&mut conn, &[row.id])
                .await?
                .iter()
                .any(|r| {
                    !carekeep_domain::forms::Status::parse(&r.status).is_some_and(carekeep_domain::forms::Status::done)
                })
        };
        let text = reminder(
            channel,
            self.clinic_name(),
            None,
            self.clinic_zone().local(row.start_at),
            &link,
            detail,
            service.as_deref(),
        );
        let text = if forms_waiting {
            carekeep_domain::calendar::message::with_forms(text, channel, &format!("{base}/portal/forms"))
        } else {
            text
        };
        let outcome = match channel {
            Channel::Email => self.send_mail(&address, &text.subject, &text.body, Content::Phi).await,
            Channel::Sms => self.send_sms(&address, &text.body).await,
        };
        let ok = outcome.is_ok();
        if outcome.is_err() {
            // Not the error's text: a relay's refusal can quote the recipient's address back.
            let via = match channel {
                Channel::Email => "the mail relay",
                Channel::Sms => "the SMS gateway",
            };
            tracing::warn!(appointment = row.id, via, "a reminder could not be sent");
        }
        self.log_send(
            row,
            Some(channel),
            &vendor,
            if ok {
                SENT
            } else {
                "failed: the relay refused or could not be reached"
            },
            Some((&address, &text.body)),
        )
        .await?;
        Ok(Some(ok))
    }

    /// Appends a line to the sent log with its audit event (ids and the outcome only).
    async fn log_send(
        &self,
        row: &bookings::BookingRow,
        channel: Option<Channel>,
        vendor: &str,
        outcome: &str,
        sealed: Option<(&str, &str)>,
    ) -> Result<(), AppError> {
        let now = self.now();
        let address_ct = sealed
            .map(|(a, _)| self.sealer().seal(binding("address_ct", row.id), a.as_bytes()))
            .transpose()?;
        let body_ct = sealed
            .map(|(_, b)| self.sealer().seal(binding("body_ct", row.id), b.as_bytes()))
            .transpose()?;
        let channel = channel.map_or("", Channel::as_str);
        let mut tx = self.store().begin().await?;
        let id = store::append(
            tx.conn(),
            &store::NewSend {
                appointment_id: row.id,
                patient_id: row.patient_id,
                channel,
                vendor,
                outcome,
                address_ct: address_ct.as_deref(),
                body_ct: body_ct.as_deref(),
            },
            now,
        )
        .await?;
        let mut event = AuditEvent::new(now, job_actor(), Action::PhiCreate, Outcome::Success, job_origin());
        event.patients = vec![row.patient_id];
        event.resource_type = "ReminderSend".into();
        event.resource_id = id.to_string();
        event.data_classes = vec![DataClass::Scheduling];
        event.reason = format!("appointment {} reminder {outcome}", row.id);
        if !channel.is_empty() {
            event.reason.push_str(&format!(
                " ({channel}{}{vendor})",
                if vendor.is_empty() { "" } else { ", " }
            ));
        }
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Posts one text to the gateway.
    pub(crate) async fn send_sms(&self, to: &str, body: &str) -> Result<(), AppError> {
        let s = self
            .settings()
            .reminders
            .sms
            .as_ref()
            .ok_or_else(|| AppError::Invalid("no SMS gateway is configured (sms_base_url)".into()))?;
        let to = normalize_us_number(to)
            .map(|n| format!("+1{n}"))
            .ok_or_else(|| AppError::Invalid("not a US phone number".into()))?;
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .map_err(|e| AppError::Internal(format!("the SMS client: {e}")))?;
        let url = format!("{}/messages", s.base_url.trim_end_matches('/'));
        let req = client
            .post(&url)
            .json(&serde_json::json!({"to": to, "from": s.from, "body": body}));
        let req = match &s.auth {
            SmsAuth::Bearer(token) => req.bearer_auth(token),
            SmsAuth::Basic { username, password } => req.basic_auth(username, Some(password)),
        };
        let res = req
            .send()
            .await
            .map_err(|_| AppError::Internal("the SMS gateway could not be reached".into()))?;
        if !res.status().is_success() {
            return Err(AppError::Internal(format!(
                "the SMS gateway answered {}",
                res.status().as_u16()
            )));
        }
        Ok(())
    }

    /// A text the gateway received: a STOP (or QUIT, END, ...) opts every patient who gave that
    /// number out of texts at once. Returns how many patients were opted out.
    pub async fn sms_reply(&self, from: &str, text: &str) -> Result<usize, AppError> {
        if !is_opt_out(text) {
            return Ok(0);
        }
        let Some(number) = normalize_us_number(from) else {
            return Ok(0);
        };
        let now = self.now();
        let digest = self.blind_index().digest("phone", &number);
        let mut tx = self.store().begin().await?;
        let ids = records_store::lookup_index(tx.conn(), "phone", &digest, 100).await?;
        for id in &ids {
            store::opt_out(tx.conn(), *id, now, "reply").await?;
            let mut event = AuditEvent::new(now, job_actor(), Action::PhiUpdate, Outcome::Success, job_origin());
            event.patients = vec![*id];
            event.resource_type = "Patient".into();
            event.resource_id = id.to_string();
            event.data_classes = vec![DataClass::Contact];
            event.reason = "opted out of text messages by a reply".into();
            self.record(&mut tx, &event).await?;
        }
        tx.commit().await?;
        Ok(ids.len())
    }

    /// Staff record that the patient wants no more texts (said at the desk, on the phone).
    pub async fn record_sms_opt_out(&self, actor: &Actor<'_>, patient: i64) -> Result<(), AppError> {
        let p = actor.person()?;
        let mut tx = self.store().begin().await?;
        let opened = self.open_patient(tx.conn(), p, patient).await?;
        let mut tx = self
            .require_write(tx, p, &opened, DataClass::Contact, Action::PhiUpdate)
            .await?;
        store::opt_out(tx.conn(), patient, self.now(), "staff").await?;
        let mut event = self.phi_event(
            p,
            Action::PhiUpdate,
            Outcome::Success,
            vec![patient],
            ("Patient", patient.to_string()),
            vec![DataClass::Contact],
        );
        event.reason = "opted out of text messages (recorded by staff)".into();
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Staff record that the patient wants texts again (said at the desk, on the phone): the
    /// opt-out is lifted, on the trail. `NotFound` if there was none.
    pub async fn record_sms_opt_in(&self, actor: &Actor<'_>, patient: i64) -> Result<(), AppError> {
        let p = actor.person()?;
        let mut tx = self.store().begin().await?;
        let opened = self.open_patient(tx.conn(), p, patient).await?;
        let mut tx = self
            .require_write(tx, p, &opened, DataClass::Contact, Action::PhiUpdate)
            .await?;
        if !store::opt_in(tx.conn(), patient).await? {
            return Err(AppError::NotFound("text opt-out"));
        }
        let mut event = self.phi_event(
            p,
            Action::PhiUpdate,
            Outcome::Success,
            vec![patient],
            ("Patient", patient.to_string()),
            vec![DataClass::Contact],
        );
        event.reason = "opted back in to text messages (recorded by staff)".into();
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The patient's reminder log with addresses and texts opened: for staff who may read the
    /// patient's contact details; an audited read.
    pub async fn reminders_sent(&self, actor: &Actor<'_>, patient: i64) -> Result<Vec<SentView>, AppError> {
        Ok(self.reminder_log(actor, patient).await?.sent)
    }

    /// The patient's text opt-out and reminder log, addresses and texts opened: for staff who
    /// may read the patient's contact details and schedule; one audited read.
    pub async fn reminder_log(&self, actor: &Actor<'_>, patient: i64) -> Result<ReminderLog, AppError> {
        let p = actor.person()?;
        let mut conn = self.store().read().await?;
        let opened = self.open_patient(&mut conn, p, patient).await?;
        let a = opened.access();
        if !(a.reads(DataClass::Contact) && a.reads(DataClass::Scheduling)) {
            drop(conn);
            return Err(self
                .refused_by_role(
                    p,
                    vec![DataClass::Contact, DataClass::Scheduling],
                    "your roles do not include patients' contact details",
                )
                .await);
        }
        let opted_out = store::opt_out_row(&mut conn, patient)
            .await?
            .map(|(at, source)| OptOutView {
                at,
                by_reply: source == "reply",
            });
        let rows = store::for_patient(&mut conn, patient).await?;
        drop(conn);
        let event = self.phi_event(
            p,
            Action::PhiRead,
            Outcome::Success,
            vec![patient],
            ("ReminderSend", String::new()),
            vec![DataClass::Contact, DataClass::Scheduling],
        );
        let permit = self.permit(event).await?;
        let open = |permit: &Permit, column: &'static str, row: &store::SendRow, ct: &Option<Vec<u8>>| {
            ct.as_deref()
                .map(|ct| {
                    self.sealer()
                        .open(permit, binding(column, row.appointment_id), ct)
                        .map(|plain| String::from_utf8_lossy(&plain).into_owned())
                })
                .transpose()
                .map(Option::unwrap_or_default)
        };
        let mut out = Vec::new();
        for r in &rows {
            out.push(SentView {
                appointment_id: r.appointment_id,
                at: r.at,
                channel: r.channel.clone(),
                vendor: r.vendor.clone(),
                outcome: r.outcome.clone(),
                address: open(&permit, "address_ct", r, &r.address_ct)?,
                text: open(&permit, "body_ct", r, &r.body_ct)?,
            });
        }
        permit.confirm().await?;
        Ok(ReminderLog { opted_out, sent: out })
    }
}
