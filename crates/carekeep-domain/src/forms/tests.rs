use super::builtin::{self, authorization_of, AUTHORIZATION_STATEMENTS};
use super::*;
use crate::rights::authorization;
use time::macros::date;

fn raw(pairs: &[(&str, &str)]) -> RawAnswers {
    let mut r = RawAnswers::new();
    for (k, v) in pairs {
        r.entry((*k).to_owned()).or_default().push((*v).to_owned());
    }
    r
}

fn fill(t: &Template, pairs: &[(&str, &str)]) -> Answers {
    let mut a = Answers::new();
    let r = raw(pairs);
    for i in 0..t.sections.len() {
        read_section(t, i, &r, &mut a);
    }
    a
}

#[test]
fn every_builtin_template_is_well_formed_and_asks_for_a_signature() {
    for (key, title) in builtin::KEYS {
        let t = builtin::template(key).unwrap();
        assert_eq!(t.title, title);
        assert_eq!(check_template(&t), Ok(()), "{key}");
        assert!(t.wants_signature(), "{key}");
    }
    assert!(builtin::template("nope").is_none());
}

#[test]
fn required_fields_are_named_and_hidden_ones_are_not_required() {
    let t = builtin::template("medications_allergies").unwrap();
    // (answers, fields named): the medication list is required only when shown (yes).
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str]);
    let cases: [Case<'_>; 4] = [
        (&[], &["takes_medications", "blood_thinners", "has_allergies"]),
        (
            &[
                ("takes_medications", "no"),
                ("blood_thinners", "no"),
                ("has_allergies", "no"),
            ],
            &[],
        ),
        (
            &[
                ("takes_medications", "yes"),
                ("blood_thinners", "no"),
                ("has_allergies", "no"),
            ],
            &["medications"],
        ),
        (
            &[
                ("takes_medications", "yes"),
                ("medications.name", "Metformin"),
                ("medications.dose", "500 mg"),
                ("medications.how_often", ""),
                ("blood_thinners", "yes"),
                ("has_allergies", "no"),
            ],
            &["blood_thinners"],
        ),
    ];
    for (pairs, named) in cases {
        let got: Vec<String> = validate(&t, &fill(&t, pairs)).into_iter().map(|p| p.field).collect();
        assert_eq!(got, named.to_vec(), "{pairs:?}");
    }
}

#[test]
fn a_missing_signature_refuses_submission_naming_the_field() {
    let t = builtin::template("consent_to_treat").unwrap();
    let a = fill(&t, &[("initials", "J.D.")]);
    assert!(validate(&t, &a).is_empty());
    let p = submission_problems(&t, &a, false);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].field, "signature");
    assert!(p[0].message.starts_with("Sign"));
    assert!(submission_problems(&t, &a, true).is_empty());
}

#[test]
fn typed_values_are_kept_as_typed_and_checked() {
    let t = builtin::template("photo_consent").unwrap();
    // A US date is stored as ISO; a bad one is kept as typed and named.
    let a = fill(
        &t,
        &[
            ("clinical_use", "yes"),
            ("marketing_use", "yes"),
            ("marketing_face", "Yes"),
            ("marketing_expires", "04/23/2027"),
        ],
    );
    assert_eq!(a.get("marketing_expires"), Some(&Answer::Text("2027-04-23".into())));
    assert!(validate(&t, &a).is_empty());
    let a = fill(
        &t,
        &[
            ("clinical_use", "yes"),
            ("marketing_use", "yes"),
            ("marketing_face", "Maybe"),
            ("marketing_expires", "13/45/2027"),
        ],
    );
    assert_eq!(a.get("marketing_expires"), Some(&Answer::Text("13/45/2027".into())));
    let named: Vec<String> = validate(&t, &a).into_iter().map(|p| p.field).collect();
    assert_eq!(named, ["marketing_face", "marketing_expires"]);
    // Saying no to marketing hides its questions: not required, and not kept.
    let a = fill(
        &t,
        &[
            ("clinical_use", "yes"),
            ("marketing_use", "no"),
            ("marketing_expires", "04/23/2027"),
        ],
    );
    assert!(validate(&t, &a).is_empty());
    assert!(!visible_answers(&t, &a).contains_key("marketing_expires"));
    // CRLF from a browser becomes \n.
    let h = builtin::template("medical_history").unwrap();
    let a = fill(&h, &[("notes", "line one\r\nline two")]);
    assert_eq!(a.get("notes"), Some(&Answer::Text("line one\nline two".into())));
}

