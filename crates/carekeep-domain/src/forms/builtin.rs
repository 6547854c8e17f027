//! The built-in templates a clinic adopts and then edits as its own (issue 28 item 1). Data,
//! not code paths: each is an ordinary [`Template`]. The HIPAA authorization carries every core
//! element and required statement of 164.508(c) and its answers pass the authorization check
//! the disclosure log already uses ([`authorization_of`]).

use super::{Answer, Answers, Condition, Field, FieldKind, FormKind, Section, Template};
use crate::rights::authorization::Authorization;
use time::Date;

fn field(id: &str, label: &str, kind: FieldKind, required: bool) -> Field {
    Field {
        id: id.into(),
        label: label.into(),
        help: String::new(),
        kind,
        required,
        show_if: None,
        end_date: false,
    }
}

/// A date that ends the permission given: it may not be in the past (`expiry`).
fn end_date(mut f: Field) -> Field {
    f.end_date = true;
    f
}

fn when(mut f: Field, on: &str, equals: &str) -> Field {
    f.show_if = Some(Condition {
        field: on.into(),
        equals: equals.into(),
    });
    f
}

fn help(mut f: Field, words: &str) -> Field {
    f.help = words.into();
    f
}

fn yes_no(id: &str, label: &str, follow_up: Option<&str>) -> Field {
    field(
        id,
        label,
        FieldKind::YesNo {
            follow_up: follow_up.map(Into::into),
        },
        true,
    )
}

fn choice(id: &str, label: &str, options: &[&str], required: bool) -> Field {
    field(
        id,
        label,
        FieldKind::Choice {
            options: options.iter().map(|o| (*o).into()).collect(),
        },
        required,
    )
}

fn many(id: &str, label: &str, options: &[&str]) -> Field {
    field(
        id,
        label,
        FieldKind::MultipleChoice {
            options: options.iter().map(|o| (*o).into()).collect(),
        },
        false,
    )
}

fn section(title: &str, text: &[&str], fields: Vec<Field>) -> Section {
    Section {
        title: title.into(),
        text: text.iter().map(|t| (*t).into()).collect(),
        fields,
    }
}

fn signing(extra: &[&str]) -> Section {
    section(
        "Signature",
        extra,
        vec![field(
            "signature",
            "Signature of the patient or their representative",
            FieldKind::Signature,
            true,
        )],
    )
}

/// A built-in template's stable key, its title and how to make it.
pub const KEYS: [(&str, &str); 10] = [
    ("medical_history", "Medical history"),
    ("medications_allergies", "Current medications and allergies"),
    ("consent_to_treat", "Consent to treat"),
    ("photo_consent", "Photography consent"),
    ("financial_policy", "Financial policy"),
    (
        "notice_acknowledgment",
        "Acknowledgment of the Notice of Privacy Practices",
    ),
    ("hipaa_authorization", "Authorization to disclose health information"),
    ("injectables_consent", "Consent for injectable treatment"),
    ("laser_consent", "Consent for laser treatment"),
    ("iv_therapy_consent", "Consent for IV therapy"),
];

/// The built-in template of `key`.
pub fn template(key: &str) -> Option<Template> {
    let title = KEYS.iter().find(|(k, _)| *k == key)?.1.to_owned();
    let (kind, sections) = match key {
        "medical_history" => (FormKind::MedicalHistory, medical_history()),
        "medications_allergies" => (FormKind::Medications, medications_allergies()),
        "consent_to_treat" => (FormKind::ConsentToTreat, consent_to_treat()),
        "photo_consent" => (FormKind::PhotoConsent, photo_consent()),
        "financial_policy" => (FormKind::FinancialPolicy, financial_policy()),
        "notice_acknowledgment" => (FormKind::NoticeAcknowledgment, notice_acknowledgment()),
        "hipaa_authorization" => (FormKind::Authorization, hipaa_authorization()),
        "injectables_consent" => (FormKind::TreatmentConsent, treatment(INJECTABLES)),
        "laser_consent" => (FormKind::TreatmentConsent, treatment(LASER)),
        "iv_therapy_consent" => (FormKind::TreatmentConsent, treatment(IV_THERAPY)),
        _ => return None,
    };
    Some(Template { title, kind, sections })
}

