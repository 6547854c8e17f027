//! Intake and consent forms (issue 28): a used template version never changes (an edit is a
//! new version), a submission is refused naming the field when a required answer or the
//! signature is missing, the signed form's evidence is sealed and checked against the answers,
//! booking a service that names forms makes the visit's packet, and the one policy decides who
//! sees answers (clinical) and who sees only which forms are done (scheduling), on the trail.

use crate::records::{CLASSES, MATRIX, ROLES};
use carekeep_app::calendar::{BookInput, ServiceInput};
use carekeep_app::forms::{SignatureInput, Submitted};
use carekeep_app::portal::PortalPatient;
use carekeep_app::{Actor, AppError};
use carekeep_domain::audit::Origin;
use carekeep_domain::forms::{RawAnswers, Status};
use carekeep_domain::portal::PortalRelation;
use carekeep_testkit::TestApp;
use reqwest::Method;
use serde_json::Value;
use time::Duration;

pub(crate) fn raw(pairs: &[(&str, &str)]) -> RawAnswers {
    let mut r = RawAnswers::new();
    for (k, v) in pairs {
        r.entry((*k).to_owned()).or_default().push((*v).to_owned());
    }
    r
}

/// The patient signed in at the portal, as the portal's gate makes them.
pub(crate) fn portal_patient(patient: i64) -> PortalPatient {
    PortalPatient {
        session_id: 0,
        patient_id: patient,
        relation: PortalRelation::SelfPatient,
        csrf_token: String::new(),
        origin: Origin {
            source_ip: "203.0.113.9".into(),
            user_agent: "Mozilla/5.0 (iPhone) forms test".into(),
            request_id: String::new(),
        },
        kiosk: None,
    }
}

/// The owner adopts built-in `key`; its id.
pub(crate) async fn adopt(app: &TestApp, key: &str) -> i64 {
    let owner = app.api_login("owner").await;
    let who = app.principal(&owner).await;
    app.state.app.adopt_form(&who.actor(), key).await.unwrap()
}

async fn service(app: &TestApp, forms: &[(i64, &str)]) -> i64 {
    let owner = app.api_login("owner").await;
    let who = app.principal(&owner).await;
    let id = app
        .state
        .app
        .save_service(
            &who.actor(),
            0,
            ServiceInput {
                name: "Lip filler".into(),
                minutes: "30".into(),
                buffer_minutes: String::new(),
                room_id: 0,
                equipment: String::new(),
                forms: String::new(),
                providers: Vec::new(),
                retired: false,
            },
        )
        .await
        .unwrap();
    let forms: Vec<(i64, String)> = forms.iter().map(|(t, f)| (*t, (*f).to_owned())).collect();
    app.state.app.set_service_forms(&who.actor(), id, &forms).await.unwrap();
    id
}

async fn book(app: &TestApp, service: i64, patient: i64, days: i64) -> i64 {
    let owner = app.api_login("owner").await;
    let provider = app.user_id(&owner, "provider").await;
    let desk = app.api_login("frontdesk").await;
    let who = app.principal(&desk).await;
    let at = app.state.app.now() + Duration::days(days);
    app.state
        .app
        .calendar_book(
            &who.actor(),
            BookInput {
                patient,
                provider,
                service,
                room: None,
                start: Some(at),
                repeat: None,
                override_reason: "outside hours in this test".into(),
            },
        )
        .await
        .unwrap()[0]
}