#[test]
fn numbers_initials_and_choices_are_checked() {
    let h = builtin::template("medical_history").unwrap();
    let base = [
        ("other_conditions", "no"),
        ("surgeries", "no"),
        ("pregnant", "no"),
        ("tobacco", "no"),
    ];
    for (extra, want) in [
        (("height", "65"), None),
        (("height", "six feet"), Some("height")),
        (("height", "400"), Some("height")),
        (("sex_at_birth", "Other"), Some("sex_at_birth")),
        (("conditions", "Diabetes"), None),
        (("conditions", "Gout"), Some("conditions")),
    ] {
        let mut pairs = base.to_vec();
        pairs.push(extra);
        let got: Vec<String> = validate(&h, &fill(&h, &pairs)).into_iter().map(|p| p.field).collect();
        assert_eq!(got.first().map(String::as_str), want, "{extra:?}");
    }
    let c = builtin::template("consent_to_treat").unwrap();
    for (initials, ok) in [
        ("JD", true),
        ("J.D.", true),
        ("J", false),
        ("John Doe", false),
        ("12", false),
    ] {
        assert_eq!(
            validate(&c, &fill(&c, &[("initials", initials)])).is_empty(),
            ok,
            "{initials}"
        );
    }
}

#[test]
fn the_yes_follow_up_is_asked_when_yes() {
    let h = builtin::template("medical_history").unwrap();
    let base = [("pregnant", "no"), ("tobacco", "no"), ("other_conditions", "no")];
    let mut p = base.to_vec();
    p.push(("surgeries", "yes"));
    let got = validate(&h, &fill(&h, &p));
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].field, "surgeries");
    p.push(("surgeries.detail", "Appendix, 2010"));
    assert!(validate(&h, &fill(&h, &p)).is_empty());
}

#[test]
fn the_hash_detects_a_changed_answer_version_or_template() {
    let t = builtin::template("medications_allergies").unwrap();
    let a = fill(
        &t,
        &[
            ("takes_medications", "yes"),
            ("medications.name", "Metformin"),
            ("medications.dose", "500 mg"),
            ("blood_thinners", "no"),
            ("has_allergies", "yes"),
            ("allergies.substance", "Penicillin"),
            ("allergies.reaction", "Hives"),
        ],
    );
    let evidence = Evidence {
        signer: Signer::Patient {
            name: "Jane Doe".into(),
        },
        mark: Mark::Typed("Jane Doe".into()),
        signed_at: 1_800_000_000,
        user_agent: "Mozilla/5.0".into(),
        address: "192.0.2.7".into(),
        template_version_id: 7,
        template_sha256: t.sha256(),
        answers_sha256: answers_hash(7, &t, &a),
        intent: intent_words(&t.title),
        esign_version: esign::VERSION,
        esign_consented_at: 1_799_999_000,
        channel: "portal".into(),
    };
    assert!(evidence.matches(7, &t, &a));
    // Each change: an answer, a list row, an answer added, another version, the template.
    let mut changed = a.clone();
    changed.insert(
        "blood_thinners".into(),
        Answer::YesNo {
            yes: true,
            detail: "aspirin".into(),
        },
    );
    assert!(!evidence.matches(7, &t, &changed));
    let mut changed = a.clone();
    changed.insert(
        "allergies".into(),
        Answer::Allergies(vec![Allergy {
            substance: "Penicillin".into(),
            reaction: "Rash".into(),
        }]),
    );
    assert!(!evidence.matches(7, &t, &changed));
    assert!(!evidence.matches(8, &t, &a));
    let mut t2 = t.clone();
    t2.sections[0].text.push("A new sentence.".into());
    assert!(!evidence.matches(7, &t2, &a));
    // A hidden answer does not count: it is not shown, kept or signed.
    let mut hidden = a.clone();
    hidden.insert("nonexistent".into(), Answer::Text("x".into()));
    assert!(evidence.matches(7, &t, &hidden));
    // Parts cannot slide into one another: "ab"+"c" is not "a"+"bc".
    let mut x = Answers::new();
    x.insert(
        "medications".into(),
        Answer::Medications(vec![Medication {
            name: "ab".into(),
            dose: "c".into(),
            how_often: String::new(),
        }]),
    );
    x.insert(
        "takes_medications".into(),
        Answer::YesNo {
            yes: true,
            detail: String::new(),
        },
    );
    let mut y = x.clone();
    y.insert(
        "medications".into(),
        Answer::Medications(vec![Medication {
            name: "a".into(),
            dose: "bc".into(),
            how_often: String::new(),
        }]),
    );
    assert_ne!(answers_hash(1, &t, &x), answers_hash(1, &t, &y));
}

