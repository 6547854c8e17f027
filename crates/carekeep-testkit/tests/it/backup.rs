//! Backups: taken while 16 writers write, restored with every acknowledged write and the
//! audit chain intact; a changed byte, a wrong key and a non-empty target refused; the
//! off-site copy behind the BAA gate; the dashboard's evidence.

use carekeep_crypto::backup::BackupKey;
use carekeep_server::backup;
use carekeep_store::Backend;
use carekeep_testkit::TestApp;
use reqwest::Method;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

#[tokio::test]
async fn a_backup_under_sixteen_writers_restores_every_acknowledged_write() {
    let app = TestApp::spawn().await;
    let key = BackupKey::generate();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("clinic.ckb");
    if app.backend() == Backend::Postgres {
        // PostgreSQL deployments use pg_dump; the command says so rather than half-working.
        let err = backup::create(&app.state.config, &key, &file, app.state.app.now())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("pg_dump"), "{err}");
        app.stop().await;
        return;
    }
    let acked: Arc<Mutex<Vec<i64>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..16 {
        let token = app.api_login("frontdesk").await;
        let client = app.client();
        let url = app.url("/api/v1/patients");
        let (acked, stop) = (acked.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let res = client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({"given_name": format!("W{w}"), "family_name": format!("Writer{n}"), "date_of_birth": "1990-01-01", "sex": "female", "contact": {"phone": "5550001234"}}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 201);
                let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
                acked.lock().unwrap().push(id);
                n += 1;
            }
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let before: Vec<i64> = acked.lock().unwrap().clone();
    let manifest = backup::create(&app.state.config, &key, &file, app.state.app.now())
        .await
        .unwrap();
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.unwrap();
    }
    assert!(
        before.len() >= 16,
        "the writers were writing ({} acknowledged)",
        before.len()
    );

    // Restore into an empty folder: proven against the manifest and the audit chain.
    let target = dir.path().join("restored");
    let restored = backup::restore(&file, &key, &target, false, app.state.app.now())
        .await
        .unwrap();
    assert_eq!(restored, manifest);
    let store = carekeep_store::Store::open(
        &format!("sqlite://{}?mode=rw", target.join("carekeep.db").display()),
        app.state.app.now(),
    )
    .await
    .unwrap();
    let ids: Vec<i64> = {
        let mut conn = store.read().await.unwrap();
        sqlx::query_scalar("SELECT id FROM patients")
            .fetch_all(&mut *conn)
            .await
            .unwrap()
    };
    store.close().await;
    for id in &before {
        assert!(
            ids.contains(id),
            "patient {id}, acknowledged before the backup, is in it"
        );
    }

    // Refusals, each with a message that says what is wrong.
    let err = backup::restore(&file, &key, &target, false, app.state.app.now())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not empty"), "{err}");
    let err = backup::restore(
        &file,
        &BackupKey::generate(),
        &dir.path().join("other"),
        false,
        app.state.app.now(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("backup key is wrong"), "{err}");
    let bytes = std::fs::read(&file).unwrap();
    for at in [10, 40, bytes.len() / 2, bytes.len() - 1] {
        let mut bent = bytes.clone();
        bent[at] ^= 0x20;
        let bad = dir.path().join(format!("bent-{at}.ckb"));
        std::fs::write(&bad, &bent).unwrap();
        let err = backup::restore(
            &bad,
            &key,
            &dir.path().join(format!("r{at}")),
            false,
            app.state.app.now(),
        )
        .await
        .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("damaged") || msg.contains("does not open"),
            "byte {at}: {msg}"
        );
    }
    let short = dir.path().join("short.ckb");
    std::fs::write(&short, &bytes[..bytes.len() / 3]).unwrap();
    assert!(
        backup::restore(&short, &key, &dir.path().join("rs"), false, app.state.app.now())
            .await
            .is_err()
    );

    // The restore drill is evidence on the dashboard.
    backup::verify(&app.state.config, &file, &key, app.state.app.now())
        .await
        .unwrap();
    let owner = app.api_login("owner").await;
    let items: Value = app
        .api(Method::GET, "/api/v1/program/dashboard", &owner)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let item = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "backups")
        .unwrap();
    assert_eq!(item["standing"], "done", "{item}");
    assert!(item["evidence"].as_str().unwrap().contains("restore drill"), "{item}");
    app.stop().await;
}

