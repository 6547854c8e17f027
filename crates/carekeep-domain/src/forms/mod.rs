//! Intake and consent forms (issue 28): versioned templates, the answers a patient gives, the
//! check before a form may be submitted, the answers' canonical hash and the evidence of an
//! electronic signature. Pure: the app stores, seals and audits.
//!
//! Sources: `reference/patients-and-messages.md` section 7 (E-SIGN, 15 U.S.C. 7001, 7006(5);
//! what a signed electronic consent should carry, 7.4) and section 9 (intake, consent to treat,
//! photographs); `reference/hipaa-rules.md` b.8 (authorizations, 164.508).
//!
//! - A [`Template`] is sections of [`Field`]s; a field may be shown only when an earlier yes/no
//!   or choice field has a given answer ([`Condition`]); a hidden field is never required and
//!   its answer is dropped before hashing ([`visible_answers`]).
//! - [`validate`] names every problem by field; [`submission_problems`] adds the signature.
//! - [`answers_hash`] is SHA-256 over a canonical encoding of the visible answers and the
//!   template version: the signature evidence carries it, so a changed answer no longer matches
//!   ([`Evidence::matches`]; 7001(d) accurate reproduction, 164.312(c)(1) integrity).
//! - A version once used never changes ([`may_change_version`]); an edit makes a copy.

pub mod builtin;
pub mod citations;
pub mod edit;
pub mod esign;
pub mod expiry;
pub mod file_name;
pub mod height;
pub mod kiosk;
pub mod mark;
pub mod packet;
mod read;
pub mod review;
pub mod signed_name;

pub use read::{read_section, RawAnswers};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use time::Date;

/// What a form is for: built-in kinds keep separate statuses (consent to treat, the notice
/// acknowledgment and an authorization are different documents, patients-and-messages.md 9.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormKind {
    MedicalHistory,
    Medications,
    ConsentToTreat,
    PhotoConsent,
    FinancialPolicy,
    NoticeAcknowledgment,
    Authorization,
    TreatmentConsent,
    Other,
}

impl FormKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FormKind::MedicalHistory => "medical_history",
            FormKind::Medications => "medications",
            FormKind::ConsentToTreat => "consent_to_treat",
            FormKind::PhotoConsent => "photo_consent",
            FormKind::FinancialPolicy => "financial_policy",
            FormKind::NoticeAcknowledgment => "notice_acknowledgment",
            FormKind::Authorization => "authorization",
            FormKind::TreatmentConsent => "treatment_consent",
            FormKind::Other => "other",
        }
    }
    pub fn words(self) -> &'static str {
        match self {
            FormKind::MedicalHistory => "Medical history",
            FormKind::Medications => "Medications and allergies",
            FormKind::ConsentToTreat => "Consent to treat",
            FormKind::PhotoConsent => "Photography consent",
            FormKind::FinancialPolicy => "Financial policy",
            FormKind::NoticeAcknowledgment => "Notice acknowledgment",
            FormKind::Authorization => "HIPAA authorization",
            FormKind::TreatmentConsent => "Treatment consent",
            FormKind::Other => "Other form",
        }
    }
}

/// The field set. Choice values are the option texts themselves (short, stable).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    LongText,
    Choice {
        options: Vec<String>,
    },
    MultipleChoice {
        options: Vec<String>,
    },
    /// Yes or no; with `follow_up`, a text box asked when the answer is yes ("Which ones?").
    YesNo {
        follow_up: Option<String>,
    },
    Date,
    Number {
        unit: String,
        min: Option<f64>,
        max: Option<f64>,
    },
    /// Name, dose and how often, one row each.
    MedicationList,
    /// Substance and reaction, one row each.
    AllergyList,
    /// Where the signer signs (drawn or typed, with the evidence of [`Evidence`]).
    Signature,
    Initials,
}