#[test]
fn a_used_version_cannot_change() {
    // (first used, may change): 7001(d) accurate reproduction of what was signed.
    for (used, ok) in [(false, true), (true, false)] {
        assert_eq!(may_change_version(used).is_ok(), ok);
    }
}

#[test]
fn the_authorization_template_covers_164_508_c_and_passes_the_existing_check() {
    let t = builtin::template("hipaa_authorization").unwrap();
    let text: Vec<&String> = t.sections.iter().flat_map(|s| s.text.iter()).collect();
    // (c)(2)(i)-(iii): every required statement is shown on the form.
    for (cite, words) in AUTHORIZATION_STATEMENTS {
        assert!(text.iter().any(|p| p.as_str() == words), "{cite}");
    }
    let filled = [
        ("description", "Visit notes of March 2026"),
        ("disclosed_by", "Lakeside Aesthetics"),
        ("recipients", "Dr. Ann Lee, dermatology"),
        ("purpose", "At my request"),
        ("initials", "JD"),
    ];
    let by_date = fill(
        &t,
        &[&filled[..], &[("ends", "On a date"), ("expires_on", "12/31/2027")]].concat(),
    );
    assert!(submission_problems(&t, &by_date, true).is_empty());
    let a = authorization_of(&by_date, "Jane Doe", date!(2026 - 12 - 07));
    assert_eq!(authorization::check(&a), Ok(()));
    let by_event = fill(
        &t,
        &[
            &filled[..],
            &[
                ("ends", "When an event happens"),
                ("expiry_event", "End of my treatment"),
            ],
        ]
        .concat(),
    );
    assert_eq!(
        authorization::check(&authorization_of(&by_event, "Jane Doe", date!(2026 - 12 - 07))),
        Ok(())
    );
    // Each core element (c)(1)(i)-(v) is a required field: leaving one out is refused by the
    // form and by the check alike (164.508(b)(2)(ii): incomplete is invalid).
    for drop in ["description", "disclosed_by", "recipients", "purpose"] {
        let partial: Vec<(&str, &str)> = filled
            .iter()
            .copied()
            .filter(|(k, _)| *k != drop)
            .chain([("ends", "On a date"), ("expires_on", "12/31/2027")])
            .collect();
        let a = fill(&t, &partial);
        assert_eq!(
            validate(&t, &a).into_iter().map(|p| p.field).collect::<Vec<_>>(),
            [drop]
        );
        assert!(authorization::check(&authorization_of(&a, "Jane Doe", date!(2026 - 12 - 07))).is_err());
    }
    let no_end = fill(&t, &[&filled[..], &[("ends", "On a date")]].concat());
    assert_eq!(
        validate(&t, &no_end).into_iter().map(|p| p.field).collect::<Vec<_>>(),
        ["expires_on"]
    );
    assert!(authorization::check(&authorization_of(&no_end, "Jane Doe", date!(2026 - 12 - 07))).is_err());
}

