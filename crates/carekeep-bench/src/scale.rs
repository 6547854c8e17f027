//! The clinic at scale: 100,000 patients and 10,000,000 audit events (issue 10), on SQLite and,
//! with CAREKEEP_BENCH_DATABASE_URL, on PostgreSQL.
//!
//! The seeding tool builds that clinic through the product's own paths, quickly: patients (with
//! visits, vitals, a diagnosis and a claim each) arrive as FHIR bundles of 100 through
//! `carekeep import fhir`'s planner and writer (encrypted, one transaction and one audit event
//! per patient); 1 in 50 patients gets two disclosures; the trail is then filled with chart
//! reads spread over the past year through the real chain (MAC'd, checkpoints signed), 20,000
//! events a transaction.
//!
//! Then, over HTTP against the running server, each the median of many requests: patient
//! search, the per-patient access history, the accounting of disclosures, the dashboard; the
//! same on a small clinic (1% of the size) seeded in the same run, so the ratio shows whether a
//! query grows with the clinic. And the backup (issue 9): `carekeep backup` and `restore`
//! against a plain copy of the same bytes, and `pg_dump` on PostgreSQL.

use carekeep_app::backup;
use carekeep_app::fhir::import;
use carekeep_app::rights::DisclosureInput;
use carekeep_domain::audit::{Action, AuditActor, AuditEvent, Origin, Outcome};
use carekeep_domain::{RoleName, UserId};
use carekeep_server::Config;
use carekeep_testkit::TestApp;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Instant;

const PER_BUNDLE: usize = 100;
const EVENTS_PER_TX: usize = 20_000;
const REQUESTS: usize = 60;

const SYLLABLES: [&str; 24] = [
    "ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ba", "de", "fi", "go", "ha", "ji", "ku", "le", "mo", "na", "pe",
    "ri", "so", "tu", "wa", "ze",
];

