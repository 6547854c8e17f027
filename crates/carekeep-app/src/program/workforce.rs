//! Workforce and training (164.530(b), 164.308(a)(5)): everyone on staff with or without a
//! login, training due at hire and on the clinic's refresh cycle, the built-in course with its
//! quiz, and offboarding on the leave date (164.308(a)(3)(ii)(C)): the account is disabled and
//! its sessions end that day, and a checklist opens.

use crate::seal::NotPhi;
use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::program::course::{self, QuizResult};
use carekeep_domain::program::offboarding::{self, CHECKLIST};
use carekeep_domain::program::training;
use carekeep_domain::program::Standing;
use carekeep_domain::records::patient::parse_date;
use carekeep_domain::{Capability, RoleName, UserId};
use carekeep_store::users;
use carekeep_store::workforce::{self as store, NewTraining, PersonRow};
use serde::{Deserialize, Serialize};
use time::Date;

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PersonInput {
    pub name: String,
    pub job_title: String,
    /// Their Carekeep login, if they have one.
    pub username: String,
    /// `YYYY-MM-DD`.
    pub hired_on: String,
    /// `YYYY-MM-DD`; on this date their account is disabled and offboarding starts.
    pub left_on: String,
    /// A work email address for reminders (optional).
    pub email: String,
    /// An owner confirms a leave date that disables their own login or an owner's.
    pub owner_confirms: bool,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TrainingView {
    pub id: i64,
    pub title: String,
    pub kind: String,
    pub completed_on: String,
    pub score: Option<i64>,
    pub attested: bool,
    /// The uploaded certificate's file name; empty when there is none.
    pub certificate: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PersonView {
    pub id: i64,
    pub name: String,
    pub job_title: String,
    pub username: String,
    pub hired_on: String,
    pub left_on: String,
    pub email: String,
    pub offboarded: bool,
    /// When training is next due; empty for people who have left.
    pub training_due: String,
    /// done, due_soon, gap, left, or invited (their login is not set up yet: not a gap).
    pub training_standing: String,
    pub training: Vec<TrainingView>,
    /// `(item id, step, done)`.
    pub offboarding: Vec<(i64, String, bool)>,
}

fn standing_code(s: Standing) -> &'static str {
    match s {
        Standing::Gap => "gap",
        Standing::DueSoon => "due_soon",
        Standing::Done => "done",
    }
}

fn day(label: &str, s: &str, required: bool) -> Result<Option<Date>, AppError> {
    crate::input::date(label, s, required)
}

/// Where a training certificate sits, bound into its ciphertext.
pub(super) fn certificate_binding(id: i64) -> carekeep_crypto::keys::Binding<'static> {
    carekeep_crypto::keys::Binding {
        table: "training_records",
        column: "certificate_ct",
        row: id,
    }
}

impl App {
    /// Each current person's next training date and standing, from their completions.
    pub(crate) fn training_standing(
        &self,
        p: &PersonRow,
        done: &[&store::TrainingRow],
        today: Date,
    ) -> Option<(Date, Standing)> {
        let hired = parse_date(&p.hired_on).ok()?;
        let left = p.left_on.as_deref().and_then(|d| parse_date(d).ok());
        let last = done.iter().filter_map(|t| parse_date(&t.completed_on).ok()).max();
        training::due(
            self.settings().training.policy,
            self.program_start(),
            hired,
            left,
            last,
            today,
        )
    }

    /// Whether `user` is kept from patient data until they complete training (only when the
    /// clinic requires it).
    pub(crate) async fn training_hold(&self, user: UserId) -> Result<bool, AppError> {
        if !self.settings().training.before_phi_access {
            return Ok(false);
        }
        let mut conn = self.store().read().await?;
        let (hired, last) = match store::person_by_user(&mut conn, user.0).await? {
            Some(p) => (
                parse_date(&p.hired_on).ok(),
                store::last_completion(&mut conn, p.id)
                    .await?
                    .and_then(|d| parse_date(&d).ok()),
            ),
            None => (None, None),
        };
        Ok(training::holds_phi_access(true, hired, last))
    }