impl FieldKind {
    pub fn code(&self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::LongText => "long_text",
            FieldKind::Choice { .. } => "choice",
            FieldKind::MultipleChoice { .. } => "multiple_choice",
            FieldKind::YesNo { .. } => "yes_no",
            FieldKind::Date => "date",
            FieldKind::Number { .. } => "number",
            FieldKind::MedicationList => "medication_list",
            FieldKind::AllergyList => "allergy_list",
            FieldKind::Signature => "signature",
            FieldKind::Initials => "initials",
        }
    }
}

/// Show a field only when an earlier field's answer is `equals` ("yes" for a yes/no field, an
/// option's text for a choice or multiple choice).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    pub field: String,
    pub equals: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// Stable within the template (`[a-z0-9_]`); the answer's key.
    pub id: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub help: String,
    #[serde(flatten)]
    pub kind: FieldKind,
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<Condition>,
    /// A date that ends a permission (an authorization's expiration date, 164.508(c)(1)(v)):
    /// it may not be in the past when signed ([`expiry::past_end_dates`]). Absent in versions
    /// made before the flag existed, which keep the rule by the two built-in ids.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub end_date: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub title: String,
    /// Paragraphs shown before the fields (a consent's terms, an authorization's statements).
    #[serde(default)]
    pub text: Vec<String>,
    pub fields: Vec<Field>,
}

/// One version's content. Stored as JSON; its SHA-256 is kept with the version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Template {
    pub title: String,
    pub kind: FormKind,
    pub sections: Vec<Section>,
}

/// One medication the patient takes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Medication {
    pub name: String,
    pub dose: String,
    pub how_often: String,
}

/// One allergy and the reaction.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allergy {
    pub substance: String,
    pub reaction: String,
}

/// One field's answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", content = "v", rename_all = "snake_case")]
pub enum Answer {
    /// Text, long text, a choice, initials, a number as typed (checked), a date `YYYY-MM-DD`.
    Text(String),
    Many(Vec<String>),
    YesNo {
        yes: bool,
        detail: String,
    },
    Medications(Vec<Medication>),
    Allergies(Vec<Allergy>),
}

impl Answer {
    /// Nothing given (an empty text, no choice, no row).
    pub fn is_empty(&self) -> bool {
        match self {
            Answer::Text(s) => s.trim().is_empty(),
            Answer::Many(v) => v.is_empty(),
            Answer::YesNo { .. } => false,
            Answer::Medications(v) => v.is_empty(),
            Answer::Allergies(v) => v.is_empty(),
        }
    }

    /// Whether the answer satisfies a condition's `equals`.
    fn equals(&self, want: &str) -> bool {
        match self {
            Answer::Text(s) => s == want,
            Answer::Many(v) => v.iter().any(|x| x == want),
            Answer::YesNo { yes, .. } => (*yes && want == "yes") || (!*yes && want == "no"),
            Answer::Medications(_) | Answer::Allergies(_) => false,
        }
    }
}

/// The answers by field id.
pub type Answers = BTreeMap<String, Answer>;

/// What is wrong with one field, in words for the person filling the form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub message: String,
}

fn problem(f: &Field, message: impl Into<String>) -> Problem {
    Problem {
        field: f.id.clone(),
        message: message.into(),
    }
}

impl Template {
    pub fn fields(&self) -> impl Iterator<Item = &Field> {
        self.sections.iter().flat_map(|s| s.fields.iter())
    }

    pub fn field(&self, id: &str) -> Option<&Field> {
        self.fields().find(|f| f.id == id)
    }

    /// Whether the template asks for a signature.
    pub fn wants_signature(&self) -> bool {
        self.fields().any(|f| f.kind == FieldKind::Signature)
    }

    /// The template's canonical SHA-256, kept with the version: what was shown.
    pub fn sha256(&self) -> String {
        hex(&Sha256::digest(canonical_template(self).as_bytes()))
    }
}

