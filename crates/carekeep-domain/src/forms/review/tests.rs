use super::*;
use crate::forms::builtin;

fn allergy(s: &str, r: &str) -> Item {
    Item::Allergy(Allergy {
        substance: s.into(),
        reaction: r.into(),
    })
}

fn med(n: &str, d: &str, h: &str) -> Item {
    Item::Medication(Medication {
        name: n.into(),
        dose: d.into(),
        how_often: h.into(),
    })
}

fn meds_answers() -> Answers {
    let mut a = Answers::new();
    a.insert(
        "takes_medications".into(),
        Answer::YesNo {
            yes: true,
            detail: String::new(),
        },
    );
    a.insert(
        "medications".into(),
        Answer::Medications(vec![
            Medication {
                name: "Lisinopril".into(),
                dose: "10 mg".into(),
                how_often: "daily".into(),
            },
            Medication {
                name: "  ".into(),
                dose: String::new(),
                how_often: String::new(),
            },
        ]),
    );
    a.insert(
        "has_allergies".into(),
        Answer::YesNo {
            yes: true,
            detail: String::new(),
        },
    );
    a.insert(
        "allergies".into(),
        Answer::Allergies(vec![Allergy {
            substance: "Penicillin".into(),
            reaction: "hives".into(),
        }]),
    );
    a
}

#[test]
fn a_medications_form_proposes_its_listed_items_and_nothing_hidden_or_blank() {
    let t = builtin::template("medications_allergies").unwrap();
    let p = proposals(&t, &meds_answers());
    let got: Vec<(&str, Item)> = p.iter().map(|p| (p.key.as_str(), p.item.clone())).collect();
    assert_eq!(
        got,
        vec![
            ("medications.0", med("Lisinopril", "10 mg", "daily")),
            ("allergies.0", allergy("Penicillin", "hives")),
        ]
    );
    // Answering no hides the lists: what was typed before is not part of the signed form.
    let mut a = meds_answers();
    a.insert(
        "takes_medications".into(),
        Answer::YesNo {
            yes: false,
            detail: String::new(),
        },
    );
    a.insert(
        "has_allergies".into(),
        Answer::YesNo {
            yes: false,
            detail: String::new(),
        },
    );
    assert!(proposals(&t, &a).is_empty());
}

#[test]
fn a_medical_history_proposes_conditions_ticked_and_yes_answers_with_details() {
    let t = builtin::template("medical_history").unwrap();
    let mut a = Answers::new();
    a.insert(
        "conditions".into(),
        Answer::Many(vec!["Diabetes".into(), "Seizures".into()]),
    );
    a.insert(
        "other_conditions".into(),
        Answer::YesNo {
            yes: true,
            detail: "Asthma\r\n\r\n  Migraines since 2015 \n".into(),
        },
    );
    a.insert(
        "surgeries".into(),
        Answer::YesNo {
            yes: false,
            detail: "ignored".into(),
        },
    );

    a.insert(
        "tobacco".into(),
        Answer::YesNo {
            yes: true,
            detail: String::new(),
        },
    );
    let got: Vec<(String, Item)> = proposals(&t, &a).into_iter().map(|p| (p.key, p.item)).collect();
    assert_eq!(
        got,
        vec![
            ("conditions.0".into(), Item::History("Diabetes".into())),
            ("conditions.1".into(), Item::History("Seizures".into())),
            ("other_conditions.0".into(), Item::History("Asthma".into())),
            // Two lines typed are two conditions, blank lines and spaces dropped.
            (
                "other_conditions.1".into(),
                Item::History("Migraines since 2015".into())
            ),
        ]
    );
    // A consent proposes nothing, whatever it holds.
    let consent = builtin::template("photo_consent").unwrap();
    assert!(proposals(&consent, &a).is_empty());
}

#[test]
fn each_proposal_is_new_changed_or_same_against_the_chart() {
    let chart = [
        allergy("penicillin", "Hives."),
        med("Lisinopril", "5 mg", "daily"),
        med("Metformin", "500 mg", "twice a day"),
        Item::History("Diabetes".into()),
    ];
    // (proposed, expected): names fold case, spaces and a final period.
    let cases: Vec<(Item, Compared)> = vec![
        (allergy("Penicillin ", "hives"), Compared::Same),
        (
            allergy("Penicillin", "rash"),
            Compared::Changed {
                was: "penicillin (Hives.)".into(),
            },
        ),
        (allergy("Latex", ""), Compared::New),
        (
            med("lisinopril", "10 mg", "daily"),
            Compared::Changed {
                was: "Lisinopril (5 mg, daily)".into(),
            },
        ),
        (med("Metformin", "500  mg", "Twice a day"), Compared::Same),
        (med("Aspirin", "81 mg", ""), Compared::New),
        (Item::History("diabetes".into()), Compared::Same),
        (Item::History("Asthma".into()), Compared::New),
        // A medication named like a history item is still new: kinds do not mix.
        (med("Diabetes", "", ""), Compared::New),
    ];
    for (item, want) in cases {
        let p = Proposal {
            key: "k.0".into(),
            question: String::new(),
            item: item.clone(),
        };
        assert_eq!(compare(vec![p], &chart)[0].compared, want, "{item:?}");
    }
}

