//! The dashboard's count of patients without a notice acknowledgment (164.520(c)(2)(ii)) is
//! kept by the writes (migration 0046) rather than counted over every patient on each view
//! (issue 31). After each kind of write that changes it (a registration, a first and a second
//! acknowledgment by staff and in the portal, a FHIR import, a restore) it agrees with a recount.

use carekeep_app::backup;
use carekeep_app::fhir::import;
use carekeep_crypto::backup::BackupKey;
use carekeep_server::Config;
use carekeep_store::program::npp as store;
use carekeep_testkit::{TestApp, TestDatabase};
use reqwest::Method;
use serde_json::json;

async fn kept_and_recounted(store_: &carekeep_store::Store) -> (i64, i64) {
    let mut conn = store_.read().await.unwrap();
    (
        store::patients_without_ack(&mut conn).await.unwrap(),
        store::recount_patients_without_ack(&mut conn).await.unwrap(),
    )
}

async fn agrees(app: &TestApp, expected: i64, after: &str) {
    let (kept, recount) = kept_and_recounted(app.state.app.store_for_tests()).await;
    assert_eq!(kept, recount, "after {after}");
    assert_eq!(kept, expected, "after {after}");
}

async fn staff_ack(app: &TestApp, token: &str, patient: i64) {
    let res = app
        .api(
            Method::POST,
            &format!("/api/v1/patients/{patient}/npp-acknowledgement"),
            token,
        )
        .json(&json!({ "signed": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204, "{}", res.text().await.unwrap());
}

async fn portal_ack(app: &TestApp, patient: i64, version: i64) {
    let a = &app.state.app;
    let mut tx = a.store_for_tests().begin().await.unwrap();
    carekeep_store::portal::insert_ack(
        tx.conn(),
        &carekeep_store::portal::NewAck {
            patient_id: patient,
            version_id: version,
            version_sha256: "0000",
            source_ip: "192.0.2.1",
            user_agent: "test",
        },
        a.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn the_kept_count_of_patients_without_an_acknowledgment_agrees_with_a_recount() {
    let app = TestApp::spawn().await;
    let owner = app.api_login("owner").await;
    let desk = app.api_login("frontdesk").await;
    let owner_p = app.principal(&owner).await;
    let npp = carekeep_domain::program::npp::template("Test Clinic", "the privacy officer", "555-0100", "2026-03-02");
    let version = app.state.app.publish_npp(&owner_p.actor(), &npp, "").await.unwrap();
    let (start, _) = kept_and_recounted(app.state.app.store_for_tests()).await;
    agrees(&app, start, "the migrations").await;

    let mut ids = Vec::new();
    for (given, family) in [("Ana", "Okafor"), ("Beatrix", "Vandersloot"), ("Cyril", "Ashdown")] {
        ids.push(
            app.register_patient(&desk, given, family, "1980-04-23", "555-234-5678")
                .await,
        );
    }
    agrees(&app, start + 3, "three registrations").await;
    staff_ack(&app, &desk, ids[0]).await;
    agrees(&app, start + 2, "a first acknowledgment on paper").await;
    staff_ack(&app, &desk, ids[0]).await;
    agrees(&app, start + 2, "a second one for the same patient").await;
    portal_ack(&app, ids[0], version).await;
    agrees(&app, start + 2, "a portal acknowledgment by a patient already counted").await;
    portal_ack(&app, ids[1], version).await;
    agrees(&app, start + 1, "a first acknowledgment in the portal").await;
    portal_ack(&app, ids[1], version).await;
    staff_ack(&app, &desk, ids[1]).await;
    agrees(&app, start + 1, "a second portal and a paper one for the same patient").await;

    let provider = app.user_id(&owner, "provider").await;
    let bundle = json!({ "resourceType": "Bundle", "type": "collection", "entry": [
        { "fullUrl": "urn:uuid:00000001-0000-4000-8000-000000000000", "resource": {
            "resourceType": "Patient", "name": [{ "family": "Quillbrand", "given": ["Dara"] }],
            "birthDate": "1975-02-03", "gender": "female" } },
        { "fullUrl": "urn:uuid:00000002-0000-4000-8000-000000000000", "resource": {
            "resourceType": "Patient", "name": [{ "family": "Pellwick", "given": ["Eli"] }],
            "birthDate": "1990-07-08", "gender": "male" } }
    ]});
    let plan = import::plan(
        &serde_json::to_vec(&bundle).unwrap(),
        app.state.app.now(),
        app.state.app.clinic_today(),
    )
    .unwrap();
    app.state
        .app
        .fhir_import(&carekeep_app::Actor::Cli, plan, provider, &[])
        .await
        .unwrap();
    agrees(&app, start + 3, "an import of two patients").await;

    // A restore copies the count as it was, with the rows it counts.
    let dir = tempfile::tempdir().unwrap();
    let key = BackupKey::generate();
    let file = dir.path().join("clinic.ckb");
    backup::create(&app.state.config.files(), &key, &file, app.state.app.now())
        .await
        .unwrap();
    let mut database = TestDatabase::create(&dir.path().join("restored")).await;
    let target = Config {
        data_dir: dir.path().join("restored"),
        database_url: database.url.clone(),
        ..Config::default()
    };
    backup::restore(&file, &key, &target.files(), false, app.state.app.now())
        .await
        .unwrap();
    let restored = carekeep_store::Store::open(&target.database_url(), app.state.app.now())
        .await
        .unwrap();
    assert_eq!(
        kept_and_recounted(&restored).await,
        (start + 3, start + 3),
        "after a restore"
    );
    restored.close().await;
    database.drop_database().await;
    app.stop().await;
}