/// A distinct, pronounceable name for `n` (24^4 = 331,776 of them).
pub fn name(n: usize, salt: usize) -> String {
    let mut s = String::new();
    let mut k = n * 7 + salt;
    for _ in 0..4 {
        s.push_str(SYLLABLES[k % SYLLABLES.len()]);
        k /= SYLLABLES.len();
    }
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn patient_resources(n: usize) -> Vec<Value> {
    // Every fullUrl carries the patient's number in its first group: the patient is resource 0
    // of its own numbers, so no two entries of a bundle (or of the clinic) share one.
    let p = format!("urn:uuid:{n:08}-0000-4000-8000-{:012}", 0);
    let subject = json!({ "reference": p });
    let mut out = vec![json!({ "fullUrl": p, "resource": {
        "resourceType": "Patient",
        "name": [{ "use": "official", "family": name(n, 0), "given": [name(n, 3)] }],
        "gender": if n.is_multiple_of(2) { "female" } else { "male" },
        "birthDate": format!("{}-{:02}-{:02}", 1940 + n % 70, 1 + n % 12, 1 + n % 28),
        "telecom": [{ "system": "phone", "value": format!("555-{:03}-{:04}", n % 1000, n % 10_000) }]
    }})];
    let mut push = |i: usize, r: Value| {
        out.push(json!({ "fullUrl": format!("urn:uuid:{n:08}-0000-4000-8000-{i:012}"), "resource": r }));
    };
    for visit in 0..2 {
        let day = format!("2025-{:02}-15T09:00:00-05:00", 1 + (n + visit * 5) % 12);
        let enc = format!("urn:uuid:{n:08}-0000-4000-8000-{:012}", visit * 10 + 1);
        push(
            visit * 10 + 1,
            json!({ "resourceType": "Encounter", "status": "finished", "class": { "code": "AMB" },
            "type": [{ "text": "Follow-up visit" }], "subject": subject, "period": { "start": day, "end": day } }),
        );
        push(
            visit * 10 + 2,
            json!({ "resourceType": "Observation", "status": "final", "subject": subject, "encounter": { "reference": enc },
            "effectiveDateTime": day, "code": { "coding": [{ "system": "http://loinc.org", "code": "85354-9" }] }, "component": [
                { "code": { "coding": [{ "system": "http://loinc.org", "code": "8480-6" }] }, "valueQuantity": { "value": 118, "code": "mm[Hg]" } },
                { "code": { "coding": [{ "system": "http://loinc.org", "code": "8462-4" }] }, "valueQuantity": { "value": 76, "code": "mm[Hg]" } }] }),
        );
        push(
            visit * 10 + 3,
            json!({ "resourceType": "Observation", "status": "final", "subject": subject, "encounter": { "reference": enc },
            "effectiveDateTime": day, "code": { "coding": [{ "system": "http://loinc.org", "code": "8867-4" }] },
            "valueQuantity": { "value": 64, "code": "/min" } }),
        );
    }
    push(
        30,
        json!({ "resourceType": "Condition", "code": { "coding": [{ "system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "I10" }], "text": "Essential hypertension" },
        "subject": subject, "onsetDateTime": "2019-03-01" }),
    );
    push(
        31,
        json!({ "resourceType": "Claim", "status": "active", "patient": subject, "created": "2025-06-15",
        "item": [{ "sequence": 1, "productOrService": { "text": "Office visit" } }], "total": { "value": 125.0, "currency": "USD" } }),
    );
    out
}

/// The clinic's patients, by FHIR import; returns their ids in order.
async fn seed_patients(app: &TestApp, patients: usize) -> Vec<i64> {
    let owner = app.api_login("owner").await;
    let provider = app.user_id(&owner, "provider").await;
    let a = &app.state.app;
    for start in (0..patients).step_by(PER_BUNDLE) {
        let entries: Vec<Value> = (start..(start + PER_BUNDLE).min(patients))
            .flat_map(patient_resources)
            .collect();
        let raw =
            serde_json::to_vec(&json!({ "resourceType": "Bundle", "type": "collection", "entry": entries })).unwrap();
        let plan = import::plan(&raw, a.now(), a.clinic_today()).unwrap();
        a.fhir_import(&carekeep_app::Actor::Cli, plan, provider, &[])
            .await
            .unwrap();
    }
    let store = a.store_for_tests();
    let mut conn = store.read().await.unwrap();
    sqlx::query_scalar("SELECT id FROM patients ORDER BY id")
        .fetch_all(&mut *conn)
        .await
        .unwrap()
}

async fn seed_disclosures(app: &TestApp, ids: &[i64]) {
    let co = app.principal(&app.api_login("compliance").await).await;
    for (i, id) in ids.iter().enumerate().filter(|(i, _)| i % 50 == 0) {
        for d in 0..2 {
            app.state
                .app
                .record_disclosure(
                    &co.actor(),
                    *id,
                    DisclosureInput {
                        disclosed_on: format!("2025-{:02}-{:02}", 1 + (i + d) % 12, 1 + d),
                        recipient: "County Health Department".into(),
                        recipient_address: "1 Civic Plaza, Springfield".into(),
                        description: "Immunization record".into(),
                        purpose: "Required public health reporting".into(),
                        basis: "public_health".into(),
                        corrects: None,
                        authorization_id: None,
                    },
                )
                .await
                .unwrap();
        }
    }
}

/// Chart reads by the provider over the year before the test clock, until the trail holds
/// `events` events.
async fn seed_events(app: &TestApp, ids: &[i64], events: usize) {
    let a = &app.state.app;
    let have: i64 = {
        let mut conn = a.store_for_tests().read().await.unwrap();
        carekeep_store::audit::head(&mut conn).await.unwrap().0
    };
    let todo = events.saturating_sub(usize::try_from(have).unwrap());
    let start = (carekeep_testkit::START - time::Duration::days(365)).unix_timestamp();
    let span = 365 * 86_400;
    let mut done = 0;
    while done < todo {
        let batch: Vec<AuditEvent> = (done..(done + EVENTS_PER_TX).min(todo))
            .map(|i| {
                let at = start + (i as i64 * span) / todo as i64;
                let mut e = AuditEvent::new(
                    time::OffsetDateTime::from_unix_timestamp(at).unwrap(),
                    AuditActor {
                        user_id: Some(UserId(3)),
                        name: "provider".into(),
                        roles: vec![RoleName::new("provider").unwrap()],
                    },
                    Action::PhiRead,
                    Outcome::Success,
                    Origin {
                        source_ip: "192.0.2.10".into(),
                        user_agent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64)".into(),
                        request_id: format!("0b6e0c2e-8f5c-4c57-9d7e-{i:012}"),
                    },
                );
                let p = ids[(i * 7919) % ids.len()];
                e.patients = vec![p];
                e.resource_type = "chart".into();
                e.resource_id = p.to_string();
                e.data_classes = vec![carekeep_domain::DataClass::Clinical];
                e
            })
            .collect();
        let mut tx = a.store_for_tests().begin().await.unwrap();
        a.audit_keys().record_all(&mut tx, &batch).await.unwrap();
        tx.commit().await.unwrap();
        done += batch.len();
    }
}

/// Median and 95th percentile, in milliseconds, of one client's requests to each URL in turn.
async fn latency(app: &TestApp, token: &str, urls: &[String]) -> (f64, f64) {
    let gets: Vec<(String, Option<Value>)> = urls.iter().map(|u| (u.clone(), None)).collect();
    latency_of(app, token, &gets).await
}

/// The same, for requests that may be POSTs with a JSON body.
async fn latency_of(app: &TestApp, token: &str, requests: &[(String, Option<Value>)]) -> (f64, f64) {
    let client = app.client();
    let mut ms = Vec::new();
    for (url, body) in requests {
        let t = Instant::now();
        let req = match body {
            None => client.get(app.url(url)),
            Some(b) => client.post(app.url(url)).json(b),
        };
        let res = req.bearer_auth(token).send().await.unwrap();
        assert!(res.status().is_success(), "{url}: {}", res.status());
        res.bytes().await.unwrap();
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (ms[ms.len() / 2], ms[ms.len() * 95 / 100])
}

struct Figures {
    search: (f64, f64),
    history: (f64, f64),
    accounting: (f64, f64),
    dashboard: (f64, f64),
    monitoring: (f64, f64),
    monitoring_first: (f64, f64),
    monitoring_fifty: (f64, f64),
    scope_hour: (f64, f64),
    scope_quiet: (f64, f64),
    account_busy: (f64, f64),
    account_busy_deep: (f64, f64),
    account_quiet: (f64, f64),
}

/// An incident to search the trail for (the breach scope search needs one).
async fn incident(app: &TestApp, token: &str) -> i64 {
    let res = app
        .client()
        .post(app.url("/api/v1/incidents"))
        .bearer_auth(token)
        .json(
            &json!({ "title": "Laptop left on a bus", "what_happened": "A work laptop was left on a bus",
            "systems": "Front desk laptop", "discovered_by": "Front desk" }),
        )
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    res.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn measure(app: &TestApp, ids: &[i64]) -> Figures {
    let desk = app.api_login("frontdesk").await;
    let co = app.api_login("compliance").await;
    let owner = app.api_login("owner").await;
    let pick = |k: usize| (k * 104_729) % ids.len();
    let search: Vec<String> = (0..REQUESTS)
        .map(|k| format!("/api/v1/patients?q={}", name(pick(k), 0)))
        .collect();
    let history: Vec<String> = (0..REQUESTS)
        .map(|k| format!("/api/v1/audit/events?patient={}", ids[pick(k)]))
        .collect();
    let accounting: Vec<String> = (0..REQUESTS)
        .map(|k| {
            format!(
                "/api/v1/patients/{}/accounting",
                ids[(pick(k) / 50 * 50).min(ids.len() - 1)]
            )
        })
        .collect();
    let dashboard: Vec<String> = (0..REQUESTS / 4)
        .map(|_| "/api/v1/program/dashboard".to_owned())
        .collect();
    // The scan of the trail's last two days, as the compliance officer runs it; the first run
    // records what it finds, so the timed ones scan the same events and add nothing.
    let scan: Vec<(String, Option<Value>)> = (0..REQUESTS / 4)
        .map(|_| ("/api/v1/monitoring/run".to_owned(), Some(json!({}))))
        .collect();
    let monitoring_first = latency_of(app, &co, &scan[..1]).await;
    // The breach scope search: one hour of the busiest account's trail (the provider, who made
    // every seeded read, so the hour holds the clinic's share of a year's reads), and a whole
    // month of an account with few events (the front desk), which the window and the account
    // must bound whatever the trail's size.
    let id = incident(app, &desk).await;
    let hour = |k: usize| {
        let from = carekeep_testkit::START - time::Duration::days(30 + k as i64);
        let to = from + time::Duration::hours(1);
        let f = time::format_description::well_known::Rfc3339;
        (from.format(&f).unwrap(), to.format(&f).unwrap())
    };
    let scope_hour: Vec<(String, Option<Value>)> = (0..REQUESTS / 4)
        .map(|k| {
            let (from, to) = hour(k);
            (
                format!("/api/v1/incidents/{id}/scope/preview"),
                Some(json!({ "username": "provider", "from": from, "to": to })),
            )
        })
        .collect();
    let scope_quiet: Vec<(String, Option<Value>)> = (0..REQUESTS / 4)
        .map(|_| {
            (
                format!("/api/v1/incidents/{id}/scope/preview"),
                Some(json!({ "username": "frontdesk", "from": "2025-12-01", "to": "2026-03-02" })),
            )
        })
        .collect();
    let head = {
        let mut conn = app.state.app.store_for_tests().read().await.unwrap();
        carekeep_store::audit::head(&mut conn).await.unwrap().0
    };
    let account = |user: &str, before: Option<i64>| -> Vec<String> {
        let page = match before {
            Some(b) => format!("/api/v1/audit/events?user={user}&before={b}"),
            None => format!("/api/v1/audit/events?user={user}"),
        };
        vec![page; REQUESTS / 4]
    };
    Figures {
        search: latency(app, &desk, &search).await,
        history: latency(app, &co, &history).await,
        accounting: latency(app, &co, &accounting).await,
        dashboard: latency(app, &owner, &dashboard).await,
        monitoring: latency_of(app, &co, &scan).await,
        monitoring_first,
        monitoring_fifty: scan_after_reads(app, &owner, &co).await,
        scope_hour: latency_of(app, &co, &scope_hour).await,
        scope_quiet: latency_of(app, &co, &scope_quiet).await,
        // A person's history (the audit log by account): the busiest account's newest page, a
        // page from the middle of its trail, and a quiet account's newest page.
        account_busy: latency(app, &co, &account("provider", None)).await,
        account_busy_deep: latency(app, &co, &account("provider", Some(head / 2))).await,
        account_quiet: latency(app, &co, &account("frontdesk", None)).await,
    }
}

/// The kept scan after 50 new chart reads by one account (five rounds): its work is the events
/// since the last scan, whatever the trail's size.
async fn scan_after_reads(app: &TestApp, owner: &str, co: &str) -> (f64, f64) {
    let provider = app.user_id(owner, "provider").await;
    let patients: Vec<i64> = {
        let mut conn = app.state.app.store_for_tests().read().await.unwrap();
        sqlx::query_scalar("SELECT id FROM patients ORDER BY id LIMIT 50")
            .fetch_all(&mut *conn)
            .await
            .unwrap()
    };
    let mut ms = Vec::new();
    for _ in 0..5 {
        for p in &patients {
            let mut e = AuditEvent::new(
                app.state.app.now(),
                AuditActor {
                    user_id: Some(UserId(provider)),
                    name: "provider".into(),
                    roles: vec![RoleName::new("provider").unwrap()],
                },
                Action::PhiRead,
                Outcome::Success,
                Origin::default(),
            );
            e.patients = vec![*p];
            e.data_classes = vec![carekeep_domain::DataClass::Clinical];
            app.state.app.append_event(e).await.unwrap();
        }
        let scan = [("/api/v1/monitoring/run".to_owned(), Some(json!({})))];
        ms.push(latency_of(app, co, &scan).await.0);
    }
    ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (ms[ms.len() / 2], ms[ms.len() - 1])
}

/// The shapes migration 0052 replaced, built from this clinic's rows in a scratch file beside
/// it (the `sqlite3` shell, when installed), so the before and after sizes are of the same
/// rows: `audit_patients` as a rowid table with its primary key's index, and the account
/// index on `(actor_id, seq)` against `(actor_id)`.
fn storage_before(db: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let scratch = dir.path().join("shapes.db");
    let sql = format!(
        "ATTACH '{}' AS old;
         CREATE TABLE old.ap_rowid (patient_id INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (patient_id, seq));
         INSERT INTO old.ap_rowid SELECT patient_id, seq FROM main.audit_patients;
         CREATE TABLE old.ap_lean (patient_id INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (patient_id, seq)) WITHOUT ROWID;
         INSERT INTO old.ap_lean SELECT patient_id, seq FROM main.audit_patients;
         CREATE TABLE old.ev (seq INTEGER PRIMARY KEY, actor_id INTEGER);
         INSERT INTO old.ev SELECT seq, actor_id FROM main.audit_events;
         CREATE INDEX old.ev_actor_seq ON ev(actor_id, seq);
         CREATE INDEX old.ev_actor ON ev(actor_id);
         SELECT name, SUM(pgsize) FROM dbstat('old') GROUP BY name ORDER BY name;",
        scratch.display()
    );
    match std::process::Command::new("sqlite3").arg(db).arg(&sql).output() {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            let sizes: Vec<String> = text
                .lines()
                .filter_map(|l| l.split_once('|'))
                .map(|(n, b)| format!("{n} {:.1} MiB", b.parse::<f64>().unwrap_or(0.0) / 1_048_576.0))
                .collect();
            println!("  storage, the replaced shapes on the same rows: {}", sizes.join(", "));
        }
        Ok(out) => println!(
            "  storage, the replaced shapes: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => println!("  storage, the replaced shapes: no sqlite3 shell ({e})"),
    }
}

/// The statements this session replaced, timed beside their replacements on the same
/// database in the same run (median of 5 each, alternated, at the store, not over HTTP).
async fn previous_paths(app: &TestApp) {
    use carekeep_store::audit as audit_store;
    use carekeep_store::program::npp;
    let mut conn = app.state.app.store_for_tests().read().await.unwrap();
    let window = audit_store::Filter {
        from: Some(app.state.app.now() - time::Duration::hours(48)),
        limit: 200_000,
        ..audit_store::Filter::default()
    };
    let (mut count, mut recount, mut walk, mut whole) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let ms = |t: Instant| t.elapsed().as_secs_f64() * 1000.0;
    for _ in 0..5 {
        let t = Instant::now();
        let kept = npp::patients_without_ack(&mut conn).await.unwrap();
        count.push(ms(t));
        let t = Instant::now();
        assert_eq!(npp::recount_patients_without_ack(&mut conn).await.unwrap(), kept);
        recount.push(ms(t));
        let t = Instant::now();
        let a = audit_store::find(&mut conn, &window).await.unwrap().len();
        walk.push(ms(t));
        let t = Instant::now();
        let filter = audit_store::Filter {
            whole_window: true,
            ..window.clone()
        };
        assert_eq!(audit_store::find(&mut conn, &filter).await.unwrap().len(), a);
        whole.push(ms(t));
    }
    drop(conn);
    let (mut rescan, mut kept) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        let t = Instant::now();
        app.state.app.monitoring_rescan().await.unwrap();
        rescan.push(ms(t));
        let t = Instant::now();
        app.state.app.run_monitoring().await.unwrap();
        kept.push(ms(t));
    }
    println!(
        "  previous paths, same database: the monitoring scan of the whole two days (as every scan was) {:.1} ms / the kept scan from its mark {:.2} ms",
        crate::median(rescan),
        crate::median(kept)
    );
    println!(
        "  previous paths, same database: patients without a notice acknowledgment, counted over every patient {:.2} ms / kept count {:.3} ms; the monitoring scan's read of two days, walking the trail from its newest event {:.1} ms / the window by its index {:.1} ms",
        crate::median(recount),
        crate::median(count),
        crate::median(walk),
        crate::median(whole)
    );
}

/// How the database answers the pages' trail queries (the statements `audit_store::find`
/// builds, with the bench's values written in): each should read by an index bounded by the
/// window, the account or the patient.
async fn plans(app: &TestApp, patient: i64) {
    let from = (carekeep_testkit::START - time::Duration::days(30)).unix_timestamp();
    let now = carekeep_testkit::START.unix_timestamp();
    let mark = {
        let mut conn = app.state.app.store_for_tests().read().await.unwrap();
        carekeep_store::monitoring::kept::last_scanned(&mut conn).await.unwrap()
    };
    let queries = [
        (
            "breach scope search, one hour of one account",
            // The narrow read of `audit::each_patient_use` (session 5 of issue 31).
            format!("SELECT action, outcome, patient_ids, data_classes, classes FROM audit_events WHERE actor_id = 3 AND at >= {from} AND at <= {}", from + 3600),
        ),
        (
            "monitoring scan, two days",
            format!("SELECT e.* FROM audit_events e LEFT JOIN audit_agents ag ON ag.id = e.agent_id WHERE e.at >= {} ORDER BY +e.seq DESC LIMIT 200000", now - 2 * 86_400),
        ),
        (
            "monitoring scan, the events after its mark",
            format!("SELECT e.* FROM audit_events e LEFT JOIN audit_agents ag ON ag.id = e.agent_id WHERE e.seq > {mark} AND e.seq <= {} ORDER BY e.seq", mark + 200_000),
        ),
        (
            "access history, one patient",
            format!("SELECT e.* FROM audit_patients ap JOIN audit_events e ON e.seq = ap.seq LEFT JOIN audit_agents ag ON ag.id = e.agent_id WHERE ap.patient_id = {patient} ORDER BY ap.seq DESC LIMIT 200"),
        ),
        ("patients without a notice acknowledgment", "SELECT n FROM npp_unacked WHERE id = 1".to_owned()),
    ];
    let mut conn = app.state.app.store_for_tests().read().await.unwrap();
    for (what, sql) in queries {
        let explain = match app.backend() {
            carekeep_store::Backend::Sqlite => format!("EXPLAIN QUERY PLAN {sql}"),
            carekeep_store::Backend::Postgres => format!("EXPLAIN {sql}"),
        };
        let rows = sqlx::query(&explain).fetch_all(&mut *conn).await.unwrap();
        let lines: Vec<String> = rows
            .iter()
            .map(|r| {
                use sqlx::Row;
                let col = r.len() - 1;
                r.try_get::<String, _>(col).unwrap_or_default()
            })
            .collect();
        println!("  plan, {what}: {}", lines.join(" | "));
    }
}

/// What the database is made of, per table and index, largest first (SQLite's `dbstat`,
/// PostgreSQL's relation sizes), and the audit trail's bytes per event.
async fn storage(app: &TestApp) {
    let store = app.state.app.store_for_tests();
    let mut conn = store.read().await.unwrap();
    let sql = match app.backend() {
        carekeep_store::Backend::Sqlite => {
            "SELECT name, CAST(SUM(pgsize) AS BIGINT) AS bytes, 1 AS counted FROM dbstat GROUP BY name ORDER BY bytes DESC"
        }
        // A table's total includes its indexes and TOAST; each index is listed again, not
        // counted again.
        carekeep_store::Backend::Postgres => {
            "SELECT CAST(c.relname AS TEXT) AS name, CAST(pg_total_relation_size(c.oid) AS BIGINT) AS bytes, \
             CAST(CASE WHEN c.relkind = 'r' THEN 1 ELSE 0 END AS BIGINT) AS counted \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i') \
             ORDER BY bytes DESC"
        }
    };
    let rows: Vec<(String, i64, i64)> = match sqlx::query_as(sql).fetch_all(&mut *conn).await {
        Ok(r) => r,
        Err(e) => {
            println!("  storage: {e}");
            return;
        }
    };
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    let total: i64 = rows.iter().filter(|r| r.2 == 1).map(|r| r.1).sum();
    let audit: i64 = rows
        .iter()
        .filter(|r| r.2 == 1 && (r.0.starts_with("audit_") || r.0.starts_with("sqlite_autoindex_audit_")))
        .map(|r| r.1)
        .sum();
    println!(
        "  storage: {:.1} MiB in all{}; the audit trail's tables and indexes {:.1} MiB, {} bytes per event ({events} events)",
        total as f64 / 1_048_576.0,
        if app.backend() == carekeep_store::Backend::Postgres {
            " (tables with their indexes and TOAST; each index is listed again below, not counted again)"
        } else {
            ""
        },
        audit as f64 / 1_048_576.0,
        audit / events.max(1)
    );
    for (name, bytes, _) in rows.iter().take(24) {
        println!("    {name:<44} {:>10.1} MiB", *bytes as f64 / 1_048_576.0);
    }
}

/// The steps of a backup or restore as they happen, for the breakdown printed beside the ratio.
#[derive(Default)]
struct Steps(std::sync::Mutex<Vec<(String, Instant)>>);

impl carekeep_app::progress::Progress for Steps {
    fn step(&self, what: &str, _total: Option<u64>) {
        if let Ok(mut s) = self.0.lock() {
            s.push((what.to_owned(), Instant::now()));
        }
    }
}

impl Steps {
    /// "what 1.2 s, ..." from each step to the next, the last to `end`.
    fn said(&self, end: Instant) -> String {
        let s = self.0.lock().unwrap();
        s.iter()
            .enumerate()
            .map(|(i, (what, at))| {
                let until = s.get(i + 1).map_or(end, |n| n.1);
                format!("{what} {:.2} s", (until - *at).as_secs_f64())
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

fn copy_synced(from: &Path, to: &Path) -> u64 {
    let n = std::fs::copy(from, to).unwrap();
    std::fs::File::open(to).unwrap().sync_all().unwrap();
    n
}

fn pg_tool(name: &str) -> Option<std::path::PathBuf> {
    let mut dirs: Vec<_> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .map(|e| e.path())
        .collect();
    dirs.sort();
    dirs.into_iter()
        .rev()
        .map(|d| d.join("bin").join(name))
        .find(|p| p.exists())
}

async fn backups(app: &TestApp, admin: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let key = carekeep_crypto::backup::BackupKey::generate();
    let file = dir.path().join("clinic.ckb");
    let config = &app.state.config;
    let steps = Steps::default();
    let t = Instant::now();
    let m = backup::create_reporting(&config.files(), &key, &file, app.state.app.now(), &steps)
        .await
        .unwrap();
    let t_backup = t.elapsed().as_secs_f64();
    println!("  backup's steps: {}", steps.said(Instant::now()));
    let size = std::fs::metadata(&file).unwrap().len();
    // The plain copy: the same data as files (SQLite: the database and the key file; for
    // PostgreSQL, a file of the backup's size, since its data lives in the server).
    let t = Instant::now();
    let copied = if admin.is_none() {
        let db = config.data_dir.join("carekeep.db");
        copy_synced(&db, &dir.path().join("copy.db"))
            + copy_synced(&config.master_key_path(), &dir.path().join("copy.key"))
    } else {
        copy_synced(&file, &dir.path().join("copy.ckb"))
    };
    let t_copy = t.elapsed().as_secs_f64();
    if admin.is_none() {
        // The snapshot the backup took before issue 31, on the same database in the same run.
        let mut conn = app.state.app.store_for_tests().read().await.unwrap();
        let t = Instant::now();
        sqlx::query("VACUUM INTO $1")
            .bind(dir.path().join("vacuum.db").to_string_lossy().into_owned())
            .execute(&mut *conn)
            .await
            .unwrap();
        println!(
            "  the previous snapshot (VACUUM INTO, unsynced): {:.2} s",
            t.elapsed().as_secs_f64()
        );
        std::fs::remove_file(dir.path().join("vacuum.db")).unwrap();
    }
    let t = Instant::now();
    copy_synced(&file, &dir.path().join("copy-again.ckb"));
    let t_copy_file = t.elapsed().as_secs_f64();
    let mut target_db = None;
    let target = match admin {
        None => Config {
            data_dir: dir.path().join("restored"),
            ..Config::default()
        },
        Some(admin) => {
            let db = carekeep_testkit::TestDatabase::create_on(dir.path(), Some(admin.to_owned())).await;
            let c = Config {
                data_dir: dir.path().join("restored"),
                database_url: db.url.clone(),
                ..Config::default()
            };
            target_db = Some(db);
            c
        }
    };
    let steps = Steps::default();
    let t = Instant::now();
    backup::restore_reporting(&file, &key, &target.files(), false, app.state.app.now(), &steps)
        .await
        .unwrap();
    let t_restore = t.elapsed().as_secs_f64();
    println!("  restore's steps: {}", steps.said(Instant::now()));
    println!(
        "  backup: {:.1} s for {} audit events, {:.0} MiB file ({:.0} MiB of database); a plain synced copy of the same data {:.1} s: ratio {:.1}x",
        t_backup,
        m.audit_head_seq,
        size as f64 / 1_048_576.0,
        m.database_bytes as f64 / 1_048_576.0,
        t_copy,
        t_backup / t_copy
    );
    println!(
        "  restore, proven (counts and the whole audit chain verified): {:.1} s; a plain synced copy of the backup file {:.1} s: ratio {:.1}x ({} MiB copied)",
        t_restore,
        t_copy_file,
        t_restore / t_copy_file,
        copied / 1_048_576
    );
    if admin.is_some() {
        if let Some(pg_dump) = pg_tool("pg_dump") {
            let t = Instant::now();
            let out = std::process::Command::new(pg_dump)
                .args(["-Fc", "-f"])
                .arg(dir.path().join("dump.pgc"))
                .arg(&config.database_url)
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let t_dump = t.elapsed().as_secs_f64();
            println!(
                "  pg_dump -Fc of the same database (unencrypted, no proof): {t_dump:.1} s; carekeep backup / pg_dump: {:.1}x",
                t_backup / t_dump
            );
        }
    }
    if let Some(mut db) = target_db {
        db.drop_database().await;
    }
    if let Some(admin) = admin {
        copies_both_ways(app, dir.path(), admin).await;
    }
}

/// The copy between PostgreSQL and a backup's SQLite file, each way, by the row-by-row copy
/// the backup used before issue 31 and by the `COPY` streams it uses now: the same database in
/// the same run, so the pair is a fair before and after of the step that dominated both.
async fn copies_both_ways(app: &TestApp, dir: &Path, admin: &str) {
    use carekeep_store::{copy, Backend, Store};
    let now = app.state.app.now();
    let store = app.state.app.store_for_tests();
    let url = |f: &Path, mode: &str| format!("sqlite://{}?mode={mode}", f.display());
    let mut out = Vec::new();
    for (name, streamed) in [("rows.db", false), ("streamed.db", true)] {
        let file = dir.join(name);
        let t = Instant::now();
        let target = Store::open(&url(&file, "rwc"), now).await.unwrap();
        if streamed {
            let tables = {
                let mut conn = target.read().await.unwrap();
                copy::sqlite_tables(&mut conn).await.unwrap()
            };
            target.close().await;
            carekeep_store::copy_stream::postgres_to_sqlite(store, &file, &tables)
                .await
                .unwrap();
        } else {
            let mut to = target.begin_scratch().await.unwrap();
            let tables = copy::sqlite_tables(to.conn()).await.unwrap();
            let mut from = store.snapshot().await.unwrap();
            copy::copy_row_by_row(from.conn(), to.conn(), Backend::Sqlite, &tables)
                .await
                .unwrap();
            drop(from);
            to.commit().await.unwrap();
            target.close().await;
        }
        out.push(t.elapsed().as_secs_f64());
    }
    let file = dir.join("streamed.db");
    // Into PostgreSQL: the streams with every index kept (session 3), and with a large
    // table's indexes and constraints set aside (session 4); alternated, twice each.
    let (mut kept, mut set_aside) = (Vec::new(), Vec::new());
    for round in 0..4 {
        let aside = round % 2 == 1;
        let mut db = carekeep_testkit::TestDatabase::create_on(dir, Some(admin.to_owned())).await;
        let target = Store::open(&db.url, now).await.unwrap();
        let source = Store::open(&url(&file, "rw"), now).await.unwrap();
        let t = Instant::now();
        let tables = {
            let mut conn = source.read().await.unwrap();
            copy::sqlite_tables(&mut conn).await.unwrap()
        };
        let from = aside.then_some(carekeep_store::copy_stream::SET_ASIDE_FROM);
        carekeep_store::copy_stream::sqlite_to_postgres_with(&file, &target, &tables, from)
            .await
            .unwrap();
        let secs = t.elapsed().as_secs_f64();
        if aside {
            set_aside.push(secs);
        } else {
            kept.push(secs);
        }
        source.close().await;
        target.close().await;
        db.drop_database().await;
    }
    let (kept, set_aside) = (crate::median(kept), crate::median(set_aside));
    println!(
        "  copy PostgreSQL -> SQLite file: row by row {:.1} s, COPY streams {:.1} s ({:.1}x faster); SQLite file -> PostgreSQL by COPY streams (the slower of 2 each, alternated): every index kept {kept:.1} s, large tables' indexes and constraints set aside {set_aside:.1} s ({:.2}x faster)",
        out[0],
        out[1],
        out[0] / out[1],
        kept / set_aside
    );
}

async fn clinic(admin: Option<&str>, patients: usize, events: usize) -> (TestApp, Vec<i64>, f64) {
    let builder = TestApp::builder();
    let builder = match admin {
        Some(a) => builder.on_postgres(a),
        None => builder,
    };
    let app = builder.spawn().await;
    let t = Instant::now();
    let ids = seed_patients(&app, patients).await;
    let t_patients = t.elapsed().as_secs_f64();
    seed_disclosures(&app, &ids).await;
    let t_disclosures = t.elapsed().as_secs_f64() - t_patients;
    seed_events(&app, &ids, events).await;
    let total = t.elapsed().as_secs_f64();
    println!(
        "  seeded {} patients in {t_patients:.1} s, {} disclosures in {t_disclosures:.1} s, the trail to {events} events in {:.1} s",
        ids.len(),
        ids.len().div_ceil(50) * 2,
        total - t_patients - t_disclosures
    );
    // A clinic's trail grows over years and PostgreSQL's autovacuum keeps its statistics with
    // it; a trail seeded in a minute has none yet, and plans made without them (an account's
    // share of the trail, above all) are not the ones a clinic would get.
    if app.backend() == carekeep_store::Backend::Postgres {
        let mut tx = app.state.app.store_for_tests().begin().await.unwrap();
        sqlx::query("ANALYZE").execute(tx.conn()).await.unwrap();
        tx.commit().await.unwrap();
    }
    (app, ids, total)
}

fn row(what: &str, big: (f64, f64), small: (f64, f64)) {
    println!(
        "  {what:<44} p50 {:>7.1} ms  p95 {:>7.1} ms | small clinic p50 {:>6.1} ms | large/small {:.2}x",
        big.0,
        big.1,
        small.0,
        big.0 / small.0
    );
}

/// CPU time this process has used, on all its threads.
fn process_cpu_secs() -> f64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}

/// Whole-trail verification (issue 31), in one sitting: the product's verification read from
/// the database; the reader it replaced (sqlx batches of 10,000 rows decoded into owned fields,
/// every MAC on the calling core); and the verifier alone on one core over events already in
/// memory (the first 1,000,000), the rate the database read is held to.
async fn verification(app: &TestApp) {
    use carekeep_domain::audit::chain::{StoredLink, Verifier};
    let a = &app.state.app;
    let mut product = Vec::new();
    let mut client_cpu = Vec::new();
    let mut one_walk = Vec::new();
    let mut n = 0;
    // Alternated, so the machine's other load falls on both alike.
    for _ in 0..5 {
        let (t, cpu) = (Instant::now(), process_cpu_secs());
        let report = a.verify_audit(&[], &carekeep_app::progress::Silent).await.unwrap();
        let secs = t.elapsed().as_secs_f64();
        client_cpu.push(process_cpu_secs() - cpu);
        let carekeep_app::audit::VerifyReport::Intact { events, .. } = report else {
            panic!("the seeded trail verifies")
        };
        n = events;
        product.push(events as f64 / secs);
        let t = Instant::now();
        let report = carekeep_app::audit::verify_in_one_walk(a.store_for_tests(), a.audit_keys())
            .await
            .unwrap();
        let secs = t.elapsed().as_secs_f64();
        assert!(matches!(report, carekeep_app::audit::VerifyReport::Intact { .. }));
        one_walk.push(events as f64 / secs);
    }
    let one_walk = crate::median(one_walk);
    let (spread_low, spread_high) = (
        product.iter().copied().fold(f64::MAX, f64::min),
        product.iter().copied().fold(0.0, f64::max),
    );
    let product = crate::median(product);
    let client_cpu = crate::median(client_cpu);
    // The previous reader, as it was: batches through sqlx, then the verifier on this core;
    // over the first million events at most (at 10 M it would take minutes).
    let mut conn = a.store_for_tests().read().await.unwrap();
    let t = Instant::now();
    let mut verifier = Verifier::new(&a.audit_keys().chain, vec![]);
    let (mut after, mut before_n) = (0, 0u64);
    let mut in_memory = Vec::new();
    loop {
        let batch = carekeep_store::audit::after(&mut conn, after, 10_000).await.unwrap();
        let Some(last) = batch.last() else { break };
        after = last.seq;
        for e in &batch {
            let encode = |seq: i64| e.fields.canonical(seq);
            assert!(verifier.push(&StoredLink {
                seq: e.seq,
                prev_hash: e.prev_hash,
                hash: e.hash,
                canonical_at: &encode,
            }));
        }
        before_n += batch.len() as u64;
        if in_memory.len() < 1_000_000 {
            in_memory.extend(batch);
        }
        if before_n >= 1_000_000 {
            break;
        }
    }
    assert_eq!(verifier.finish(), Ok(before_n));
    let previous = before_n as f64 / t.elapsed().as_secs_f64();
    drop(conn);
    let mut compute = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let mut v = Verifier::new(&a.audit_keys().chain, vec![]);
        for e in &in_memory {
            let encode = |seq: i64| e.fields.canonical(seq);
            v.push(&StoredLink {
                seq: e.seq,
                prev_hash: e.prev_hash,
                hash: e.hash,
                canonical_at: &encode,
            });
        }
        assert_eq!(v.finish(), Ok(in_memory.len() as u64));
        compute.push(in_memory.len() as f64 / t.elapsed().as_secs_f64());
    }
    let compute = crate::median(compute);
    println!(
        "  whole-trail verification read from the database: {n} events, {:.2} s, {product:.0} events/s (median of 5; {spread_low:.0} to {spread_high:.0}); this process's CPU {:.2} s a run ({:.0} ns an event; the rest of the machine's is the database server's) | one walk, one reader (session 1 of issue 31): {one_walk:.0} events/s, two parts / one walk {:.2}x | the previous reader (sqlx batches, one core, the first {before_n} events): {previous:.0} events/s | the verifier alone, one core, {} events in memory: {compute:.0} events/s | read-from-db / in-memory {:.2}x, / previous {:.1}x",
        n as f64 / product,
        client_cpu,
        client_cpu * 1e9 / n as f64,
        product / one_walk,
        in_memory.len(),
        product / compute,
        product / previous
    );
}

/// Both backends (PostgreSQL with CAREKEEP_BENCH_DATABASE_URL), or PostgreSQL alone: the two
/// full-size runs take most of an hour each.
/// Which part of the scale run to time: `pages` (issue 31 items 3 to 5) or `long` (the
/// verification and the backup and restore, items 1 and 2); neither is both.
pub struct Only {
    pub pages: bool,
    pub long: bool,
}

pub async fn run(patients: usize, events: usize, postgres_only: bool, only: Only) {
    let mut backends = Vec::new();
    if !postgres_only {
        backends.push(("SQLite", None));
    }
    match std::env::var("CAREKEEP_BENCH_DATABASE_URL") {
        Ok(admin) => backends.push(("PostgreSQL", Some(admin))),
        Err(_) if postgres_only => panic!("--postgres-only needs CAREKEEP_BENCH_DATABASE_URL"),
        Err(_) => {}
    }
    for (label, admin) in backends {
        let admin = admin.as_deref();
        if only.long {
            let (app, ids, seeded) = clinic(admin, patients, events).await;
            println!(
                "scale, {label}: {} patients, {events} audit events, seeded in {seeded:.0} s; the long operations only",
                ids.len()
            );
            verification(&app).await;
            backups(&app, admin).await;
            app.stop().await;
            continue;
        }
        let (small, small_ids, _) = clinic(admin, patients / 100, events / 100).await;
        let s = measure(&small, &small_ids).await;
        small.stop().await;
        let (app, ids, seeded) = clinic(admin, patients, events).await;
        println!(
            "scale, {label}: {} patients, {events} audit events, seeded in {seeded:.0} s ({:.0} events/s overall); {REQUESTS} requests each, one client over HTTP",
            ids.len(),
            events as f64 / seeded
        );
        let b = measure(&app, &ids).await;
        row("patient search (front desk, by surname)", b.search, s.search);
        row("per-patient access history (compliance)", b.history, s.history);
        row(
            "accounting of disclosures, PDF (compliance)",
            b.accounting,
            s.accounting,
        );
        row("compliance dashboard (owner)", b.dashboard, s.dashboard);
        row("monitoring scan, nothing new (kept mark)", b.monitoring, s.monitoring);
        row(
            "monitoring scan, after 50 new reads",
            b.monitoring_fifty,
            s.monitoring_fifty,
        );
        row(
            "monitoring scan, the first (two days)",
            b.monitoring_first,
            s.monitoring_first,
        );
        row("breach scope search, one busy hour", b.scope_hour, s.scope_hour);
        row(
            "breach scope search, a quiet account's 3 months",
            b.scope_quiet,
            s.scope_quiet,
        );
        row(
            "a person's history, the busiest account",
            b.account_busy,
            s.account_busy,
        );
        row(
            "a person's history, the busiest account, a page halfway back",
            b.account_busy_deep,
            s.account_busy_deep,
        );
        row("a person's history, a quiet account", b.account_quiet, s.account_quiet);
        plans(&app, ids[ids.len() / 2]).await;
        previous_paths(&app).await;
        storage(&app).await;
        if admin.is_none() {
            storage_before(&app.state.config.data_dir.join("carekeep.db"));
        }
        if !only.pages {
            verification(&app).await;
            backups(&app, admin).await;
        }
        app.stop().await;
    }
}