    pub async fn roster(&self, actor: &Actor<'_>) -> Result<Vec<PersonView>, AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        let mut conn = self.store().read().await?;
        let people = store::people(&mut conn).await?;
        let records = store::training(&mut conn).await?;
        let accounts = users::all(&mut conn).await?;
        let invited = carekeep_store::invitations::pending_user_ids(&mut conn).await?;
        let today = self.clinic_today();
        let mut out = Vec::new();
        for p in people {
            let mine: Vec<&store::TrainingRow> = records.iter().filter(|t| t.person_id == p.id).collect();
            let due = self.training_standing(&p, &mine, today);
            let offboarding = store::offboarding_items(&mut conn, p.id).await?;
            let account = p.user_id.and_then(|u| accounts.iter().find(|a| a.id.0 == u));
            let is_invited = account.is_some_and(|a| invited.contains(&a.id));
            out.push(PersonView {
                id: p.id,
                username: p
                    .user_id
                    .and_then(|u| accounts.iter().find(|a| a.id.0 == u))
                    .map(|a| a.username.clone())
                    .unwrap_or_default(),
                training_due: due.map(|d| d.0.to_string()).unwrap_or_default(),
                training_standing: if is_invited {
                    "invited".into()
                } else {
                    due.map_or("left", |d| standing_code(d.1)).into()
                },
                training: mine
                    .iter()
                    .map(|t| TrainingView {
                        id: t.id,
                        title: t.title.clone(),
                        kind: t.kind.clone(),
                        completed_on: t.completed_on.clone(),
                        score: t.score,
                        attested: t.attested,
                        certificate: t.certificate_name.clone().unwrap_or_default(),
                    })
                    .collect(),
                offboarding,
                name: p.name,
                job_title: p.job_title,
                hired_on: p.hired_on,
                left_on: p.left_on.unwrap_or_default(),
                email: p.email.unwrap_or_default(),
                offboarded: p.offboarded,
            });
        }
        Ok(out)
    }

    /// Adds (`id == 0`) or changes a person. A leave date that has come offboards them now.
    pub async fn save_person(&self, actor: &Actor<'_>, id: i64, input: PersonInput) -> Result<i64, AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        let name = crate::input::line("name", &input.name, 120, true)?;
        let name = name.as_str();
        let hired = day("hire date", &input.hired_on, true)?;
        let left = day("leave date", &input.left_on, false)?;
        if let (Some(h), Some(l)) = (hired, left) {
            if l < h {
                return Err(AppError::Invalid("the leave date is before the hire date".into()));
            }
        }
        let email = match input.email.trim() {
            "" => None,
            e if e.len() <= 254 && e.parse::<lettre::Address>().is_ok() => Some(e.to_owned()),
            _ => return Err(AppError::Invalid("the email must look like name@clinic.example".into())),
        };
        let mut tx = self.store().begin().await?;
        let user_id = match input.username.trim() {
            "" => None,
            u => {
                let key = carekeep_domain::username::normalize(u).map_err(|e| AppError::Invalid(e.to_string()))?;
                Some(
                    users::by_key(tx.conn(), &key)
                        .await?
                        .ok_or_else(|| AppError::Invalid(format!("there is no login '{u}'")))?
                        .id
                        .0,
                )
            }
        };
        if let (Some(left), Some(uid)) = (left, user_id) {
            let before = if id == 0 {
                None
            } else {
                store::person_by_id(tx.conn(), id).await?.left_on
            };
            if before.as_deref() != Some(left.to_string().as_str()) {
                let target = users::by_id(tx.conn(), UserId(uid)).await?;
                let owner = RoleName::new("owner").ok();
                let is_owner = |roles: &[RoleName]| owner.as_ref().is_some_and(|o| roles.contains(o));
                let (setter, own_login) = match actor {
                    Actor::Patient(_) => return Err(AppError::Forbidden("this is for the clinic's staff".into())),
                    Actor::Cli => (
                        offboarding::LeaveDateSetter {
                            command_line: true,
                            is_owner: false,
                            confirmed: input.owner_confirms,
                        },
                        false,
                    ),
                    Actor::User(p) => (
                        offboarding::LeaveDateSetter {
                            command_line: false,
                            is_owner: is_owner(&p.roles),
                            confirmed: input.owner_confirms,
                        },
                        p.user_id.0 == uid,
                    ),
                };
                let target = offboarding::LeaveDateTarget {
                    own_login,
                    owner_login: is_owner(&target.roles),
                };
                offboarding::may_set_leave_date(target, setter).map_err(|why| AppError::Forbidden(why.into()))?;
            }
        }
        let row = PersonRow {
            id,
            name: name.to_owned(),
            job_title: input.job_title.trim().chars().take(120).collect(),
            user_id,
            hired_on: hired.map(|d| d.to_string()).unwrap_or_default(),
            left_on: left.map(|d| d.to_string()),
            offboarded: false,
            email,
        };
        let saved = store::save_person(tx.conn(), &row, self.now())
            .await
            .map_err(|e| match e {
                carekeep_store::StoreError::Conflict => {
                    AppError::Conflict("that login belongs to another person on the roster".into())
                }
                other => other.into(),
            })?;
        let mut event = self
            .event(actor, Action::ProgramChanged, Outcome::Success)
            .with_reason(&format!(
                "workforce member {saved}: hired {}, left {}",
                row.hired_on,
                row.left_on.as_deref().unwrap_or("-")
            ));
        event.resource_type = "Workforce".into();
        event.resource_id = saved.to_string();
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        self.run_offboarding().await?;
        Ok(saved)
    }

