//! Forms whose typed values a page shows again after a mistake: the page structs in
//! `templates` hold them, and the handlers read them, so they live apart from both.
//!
//! A refused form comes back as it was typed (`Refused` keeps every field), with the message
//! beside the field it is about and a summary at the top of the form linking to that field.
//! Each form posts to its action with its own id as the fragment (`action="/x#form-id"`): the
//! browser keeps the fragment on the answer and scrolls to the form that failed, not the top.

use carekeep_app::program::vendors::{VendorInput, VendorView};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Which field a message is about: the field's id, and words of the use case's message that
/// name it (the use cases say "the systolic pressure ...", "the hire date ...").
pub(crate) type FieldWords = [(&'static str, &'static [&'static str])];

/// A refused form, kept to be shown again. `Default` is "nothing refused".
#[derive(Debug, Default)]
pub struct Refused {
    form: String,
    values: BTreeMap<String, String>,
    message: String,
    field: Option<&'static str>,
    /// Where the summary links: the field's element id (`field` or `field-suffix`).
    target: String,
    /// A form of secrets (passwords, codes): nothing comes back, and the summary says so.
    secret: bool,
}

impl Refused {
    /// The form `form` (its element id) refused with `message`, holding what was `typed`
    /// (any struct of strings, options of strings and flags).
    pub(crate) fn new(
        form: impl Into<String>,
        typed: &impl Serialize,
        message: String,
        fields: &FieldWords,
    ) -> Refused {
        let form = form.into();
        let values = match serde_json::to_value(typed) {
            Ok(serde_json::Value::Object(map)) => map
                .into_iter()
                .filter_map(|(k, v)| match v {
                    serde_json::Value::String(s) => Some((k, s)),
                    serde_json::Value::Bool(true) => Some((k, "yes".to_owned())),
                    serde_json::Value::Number(n) => Some((k, n.to_string())),
                    _ => None,
                })
                .collect(),
            _ => BTreeMap::new(),
        };
        let field = field_of(&message, fields);
        Refused {
            secret: false,
            target: field.map_or_else(|| form.clone(), str::to_owned),
            form,
            values,
            field,
            message,
        }
    }

    /// The form `form` refused with `message` about the field `field`, which the use case
    /// named itself.
    pub(crate) fn for_field(
        form: impl Into<String>,
        typed: &impl Serialize,
        message: String,
        field: &'static str,
    ) -> Refused {
        let mut r = Refused::new(form, typed, message, &[]);
        r.field = Some(field);
        r.target = field.to_owned();
        r
    }

    /// A form of passwords and codes: nothing typed is shown again.
    pub(crate) fn secret(mut self) -> Refused {
        self.secret = true;
        self.values.clear();
        self
    }

    /// Does the form come back with what was typed?
    pub fn keeps_typing(&self) -> bool {
        !self.secret
    }

    /// For a form repeated on a page, whose fields' element ids end in `-suffix`.
    pub(crate) fn ids_end_in(mut self, suffix: &str) -> Refused {
        if let Some(f) = self.field {
            self.target = format!("{f}-{suffix}");
        }
        self
    }

    /// Was `form` the one refused?
    pub fn is(&self, form: &str) -> bool {
        !self.form.is_empty() && self.form.as_str() == form
    }

    /// What was typed in `form`'s field `name` ("" for any other form).
    pub fn value(&self, form: &str, name: &str) -> &str {
        if self.is(form) {
            self.values.get(name).map_or("", String::as_str)
        } else {
            ""
        }
    }

    /// What was typed in `form`'s `name` when it was refused, else what is saved.
    pub fn pick<'a>(&'a self, form: &str, name: &str, saved: &'a str) -> &'a str {
        if self.is(form) {
            self.values.get(name).map_or("", String::as_str)
        } else {
            saved
        }
    }

    /// Is `option` the one to select in `form`'s `name`: the one typed, or `default` when the
    /// form was not refused.
    pub fn chose(&self, form: &str, name: &str, option: &str, default: bool) -> bool {
        if self.is(form) {
            self.values.get(name).is_some_and(|v| v == option)
        } else {
            default
        }
    }

    /// The message, when it is about `form`'s field `field`.
    pub fn at(&self, form: &str, field: &str) -> Option<&str> {
        (self.is(form) && self.field == Some(field)).then_some(self.message.as_str())
    }

    /// The summary for the top of `form`: the message and the element it links to.
    pub fn summary(&self, form: &str) -> Option<(&str, &str)> {
        self.is(form).then_some((self.message.as_str(), self.target.as_str()))
    }
}

/// The field a message names: the first whose words it contains.
fn field_of(message: &str, fields: &FieldWords) -> Option<&'static str> {
    let lower = message.to_lowercase();
    fields
        .iter()
        .find(|(_, words)| words.iter().any(|w| lower.contains(w)))
        .map(|(id, _)| *id)
}

/// The registration form's fields, kept to re-show after a mistake.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RegisterForm {
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: String,
    pub sex: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub emergency_contact: String,
    pub preferred: String,
}

/// The vendor form's fields; checkboxes arrive only when ticked.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct VendorForm {
    pub name: String,
    pub service: String,
    pub contact: String,
    pub creates_phi: Option<String>,
    pub receives_phi: Option<String>,
    pub maintains_phi: Option<String>,
    pub transmits_phi: Option<String>,
    pub conduit_only: Option<String>,
    pub baa_status: String,
    pub baa_signed_on: String,
    pub baa_effective_on: String,
    pub baa_renewal_on: String,
    pub subcontractors: String,
    pub retired: Option<String>,
}

