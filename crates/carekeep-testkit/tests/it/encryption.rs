//! Encryption at rest (164.312(a)(2)(iv)): no readable PHI in the database, its WAL or the
//! attachments folder on SQLite, nor in PostgreSQL's table data; ciphertext bound to its row
//! and column; master key rotation beside a running server loses nothing.

use carekeep_app::records::NewPatient;
use carekeep_domain::records::patient::{Contact, ContactMethod};
use carekeep_store::Backend;
use carekeep_testkit::TestApp;
use reqwest::Method;
use serde_json::Value;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Three letters from `i`, so each of 1,000 patients has a name of its own.
fn tag(i: usize) -> String {
    let l = |n: usize| char::from(b'a' + u8::try_from(n % 26).unwrap());
    format!("{}{}{}", l(i / 676), l(i / 26), l(i))
}

fn given(i: usize) -> String {
    format!("Vel{}ora", tag(i))
}
fn family(i: usize) -> String {
    format!("Brax{}ton", tag(i))
}

/// Every occurrence, ignoring case, of any of `names` (all starting with `prefix`) in `hay`.
fn found(hay: &[u8], prefix: &str, names: &HashSet<String>) -> Vec<String> {
    let hay = hay.to_ascii_lowercase();
    let p = prefix.as_bytes();
    let len = names.iter().next().map_or(0, String::len);
    let mut out = Vec::new();
    for i in 0..hay.len().saturating_sub(len) {
        if hay[i..].starts_with(p) {
            if let Ok(s) = std::str::from_utf8(&hay[i..i + len]) {
                if names.contains(s) {
                    out.push(s.to_owned());
                }
            }
        }
    }
    out
}

