//! The clinic's form templates: adopt a built-in, edit (a used version is copied, never
//! changed), preview, and the forms each service needs. No PHI here.

use super::{body_json, parse_body};
use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::forms::{self as rule, builtin, Frequency, Template};
use carekeep_domain::Capability;
use carekeep_store::forms as store;
use std::collections::BTreeMap;

/// One template as the list shows it.
#[derive(Clone, Debug)]
pub struct TemplateSummary {
    pub id: i64,
    pub title: String,
    pub kind: &'static str,
    pub builtin_key: String,
    pub version_id: i64,
    pub version: i64,
    /// The latest version was sent to patients: an edit will make the next one.
    pub used: bool,
    pub retired: bool,
}

/// A built-in the clinic may adopt, and whether it already did.
#[derive(Clone, Debug)]
pub struct BuiltinOffer {
    pub key: &'static str,
    pub title: &'static str,
    pub adopted: bool,
}

/// One version with its content.
#[derive(Clone, Debug)]
pub struct VersionView {
    pub id: i64,
    pub template_id: i64,
    pub number: i64,
    pub template: Template,
    pub sha256: String,
    pub used: bool,
}

/// A form a service needs.
#[derive(Clone, Debug)]
pub struct ServiceForm {
    pub template_id: i64,
    pub title: String,
    pub frequency: Frequency,
}

fn kind_words(code: &str) -> &'static str {
    [
        rule::FormKind::MedicalHistory,
        rule::FormKind::Medications,
        rule::FormKind::ConsentToTreat,
        rule::FormKind::PhotoConsent,
        rule::FormKind::FinancialPolicy,
        rule::FormKind::NoticeAcknowledgment,
        rule::FormKind::Authorization,
        rule::FormKind::TreatmentConsent,
    ]
    .into_iter()
    .find(|k| k.as_str() == code)
    .map_or(rule::FormKind::Other.words(), |k| k.words())
}

impl App {
    /// Any signed-in staff member may read templates (they hold no PHI); a patient may not.
    fn staff_reader(actor: &Actor<'_>) -> Result<(), AppError> {
        actor.person()?.require_full().map(|_| ())
    }

    /// The clinic's templates, each with its latest version.
    pub async fn form_templates(&self, actor: &Actor<'_>) -> Result<Vec<TemplateSummary>, AppError> {
        Self::staff_reader(actor)?;
        let mut conn = self.store().read().await?;
        Ok(store::templates(&mut conn)
            .await?
            .into_iter()
            .map(|t| TemplateSummary {
                kind: kind_words(&t.kind),
                id: t.id,
                title: t.title,
                builtin_key: t.builtin_key,
                version_id: t.latest_version_id,
                version: t.latest_number,
                used: t.latest_used,
                retired: t.retired,
            })
            .collect())
    }

    /// The built-in templates and whether each was adopted.
    pub async fn form_builtins(&self, actor: &Actor<'_>) -> Result<Vec<BuiltinOffer>, AppError> {
        let have = self.form_templates(actor).await?;
        Ok(builtin::KEYS
            .iter()
            .map(|(key, title)| BuiltinOffer {
                key,
                title,
                adopted: have.iter().any(|t| t.builtin_key == *key),
            })
            .collect())
    }

    /// Adopts a built-in template as the clinic's own (version 1). Once per built-in.
    pub async fn adopt_form(&self, actor: &Actor<'_>, key: &str) -> Result<i64, AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        let t = builtin::template(key).ok_or(AppError::NotFound("built-in form"))?;
        let by = actor.principal().map(|p| p.user_id.0);
        let mut tx = self.store().begin().await?;
        if store::templates(tx.conn()).await?.iter().any(|x| x.builtin_key == key) {
            return Err(AppError::Conflict(
                "the clinic already adopted this form: edit it in the list".into(),
            ));
        }
        let now = self.now();
        let id = store::insert_template(tx.conn(), key, t.kind.as_str(), &t.title, by, now).await?;
        store::insert_version(tx.conn(), id, 1, &body_json(&t)?, &t.sha256(), by, now).await?;
        let mut event = self.event(actor, Action::ProgramChanged, Outcome::Success);
        event.resource_type = "FormTemplate".into();
        event.resource_id = id.to_string();
        event.reason = format!("form adopted: {}", t.title);
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Saves an edited template. The latest version is corrected in place while no patient was
    /// asked to fill it; once used, the edit becomes the next version (a copy) and the used one
    /// never changes. Returns the version saved and whether it is new.
    pub async fn save_form(
        &self,
        actor: &Actor<'_>,
        template_id: i64,
        body: Template,
    ) -> Result<(i64, bool), AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        rule::check_template(&body).map_err(AppError::Invalid)?;
        // An authorization keeps 164.508(c)'s elements through any edit (164.508(b)(2)).
        rule::edit::required_elements(&body).map_err(AppError::Invalid)?;
        let by = actor.principal().map(|p| p.user_id.0);
        let mut tx = self.store().begin().await?;
        let current = store::template(tx.conn(), template_id)
            .await
            .map_err(|_| AppError::NotFound("form"))?;
        let json = body_json(&body)?;
        let sha = body.sha256();
        let in_place = rule::may_change_version(current.latest_used).is_ok()
            && store::update_unused_version(tx.conn(), current.latest_version_id, &json, &sha).await?;
        let (version, new) = if in_place {
            (current.latest_version_id, false)
        } else {
            let number = current.latest_number + 1;
            (
                store::insert_version(tx.conn(), template_id, number, &json, &sha, by, self.now()).await?,
                true,
            )
        };
        store::set_title(tx.conn(), template_id, &body.title).await?;
        let mut event = self.event(actor, Action::ProgramChanged, Outcome::Success);
        event.resource_type = "FormTemplate".into();
        event.resource_id = template_id.to_string();
        event.reason = if new {
            format!("form edited: new version {version} (sha256 {sha})")
        } else {
            format!("form corrected before first use: version {version} (sha256 {sha})")
        };
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok((version, new))
    }