fn medical_history() -> Vec<Section> {
    vec![
        section(
            "About you",
            &["Your answers help your clinician treat you safely. They are kept in your medical record."],
            vec![
                field(
                    "height",
                    "Height",
                    FieldKind::Number {
                        unit: "in".into(),
                        min: Some(20.0),
                        max: Some(100.0),
                    },
                    false,
                ),
                field(
                    "weight",
                    "Weight",
                    FieldKind::Number {
                        unit: "lb".into(),
                        min: Some(2.0),
                        max: Some(1000.0),
                    },
                    false,
                ),
                choice(
                    "sex_at_birth",
                    "Sex assigned at birth",
                    &["Female", "Male", "Prefer not to say"],
                    false,
                ),
            ],
        ),
        section(
            "Conditions",
            &[],
            vec![
                many(
                    "conditions",
                    "Have you ever had any of these?",
                    &[
                        "Diabetes",
                        "High blood pressure",
                        "Heart disease",
                        "Bleeding or clotting disorder",
                        "Autoimmune disease",
                        "Seizures",
                        "Cancer",
                        "Keloid scarring",
                        "Cold sores (herpes simplex)",
                    ],
                ),
                yes_no(
                    "other_conditions",
                    "Any other condition we should know about?",
                    Some("Which ones?"),
                ),
                yes_no("surgeries", "Have you had surgery?", Some("Which surgeries, and when?")),
                yes_no(
                    "pregnant",
                    "Are you pregnant, trying to become pregnant, or breastfeeding?",
                    None,
                ),
                yes_no("tobacco", "Do you smoke or use tobacco or nicotine?", None),
            ],
        ),
        section(
            "Anything else",
            &[],
            vec![field(
                "notes",
                "Anything else you want your clinician to know",
                FieldKind::LongText,
                false,
            )],
        ),
        signing(&["I confirm that my answers are true and complete to the best of my knowledge."]),
    ]
}

fn medications_allergies() -> Vec<Section> {
    vec![
        section(
            "Medications",
            &["List every medicine you take, including vitamins, supplements and over-the-counter medicines."],
            vec![
                yes_no("takes_medications", "Do you take any medicines?", None),
                when(
                    field("medications", "Your medicines", FieldKind::MedicationList, true),
                    "takes_medications",
                    "yes",
                ),
                yes_no(
                    "blood_thinners",
                    "Do you take blood thinners or aspirin?",
                    Some("Which one, and how much?"),
                ),
            ],
        ),
        section(
            "Allergies",
            &[],
            vec![
                yes_no(
                    "has_allergies",
                    "Are you allergic to any medicine, food, latex or anything else?",
                    None,
                ),
                when(
                    field("allergies", "Your allergies", FieldKind::AllergyList, true),
                    "has_allergies",
                    "yes",
                ),
            ],
        ),
        signing(&["I confirm that this list is complete and I will tell the clinic about any change."]),
    ]
}

fn consent_to_treat() -> Vec<Section> {
    vec![
        section(
            "Consent",
            &[
                "I consent to examination and treatment by the clinicians of this clinic. The nature of each treatment, its expected benefits, its risks and the alternatives will be explained to me before it is given, and I may ask questions at any time.",
                "I may refuse or stop any treatment at any time. No one has guaranteed the results of any treatment.",
            ],
            vec![field("initials", "Your initials", FieldKind::Initials, true)],
        ),
        signing(&[]),
    ]
}

fn photo_consent() -> Vec<Section> {
    vec![
        section(
            "Photographs for your care",
            &[
                "Photographs of the treated area help your clinician plan your treatment and follow your results. They are part of your medical record and are protected like the rest of it.",
            ],
            vec![yes_no("clinical_use", "May the clinic take photographs for your care and keep them in your record?", None)],
        ),
        section(
            "Photographs in the clinic's marketing",
            &[
                "This is a separate choice. Saying no does not change your care in any way; treatment is not conditioned on this choice (45 CFR 164.508(b)(4)).",
                "If you say yes, you authorize the clinic to use your photographs on the places you choose below. Once published, photographs may be copied by others and are no longer protected by federal privacy rules. You may revoke this authorization in writing at any time; this does not undo uses already made.",
            ],
            vec![
                yes_no("marketing_use", "May the clinic use your photographs in its marketing?", None),
                when(
                    many("marketing_places", "Where may they be used?", &["The clinic's website", "The clinic's social media", "Printed brochures"]),
                    "marketing_use",
                    "yes",
                ),
                when(
                    choice("marketing_face", "May your face be shown?", &["Yes", "No, only photographs without my face"], true),
                    "marketing_use",
                    "yes",
                ),
                when(end_date(field("marketing_expires", "This authorization ends on", FieldKind::Date, true)), "marketing_use", "yes"),
            ],
        ),
        signing(&[]),
    ]
}