impl VendorForm {
    pub(crate) fn input(&self) -> VendorInput {
        VendorInput {
            name: self.name.clone(),
            service: self.service.clone(),
            contact: self.contact.clone(),
            creates_phi: self.creates_phi.is_some(),
            receives_phi: self.receives_phi.is_some(),
            maintains_phi: self.maintains_phi.is_some(),
            transmits_phi: self.transmits_phi.is_some(),
            conduit_only: self.conduit_only.is_some(),
            baa_status: self.baa_status.clone(),
            baa_signed_on: self.baa_signed_on.clone(),
            baa_effective_on: self.baa_effective_on.clone(),
            baa_renewal_on: self.baa_renewal_on.clone(),
            subcontractors: self.subcontractors.clone(),
            retired: self.retired.is_some(),
        }
    }

    pub(crate) fn from_view(v: &VendorView) -> VendorForm {
        let yes = |b: bool| b.then(|| "yes".to_owned());
        VendorForm {
            name: v.name.clone(),
            service: v.service.clone(),
            contact: v.contact.clone(),
            creates_phi: yes(v.creates_phi),
            receives_phi: yes(v.receives_phi),
            maintains_phi: yes(v.maintains_phi),
            transmits_phi: yes(v.transmits_phi),
            conduit_only: yes(v.conduit_only),
            baa_status: v.baa_status.clone(),
            baa_signed_on: v.baa_signed_on.clone(),
            baa_effective_on: v.baa_effective_on.clone(),
            baa_renewal_on: v.baa_renewal_on.clone(),
            subcontractors: v.subcontractors.clone(),
            retired: yes(v.retired),
        }
    }
}

/// Which registration field each of the domain's messages is about.
pub(crate) const REGISTER_FIELDS: &FieldWords = &[
    ("given_name", &["first name"]),
    ("family_name", &["last name", "family name"]),
    ("date_of_birth", &["date", "birth"]),
    ("sex", &["sex"]),
    ("phone", &["phone"]),
    ("email", &["email"]),
    ("address", &["address"]),
    ("emergency_contact", &["emergency"]),
    ("preferred", &["preferred"]),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Typed {
        systolic: String,
        flag: Option<String>,
        unset: Option<String>,
    }

    #[test]
    fn a_refused_form_keeps_its_values_and_places_its_message() {
        let typed = Typed {
            systolic: "400".into(),
            flag: Some("yes".into()),
            unset: None,
        };
        let fields: &FieldWords = &[("diastolic", &["diastolic"]), ("systolic", &["systolic"])];
        let r = Refused::new(
            "vitals",
            &typed,
            "Systolic pressure must be between 50 and 300 mmHg".into(),
            fields,
        );
        assert_eq!(r.value("vitals", "systolic"), "400");
        assert_eq!(r.value("vitals", "flag"), "yes");
        assert_eq!(r.value("vitals", "unset"), "");
        assert_eq!(r.value("other", "systolic"), "", "another form on the page stays empty");
        assert!(r.at("vitals", "systolic").is_some());
        assert!(r.at("vitals", "diastolic").is_none());
        assert_eq!(r.summary("vitals").map(|s| s.1), Some("systolic"));
        assert!(r.chose("vitals", "flag", "yes", false));
        assert!(
            Refused::default().chose("vitals", "unit", "f", true),
            "nothing refused: defaults"
        );
        let unplaced = Refused::new("vitals", &typed, "enter at least one vital sign".into(), fields);
        assert_eq!(
            unplaced.summary("vitals").map(|s| s.1),
            Some("vitals"),
            "links to the form itself"
        );
    }
}