/// The canonical text of a template: every part length-prefixed in order (the answers'
/// encoding), so no two different templates share it.
fn canonical_template(t: &Template) -> String {
    let mut out = String::new();
    part(&mut out, &t.title);
    part(&mut out, t.kind.as_str());
    for s in &t.sections {
        part(&mut out, "section");
        part(&mut out, &s.title);
        for p in &s.text {
            part(&mut out, p);
        }
        for f in &s.fields {
            part(&mut out, "field");
            part(&mut out, &f.id);
            part(&mut out, &f.label);
            part(&mut out, &f.help);
            part(&mut out, f.kind.code());
            match &f.kind {
                FieldKind::Choice { options } | FieldKind::MultipleChoice { options } => {
                    for o in options {
                        part(&mut out, o);
                    }
                }
                FieldKind::YesNo { follow_up } => part(&mut out, follow_up.as_deref().unwrap_or("")),
                FieldKind::Number { unit, min, max } => {
                    part(&mut out, unit);
                    part(&mut out, &format!("{min:?}{max:?}"));
                }
                _ => {}
            }
            part(&mut out, if f.required { "required" } else { "optional" });
            // Only when set, so the hash of a version made before the flag is unchanged.
            if f.end_date {
                part(&mut out, "end_date");
            }
            if let Some(c) = &f.show_if {
                part(&mut out, &c.field);
                part(&mut out, &c.equals);
            }
        }
    }
    out
}

fn part(out: &mut String, s: &str) {
    out.push_str(&s.len().to_string());
    out.push(':');
    out.push_str(s);
    out.push(';');
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `field` is shown given the answers so far (its condition holds, and the field the
/// condition names is itself shown).
pub fn is_shown(t: &Template, field: &Field, answers: &Answers) -> bool {
    let mut f = field;
    // Conditions point at earlier fields (checked by `check_template`), so this ends.
    for _ in 0..32 {
        let Some(c) = &f.show_if else { return true };
        if !answers.get(&c.field).is_some_and(|a| a.equals(&c.equals)) {
            return false;
        }
        match t.field(&c.field) {
            Some(parent) => f = parent,
            None => return false,
        }
    }
    false
}

/// The answers to shown fields only: what is kept, hashed and signed.
pub fn visible_answers(t: &Template, answers: &Answers) -> Answers {
    t.fields()
        .filter(|f| is_shown(t, f, answers))
        .filter_map(|f| answers.get(&f.id).map(|a| (f.id.clone(), a.clone())))
        .collect()
}

/// Every problem with the answers, by field, in the form's order. Hidden fields are not
/// required. Signatures are checked at submission ([`submission_problems`]).
pub fn validate(t: &Template, answers: &Answers) -> Vec<Problem> {
    let mut out = Vec::new();
    for f in t.fields() {
        if f.kind == FieldKind::Signature || !is_shown(t, f, answers) {
            continue;
        }
        let a = answers.get(&f.id).filter(|a| !a.is_empty());
        let Some(a) = a else {
            if f.required {
                out.push(problem(f, format!("Answer \u{201c}{}\u{201d}.", f.label)));
            }
            continue;
        };
        if let Some(p) = check_answer(f, a) {
            out.push(p);
        }
    }
    out
}

fn check_answer(f: &Field, a: &Answer) -> Option<Problem> {
    match (&f.kind, a) {
        (FieldKind::Choice { options }, Answer::Text(s)) if !options.contains(s) => {
            Some(problem(f, "Choose one of the options."))
        }
        (FieldKind::MultipleChoice { options }, Answer::Many(v)) if v.iter().any(|x| !options.contains(x)) => {
            Some(problem(f, "Choose among the options."))
        }
        (FieldKind::YesNo { follow_up: Some(q) }, Answer::YesNo { yes: true, detail })
            if f.required && detail.trim().is_empty() =>
        {
            Some(problem(f, format!("You answered yes: {q}")))
        }
        (FieldKind::Date, Answer::Text(s)) if Date::parse(s, DATE_ISO).is_err() => {
            Some(problem(f, "Type a date like 04/23/1980."))
        }
        (FieldKind::Number { unit, .. }, Answer::Text(s)) if unit == height::INCHES && height::inches(s).is_none() => {
            Some(problem(f, height::PROBLEM))
        }
        (FieldKind::Number { min, max, unit }, Answer::Text(s)) => match height::inches(s)
            .filter(|_| unit == height::INCHES)
            .map_or_else(|| s.trim().parse::<f64>(), Ok)
        {
            Err(_) => Some(problem(f, "Type a number.")),
            Ok(n) if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) => Some(problem(
                f,
                format!(
                    "Type a number from {} to {} {unit}.",
                    min.map_or("any".into(), num),
                    max.map_or("any".into(), num)
                ),
            )),
            Ok(_) => None,
        },
        (FieldKind::MedicationList, Answer::Medications(v)) if v.iter().any(|m| m.name.trim().is_empty()) => {
            Some(problem(f, "Each medication needs its name."))
        }
        (FieldKind::AllergyList, Answer::Allergies(v)) if v.iter().any(|m| m.substance.trim().is_empty()) => {
            Some(problem(f, "Each allergy needs what you are allergic to."))
        }
        (FieldKind::Initials, Answer::Text(s)) if !initials_ok(s) => {
            Some(problem(f, "Type your initials (2 to 4 letters)."))
        }
        (FieldKind::Text | FieldKind::Choice { .. } | FieldKind::Date | FieldKind::Initials, Answer::Text(_))
        | (FieldKind::LongText, Answer::Text(_))
        | (FieldKind::MultipleChoice { .. }, Answer::Many(_))
        | (FieldKind::YesNo { .. }, Answer::YesNo { .. })
        | (FieldKind::MedicationList, Answer::Medications(_))
        | (FieldKind::AllergyList, Answer::Allergies(_)) => None,
        _ => Some(problem(f, "This answer does not fit the question.")),
    }
}

fn num(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{n:.0}")
    } else {
        n.to_string()
    }
}