fn financial_policy() -> Vec<Section> {
    vec![
        section(
            "Our financial policy",
            &[
                "Payment is due when services are provided. We accept cash, checks and major credit cards.",
                "Cosmetic treatments are not covered by insurance. You will be told the price of a treatment before it is given.",
                "Appointments cancelled with less than 24 hours' notice, and missed appointments, may be charged a fee.",
            ],
            vec![field("initials", "Your initials to show you have read the policy", FieldKind::Initials, true)],
        ),
        signing(&["I have read and agree to the clinic's financial policy."]),
    ]
}

fn notice_acknowledgment() -> Vec<Section> {
    vec![
        section(
            "Notice of Privacy Practices",
            &[
                "The clinic's Notice of Privacy Practices describes how your health information may be used and disclosed and how you can get access to it. You can read it in the portal, and ask the front desk for a paper copy at any time (45 CFR 164.520(c)(2)).",
            ],
            vec![yes_no("received", "I have received the clinic's Notice of Privacy Practices.", None)],
        ),
        signing(&[]),
    ]
}

/// The authorization's field ids for each core element of 164.508(c)(1).
pub mod auth_fields {
    pub const DESCRIPTION: &str = "description";
    pub const DISCLOSED_BY: &str = "disclosed_by";
    pub const RECIPIENTS: &str = "recipients";
    pub const PURPOSE: &str = "purpose";
    pub const ENDS: &str = "ends";
    pub const EXPIRES_ON: &str = "expires_on";
    pub const EXPIRY_EVENT: &str = "expiry_event";
}

/// The three statements 164.508(c)(2) requires, in plain language (c)(3).
pub const AUTHORIZATION_STATEMENTS: [(&str, &str); 3] = [
    (
        "164.508(c)(2)(i)",
        "You may revoke this authorization at any time by writing to the clinic. A revocation does not undo disclosures already made on this authorization. The clinic's Notice of Privacy Practices describes how to revoke.",
    ),
    (
        "164.508(c)(2)(ii)",
        "The clinic will not condition your treatment, payment, enrollment or eligibility for benefits on whether you sign this authorization.",
    ),
    (
        "164.508(c)(2)(iii)",
        "Information disclosed under this authorization may be redisclosed by the recipient and may no longer be protected by federal privacy rules.",
    ),
];

fn hipaa_authorization() -> Vec<Section> {
    use auth_fields::*;
    vec![
        section(
            "What may be disclosed, by whom, to whom",
            &["Fill in each part. An authorization missing any of them is not valid (45 CFR 164.508(b)(2))."],
            vec![
                help(
                    field(DESCRIPTION, "The information to disclose", FieldKind::LongText, true),
                    "For example: visit notes and photographs from March 2026.",
                ),
                field(DISCLOSED_BY, "Who may disclose it", FieldKind::Text, true),
                field(RECIPIENTS, "Who may receive it", FieldKind::Text, true),
                help(
                    field(PURPOSE, "Why", FieldKind::Text, true),
                    "\u{201c}At my request\u{201d} is enough when you are asking for it yourself.",
                ),
            ],
        ),
        section(
            "When it ends",
            &[],
            vec![
                choice(ENDS, "This authorization ends", &["On a date", "When an event happens"], true),
                when(end_date(field(EXPIRES_ON, "End date", FieldKind::Date, true)), ENDS, "On a date"),
                when(field(EXPIRY_EVENT, "The event", FieldKind::Text, true), ENDS, "When an event happens"),
            ],
        ),
        section(
            "Your rights",
            &[AUTHORIZATION_STATEMENTS[0].1, AUTHORIZATION_STATEMENTS[1].1, AUTHORIZATION_STATEMENTS[2].1],
            vec![field("initials", "Your initials to show you have read your rights", FieldKind::Initials, true)],
        ),
        signing(&[
            "If a personal representative signs, their authority to act for the patient is recorded with the signature (45 CFR 164.508(c)(1)(vi)). You will be given a copy of this signed authorization (164.508(c)(4)).",
        ]),
    ]
}