    /// Offboards everyone whose leave date has come: disables their login (ending its
    /// sessions) and opens their checklist. Runs every minute and after every roster change.
    /// Each person is offboarded on their own: one who cannot be (the last login that can
    /// administer users) is logged and shown as a gap on the dashboard, and the others go on.
    pub async fn run_offboarding(&self) -> Result<usize, AppError> {
        let today = self.clinic_today().to_string();
        let due = {
            let mut conn = self.store().read().await?;
            store::due_offboarding(&mut conn, &today).await?
        };
        let mut done = 0;
        for p in &due {
            match self.offboard(p).await {
                Ok(()) => done += 1,
                Err(e @ (AppError::Invalid(_) | AppError::Conflict(_) | AppError::Forbidden(_))) => {
                    tracing::warn!(person = p.id, reason = %e, "could not offboard on the leave date; shown on the dashboard");
                }
                Err(e) => return Err(e),
            }
        }
        Ok(done)
    }

    async fn offboard(&self, p: &PersonRow) -> Result<(), AppError> {
        if let Some(uid) = p.user_id {
            let disabled = {
                let mut conn = self.store().read().await?;
                users::by_id(&mut conn, UserId(uid)).await?.disabled_at.is_some()
            };
            if !disabled {
                self.set_user_disabled(&Actor::Cli, UserId(uid), true).await?;
            }
        }
        let mut tx = self.store().begin().await?;
        store::mark_offboarded(tx.conn(), p.id, CHECKLIST, self.now()).await?;
        let mut event = self
            .event(&Actor::Cli, Action::ProgramChanged, Outcome::Success)
            .with_reason(&format!("workforce member {} offboarded on their leave date", p.id));
        event.resource_type = "Workforce".into();
        event.resource_id = p.id.to_string();
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ticks off an offboarding step.
    pub async fn complete_offboarding_step(&self, actor: &Actor<'_>, person: i64, item: i64) -> Result<(), AppError> {
        let p = actor.person()?;
        self.require(&p.actor(), Capability::ManageProgram).await?;
        let mut tx = self.store().begin().await?;
        if !store::complete_offboarding_item(tx.conn(), person, item, p.user_id.0, self.now()).await? {
            return Err(AppError::NotFound("offboarding step"));
        }
        let mut event = self
            .event(&p.actor(), Action::ProgramChanged, Outcome::Success)
            .with_reason(&format!("offboarding step {item} done"));
        event.resource_type = "Workforce".into();
        event.resource_id = person.to_string();
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records outside or in-person training for a person, with the recorder's attestation
    /// and, when given, the certificate `(file name, bytes)` (stored encrypted).
    pub async fn record_training(
        &self,
        actor: &Actor<'_>,
        person: i64,
        title: &str,
        completed_on: &str,
        certificate: Option<(&str, &[u8])>,
    ) -> Result<i64, AppError> {
        let me = self.require(actor, Capability::ManageProgram).await?;
        if let Some((_, bytes)) = certificate {
            let max = self.settings().records.attachment_max_bytes;
            if bytes.is_empty() || bytes.len() > max || carekeep_domain::files::sniff(bytes).is_none() {
                return Err(AppError::Invalid(format!(
                    "a certificate is a PDF, JPEG, PNG or WebP file of at most {} MiB",
                    max / (1024 * 1024)
                )));
            }
        }
        let title = crate::input::line("training's name", title, 200, true)?;
        let title = title.as_str();
        let completed = day("completion date", completed_on, true)?.unwrap_or_else(|| self.clinic_today());
        if completed > self.clinic_today() {
            return Err(AppError::Invalid("the completion date is in the future".into()));
        }
        let mut tx = self.store().begin().await?;
        store::person_by_id(tx.conn(), person)
            .await
            .map_err(|_| AppError::NotFound("person"))?;
        let completed_text = completed.to_string();
        let id = store::insert_training(
            tx.conn(),
            &NewTraining {
                person_id: person,
                title,
                kind: "external",
                completed_on: &completed_text,
                score: None,
                attested: true,
                recorded_by: me.map(|p| p.user_id.0),
            },
            self.now(),
        )
        .await?;
        if let Some((name, bytes)) = certificate {
            let ct = self.sealer().seal(certificate_binding(id), bytes)?;
            let name: String = name.trim().chars().take(200).collect();
            store::set_certificate(tx.conn(), id, &ct, if name.is_empty() { "certificate" } else { &name }).await?;
        }
        let mut event = self
            .event(actor, Action::ProgramChanged, Outcome::Success)
            .with_reason(&format!(
                "training recorded for workforce member {person}{}",
                if certificate.is_some() {
                    " with its certificate"
                } else {
                    ""
                }
            ));
        event.resource_type = "Training".into();
        event.resource_id = id.to_string();
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A training certificate: content type, bytes, file name. Audited as a document view.
    pub async fn training_certificate(
        &self,
        actor: &Actor<'_>,
        id: i64,
    ) -> Result<(String, Vec<u8>, String), AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        let (person, ct, name) = {
            let mut conn = self.store().read().await?;
            store::certificate(&mut conn, id)
                .await
                .map_err(|_| AppError::NotFound("training record"))?
                .ok_or(AppError::NotFound("certificate"))?
        };
        let bytes = self
            .sealer()
            .open_not_phi(NotPhi::TrainingCertificate, certificate_binding(id), &ct)?;
        let content_type = carekeep_domain::files::sniff(&bytes).unwrap_or("application/octet-stream");
        let mut event = self
            .event(actor, Action::ProgramDocumentViewed, Outcome::Success)
            .with_reason(&format!("training certificate of workforce member {person}"));
        event.resource_type = "Training".into();
        event.resource_id = id.to_string();
        self.append_event(event).await?;
        Ok((content_type.to_owned(), bytes.to_vec(), name))
    }

    /// Scores the built-in course's quiz for the signed-in person; a pass with their
    /// attestation is their completion record (kept six years, 164.530(j)).
    pub async fn complete_course(
        &self,
        actor: &Actor<'_>,
        answers: &[Option<usize>],
        attested: bool,
    ) -> Result<QuizResult, AppError> {
        let p = actor.person()?;
        p.require_full()?;
        let result = course::score(answers);
        if !result.passed {
            return Ok(result);
        }
        if !attested {
            return Err(AppError::Invalid(
                "tick the box to confirm you completed the course yourself and will follow it".into(),
            ));
        }
        let today = self.clinic_today().to_string();
        let mut tx = self.store().begin().await?;
        let person = match store::person_by_user(tx.conn(), p.user_id.0).await? {
            Some(person) => person.id,
            None => {
                // Someone with a login but not yet on the roster joins it, hired when their
                // account was created.
                let user = users::by_id(tx.conn(), p.user_id).await?;
                let row = PersonRow {
                    name: user.display_name.clone(),
                    user_id: Some(p.user_id.0),
                    hired_on: self.clinic_zone().local(user.created_at).date().to_string(),
                    ..PersonRow::default()
                };
                store::save_person(tx.conn(), &row, self.now()).await?
            }
        };
        let id = store::insert_training(
            tx.conn(),
            &NewTraining {
                person_id: person,
                title: course::TITLE,
                kind: "course",
                completed_on: &today,
                score: Some(i64::from(result.percent)),
                attested: true,
                recorded_by: Some(p.user_id.0),
            },
            self.now(),
        )
        .await?;
        let mut event = self
            .event(&p.actor(), Action::ProgramChanged, Outcome::Success)
            .with_reason(&format!("completed '{}' with {}%", course::TITLE, result.percent));
        event.resource_type = "Training".into();
        event.resource_id = id.to_string();
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(result)
    }
}
