use super::*;
use crate::forms::builtin;

fn consent() -> Template {
    builtin::template("consent_to_treat").expect("a built-in")
}

fn first_problem(t: &Template) -> Option<(Option<usize>, Option<usize>, String)> {
    problems(t)
        .into_iter()
        .next()
        .map(|p| (p.section, p.question, p.message))
}

#[test]
fn the_buttons_change_the_structure() {
    let mut t = consent();
    let n = t.sections[0].fields.len();
    apply(&mut t, Op::parse("add:0"));
    assert_eq!(t.sections[0].fields.len(), n + 1);
    let added = t.sections[0].fields[n].id.clone();
    assert!(added.starts_with("question_"), "{added}");
    // Up: swaps within the part; the first of a part goes to the end of the part before.
    apply(&mut t, Op::parse(&format!("up:0:{n}")));
    assert_eq!(t.sections[0].fields[n - 1].id, added);
    apply(&mut t, Op::parse(&format!("down:0:{}", n - 1)));
    assert_eq!(t.sections[0].fields[n].id, added);
    let last_part = t.sections.len() - 1;
    apply(&mut t, Op::parse(&format!("down:0:{n}")));
    assert_eq!(t.sections[1].fields[0].id, added, "the last of a part goes to the next");
    apply(&mut t, Op::parse("up:1:0"));
    assert_eq!(t.sections[0].fields[n].id, added);
    apply(&mut t, Op::parse(&format!("remove:0:{n}")));
    assert!(t.field(&added).is_none());
    apply(&mut t, Op::parse("add_section"));
    assert_eq!(t.sections.len(), last_part + 2);
    apply(&mut t, Op::parse(&format!("remove_section:{}", last_part + 1)));
    assert_eq!(t.sections.len(), last_part + 1);
    // Unknown or out-of-range buttons do nothing.
    let before = t.clone();
    for op in [
        "",
        "nonsense",
        "remove:9:9",
        "up:0:99",
        "down:99:0",
        "remove_section:42",
    ] {
        apply(&mut t, Op::parse(op));
        assert_eq!(t, before, "{op}");
    }
}

#[test]
fn each_type_of_the_field_set_can_be_chosen() {
    for (code, _) in KINDS {
        let k = kind_from(code, "A\nB", "lb", "Which?", &FieldKind::Text);
        assert_eq!(kind_code(&k), code);
    }
    assert_eq!(
        kind_from("choice", "\r\n Red \n\nBlue", "", "", &FieldKind::Text),
        FieldKind::Choice {
            options: vec!["Red".into(), "Blue".into()]
        }
    );
    assert_eq!(kind_from("bogus", "", "", "", &FieldKind::Date), FieldKind::Date);
}

/// One row per mistake: (what is done to a valid form, where the problem is named, its words).
#[test]
fn each_mistake_is_named_at_its_question() {
    type Edit = fn(&mut Template);
    type At = (Option<usize>, Option<usize>);
    let cases: [(Edit, At, &str); 8] = [
        (|t| t.title.clear(), (None, None), "title"),
        (|t| t.sections[0].fields[0].label.clear(), (Some(0), Some(0)), "words"),
        (
            |t| t.sections[0].fields[0].kind = FieldKind::Choice { options: vec![] },
            (Some(0), Some(0)),
            "choices",
        ),
        (
            |t| {
                let other = t.sections[0].fields[0].id.clone();
                t.sections[1].fields[0].id = other;
            },
            (Some(1), Some(0)),
            "already has the key",
        ),
        (
            |t| t.sections[0].fields[0].id = "Bad Key".into(),
            (Some(0), Some(0)),
            "key",
        ),
        (
            |t| {
                t.sections[0].fields[0].kind = FieldKind::YesNo {
                    follow_up: Some(" ".into()),
                }
            },
            (Some(0), Some(0)),
            "when the answer is yes",
        ),
        (
            |t| {
                // A condition on a later question.
                let later = t.sections[1].fields[0].id.clone();
                t.sections[0].fields[0].show_if = condition(&later, None);
            },
            (Some(0), Some(0)),
            "no longer before it",
        ),
        (
            |t| {
                // A condition on a question that is not yes/no or a choice.
                t.sections[0].fields[0].kind = FieldKind::Text;
                let parent = t.sections[0].fields[0].id.clone();
                t.sections[1].fields[0].show_if = condition(&parent, None);
            },
            (Some(1), Some(0)),
            "cannot be answered",
        ),
    ];
    assert_eq!(first_problem(&consent()), None, "the built-in is fine as it is");
    for (edit, at, words) in cases {
        let mut t = consent();
        assert!(t.sections.len() >= 2 && !t.sections[1].fields.is_empty());
        edit(&mut t);
        let (s, q, m) = first_problem(&t).expect("a problem");
        assert_eq!((s, q), at, "{m}");
        assert!(m.contains(words), "{m}");
    }
}