/// The authorization's core elements from a signed form's answers, for the check the
/// disclosure log uses (`rights::authorization::check`).
pub fn authorization_of(answers: &Answers, signed_by: &str, signed_on: Date) -> Authorization {
    use auth_fields::*;
    let text = |id: &str| match answers.get(id) {
        Some(Answer::Text(s)) => s.clone(),
        _ => String::new(),
    };
    let by_date = text(ENDS) == "On a date";
    Authorization {
        description: text(DESCRIPTION),
        disclosed_by: text(DISCLOSED_BY),
        recipients: text(RECIPIENTS),
        purpose: text(PURPOSE),
        expires_on: if by_date {
            Date::parse(&text(EXPIRES_ON), super::DATE_ISO).ok()
        } else {
            None
        },
        expiry_event: if by_date { String::new() } else { text(EXPIRY_EVENT) },
        signed_by: signed_by.into(),
        signed_on: Some(signed_on),
    }
}

/// A treatment's risks and the questions that rule it out.
struct Treatment {
    what: &'static str,
    risks: &'static [&'static str],
    questions: &'static [(&'static str, &'static str)],
}

const INJECTABLES: Treatment = Treatment {
    what: "Injectable treatment (neuromodulators such as botulinum toxin, and dermal fillers) to soften lines or restore volume.",
    risks: &[
        "Bruising, swelling, redness and tenderness where the needle went in.",
        "Headache, or a drooping eyelid or brow for some weeks.",
        "Lumps or uneven results that may need correcting.",
        "Infection or an allergic reaction.",
        "Rarely, a filler blocking a blood vessel, which can damage skin or, very rarely, cause loss of vision.",
    ],
    questions: &[
        ("neuro_condition", "Do you have a nerve or muscle condition (such as myasthenia gravis)?"),
        ("recent_dental", "Have you had dental work or a vaccination in the last two weeks?"),
    ],
};

const LASER: Treatment = Treatment {
    what: "Laser or light-based treatment of the skin (hair removal, pigment, vessels or resurfacing).",
    risks: &[
        "Redness, swelling and discomfort for hours to days.",
        "Blisters, crusting or burns.",
        "Darker or lighter patches of skin, which may be lasting.",
        "Scarring, rarely.",
        "Eye injury if eye protection is removed during treatment.",
    ],
    questions: &[
        (
            "recent_tan",
            "Have you tanned, used a tanning bed or self-tanner in the last four weeks?",
        ),
        (
            "photosensitizing",
            "Do you take medicines that make you sensitive to light (such as isotretinoin or some antibiotics)?",
        ),
    ],
};

const IV_THERAPY: Treatment = Treatment {
    what: "Intravenous (IV) therapy: fluids, vitamins or minerals given through a small tube in a vein.",
    risks: &[
        "Pain, bruising or swelling where the needle went in.",
        "Inflammation of the vein (phlebitis) or infection.",
        "Fluid leaking under the skin.",
        "Allergic reaction to an ingredient.",
        "Fluid overload in people with heart or kidney disease.",
    ],
    questions: &[
        ("heart_kidney", "Do you have heart failure or kidney disease?"),
        ("g6pd", "Have you been told you have G6PD deficiency?"),
    ],
};

fn treatment(t: Treatment) -> Vec<Section> {
    let mut risk_text = vec![t.what, "The risks include:"];
    risk_text.extend_from_slice(t.risks);
    risk_text.push("Your clinician will explain the treatment, its expected benefits, the alternatives (including no treatment) and the aftercare, and answer your questions before treating you.");
    let mut questions: Vec<Field> = t.questions.iter().map(|(id, q)| yes_no(id, q, None)).collect();
    questions.push(yes_no("pregnant", "Are you pregnant or breastfeeding?", None));
    vec![
        section("Before your treatment", &[], questions),
        section(
            "The treatment and its risks",
            &risk_text,
            vec![field(
                "initials",
                "Your initials to show you have read the risks",
                FieldKind::Initials,
                true,
            )],
        ),
        signing(&["I have had the chance to ask questions and I consent to this treatment."]),
    ]
}
