//! Backups: taken while 16 writers write, restored with every acknowledged write and the
//! audit chain intact; a changed byte, a wrong key and a non-empty target refused; the
//! off-site copy behind the BAA gate; the dashboard's evidence. On both databases, and across
//! them: every backup restores into a SQLite folder, a PostgreSQL clinic's into a new
//! PostgreSQL database too.

use carekeep_app::backup;
use carekeep_crypto::backup::BackupKey;
use carekeep_server::Config;
use carekeep_store::Backend;
use carekeep_testkit::{TestApp, TestDatabase};
use reqwest::Method;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

#[tokio::test]
async fn a_backup_under_sixteen_writers_restores_every_acknowledged_write() {
    let app = TestApp::spawn().await;
    let key = BackupKey::generate();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("clinic.ckb");
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
    let manifest = backup::create(&app.state.config.files(), &key, &file, app.state.app.now())
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

    assert_eq!(
        manifest.source,
        if app.backend() == Backend::Postgres {
            "postgres"
        } else {
            "sqlite"
        }
    );

    // Restore into a new clinic on the same backend: proven against the manifest and the
    // audit chain.
    let mut database = TestDatabase::create(&dir.path().join("restored")).await;
    let target = Config {
        data_dir: dir.path().join("restored"),
        database_url: database.url.clone(),
        ..Config::default()
    };
    let restored = backup::restore(&file, &key, &target.files(), false, app.state.app.now())
        .await
        .unwrap();
    assert_eq!(restored, manifest);
    let store = carekeep_store::Store::open(&target.database_url(), app.state.app.now())
        .await
        .unwrap();
    let (ids, restored_events): (Vec<i64>, Vec<String>) = {
        let mut conn = store.read().await.unwrap();
        (
            sqlx::query_scalar("SELECT id FROM patients")
                .fetch_all(&mut *conn)
                .await
                .unwrap(),
            sqlx::query_scalar("SELECT reason FROM audit_events WHERE action = 'backup.restored'")
                .fetch_all(&mut *conn)
                .await
                .unwrap(),
        )
    };
    store.close().await;
    // Copies of the whole clinic are on the record (164.312(b)): the backup in the live trail,
    // the restore in the restored clinic's.
    assert_eq!(restored_events.len(), 1, "{restored_events:?}");
    assert!(restored_events[0].contains("clinic.ckb"), "{restored_events:?}");
    let co = app.api_login("compliance").await;
    let created: Vec<Value> = app
        .api(Method::GET, "/api/v1/audit/events?action=backup.created", &co)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(created.len(), 1, "{created:?}");
    assert_eq!(
        (created[0]["actor"].as_str(), created[0]["outcome"].as_str()),
        (Some("cli"), Some("success"))
    );
    for id in &before {
        assert!(
            ids.contains(id),
            "patient {id}, acknowledged before the backup, is in it"
        );
    }

    // The restored clinic carries on: new rows take new ids after the copied ones.
    let restored_app = carekeep_server::open(
        target.clone(),
        Arc::new(carekeep_app::SystemClock),
        carekeep_crypto::password::PasswordHasher::insecure_fast_for_tests(),
    )
    .await
    .unwrap();
    let mut tx = restored_app.app.store_for_tests().begin().await.unwrap();
    let next: i64 = sqlx::query_scalar(
        "INSERT INTO backup_runs (kind, at, ok, detail) VALUES ('backup', 0, 1, 'after') RETURNING id",
    )
    .fetch_one(tx.conn())
    .await
    .unwrap();
    tx.commit().await.unwrap();
    restored_app.app.store_for_tests().close().await;
    assert!(
        next > manifest.counts["backup_runs"],
        "id {next} follows the copied rows"
    );

    // Refusals, each with a message that says what is wrong.
    let err = backup::restore(&file, &key, &target.files(), false, app.state.app.now())
        .await
        .unwrap_err();
    let said = if app.backend() == Backend::Postgres {
        "exists"
    } else {
        "not empty"
    };
    assert!(err.to_string().contains(said), "{err}");
    if app.backend() == Backend::Postgres {
        let err = backup::restore(&file, &key, &target.files(), true, app.state.app.now())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("already holds a clinic"), "{err}");
    }
    database.drop_database().await;
    let err = backup::restore(
        &file,
        &BackupKey::generate(),
        &folder(&dir.path().join("other")).files(),
        false,
        app.state.app.now(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("backup key is wrong"), "{err}");
    let bytes = std::fs::read(&file).unwrap();
    // Every part of the file: magic, manifest, wrapped key, chunk lengths, chunks, the end.
    let step = bytes.len() / 40;
    // Each offset once: a repeat would restore into a folder already used and be refused as
    // "not empty" instead of "damaged".
    let offsets: std::collections::BTreeSet<usize> = (0..bytes.len())
        .step_by(step)
        .chain([20, 25, bytes.len() - 1])
        .collect();
    for at in offsets {
        let mut bent = bytes.clone();
        bent[at] ^= 0x20;
        let bad = dir.path().join(format!("bent-{at}.ckb"));
        std::fs::write(&bad, &bent).unwrap();
        let err = backup::restore(
            &bad,
            &key,
            &folder(&dir.path().join(format!("r{at}"))).files(),
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
        assert!(
            !dir.path().join(format!("r{at}/carekeep.db")).exists(),
            "nothing half-restored"
        );
    }
    let short = dir.path().join("short.ckb");
    std::fs::write(&short, &bytes[..bytes.len() / 3]).unwrap();
    assert!(backup::restore(
        &short,
        &key,
        &folder(&dir.path().join("rs")).files(),
        false,
        app.state.app.now()
    )
    .await
    .is_err());

    // The restore drill is evidence on the dashboard.
    backup::verify(&app.state.config.files(), &file, &key, app.state.app.now())
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

/// A SQLite clinic's backup reads its pages in one pass from one read transaction (issue 31):
/// the stream is a whole database file of one moment, with the counts and the head read in the
/// same transaction, while the clinic keeps writing. This build has SQLite's page table.
#[tokio::test]
async fn a_sqlite_backup_streams_pages_of_one_moment_while_the_clinic_writes() {
    let app = TestApp::spawn().await;
    if app.backend() != Backend::Sqlite {
        app.stop().await;
        return;
    }
    let store = app.state.app.store_for_tests();
    let (seen, mut pages) = carekeep_store::page_stream::sqlite_pages(store)
        .await
        .unwrap()
        .expect("this build streams pages (SQLITE_ENABLE_DBPAGE_VTAB in .cargo/config.toml)");
    // A write lands while the stream's transaction is open: not in the stream.
    let token = app.api_login("frontdesk").await;
    let res = app
        .api(Method::POST, "/api/v1/patients", &token)
        .json(&json!({"given_name": "Late", "family_name": "Arrival", "date_of_birth": "1990-01-01", "sex": "female", "contact": {"phone": "5550001234"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("streamed.db");
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut pages, &mut bytes).unwrap();
    assert_eq!(bytes.len() as u64, seen.bytes, "the stream is exactly the file's pages");
    std::fs::write(&file, &bytes).unwrap();

    let count = |counts: &[(String, i64)], t: &str| counts.iter().find(|(n, _)| n == t).map(|(_, n)| *n);
    let live = {
        let mut conn = store.read().await.unwrap();
        carekeep_store::copy::table_counts(&mut conn, Backend::Sqlite)
            .await
            .unwrap()
    };
    assert_eq!(
        count(&live, "patients").unwrap(),
        count(&seen.counts, "patients").unwrap() + 1,
        "the late patient is live, not in the stream"
    );
    let url = format!("sqlite://{}?mode=rw", file.display());
    let streamed = carekeep_store::Store::open(&url, app.state.app.now()).await.unwrap();
    {
        let mut conn = streamed.read().await.unwrap();
        let ok: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(ok, "ok");
        let counts = carekeep_store::copy::table_counts(&mut conn, Backend::Sqlite)
            .await
            .unwrap();
        assert_eq!(counts, seen.counts, "the counts were read in the pages' transaction");
        assert_eq!(carekeep_store::audit::head(&mut conn).await.unwrap(), seen.head);
    }
    streamed.close().await;
    app.stop().await;
}

/// A clinic in a SQLite data folder.
/// The copy between PostgreSQL and the backup's SQLite file streams through `COPY` (issue 31):
/// text with the format's own escapes in it, the largest and smallest numbers, and NULL come
/// back as they went, on either backend.
#[tokio::test]
async fn odd_values_come_back_from_a_restore_as_they_went() {
    let app = TestApp::spawn().await;
    let odd: [(&str, i64, Option<i64>); 7] = [
        ("tab\there", i64::MIN, None),
        ("line\nbreak\r\nand a browser's CRLF", i64::MAX, Some(i64::MIN)),
        ("back\\slash \\N \\x00 \\.", -1, Some(0)),
        ("caf\u{e9} \u{6f22}\u{5b57} \u{1f600}", 0, Some(i64::MAX)),
        ("", 1, Some(-1)),
        ("\\.", 2, None),
        ("\\", 3, Some(32_767)),
    ];
    {
        let mut tx = app.state.app.store_for_tests().begin().await.unwrap();
        for (detail, at, seconds) in odd {
            sqlx::query("INSERT INTO backup_runs (kind, at, ok, detail, seconds) VALUES ('odd', $1, 0, $2, $3)")
                .bind(at)
                .bind(detail)
                .bind(seconds)
                .execute(tx.conn())
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
    }
    let key = BackupKey::generate();
    let dir = tempfile::tempdir().unwrap();
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
    let store = carekeep_store::Store::open(&target.database_url(), app.state.app.now())
        .await
        .unwrap();
    let back: Vec<(String, i64, Option<i64>)> = {
        let mut conn = store.read().await.unwrap();
        sqlx::query_as("SELECT detail, at, seconds FROM backup_runs WHERE kind = 'odd' ORDER BY id")
            .fetch_all(&mut *conn)
            .await
            .unwrap()
    };
    store.close().await;
    database.drop_database().await;
    let want: Vec<(String, i64, Option<i64>)> = odd.iter().map(|(d, a, s)| ((*d).to_owned(), *a, *s)).collect();
    assert_eq!(back, want);
}

/// A restore into PostgreSQL sets aside a large table's indexes and constraints while its rows
/// are copied and builds them again after (issue 31). Set aside for every table here (the
/// clinic is small): the restored database has the schema a fresh one has, every index and
/// constraint by name and definition, and every row.
#[tokio::test]
async fn a_restore_that_sets_aside_every_index_builds_the_same_schema() {
    let app = TestApp::spawn().await;
    if app.backend() != Backend::Postgres {
        return;
    }
    let now = app.state.app.now();
    let dir = tempfile::tempdir().unwrap();
    let token = app.api_login("frontdesk").await;
    for n in 0..3 {
        let res = app
            .api(Method::POST, "/api/v1/patients", &token)
            .json(&json!({"given_name": "Set", "family_name": format!("Aside{n}"), "date_of_birth": "1990-01-01", "sex": "female", "contact": {"phone": "5550001234"}}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
    }
    let file = dir.path().join("body.db");
    let url = format!("sqlite://{}?mode=rwc", file.display());
    let body = carekeep_store::Store::open(&url, now).await.unwrap();
    let tables = {
        let mut conn = body.read().await.unwrap();
        carekeep_store::copy::sqlite_tables(&mut conn).await.unwrap()
    };
    body.close().await;
    let source = app.state.app.store_for_tests();
    carekeep_store::copy_stream::postgres_to_sqlite(source, &file, &tables)
        .await
        .unwrap();
    let mut restored = TestDatabase::create(dir.path()).await;
    let mut fresh = TestDatabase::create(dir.path()).await;
    let target = carekeep_store::Store::open(&restored.url, now).await.unwrap();
    let copied = carekeep_store::copy_stream::sqlite_to_postgres_with(&file, &target, &tables, Some(0))
        .await
        .unwrap();
    let blank = carekeep_store::Store::open(&fresh.url, now).await.unwrap();
    let schema = |store: carekeep_store::Store| async move {
        let mut conn = store.read().await.unwrap();
        let indexes: Vec<(String, String)> = sqlx::query_as(
            "SELECT CAST(indexname AS TEXT), CAST(indexdef AS TEXT) FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1",
        )
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        let constraints: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT CAST(c.relname AS TEXT), CAST(k.conname AS TEXT), pg_get_constraintdef(k.oid) FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) ORDER BY 1, 2",
        )
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        let counts = carekeep_store::copy::table_counts(&mut conn, Backend::Postgres)
            .await
            .unwrap();
        // Built after the copy: the trail's key and index are younger than every table.
        let rebuilt: bool = sqlx::query_scalar(
            "SELECT (SELECT MIN(CAST(oid AS BIGINT)) FROM pg_class WHERE relname IN ('audit_events_pkey', 'audit_events_actor_at', 'audit_patients_pkey')) > (SELECT MAX(CAST(oid AS BIGINT)) FROM pg_class WHERE relkind = 'r' AND relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()))",
        )
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        drop(conn);
        store.close().await;
        (indexes, constraints, counts, rebuilt)
    };
    let (indexes, constraints, counts, rebuilt) = schema(target).await;
    let (want_indexes, want_constraints, _, fresh_rebuilt) = schema(blank).await;
    assert!(
        rebuilt && !fresh_rebuilt,
        "the trail's indexes were set aside and built again"
    );
    let patients: i64 = {
        let mut conn = source.read().await.unwrap();
        sqlx::query_scalar("SELECT COUNT(*) FROM patients")
            .fetch_one(&mut *conn)
            .await
            .unwrap()
    };
    restored.drop_database().await;
    fresh.drop_database().await;
    assert!(indexes.len() > 50 && constraints.len() > 50, "{indexes:?}");
    assert_eq!(indexes, want_indexes);
    assert_eq!(constraints, want_constraints);
    assert!(patients >= 3);
    assert_eq!(copied["patients"], patients);
    assert!(copied.len() > 50, "{copied:?}");
    for (table, n) in &counts {
        if let Some(read) = copied.get(table) {
            assert_eq!(read, n, "{table}");
        }
    }
}

fn folder(dir: &Path) -> Config {
    Config {
        data_dir: dir.to_path_buf(),
        ..Config::default()
    }
}

/// CI starts an S3-compatible server (moto's, `.ci/start-s3`) and names it here; the bucket
/// copy must then arrive (never skipped). Without it, the folder copy and the gate are tested.
const S3_ENV: &str = "CAREKEEP_TEST_S3_URL";

/// The off-site copy (164.308(a)(7)(ii)(A)) goes to a folder and an S3-compatible bucket, run
/// by a vendor: nothing leaves without a BAA in force (164.308(b)(1)); then it arrives whole.
#[tokio::test]
async fn the_off_site_copy_waits_for_a_baa_then_arrives_whole() {
    let s3 = carekeep_testkit::external_service(
        S3_ENV,
        "the off-site copy to an S3-compatible bucket needs such a server (`.ci/start-s3` \
         starts one); the copy to a folder and the BAA gate were still tested",
    );
    let bucket = format!("ck-{}", uuid::Uuid::new_v4().simple());
    let offsite = tempfile::tempdir().unwrap();
    let (path, endpoint, name) = (offsite.path().to_path_buf(), s3.clone(), bucket.clone());
    let app = TestApp::builder()
        .with_config(move |c| {
            c.backup_offsite_dir = path;
            c.backup_offsite_vendor = "Cloudbox".into();
            if let Some(url) = endpoint {
                c.backup_s3_endpoint = url;
                c.backup_s3_bucket = name;
                c.backup_s3_access_key = "carekeep-test".into();
                c.backup_s3_secret_key = "carekeep-test-secret".into();
                c.backup_s3_prefix = "clinic/".into();
            }
        })
        .spawn()
        .await;
    let dir = tempfile::tempdir().unwrap();
    let key = BackupKey::generate();
    let file = dir.path().join("carekeep-20260302-090000.ckb");
    backup::create(&app.state.config.files(), &key, &file, app.state.app.now())
        .await
        .unwrap();
    let err = app
        .state
        .app
        .ship_offsite(&app.state.config.offsite().unwrap(), &file)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not tied to a vendor record"), "{err}");
    let owner = app.api_login("owner").await;
    let res = app
        .api(Method::POST, "/api/v1/vendors", &owner)
        .json(&json!({"name": "Cloudbox", "service": "Off-site backup", "maintains_phi": true}))
        .send()
        .await
        .unwrap();
    let vendor = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let err = app
        .state
        .app
        .ship_offsite(&app.state.config.offsite().unwrap(), &file)
        .await
        .unwrap_err();
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
    let http = reqwest::Client::new();
    if let Some(url) = &s3 {
        // A missing bucket is a clear failure, not a panic or a silent success.
        let err = app
            .state
            .app
            .ship_offsite(&app.state.config.offsite().unwrap(), &file)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("NoSuchBucket"), "{err}");
        let res = http.put(format!("{url}/{bucket}")).send().await.unwrap();
        assert!(res.status().is_success(), "create the test bucket: {}", res.status());
    }
    let shipped = app
        .state
        .app
        .ship_offsite(&app.state.config.offsite().unwrap(), &file)
        .await
        .unwrap();
    let original = std::fs::read(&file).unwrap();
    assert_eq!(std::fs::read(&shipped[0]).unwrap(), original);
    if let Some(url) = &s3 {
        assert_eq!(shipped[1], format!("{bucket}/clinic/carekeep-20260302-090000.ckb"));
        let res = http
            .get(format!("{url}/{bucket}/clinic/carekeep-20260302-090000.ckb"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let copy = res.bytes().await.unwrap();
        assert!(copy == original, "the bucket holds the backup byte for byte");
        let (m, _, _) = backup::read_bytes(&copy, Path::new("bucket copy"), &key).unwrap();
        assert!(m.counts["users"] > 0);
        // A large clinic's backup goes up in 16 MiB parts and comes back whole.
        let big = dir.path().join("carekeep-20260303-090000.ckb");
        let bytes: Vec<u8> = (0..40u32 << 20)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        std::fs::write(&big, &bytes).unwrap();
        app.state
            .app
            .ship_offsite(&app.state.config.offsite().unwrap(), &big)
            .await
            .unwrap();
        let res = http
            .get(format!("{url}/{bucket}/clinic/carekeep-20260303-090000.ckb"))
            .send()
            .await
            .unwrap();
        assert!(res.bytes().await.unwrap() == bytes, "three parts, reassembled");
    } else {
        assert_eq!(shipped.len(), 1);
    }
    app.stop().await;
}

/// The bucket's settings are checked when the config is read, each with what to fix.
#[test]
fn a_bucket_needs_https_credentials_and_a_vendor_record() {
    let base = Config {
        backup_s3_endpoint: "https://s3.us-east-1.amazonaws.com".into(),
        backup_s3_bucket: "clinic-backups".into(),
        backup_s3_access_key: "AKIA".into(),
        backup_s3_secret_key: "secret".into(),
        backup_offsite_vendor: "Amazon Web Services".into(),
        ..Config::default()
    };
    assert!(base.backup_s3().unwrap().is_some());
    assert!(base.validate().is_ok());
    type Bend = fn(&mut Config);
    let cases: [(&str, Bend); 4] = [
        ("use https://", |c| {
            c.backup_s3_endpoint = "http://s3.example.com".into()
        }),
        ("backup_s3_secret_key", |c| c.backup_s3_secret_key.clear()),
        ("backup_s3_bucket", |c| c.backup_s3_bucket.clear()),
        ("vendor record", |c| c.backup_offsite_vendor.clear()),
    ];
    for (said, bend) in cases {
        let mut c = base.clone();
        bend(&mut c);
        let err = c.validate().unwrap_err().to_string();
        assert!(err.contains(said), "{said}: {err}");
    }
    let mut local = base.clone();
    local.backup_s3_endpoint = "http://127.0.0.1:9000".into();
    assert!(local.backup_s3().unwrap().is_some(), "plain http to this machine");
    assert!(format!("{base:?}").contains("<redacted>"), "the secret is redacted");
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
    app.state
        .app
        .scheduled_backup(&app.state.config.backup_plan().unwrap())
        .await
        .unwrap();
    let files: Vec<_> = std::fs::read_dir(dir.path().join("nightly")).unwrap().collect();
    assert_eq!(files.len(), 1, "one backup");
    app.state
        .app
        .scheduled_backup(&app.state.config.backup_plan().unwrap())
        .await
        .unwrap();
    assert_eq!(
        std::fs::read_dir(dir.path().join("nightly")).unwrap().count(),
        1,
        "not again the same day"
    );
    let mut conn = app.state.app.store_for_tests().read().await.unwrap();
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