    /// Changes a used version's content: always refused (the rule), kept as a use case so the
    /// refusal is the app's and is tested. Unused versions change through [`Self::save_form`].
    pub async fn change_form_version(
        &self,
        actor: &Actor<'_>,
        version_id: i64,
        body: Template,
    ) -> Result<(), AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        rule::check_template(&body).map_err(AppError::Invalid)?;
        let mut tx = self.store().begin().await?;
        let v = store::version(tx.conn(), version_id)
            .await
            .map_err(|_| AppError::NotFound("form version"))?;
        rule::may_change_version(v.first_used_at.is_some()).map_err(|w| AppError::Conflict(w.into()))?;
        if !store::update_unused_version(tx.conn(), version_id, &body_json(&body)?, &body.sha256()).await? {
            return Err(AppError::Conflict(
                "this version has been sent to patients: save your changes as a new version".into(),
            ));
        }
        let mut event = self.event(actor, Action::ProgramChanged, Outcome::Success);
        event.resource_type = "FormTemplate".into();
        event.resource_id = v.template_id.to_string();
        event.reason = format!("form version {version_id} corrected before first use");
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes a template off (or back on) the list services choose from; its versions stay.
    pub async fn retire_form(&self, actor: &Actor<'_>, template_id: i64, retired: bool) -> Result<(), AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        let mut tx = self.store().begin().await?;
        store::template(tx.conn(), template_id)
            .await
            .map_err(|_| AppError::NotFound("form"))?;
        store::set_retired(tx.conn(), template_id, retired).await?;
        let mut event = self.event(actor, Action::ProgramChanged, Outcome::Success);
        event.resource_type = "FormTemplate".into();
        event.resource_id = template_id.to_string();
        event.reason = if retired { "form retired" } else { "form back in use" }.into();
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// One version's content (the preview, the editor, the PDF).
    pub async fn form_version(&self, actor: &Actor<'_>, version_id: i64) -> Result<VersionView, AppError> {
        Self::staff_reader(actor)?;
        let mut conn = self.store().read().await?;
        let v = store::version(&mut conn, version_id)
            .await
            .map_err(|_| AppError::NotFound("form version"))?;
        version_view(v)
    }

    /// A template's versions, newest first.
    pub async fn form_versions(&self, actor: &Actor<'_>, template_id: i64) -> Result<Vec<VersionView>, AppError> {
        Self::staff_reader(actor)?;
        let mut conn = self.store().read().await?;
        store::versions(&mut conn, template_id)
            .await?
            .into_iter()
            .map(version_view)
            .collect()
    }

    /// The forms each service needs, by service id.
    pub async fn service_forms(&self, actor: &Actor<'_>) -> Result<BTreeMap<i64, Vec<ServiceForm>>, AppError> {
        Self::staff_reader(actor)?;
        let mut conn = self.store().read().await?;
        let titles: BTreeMap<i64, String> = store::templates(&mut conn)
            .await?
            .into_iter()
            .map(|t| (t.id, t.title))
            .collect();
        let mut out: BTreeMap<i64, Vec<ServiceForm>> = BTreeMap::new();
        for (service, template, freq) in store::service_forms(&mut conn).await? {
            let (Some(title), Some(frequency)) = (titles.get(&template), Frequency::parse(&freq)) else {
                continue;
            };
            out.entry(service).or_default().push(ServiceForm {
                template_id: template,
                title: title.clone(),
                frequency,
            });
        }
        Ok(out)
    }

    /// Says which forms a service needs and how often (replacing what it said).
    pub async fn set_service_forms(
        &self,
        actor: &Actor<'_>,
        service: i64,
        forms: &[(i64, String)],
    ) -> Result<(), AppError> {
        self.require(actor, Capability::ManageCalendar).await?;
        let mut tx = self.store().begin().await?;
        if !carekeep_store::calendar::services(tx.conn())
            .await?
            .iter()
            .any(|s| s.id == service)
        {
            return Err(AppError::NotFound("service"));
        }
        let templates = store::templates(tx.conn()).await?;
        let mut rows = Vec::new();
        for (template, freq) in forms {
            let t = templates
                .iter()
                .find(|t| t.id == *template)
                .ok_or_else(|| AppError::Invalid("choose forms from the clinic's list".into()))?;
            let f = Frequency::parse(freq)
                .ok_or_else(|| AppError::Invalid(format!("choose how often \u{201c}{}\u{201d} is asked", t.title)))?;
            rows.push((*template, f.as_str().to_owned()));
        }
        rows.sort();
        rows.dedup_by_key(|r| r.0);
        store::set_service_forms(tx.conn(), service, &rows).await?;
        let mut event = self.event(actor, Action::CalendarChanged, Outcome::Success);
        event.resource_type = "Service".into();
        event.resource_id = service.to_string();
        event.reason = format!("forms of the service set ({} forms)", rows.len());
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }
}

fn version_view(v: store::VersionRow) -> Result<VersionView, AppError> {
    Ok(VersionView {
        id: v.id,
        template_id: v.template_id,
        number: v.number,
        template: parse_body(&v.body)?,
        sha256: v.body_sha256,
        used: v.first_used_at.is_some(),
    })
}