async fn raw_postgres_text(app: &TestApp) -> Vec<u8> {
    let mut conn = app.state.app.store_for_tests().read().await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'")
        .fetch_all(&mut *conn)
        .await
        .unwrap();
    assert!(tables.contains(&"patients".to_string()));
    let mut all = Vec::new();
    for t in tables {
        let rows: Vec<String> = sqlx::query_scalar(&format!("SELECT t::text FROM {t} t"))
            .fetch_all(&mut *conn)
            .await
            .unwrap();
        for r in rows {
            all.extend_from_slice(r.as_bytes());
            all.push(b'\n');
        }
    }
    all
}

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[tokio::test]
async fn a_thousand_patients_names_never_appear_in_the_stored_bytes() {
    let app = TestApp::spawn().await;
    let desk = app.principal(&app.api_login("frontdesk").await).await;
    for i in 0..1000 {
        app.state
            .app
            .register_patient(
                &desk.actor(),
                NewPatient {
                    given_name: given(i),
                    family_name: family(i),
                    date_of_birth: "1970-01-01".into(),
                    sex: "female".into(),
                    contact: Contact {
                        phone: format!("555{:07}", 1_000_000 + i),
                        email: format!("{}@example.com", given(i).to_lowercase()),
                        address: format!("{} Marrowgate Lane", i + 1),
                        emergency_contact: String::new(),
                        preferred: ContactMethod::Phone,
                        address_parts: None,
                    },
                },
            )
            .await
            .unwrap();
    }
    // Search still finds them (through the blind index), so the data is there.
    let desk_token = app.api_login("frontdesk").await;
    let res: Value = app
        .api(Method::GET, &format!("/api/v1/patients?q={}", family(517)), &desk_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(res["patients"][0]["identity"]["given_name"], given(517));

    let givens: HashSet<String> = (0..1000).map(|i| given(i).to_lowercase()).collect();
    let families: HashSet<String> = (0..1000).map(|i| family(i).to_lowercase()).collect();
    let streets: HashSet<String> = ["marrowgate".to_string()].into();
    let check = |what: &str, bytes: &[u8]| {
        assert!(found(bytes, "vel", &givens).is_empty(), "a first name in {what}");
        assert!(found(bytes, "brax", &families).is_empty(), "a last name in {what}");
        assert!(found(bytes, "marrowgate", &streets).is_empty(), "an address in {what}");
    };
    match app.backend() {
        Backend::Sqlite => {
            // Make sure the scanner can see plaintext: staff names are not PHI and are stored plainly.
            let db = app.state.config.data_dir.join("carekeep.db");
            let mut scanned = 0;
            let mut all = Vec::new();
            for f in files_under(&app.state.config.data_dir) {
                let bytes = std::fs::read(&f).unwrap();
                scanned += bytes.len();
                check(&f.display().to_string(), &bytes);
                all.extend(bytes);
            }
            assert!(std::path::Path::new(&format!("{}-wal", db.display())).exists() || db.exists());
            let staff: HashSet<String> = ["frank frontdesk".to_string()].into();
            assert!(
                !found(&all, "frank", &staff).is_empty(),
                "the scan reads the files it claims to"
            );
            assert!(scanned > 100_000, "scanned {scanned} bytes");
        }
        Backend::Postgres => {
            let text = raw_postgres_text(&app).await;
            let staff: HashSet<String> = ["frank frontdesk".to_string()].into();
            assert!(!found(&text, "frank", &staff).is_empty(), "the scan reads the tables");
            check("PostgreSQL table data", &text);
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn a_ciphertext_moved_to_another_row_or_column_does_not_decrypt() {
    let app = TestApp::spawn().await;
    let desk = app.api_login("frontdesk").await;
    let a = app
        .register_patient(&desk, "Oona", "Lark", "1990-02-03", "5550102030")
        .await;
    let b = app
        .register_patient(&desk, "Pia", "Wren", "1991-03-04", "5550203040")
        .await;
    let get = |id: i64| app.api(Method::GET, &format!("/api/v1/patients/{id}"), &desk).send();
    assert_eq!(get(a).await.unwrap().status(), 200);
    let mut tx = app.state.app.store_for_tests().begin().await.unwrap();
    // Another row: A's identity copied onto B.
    sqlx::query("UPDATE patients SET identity_ct = (SELECT identity_ct FROM patients WHERE id = $1) WHERE id = $2")
        .bind(a)
        .bind(b)
        .execute(tx.conn())
        .await
        .unwrap();
    // Another column: A's contact copied into A's identity.
    sqlx::query("UPDATE patients SET identity_ct = contact_ct WHERE id = $1")
        .bind(a)
        .execute(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    for id in [a, b] {
        let res = get(id).await.unwrap();
        assert_eq!(
            res.status(),
            500,
            "a moved ciphertext is refused, never shown as another's"
        );
        let body = res.text().await.unwrap();
        assert!(!body.contains("Oona") && !body.contains("Pia") && body.contains("internal error"));
    }
    app.stop().await;
}

#[tokio::test]
async fn master_key_rotation_beside_a_running_server_loses_nothing() {
    let app = TestApp::spawn().await;
    let desk = app.api_login("frontdesk").await;
    let mut ids = Vec::new();
    for i in 0..20 {
        ids.push(
            app.register_patient(
                &desk,
                &given(i),
                &family(i),
                "1980-05-06",
                &format!("555{:07}", 2_000_000 + i),
            )
            .await,
        );
    }
    let mut before = Vec::new();
    for id in &ids {
        let v: Value = app
            .api(Method::GET, &format!("/api/v1/patients/{id}"), &desk)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        before.push(v);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let mut readers = Vec::new();
    for r in 0..4 {
        let (client, base, token, ids, before, stop) = (
            app.client(),
            app.base.clone(),
            desk.clone(),
            ids.clone(),
            before.clone(),
            stop.clone(),
        );
        readers.push(tokio::spawn(async move {
            let mut n = 0usize;
            let mut i = r;
            while !stop.load(Ordering::Relaxed) || n < 20 {
                let k = i % ids.len();
                let res = client
                    .get(format!("{base}/api/v1/patients/{}", ids[k]))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 200);
                let v: Value = res.json().await.unwrap();
                assert_eq!(
                    v["identity"], before[k]["identity"],
                    "a read during rotation sees the same patient"
                );
                n += 1;
                i += 4;
            }
            n
        }));
    }
    // Writes go on too.
    let writer = {
        let (client, base, token, stop) = (app.client(), app.base.clone(), desk.clone(), stop.clone());
        tokio::spawn(async move {
            let mut made = 0usize;
            while !stop.load(Ordering::Relaxed) || made < 5 {
                let res = client
                    .post(format!("{base}/api/v1/patients"))
                    .bearer_auth(&token)
                    .json(&serde_json::json!({"given_name": format!("Rot{}", tag(made)), "family_name": "Ation", "date_of_birth": "1999-09-09", "sex": "male", "contact": {"phone": "5559990000"}}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 201);
                made += 1;
            }
            made
        })
    };
    let config = (*app.state.config).clone();
    let key_path = config.master_key_path();
    let old_key = std::fs::read_to_string(&key_path).unwrap();
    let rotated = carekeep_app::backup::key_rotation::rotate(
        &config.files(),
        Arc::new(app.clock.clone()),
        carekeep_crypto::password::PasswordHasher::insecure_fast_for_tests(),
        &carekeep_app::progress::Silent,
    )
    .await
    .unwrap();
    assert!(rotated.data_keys >= 1 && rotated.secrets >= 3, "{rotated:?}");
    stop.store(true, Ordering::Relaxed);
    let mut reads = 0;
    for r in readers {
        reads += r.await.unwrap();
    }
    let made = writer.await.unwrap();
    assert!(reads >= 80 && made >= 5);
    assert_ne!(std::fs::read_to_string(&key_path).unwrap(), old_key, "a new key file");
    assert!(!carekeep_app::datadir::pending_key_path(&key_path).exists());
    // After a restart on the new key, everything written before and during rotation reads back.
    let reopened = carekeep_server::open(
        config,
        Arc::new(app.clock.clone()),
        carekeep_crypto::password::PasswordHasher::insecure_fast_for_tests(),
    )
    .await
    .unwrap();
    let p = app.principal(&desk).await;
    let page = reopened.app.list_patients(&p.actor(), 1, 100).await.unwrap();
    assert_eq!(page.total, i64::try_from(20 + made).unwrap());
    let v = reopened.app.patient(&p.actor(), ids[7]).await.unwrap();
    assert_eq!(v.identity.unwrap().family_name, family(7));
    // The old key no longer opens the clinic.
    let old = carekeep_crypto::keys::MasterKey::from_file_contents(&old_key).unwrap();
    assert!(!reopened.app.master_key_opens(&old).await.unwrap());
    reopened.app.close().await;
    app.stop().await;
}

/// Every stored byte a scan can read: the data folder's files on SQLite (database, WAL,
/// shared memory), every table's rows as text on PostgreSQL.
async fn stored_bytes(app: &TestApp) -> Vec<u8> {
    match app.backend() {
        Backend::Sqlite => files_under(&app.state.config.data_dir)
            .iter()
            .flat_map(|f| std::fs::read(f).unwrap())
            .collect(),
        Backend::Postgres => raw_postgres_text(app).await,
    }
}

fn holds(hay: &[u8], needle: &str) -> bool {
    let hay = hay.to_ascii_lowercase();
    let needle = needle.to_ascii_lowercase();
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// Free text that can describe a patient is sealed like PHI (164.312(a)(2)(iv)): a break-glass
/// reason (in the trail too, which keeps a reference), an incident's title, narrative, systems
/// and discoverer, and a monitoring review note never appear in the database, its WAL, the
/// audit trail's rows or a backup; the people who may read them still do.
#[tokio::test]
async fn break_glass_reasons_incident_text_and_review_notes_are_sealed() {
    let app = TestApp::spawn().await;
    let (desk, owner, co) = (
        app.api_login("frontdesk").await,
        app.api_login("owner").await,
        app.api_login("compliance").await,
    );
    let patient = app
        .register_patient(&desk, "Wilma", "Quenby", "1980-04-23", "5550001111")
        .await;
    let provider = app.user_id(&owner, "provider").await;
    let res = app
        .api(Method::PUT, &format!("/api/v1/patients/{patient}/restriction"), &owner)
        .json(&serde_json::json!({"restricted": true, "providers": [provider]}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    let nurse = app.api_login("nurse").await;
    let reason = "Vexmorrow seizure in the waiting room";
    let res = app
        .api(Method::POST, &format!("/api/v1/patients/{patient}/break-glass"), &nurse)
        .json(&serde_json::json!({ "reason": reason }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let incident = serde_json::json!({
        "title": "Quillbrand fax to the wrong office",
        "what_happened": "Zentarrow lab results went astray",
        "systems": "Drovelmark fax machine",
        "discovered_by": "Pellwick Ashgrove",
    });
    let res = app
        .api(Method::POST, "/api/v1/incidents", &desk)
        .json(&incident)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    use base64::Engine;
    let pdf = base64::engine::general_purpose::STANDARD.encode(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");
    let res = app
        .api(Method::POST, "/api/v1/incidents/1/attachments", &co)
        .json(&serde_json::json!({"filename": "Ostravelle fax cover.pdf", "content_base64": pdf}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    // Break glass is a monitoring finding; its reviewer writes what they found.
    let res = app
        .api(Method::POST, "/api/v1/monitoring/run", &co)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    let findings: Value = app
        .api(Method::GET, "/api/v1/monitoring/findings", &co)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let finding = findings[0]["id"].as_i64().expect("a finding to review");
    let note = "Spoke with Nurse about Harrowmere allergy call";
    let res = app
        .api(
            Method::POST,
            &format!("/api/v1/monitoring/findings/{finding}/review"),
            &co,
        )
        .json(&serde_json::json!({ "note": note }))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());

    // Those who may read them still read every word.
    let get = |path: String| {
        let (app, co) = (&app, &co);
        async move {
            app.api(Method::GET, &path, co)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    let trail = get(format!("/api/v1/audit/events?patient={patient}&action=phi.break_glass")).await;
    assert!(trail.contains(reason), "the audit view opens the reason: {trail}");
    let shown = get("/api/v1/incidents/1".into()).await;
    for v in [
        "Quillbrand fax",
        "Zentarrow lab",
        "Drovelmark fax",
        "Pellwick Ashgrove",
        "Ostravelle fax",
    ] {
        assert!(shown.contains(v), "{v} in {shown}");
    }
    assert!(get("/api/v1/monitoring/findings?open=false".into())
        .await
        .contains(note));

    let secrets = [
        "Vexmorrow",
        "Quillbrand",
        "Zentarrow",
        "Drovelmark",
        "Pellwick",
        "Harrowmere",
        "Ostravelle",
    ];
    let stored = stored_bytes(&app).await;
    assert!(holds(&stored, "frank frontdesk"), "the scan reads what is stored");
    for s in secrets {
        assert!(!holds(&stored, s), "{s} is stored in clear");
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("carekeep-20260302-090000.ckb");
    carekeep_app::backup::create(
        &app.state.config.files(),
        &carekeep_crypto::backup::BackupKey::generate(),
        &file,
        app.state.app.now(),
    )
    .await
    .unwrap();
    let backup = std::fs::read(&file).unwrap();
    for s in secrets {
        assert!(!holds(&backup, s), "{s} is in the backup in clear");
    }

    // Text an earlier version stored in clear is sealed at start, and reads the same.
    {
        let mut tx = app.state.app.store_for_tests().begin().await.unwrap();
        sqlx::query(
            "INSERT INTO incidents (title, summary_ct, discovered_on, discovered_by, systems, created_at, updated_at)
             VALUES ('Brimwater laptop lost', $1, '2026-03-01', 'Olwen Tarrant', 'Brimwater laptop', 0, 0)",
        )
        .bind(Vec::<u8>::new())
        .execute(tx.conn())
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    assert_eq!(app.state.app.seal_legacy_free_text().await.unwrap(), 1);
    assert!(!holds(&stored_bytes(&app).await, "Brimwater"), "sealed and emptied");
    assert!(get("/api/v1/incidents/2".into())
        .await
        .contains("Brimwater laptop lost"));
    app.stop().await;
}