fn initials_ok(s: &str) -> bool {
    let letters: Vec<char> = s.chars().filter(|c| !matches!(c, '.' | ' ' | '-')).collect();
    (2..=4).contains(&letters.len()) && letters.iter().all(|c| c.is_alphabetic())
}

pub(crate) const DATE_ISO: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

/// [`validate`], plus the signature: a form with a signature field is not submitted unsigned
/// (E-SIGN's "executed or adopted ... with the intent to sign", 15 U.S.C. 7006(5)).
pub fn submission_problems(t: &Template, answers: &Answers, signed: bool) -> Vec<Problem> {
    let mut out = validate(t, answers);
    if !signed {
        for f in t
            .fields()
            .filter(|f| f.kind == FieldKind::Signature && is_shown(t, f, answers))
        {
            out.push(problem(f, format!("Sign \u{201c}{}\u{201d}.", f.label)));
        }
    }
    out
}

/// Refuses a template that cannot be filled: empty, duplicate or malformed ids, a choice
/// without options, a condition on a later, unknown or unfit field.
pub fn check_template(t: &Template) -> Result<(), String> {
    if t.title.trim().is_empty() {
        return Err("The form needs a title.".into());
    }
    if t.sections.is_empty() || t.sections.iter().all(|s| s.fields.is_empty()) {
        return Err("The form needs at least one question.".into());
    }
    let mut seen: BTreeMap<&str, &Field> = BTreeMap::new();
    for f in t.fields() {
        let ok_id = !f.id.is_empty()
            && f.id.len() <= 40
            && f.id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !ok_id {
            return Err(format!(
                "The question \u{201c}{}\u{201d} needs a short id of a-z, 0-9 and _.",
                f.label
            ));
        }
        if f.label.trim().is_empty() {
            return Err(format!("The question {} needs its words.", f.id));
        }
        if let FieldKind::Choice { options } | FieldKind::MultipleChoice { options } = &f.kind {
            let distinct: BTreeSet<&String> = options.iter().collect();
            if options.is_empty() || distinct.len() != options.len() || options.iter().any(|o| o.trim().is_empty()) {
                return Err(format!(
                    "\u{201c}{}\u{201d} needs distinct, non-empty options.",
                    f.label
                ));
            }
        }
        if let Some(c) = &f.show_if {
            let Some(parent) = seen.get(c.field.as_str()) else {
                return Err(format!(
                    "\u{201c}{}\u{201d} depends on a question that does not come before it.",
                    f.label
                ));
            };
            let fits = match &parent.kind {
                FieldKind::YesNo { .. } => c.equals == "yes" || c.equals == "no",
                FieldKind::Choice { options } | FieldKind::MultipleChoice { options } => options.contains(&c.equals),
                _ => false,
            };
            if !fits {
                return Err(format!(
                    "\u{201c}{}\u{201d} depends on an answer \u{201c}{}\u{201d} cannot have.",
                    f.label, parent.label
                ));
            }
        }
        if seen.insert(&f.id, f).is_some() {
            return Err(format!("Two questions share the id {}.", f.id));
        }
    }
    Ok(())
}