fn lines() -> Vec<Line> {
    let chart = [allergy("Latex", "")];
    let proposed = vec![
        Proposal {
            key: "allergies.0".into(),
            question: String::new(),
            item: allergy("Latex", ""),
        },
        Proposal {
            key: "allergies.1".into(),
            question: String::new(),
            item: allergy("Penicillin", "hives"),
        },
        Proposal {
            key: "medications.0".into(),
            question: String::new(),
            item: med("Aspirin", "81 mg", ""),
        },
    ];
    compare(proposed, &chart)
}

#[test]
fn a_review_files_exactly_the_accepted_items_and_needs_every_open_one_decided() {
    let l = lines();
    let d = |pairs: &[(&str, Decision)]| -> BTreeMap<String, Decision> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
    };
    let keys = |r: Result<Vec<&Line>, ReviewProblem>| -> Result<Vec<String>, ReviewProblem> {
        r.map(|v| v.into_iter().map(|l| l.proposal.key.clone()).collect())
    };
    type Case = (Status, BTreeMap<String, Decision>, Result<Vec<String>, ReviewProblem>);
    let cases: Vec<Case> = vec![
        (
            Status::Submitted,
            d(&[("allergies.1", Decision::Accept), ("medications.0", Decision::Reject)]),
            Ok(vec!["allergies.1".into()]),
        ),
        (
            Status::Submitted,
            d(&[("allergies.1", Decision::Accept), ("medications.0", Decision::Accept)]),
            Ok(vec!["allergies.1".into(), "medications.0".into()]),
        ),
        (
            Status::Submitted,
            d(&[("allergies.1", Decision::Reject), ("medications.0", Decision::Reject)]),
            Ok(vec![]),
        ),
        // The same item is never filed twice, even if accepted.
        (
            Status::Submitted,
            d(&[
                ("allergies.0", Decision::Accept),
                ("allergies.1", Decision::Reject),
                ("medications.0", Decision::Reject),
            ]),
            Ok(vec![]),
        ),
        (
            Status::Submitted,
            d(&[("allergies.1", Decision::Accept)]),
            Err(ReviewProblem::Undecided(vec!["medications.0".into()])),
        ),
        (
            Status::Submitted,
            d(&[
                ("allergies.1", Decision::Accept),
                ("medications.0", Decision::Reject),
                ("allergies.9", Decision::Accept),
            ]),
            Err(ReviewProblem::Unknown("allergies.9".into())),
        ),
        (Status::Draft, d(&[]), Err(ReviewProblem::NotSubmitted)),
        (Status::Reviewed, d(&[]), Err(ReviewProblem::NotSubmitted)),
    ];
    for (status, decisions, want) in cases {
        assert_eq!(keys(decide(status, &l, &decisions)), want, "{status:?} {decisions:?}");
    }
}

#[test]
fn a_photo_consent_gap_names_the_form_and_only_a_signed_yes_to_clinical_use_closes_it() {
    let signed = |yes| PhotoConsent {
        status: Status::Submitted,
        clinical_use: Some(yes),
    };
    let reviewed_yes = PhotoConsent {
        status: Status::Reviewed,
        clinical_use: Some(true),
    };
    let draft_yes = PhotoConsent {
        status: Status::Draft,
        clinical_use: Some(true),
    };
    let form = Some("Photography consent");
    let not_signed = Some(PhotoGap::NotSigned {
        form: "Photography consent".into(),
    });
    let declined = Some(PhotoGap::Declined {
        form: "Photography consent".into(),
    });
    let cases: Vec<(Option<&str>, Vec<PhotoConsent>, Option<PhotoGap>)> = vec![
        // The clinic uses no photography consent: HIPAA asks none for treatment (164.506(c)(1)).
        (None, vec![], None),
        (form, vec![], not_signed.clone()),
        (form, vec![draft_yes], not_signed),
        (form, vec![signed(true)], None),
        (form, vec![reviewed_yes], None),
        (form, vec![signed(false)], declined.clone()),
        // The newest signed form decides: a later no withdraws an earlier yes.
        (form, vec![signed(false), signed(true)], declined),
        (form, vec![draft_yes, signed(true)], None),
    ];
    for (f, forms, want) in cases {
        assert_eq!(photo_consent_gap(f, &forms), want, "{forms:?}");
    }
    let words = PhotoGap::NotSigned {
        form: "Photography consent".into(),
    }
    .words();
    assert!(words.contains("Photography consent (clinical use)"), "{words}");
}

#[test]
fn a_history_answer_is_one_condition_a_line_and_an_indented_line_goes_on() {
    let table: [(&str, &[&str]); 6] = [
        ("Appendectomy 2003", &["Appendectomy 2003"]),
        (
            "Appendectomy 2003\r\nC-section 2012",
            &["Appendectomy 2003", "C-section 2012"],
        ),
        (
            "Appendectomy 04/23/1980\r\nKnee arthroscopy, 2015\r\n  (left knee)",
            &["Appendectomy 04/23/1980", "Knee arthroscopy, 2015 (left knee)"],
        ),
        ("Asthma\r\n(mild)\r\n\r\nGout", &["Asthma (mild)", "Gout"]),
        ("Asthma\r\n\r\n  Migraines", &["Asthma", "Migraines"]),
        ("  (only a note)", &["(only a note)"]),
    ];
    for (typed, want) in table {
        assert_eq!(conditions(typed), want, "{typed:?}");
    }
}