#[tokio::test]
async fn the_off_site_copy_waits_for_a_baa() {
    let offsite = tempfile::tempdir().unwrap();
    let path = offsite.path().to_path_buf();
    let app = TestApp::builder()
        .with_config(move |c| {
            c.backup_offsite_dir = path;
            c.backup_offsite_vendor = "Cloudbox".into();
        })
        .spawn()
        .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("carekeep-20260302-090000.ckb");
    std::fs::write(&file, b"stand-in for an encrypted backup").unwrap();
    let err = backup::ship_offsite(&app.state, &file).await.unwrap_err();
    assert!(err.to_string().contains("not tied to a vendor record"), "{err}");
    let owner = app.api_login("owner").await;
    let res = app
        .api(Method::POST, "/api/v1/vendors", &owner)
        .json(&json!({"name": "Cloudbox", "service": "Off-site backup", "maintains_phi": true}))
        .send()
        .await
        .unwrap();
    let vendor = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let err = backup::ship_offsite(&app.state, &file).await.unwrap_err();
    assert!(
        err.to_string().contains("no signed business associate agreement"),
        "{err}"
    );
    assert_eq!(std::fs::read_dir(offsite.path()).unwrap().count(), 0, "nothing shipped");
    app.api(Method::PUT, &format!("/api/v1/vendors/{vendor}"), &owner)
        .json(
            &json!({"name": "Cloudbox", "service": "Off-site backup", "maintains_phi": true,
            "baa_status": "signed", "baa_signed_on": "2026-01-05", "baa_renewal_on": "2027-01-05"}),
        )
        .send()
        .await
        .unwrap();
    let shipped = backup::ship_offsite(&app.state, &file).await.unwrap().unwrap();
    assert_eq!(std::fs::read(shipped).unwrap(), b"stand-in for an encrypted backup");
    app.stop().await;
}

#[tokio::test]
async fn the_nightly_schedule_backs_up_and_drills_once() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("backup.key");
    backup::create_key(&key).unwrap();
    let (folder, key_file) = (dir.path().join("nightly"), key.clone());
    let app = TestApp::builder()
        .with_config(move |c| {
            c.backup_dir = folder;
            c.backup_key_file = Some(key_file);
        })
        .spawn()
        .await;
    if app.backend() == Backend::Postgres {
        assert!(backup::scheduled(&app.state).await.is_err(), "PostgreSQL uses pg_dump");
        app.stop().await;
        return;
    }
    backup::scheduled(&app.state).await.unwrap();
    let files: Vec<_> = std::fs::read_dir(dir.path().join("nightly")).unwrap().collect();
    assert_eq!(files.len(), 1, "one backup");
    backup::scheduled(&app.state).await.unwrap();
    assert_eq!(
        std::fs::read_dir(dir.path().join("nightly")).unwrap().count(),
        1,
        "not again the same day"
    );
    let mut conn = app.state.app.store().read().await.unwrap();
    let runs: Vec<(String, i64)> = sqlx::query_as("SELECT kind, ok FROM backup_runs ORDER BY id")
        .fetch_all(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    assert_eq!(runs, vec![("backup".to_string(), 1), ("verify".to_string(), 1)]);

    // The contingency policy carries the real settings and the last drill.
    let owner = app.api_login("owner").await;
    let res = app
        .api(Method::PUT, "/api/v1/policies/contingency", &owner)
        .json(&json!({"title": "Contingency and backup", "body": "We back up nightly and practise restoring."}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let page = carekeep_testkit::PageClient::login(&app, "owner").await;
    let res = page
        .http
        .get(page.url("/program/policies/contingency/pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let text = crate::pdf_text(&res.bytes().await.unwrap());
    assert!(
        text.contains("nightly into") && text.contains("Last restore drill") && text.contains("worked"),
        "{text}"
    );
    assert!(text.contains("serve --read-only"), "{text}");
    app.stop().await;
}

/// Emergency mode (164.308(a)(7)(ii)(C)): lookups work and are audited; changes are refused
/// with a message that says why.
#[tokio::test]
async fn read_only_emergency_mode_serves_lookups_and_refuses_changes() {
    let app = TestApp::builder().with_config(|c| c.read_only = true).spawn().await;
    let desk = app.api_login("frontdesk").await;
    let res = app
        .api(Method::GET, "/api/v1/patients?q=quenby", &desk)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = app
        .api(Method::POST, "/api/v1/patients", &desk)
        .json(&json!({"given_name": "Ada", "family_name": "Quenby", "date_of_birth": "1999-01-01", "sex": "female", "contact": {"phone": "5550001234"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 503);
    let text = res.text().await.unwrap();
    assert!(text.contains("read-only emergency mode"), "{text}");
    let mut page = carekeep_testkit::PageClient::login(&app, "frontdesk").await;
    let (_, home) = page.get("/").await;
    assert!(home.contains("Read-only emergency mode"));
    let (status, _, body) = page.post("/incidents/new", &[("title", "x")]).await;
    assert_eq!(status, 503);
    assert!(body.contains("on paper"));
    // The lookup was audited like any other.
    let co = app.api_login("compliance").await;
    let events: Value = app
        .api(Method::GET, "/api/v1/audit/events?action=phi.search", &co)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!events.as_array().map(Vec::is_empty).unwrap_or(true), "{events}");
    app.stop().await;
}