/// A version once used (a packet asked a patient to fill it) never changes: its answers and
/// signatures point at exactly what was shown (7001(d); patients-and-messages.md 7.4, "the
/// signed artifact is immutable; any later change is a new version"). An unused version may be
/// corrected in place.
pub fn may_change_version(first_used: bool) -> Result<(), &'static str> {
    if first_used {
        Err("this version has been sent to patients: save your changes as a new version")
    } else {
        Ok(())
    }
}

/// The canonical text of the answers (every part length-prefixed, fields in id order), with the
/// template version they answer: [`answers_hash`] hashes it.
pub fn canonical(version_id: i64, t: &Template, answers: &Answers) -> String {
    let mut out = String::new();
    part(&mut out, "carekeep-form-answers-v1");
    part(&mut out, &version_id.to_string());
    for (id, a) in visible_answers(t, answers) {
        part(&mut out, &id);
        match a {
            Answer::Text(s) => {
                part(&mut out, "text");
                part(&mut out, &s);
            }
            Answer::Many(v) => {
                part(&mut out, "many");
                part(&mut out, &v.len().to_string());
                for x in v {
                    part(&mut out, &x);
                }
            }
            Answer::YesNo { yes, detail } => {
                part(&mut out, if yes { "yes" } else { "no" });
                part(&mut out, &detail);
            }
            Answer::Medications(v) => {
                part(&mut out, "medications");
                part(&mut out, &v.len().to_string());
                for m in v {
                    part(&mut out, &m.name);
                    part(&mut out, &m.dose);
                    part(&mut out, &m.how_often);
                }
            }
            Answer::Allergies(v) => {
                part(&mut out, "allergies");
                part(&mut out, &v.len().to_string());
                for m in v {
                    part(&mut out, &m.substance);
                    part(&mut out, &m.reaction);
                }
            }
        }
    }
    out
}

/// SHA-256 (hex) of [`canonical`].
pub fn answers_hash(version_id: i64, t: &Template, answers: &Answers) -> String {
    hex(&Sha256::digest(canonical(version_id, t, answers).as_bytes()))
}

/// Who signed: the patient, or a personal representative with the basis of their authority
/// (164.508(c)(1)(vi): a representative's signature carries a description of their authority).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "as", rename_all = "snake_case")]
pub enum Signer {
    Patient {
        name: String,
    },
    Representative {
        name: String,
        basis: String,
        basis_words: String,
    },
}

impl Signer {
    pub fn name(&self) -> &str {
        match self {
            Signer::Patient { name } | Signer::Representative { name, .. } => name,
        }
    }
    pub fn words(&self) -> String {
        match self {
            Signer::Patient { name } => format!("{name}, the patient"),
            Signer::Representative { name, basis_words, .. } => {
                format!("{name}, personal representative ({basis_words})")
            }
        }
    }
}

/// The mark itself: drawn on the pad (SVG path data, in a 600x200 box) or a typed name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "how", content = "mark", rename_all = "snake_case")]
pub enum Mark {
    Drawn(String),
    Typed(String),
}