async fn events(app: &TestApp) -> Vec<Value> {
    let co = app.api_login("compliance").await;
    app.api(Method::GET, "/api/v1/audit/events?limit=1000", &co)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_used_template_version_cannot_change_and_an_edit_makes_a_new_version() {
    let app = TestApp::spawn().await;
    let a = &app.state.app;
    let owner = app.principal(&app.api_login("owner").await).await;
    let id = adopt(&app, "consent_to_treat").await;
    assert!(matches!(
        a.adopt_form(&owner.actor(), "consent_to_treat").await,
        Err(AppError::Conflict(_))
    ));
    let list = a.form_templates(&owner.actor()).await.unwrap();
    let t = list.iter().find(|t| t.id == id).unwrap();
    let (v1, first_sha) = (
        t.version_id,
        a.form_version(&owner.actor(), t.version_id).await.unwrap().sha256,
    );

    // Unused: corrected in place.
    let mut body = a.form_version(&owner.actor(), v1).await.unwrap().template;
    body.sections[0].text.push("Corrected before use.".into());
    assert_eq!(
        a.save_form(&owner.actor(), id, body.clone()).await.unwrap(),
        (v1, false)
    );
    let corrected_sha = a.form_version(&owner.actor(), v1).await.unwrap().sha256;
    assert_ne!(corrected_sha, first_sha);

    // Sent to a patient: version 1 is used and never changes again.
    let desk_token = app.api_login("frontdesk").await;
    let desk = app.principal(&desk_token).await;
    let patient = app
        .register_patient(&desk_token, "Ada", "Vance", "1980-04-23", "555-201-3344")
        .await;
    a.send_forms(&desk.actor(), patient, None, &[id]).await.unwrap();
    assert!(a.form_version(&owner.actor(), v1).await.unwrap().used);
    let mut changed = body.clone();
    changed.sections[0].text.push("A change after use.".into());
    let refused = a.change_form_version(&owner.actor(), v1, changed.clone()).await;
    assert!(
        matches!(&refused, Err(AppError::Conflict(m)) if m.contains("new version")),
        "{refused:?}"
    );
    let (v2, new) = a.save_form(&owner.actor(), id, changed).await.unwrap();
    assert!(new && v2 != v1);
    let v1_now = a.form_version(&owner.actor(), v1).await.unwrap();
    assert_eq!(v1_now.sha256, corrected_sha, "the used version kept its content");
    assert_eq!(v1_now.template, body);
    assert_eq!(a.form_version(&owner.actor(), v2).await.unwrap().number, 2);
    // The patient's form stays on the version they were sent.
    let pp = portal_patient(patient);
    let forms = a.portal_forms(&Actor::Patient(&pp)).await.unwrap();
    let view = a
        .portal_form(&Actor::Patient(&pp), forms.forms[0].response_id)
        .await
        .unwrap();
    assert_eq!(view.version_id, v1);

    // Editing is the program's (manage_program): the front desk and a provider are refused.
    for user in ["frontdesk", "provider"] {
        let p = app.principal(&app.api_login(user).await).await;
        assert!(
            matches!(
                a.save_form(&p.actor(), id, body.clone()).await,
                Err(AppError::Forbidden(_))
            ),
            "{user}"
        );
    }
    // A patient reaches no template use case.
    assert!(a.form_templates(&Actor::Patient(&pp)).await.is_err());
}

#[tokio::test]
async fn a_missing_required_answer_or_signature_refuses_submission_naming_the_field() {
    let app = TestApp::spawn().await;
    let a = &app.state.app;
    let id = adopt(&app, "consent_to_treat").await;
    let desk_token = app.api_login("frontdesk").await;
    let desk = app.principal(&desk_token).await;
    let patient = app
        .register_patient(&desk_token, "Ada", "Vance", "1980-04-23", "555-201-3344")
        .await;
    a.send_forms(&desk.actor(), patient, None, &[id]).await.unwrap();
    let pp = portal_patient(patient);
    let me = Actor::Patient(&pp);
    let forms = a.portal_forms(&me).await.unwrap();
    assert!(forms.esign_needed, "E-SIGN consent is asked before the first form");
    let form = forms.forms[0].response_id;
    assert_eq!(forms.forms[0].status, Status::Pending);

    // Nothing typed: the section's problem names the initials.
    let problems = a.portal_save_form(&me, form, 0, &raw(&[])).await.unwrap();
    assert_eq!(
        problems.iter().map(|p| p.field.as_str()).collect::<Vec<_>>(),
        ["initials"]
    );
    let typed = SignatureInput {
        drawn: String::new(),
        typed: "Ada Vance".into(),
    };
    // No consent to sign electronically, no initials: both named.
    let Submitted::Refused(p) = a.portal_submit_form(&me, form, typed.clone()).await.unwrap() else {
        panic!("submitted without initials")
    };
    assert_eq!(
        p.iter().map(|p| p.field.as_str()).collect::<Vec<_>>(),
        ["initials", "esign"]
    );
    a.portal_esign_consent(&me).await.unwrap();
    assert!(!a.portal_forms(&me).await.unwrap().esign_needed, "asked once");
    // A bad value is kept as typed, then corrected.
    let problems = a
        .portal_save_form(&me, form, 0, &raw(&[("initials", "Ada Vance 3")]))
        .await
        .unwrap();
    assert_eq!(problems.len(), 1);
    let kept = a.portal_form(&me, form).await.unwrap();
    assert_eq!(
        kept.answers.get("initials"),
        Some(&carekeep_domain::forms::Answer::Text("Ada Vance 3".into()))
    );
    assert!(a
        .portal_save_form(&me, form, 0, &raw(&[("initials", "A.V.")]))
        .await
        .unwrap()
        .is_empty());
    // The signature missing: refused, naming the signature.
    let unsigned = SignatureInput::default();
    let Submitted::Refused(p) = a.portal_submit_form(&me, form, unsigned).await.unwrap() else {
        panic!("submitted unsigned")
    };
    assert_eq!(p.iter().map(|p| p.field.as_str()).collect::<Vec<_>>(), ["signature"]);
    // A pad that sends something that is not a drawing is refused the same way.
    let junk = SignatureInput {
        drawn: "M 1 1 Z <script>".into(),
        typed: String::new(),
    };
    assert!(matches!(
        a.portal_submit_form(&me, form, junk).await.unwrap(),
        Submitted::Refused(_)
    ));
    assert_eq!(a.portal_form(&me, form).await.unwrap().status, Status::Draft);
    // Another person's name typed, or initials not the signer's: refused at each (UETA 9(a)).
    assert!(a
        .portal_save_form(&me, form, 0, &raw(&[("initials", "XYZ")]))
        .await
        .unwrap()
        .is_empty());
    let someone_else = SignatureInput {
        drawn: String::new(),
        typed: "Jane Doe".into(),
    };
    let Submitted::Refused(p) = a.portal_submit_form(&me, form, someone_else).await.unwrap() else {
        panic!("signed in another name")
    };
    let mut named: Vec<&str> = p.iter().map(|p| p.field.as_str()).collect();
    named.sort_unstable();
    assert_eq!(named, ["initials", "signature"], "{p:?}");
    assert!(
        p[0].message.contains("Ada Vance") || p[1].message.contains("Ada Vance"),
        "{p:?}"
    );
    assert_eq!(a.portal_form(&me, form).await.unwrap().status, Status::Draft);
    assert!(a
        .portal_save_form(&me, form, 0, &raw(&[("initials", "A.V.")]))
        .await
        .unwrap()
        .is_empty());

    // Signed: submitted, and the evidence is there and holds.
    let drawn = SignatureInput {
        drawn: "M 10 100 L 60 40 L 120 120 L 200 60".into(),
        typed: String::new(),
    };
    assert_eq!(
        a.portal_submit_form(&me, form, drawn.clone()).await.unwrap(),
        Submitted::Done
    );
    assert!(matches!(
        a.portal_submit_form(&me, form, drawn).await,
        Err(AppError::Conflict(_))
    ));
    assert!(matches!(
        a.portal_save_form(&me, form, 0, &raw(&[("initials", "XX")])).await,
        Err(AppError::Conflict(_))
    ));
    let provider = app.principal(&app.api_login("provider").await).await;
    let v = a.form_response(&provider.actor(), form).await.unwrap();
    assert_eq!(v.status, Status::Submitted);
    let e = v.evidence.as_ref().expect("evidence");
    assert!(v.evidence_holds);
    assert_eq!(e.signer.words(), "Ada Vance, the patient");
    assert_eq!(
        (e.address.as_str(), e.user_agent.as_str()),
        ("203.0.113.9", "Mozilla/5.0 (iPhone) forms test")
    );
    assert_eq!(e.template_version_id, v.version_id);
    assert!(e.signed_at > 0 && e.signed_at <= a.now().unix_timestamp());
    assert_eq!(e.channel, "portal");
    assert!(matches!(e.mark, carekeep_domain::forms::Mark::Drawn(_)));
}

#[tokio::test]
async fn the_signatures_hash_detects_a_changed_answer() {
    let app = TestApp::spawn().await;
    let a = &app.state.app;
    let id = adopt(&app, "consent_to_treat").await;
    let desk_token = app.api_login("frontdesk").await;
    let desk = app.principal(&desk_token).await;
    let patient = app
        .register_patient(&desk_token, "Ada", "Vance", "1980-04-23", "555-201-3344")
        .await;
    a.send_forms(&desk.actor(), patient, None, &[id]).await.unwrap();
    let pp = portal_patient(patient);
    let me = Actor::Patient(&pp);
    let form = a.portal_forms(&me).await.unwrap().forms[0].response_id;
    a.portal_esign_consent(&me).await.unwrap();
    a.portal_save_form(&me, form, 0, &raw(&[("initials", "AV")]))
        .await
        .unwrap();
    let typed = SignatureInput {
        drawn: String::new(),
        typed: "Ada Vance".into(),
    };
    assert_eq!(a.portal_submit_form(&me, form, typed).await.unwrap(), Submitted::Done);
    let provider = app.principal(&app.api_login("provider").await).await;
    let v = a.form_response(&provider.actor(), form).await.unwrap();
    assert!(v.evidence_holds);
    let e = v.evidence.clone().unwrap();
    // The evidence against a changed answer: the hash no longer matches.
    let mut changed = v.answers.clone();
    changed.insert("initials".into(), carekeep_domain::forms::Answer::Text("ZZ".into()));
    assert!(!e.matches(v.version_id, &v.template, &changed));
    // A changed hash on the row shows as not holding.
    let mut conn = a.store_for_tests().read().await.unwrap();
    sqlx::query("UPDATE form_responses SET answers_sha256 = 'x' WHERE id = $1")
        .bind(form)
        .execute(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    assert!(!a.form_response(&provider.actor(), form).await.unwrap().evidence_holds);
}

#[tokio::test]
async fn booking_a_service_that_names_forms_makes_the_visits_packet() {
    let app = TestApp::spawn().await;
    let a = &app.state.app;
    let history = adopt(&app, "medical_history").await;
    let consent = adopt(&app, "injectables_consent").await;
    let svc = service(&app, &[(history, "yearly"), (consent, "every_visit")]).await;
    let desk_token = app.api_login("frontdesk").await;
    let desk = app.principal(&desk_token).await;
    let patient = app
        .register_patient(&desk_token, "Ada", "Vance", "1980-04-23", "555-201-3344")
        .await;
    let first = book(&app, svc, patient, 3).await;
    let second = book(&app, svc, patient, 10).await;
    let missing = a.forms_missing(&desk.actor(), &[first, second]).await.unwrap();
    assert_eq!(missing.get(&first).map(Vec::len), Some(2));
    // Both forms are still open from the first booking: reused for the second visit (counted
    // for it on the calendar), never asked twice (`forms::packet::plan`).
    assert_eq!(missing.get(&second).map(Vec::len), Some(2));
    let lines = a.patient_forms(&desk.actor(), patient).await.unwrap();
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().all(|l| l.status == Status::Pending));
    // A service's forms are the calendar's set-up: the owner, not billing.
    let billing = app.principal(&app.api_login("billing").await).await;
    assert!(matches!(
        a.set_service_forms(&billing.actor(), svc, &[]).await,
        Err(AppError::Forbidden(_))
    ));
    let frequency_refused = a
        .set_service_forms(&desk.actor(), svc, &[(history, "weekly".into())])
        .await;
    assert!(matches!(frequency_refused, Err(AppError::Invalid(_))));
}

#[tokio::test]
async fn answers_are_clinical_and_statuses_scheduling_across_the_role_matrix_on_the_trail() {
    let app = TestApp::spawn().await;
    let a = &app.state.app;
    let id = adopt(&app, "consent_to_treat").await;
    let desk_token = app.api_login("frontdesk").await;
    let desk = app.principal(&desk_token).await;
    let patient = app
        .register_patient(&desk_token, "Ada", "Vance", "1980-04-23", "555-201-3344")
        .await;
    a.send_forms(&desk.actor(), patient, None, &[id]).await.unwrap();
    let form = a.patient_forms(&desk.actor(), patient).await.unwrap()[0].response_id;
    let class = |name: &str| CLASSES.iter().position(|c| *c == name).unwrap();
    for (i, role) in ROLES.iter().enumerate() {
        let p = app.principal(&app.api_login(role).await).await;
        let statuses = a.patient_forms(&p.actor(), patient).await;
        assert_eq!(statuses.is_ok(), MATRIX[class("scheduling")][i].0, "{role} statuses");
        let answers = a.form_response(&p.actor(), form).await;
        assert_eq!(answers.is_ok(), MATRIX[class("clinical")][i].0, "{role} answers");
        // The form is still open, so a permitted send adds nothing ("already waiting"); the
        // policy's refusal is the other answer.
        let send = a.send_forms(&p.actor(), patient, None, &[id]).await;
        let permitted = match send {
            Err(AppError::Forbidden(_)) => false,
            Err(AppError::Invalid(ref m)) => m.contains("already"),
            ref other => panic!("{role}: {other:?}"),
        };
        assert_eq!(permitted, MATRIX[class("scheduling")][i].1, "{role} sends forms");
    }
    let ev = events(&app).await;
    let reads: Vec<&Value> = ev
        .iter()
        .filter(|e| e["resource_type"] == "FormResponse" && e["action"] == "phi.read")
        .collect();
    assert!(reads.iter().all(|e| e["data_classes"] == "clinical"), "{reads:?}");
    assert_eq!(reads.len(), 2, "provider and nurse read the answers, each on the trail");
    let denied = ev
        .iter()
        .filter(|e| e["action"] == "phi.read" && e["outcome"] == "denied" || e["action"] == "access.denied")
        .count();
    assert!(denied >= 1, "refusals are on the trail");
}

#[tokio::test]
async fn the_demo_clinic_has_forms_and_services_that_ask_for_them() {
    let app = TestApp::spawn().await;
    let a = &app.state.app;
    carekeep_app::demo::seed_forms(a).await.unwrap();
    let desk_token = app.api_login("frontdesk").await;
    let desk = app.principal(&desk_token).await;
    let by_service = a.service_forms(&desk.actor()).await.unwrap();
    assert_eq!(by_service.len(), 3, "{by_service:?}");
    assert!(by_service.values().all(|forms| forms.len() == 3), "{by_service:?}");
    // A visit booked for the annual physical asks its packet, shown as missing.
    let physical = *by_service
        .iter()
        .find(|(_, forms)| forms.iter().any(|f| f.title == "Medical history"))
        .unwrap()
        .0;
    let patient = app
        .register_patient(&desk_token, "Ada", "Vance", "1980-04-23", "555-201-3344")
        .await;
    let visit = book(&app, physical, patient, 3).await;
    let missing = a.forms_missing(&desk.actor(), &[visit]).await.unwrap();
    assert_eq!(missing.get(&visit).map(Vec::len), Some(3), "{missing:?}");
}