#[test]
fn a_condition_is_shown_when_an_earlier_yes_no_is_yes_and_removing_its_question_is_named() {
    let mut t = consent();
    t.sections[0].fields.insert(
        0,
        Field {
            id: "pregnant".into(),
            label: "Are you pregnant?".into(),
            help: String::new(),
            kind: FieldKind::YesNo { follow_up: None },
            required: true,
            show_if: None,
            end_date: false,
        },
    );
    t.sections[1].fields[0].show_if = condition("pregnant", None);
    assert_eq!(
        t.sections[1].fields[0].show_if,
        Some(Condition {
            field: "pregnant".into(),
            equals: "yes".into()
        })
    );
    assert_eq!(first_problem(&t), None);
    apply(&mut t, Op::Remove(0, 0));
    let (s, q, m) = first_problem(&t).expect("the orphaned condition");
    assert_eq!((s, q), (Some(1), Some(0)));
    assert!(m.contains("no longer before it"), "{m}");
    assert_eq!(condition("", None), None);
}

/// 164.508(c)(1) core elements and (c)(2) statements survive every edit of an authorization,
/// or the save is refused naming the missing one; 164.508(b)(2): without them it is not valid.
#[test]
fn an_authorization_keeps_its_required_elements() {
    let auth = builtin::template("hipaa_authorization").expect("the authorization");
    assert_eq!(required_elements(&auth), Ok(()));
    type Edit = fn(&mut Template);
    let cases: [(Edit, &str); 6] = [
        (
            |t| t.sections[0].fields.retain(|f| f.id != auth_fields::PURPOSE),
            "164.508(c)(1)(iv)",
        ),
        (
            |t| {
                for f in t.sections.iter_mut().flat_map(|s| s.fields.iter_mut()) {
                    if f.id == auth_fields::RECIPIENTS {
                        f.required = false;
                    }
                }
            },
            "164.508(c)(1)(iii)",
        ),
        (
            |t| {
                for f in t.sections.iter_mut().flat_map(|s| s.fields.iter_mut()) {
                    if f.id == auth_fields::ENDS {
                        f.kind = FieldKind::Choice {
                            options: vec!["On a date".into()],
                        };
                    }
                }
            },
            "164.508(c)(1)(v)",
        ),
        (
            |t| {
                for s in &mut t.sections {
                    s.text.retain(|p| p != AUTHORIZATION_STATEMENTS[2].1);
                }
            },
            "164.508(c)(2)(iii)",
        ),
        (
            |t| {
                for s in &mut t.sections {
                    for p in &mut s.text {
                        if p == AUTHORIZATION_STATEMENTS[0].1 {
                            p.push_str(" Unless we say otherwise.");
                        }
                    }
                }
            },
            "164.508(c)(2)(i)",
        ),
        (
            |t| {
                for s in &mut t.sections {
                    s.fields.retain(|f| f.kind != FieldKind::Signature);
                }
            },
            "164.508(c)(1)(vi)",
        ),
    ];
    for (edit, cite) in cases {
        let mut t = auth.clone();
        edit(&mut t);
        let refused = required_elements(&t).expect_err(cite);
        assert!(refused.contains(cite), "{cite}: {refused}");
        assert!(problems(&t).iter().any(|p| p.message.contains(cite)), "{cite}");
    }
    // Other forms carry no such elements: any edit that can be filled is fine.
    let mut other = builtin::template("financial_policy").expect("a built-in");
    other
        .sections
        .retain(|s| !s.fields.iter().any(|f| f.kind == FieldKind::Signature));
    assert_eq!(required_elements(&other), Ok(()));
}