/// The path data a pad may send: `M`/`L` commands and numbers in the box, nothing else (it is
/// drawn back into the PDF and pages).
pub fn check_drawn(path: &str) -> Result<(), &'static str> {
    if path.trim().is_empty() {
        return Err("the signature pad is empty");
    }
    if path.len() > 60_000 {
        return Err("the signature is too long: clear it and sign again");
    }
    let mut numbers = 0usize;
    for tok in path.split_whitespace() {
        match tok {
            "M" | "L" => {}
            n => {
                let v: f64 = n.parse().map_err(|_| "the signature could not be read: sign again")?;
                if !(0.0..=600.0).contains(&v) {
                    return Err("the signature could not be read: sign again");
                }
                numbers += 1;
            }
        }
    }
    if numbers < 4 {
        return Err("the signature pad is empty");
    }
    Ok(())
}

/// Everything sealed with a signature (patients-and-messages.md 7.4): who, how, when, from
/// where, on which exact version, over which answers, and the statement of intent shown next
/// to the button (7006(5)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub signer: Signer,
    pub mark: Mark,
    /// Unix seconds, UTC, from the server's clock.
    pub signed_at: i64,
    pub user_agent: String,
    pub address: String,
    pub template_version_id: i64,
    /// SHA-256 of the version's content ([`Template::sha256`]).
    pub template_sha256: String,
    /// [`answers_hash`] at signing.
    pub answers_sha256: String,
    /// The words next to the button.
    pub intent: String,
    /// The E-SIGN consent relied on: its disclosure version and when (7001(c)(1)).
    pub esign_version: u32,
    pub esign_consented_at: i64,
    /// Where it was signed: `portal` or `kiosk`.
    pub channel: String,
}

impl Evidence {
    /// Whether the evidence still matches these answers on this version: a changed answer, a
    /// different version or a changed template gives false (164.312(c)(1) integrity).
    pub fn matches(&self, version_id: i64, t: &Template, answers: &Answers) -> bool {
        self.template_version_id == version_id
            && self.template_sha256 == t.sha256()
            && self.answers_sha256 == answers_hash(version_id, t, answers)
    }
}

/// The statement of intent next to the sign button (7006(5)).
pub fn intent_words(title: &str) -> String {
    format!("By signing, I sign \u{201c}{title}\u{201d} electronically and mean it as my signature.")
}

/// How often a service asks for a form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    EveryVisit,
    Yearly,
    Once,
}

impl Frequency {
    pub const ALL: [Frequency; 3] = [Frequency::EveryVisit, Frequency::Yearly, Frequency::Once];
    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::EveryVisit => "every_visit",
            Frequency::Yearly => "yearly",
            Frequency::Once => "once",
        }
    }
    pub fn parse(s: &str) -> Option<Frequency> {
        Frequency::ALL.into_iter().find(|f| f.as_str() == s)
    }
    pub fn words(self) -> &'static str {
        match self {
            Frequency::EveryVisit => "Every visit",
            Frequency::Yearly => "Once a year",
            Frequency::Once => "Once",
        }
    }
}

/// Whether a visit on `visit` needs the form again, given when the patient last submitted it
/// (any version) and whether it was for this very visit. Yearly: a submission within the 12
/// months before the visit counts.
pub fn needed(freq: Frequency, last_submitted: Option<Date>, for_this_visit: bool, visit: Date) -> bool {
    if for_this_visit {
        return false;
    }
    match (freq, last_submitted) {
        (Frequency::EveryVisit, _) | (_, None) => true,
        (Frequency::Once, Some(_)) => false,
        (Frequency::Yearly, Some(last)) => {
            let year_later = last
                .replace_year(last.year() + 1)
                .unwrap_or_else(|_| last.saturating_add(time::Duration::days(365)));
            year_later <= visit
        }
    }
}

/// A response's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Asked, nothing saved yet.
    Pending,
    Draft,
    Submitted,
    Reviewed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Reviewed => "reviewed",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        [Status::Pending, Status::Draft, Status::Submitted, Status::Reviewed]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
    pub fn words(self) -> &'static str {
        match self {
            Status::Pending => "Not started",
            Status::Draft => "Started",
            Status::Submitted => "Signed and submitted",
            Status::Reviewed => "Reviewed",
        }
    }
    /// Done, as far as the visit is concerned.
    pub fn done(self) -> bool {
        matches!(self, Status::Submitted | Status::Reviewed)
    }
}

#[cfg(test)]
mod tests;