#[test]
fn photo_consent_asks_clinical_and_marketing_use_separately() {
    let t = builtin::template("photo_consent").unwrap();
    let clinical = t.field("clinical_use").unwrap();
    let marketing = t.field("marketing_use").unwrap();
    assert!(clinical.required && marketing.required);
    assert!(clinical.show_if.is_none() && marketing.show_if.is_none());
    // Clinical yes, marketing no is a complete answer (treatment is not conditioned on it).
    let a = fill(&t, &[("clinical_use", "yes"), ("marketing_use", "no")]);
    assert!(submission_problems(&t, &a, true).is_empty());
}

#[test]
fn check_template_refuses_what_cannot_be_filled() {
    let ok = builtin::template("consent_to_treat").unwrap();
    let mut dup = ok.clone();
    let first = dup.sections[0].fields[0].clone();
    dup.sections[0].fields.push(first);
    let mut later = builtin::template("medications_allergies").unwrap();
    later.sections[0].fields[1].show_if = Some(Condition {
        field: "has_allergies".into(),
        equals: "yes".into(),
    });
    let mut unfit = builtin::template("medications_allergies").unwrap();
    unfit.sections[0].fields[1].show_if = Some(Condition {
        field: "takes_medications".into(),
        equals: "maybe".into(),
    });
    let mut bad_id = ok.clone();
    bad_id.sections[0].fields[0].id = "Has Space".into();
    let mut empty_choice = ok.clone();
    empty_choice.sections[0].fields[0].kind = FieldKind::Choice { options: vec![] };
    let mut no_title = ok.clone();
    no_title.title = " ".into();
    for (t, fine) in [
        (ok, true),
        (dup, false),
        (later, false),
        (unfit, false),
        (bad_id, false),
        (empty_choice, false),
        (no_title, false),
    ] {
        assert_eq!(check_template(&t).is_ok(), fine, "{t:?}");
    }
}

#[test]
fn drawn_signatures_are_only_path_data_in_the_box() {
    for (path, ok) in [
        ("M 10 20 L 30 40 L 50 60", true),
        ("", false),
        ("M 10 20", false),
        ("M 10 20 L 30 40 Z", false),
        ("M 10 20 L 30 4000", false),
        ("M 10 20 L 30 40\"/><script>", false),
    ] {
        assert_eq!(check_drawn(path).is_ok(), ok, "{path}");
    }
}

#[test]
fn how_often_a_service_asks_again() {
    let visit = date!(2026 - 12 - 10);
    // (frequency, last submitted, for this visit, needed)
    for (f, last, this, want) in [
        (Frequency::EveryVisit, None, false, true),
        (Frequency::EveryVisit, Some(date!(2026 - 12 - 01)), false, true),
        (Frequency::EveryVisit, Some(date!(2026 - 12 - 01)), true, false),
        (Frequency::Yearly, None, false, true),
        (Frequency::Yearly, Some(date!(2026 - 01 - 05)), false, false),
        (Frequency::Yearly, Some(date!(2025 - 12 - 10)), false, true),
        (Frequency::Yearly, Some(date!(2025 - 12 - 11)), false, false),
        (Frequency::Once, None, false, true),
        (Frequency::Once, Some(date!(2019 - 01 - 01)), false, false),
    ] {
        assert_eq!(needed(f, last, this, visit), want, "{f:?} {last:?} {this}");
    }
}

#[test]
fn a_representative_signs_with_their_authority() {
    // 164.508(c)(1)(vi): a representative's signature carries a description of their authority.
    let s = Signer::Representative {
        name: "Ann Doe".into(),
        basis: "health_care_poa".into(),
        basis_words: "Health care power of attorney".into(),
    };
    assert_eq!(
        s.words(),
        "Ann Doe, personal representative (Health care power of attorney)"
    );
    assert_eq!(
        Signer::Patient {
            name: "Jane Doe".into()
        }
        .words(),
        "Jane Doe, the patient"
    );
}
