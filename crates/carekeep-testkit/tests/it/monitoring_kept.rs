//! The access-monitoring scan keeps where it stopped (migration 0056, issue 31) and reads only
//! the events after it. What it keeps must find what one scan of the whole window finds
//! (164.308(a)(1)(ii)(D)): after scans in parts, a FHIR import, and in a restored clinic.

use carekeep_app::backup;
use carekeep_app::fhir::import;
use carekeep_crypto::backup::BackupKey;
use carekeep_domain::audit::{Action, AuditActor, AuditEvent, Origin, Outcome};
use carekeep_domain::UserId;
use carekeep_server::Config;
use carekeep_store::monitoring::kept;
use carekeep_testkit::{TestApp, TestDatabase};
use serde_json::json;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

async fn read(app: &carekeep_app::App, user: (i64, &str), at: OffsetDateTime, patient: i64) {
    let mut e = AuditEvent::new(
        at,
        AuditActor {
            user_id: Some(UserId(user.0)),
            name: user.1.into(),
            roles: vec![],
        },
        Action::PhiRead,
        Outcome::Success,
        Origin::default(),
    );
    e.patients = vec![patient];
    app.append_event(e).await.unwrap();
}

/// Scans (what it keeps) and compares with one scan of the window: the same findings, each
/// naming the events up to when it was first found; a bulk lookup the whole hour's.
async fn scan_agrees(app: &carekeep_app::App, after: &str) -> usize {
    let added = app.run_monitoring().await.unwrap();
    let rescan = app.monitoring_rescan().await.unwrap();
    let kept = kept::finding_keys(&mut app.store_for_tests().read().await.unwrap())
        .await
        .unwrap();
    let keys: std::collections::BTreeSet<&String> = rescan.iter().map(|f| &f.key).collect();
    assert_eq!(
        kept.keys().collect::<std::collections::BTreeSet<_>>(),
        keys,
        "after {after}"
    );
    for f in &rescan {
        let seqs: Vec<i64> = kept[&f.key].split(',').map(|s| s.parse().unwrap()).collect();
        assert!(f.seqs.starts_with(&seqs), "after {after}: {f:?} kept {seqs:?}");
    }
    added
}

#[tokio::test]
async fn the_kept_scan_finds_what_a_scan_of_the_whole_window_finds() {
    let app = TestApp::builder()
        .with_config(|c| c.monitoring_max_charts_per_hour = 5)
        .spawn()
        .await;
    let owner = app.api_login("owner").await;
    let provider = (app.user_id(&owner, "provider").await, "provider");
    let nurse = (app.user_id(&owner, "nurse").await, "nurse");
    let a = &app.state.app;
    let morning = carekeep_testkit::START; // Monday 09:00, clinic open 07-19 UTC by default
    assert_eq!(scan_agrees(a, "nothing read").await, 0);

    // An hour's lookups spread over three scans: the fourth to sixth charts make it a bulk
    // lookup only with the hour's first three, which an earlier scan read.
    for p in 0..3 {
        read(a, provider, morning + Duration::minutes(p), 900 + p).await;
    }
    assert_eq!(scan_agrees(a, "three charts").await, 0);
    read(a, nurse, morning + Duration::hours(13), 950).await; // 22:00
    for p in 3..5 {
        read(a, provider, morning + Duration::minutes(p), 900 + p).await;
    }
    assert_eq!(scan_agrees(a, "five charts and a late one").await, 1);
    read(a, provider, morning + Duration::minutes(6), 906).await;
    assert_eq!(scan_agrees(a, "the sixth chart").await, 1);
    let bulk = a
        .monitoring_rescan()
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.key.starts_with("bulk_lookup"))
        .unwrap();
    let kept_bulk = &kept::finding_keys(&mut a.store_for_tests().read().await.unwrap())
        .await
        .unwrap()[&bulk.key];
    assert_eq!(kept_bulk.split(',').count(), 6, "the whole hour, from three scans");
    assert_eq!(bulk.seqs.len(), 6);
    assert_eq!(scan_agrees(a, "nothing new").await, 0);

    // An event older than the window (22:00 three days ago, after hours) is not judged, and
    // the mark moves past it.
    read(a, nurse, morning - Duration::days(3) + Duration::hours(13), 952).await;
    assert_eq!(scan_agrees(a, "an event older than the window").await, 0);
    let mut conn = a.store_for_tests().read().await.unwrap();
    let head = carekeep_store::audit::head(&mut conn).await.unwrap().0;
    assert_eq!(kept::last_scanned(&mut conn).await.unwrap(), head);
    drop(conn);

    // An import writes its own events; the scan reads them after the mark like any other.
    let bundle = json!({ "resourceType": "Bundle", "type": "collection", "entry": [
        { "fullUrl": "urn:uuid:00000001-0000-4000-8000-000000000000", "resource": {
            "resourceType": "Patient", "name": [{ "family": "Quillbrand", "given": ["Dara"] }],
            "birthDate": "1975-02-03", "gender": "female" } }
    ]});
    let plan = import::plan(&serde_json::to_vec(&bundle).unwrap(), a.now(), a.clinic_today()).unwrap();
    a.fhir_import(&carekeep_app::Actor::Cli, plan, provider.0, &[])
        .await
        .unwrap();
    read(a, provider, morning + Duration::minutes(7), 907).await;
    scan_agrees(a, "an import").await;

    // A restore copies the mark and the hours with the trail and the findings they stand for:
    // the restored clinic's next scan reads on from there.
    let dir = tempfile::tempdir().unwrap();
    let key = BackupKey::generate();
    let file = dir.path().join("clinic.ckb");
    backup::create(&app.state.config.files(), &key, &file, a.now())
        .await
        .unwrap();
    let mut database = TestDatabase::create(&dir.path().join("restored")).await;
    let target = Config {
        data_dir: dir.path().join("restored"),
        database_url: database.url.clone(),
        monitoring_max_charts_per_hour: 5,
        ..Config::default()
    };
    backup::restore(&file, &key, &target.files(), false, a.now())
        .await
        .unwrap();
    let restored = carekeep_server::open(
        target.clone(),
        Arc::new(app.clock.clone()),
        carekeep_crypto::password::PasswordHasher::insecure_fast_for_tests(),
    )
    .await
    .unwrap();
    let r = &restored.app;
    let mark = |s: &carekeep_store::Store| {
        let s = s.clone();
        async move { kept::last_scanned(&mut s.read().await.unwrap()).await.unwrap() }
    };
    assert_eq!(
        mark(r.store_for_tests()).await,
        mark(a.store_for_tests()).await,
        "the mark is copied"
    );
    scan_agrees(r, "a restore").await;
    read(r, provider, morning + Duration::minutes(8), 908).await;
    read(r, nurse, morning + Duration::hours(14), 951).await;
    scan_agrees(r, "reads in the restored clinic").await;
    r.store_for_tests().close().await;
    database.drop_database().await;
    app.stop().await;
}
