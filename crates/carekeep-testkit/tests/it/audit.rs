//! The audit trail (164.312(b), 164.312(c)(1)): what is recorded, fail-closed appends,
//! append-only storage, and tamper detection on both databases.

use carekeep_app::audit::{export_checkpoints, verify, verify_in_one_walk, VerifyReport};
use carekeep_domain::audit::chain::{Problem, Tampering};
use carekeep_store::Backend;
use carekeep_testkit::{PageClient, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

async fn exec(app: &TestApp, sql: &str) -> Result<(), sqlx::Error> {
    let mut tx = app.state.app.store_for_tests().begin().await.unwrap();
    sqlx::query(sql).execute(tx.conn()).await?;
    tx.commit().await.unwrap();
    Ok(())
}

async fn events(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let res = app
        .api(Method::GET, &format!("/api/v1/audit/events?limit=1000{query}"), token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json::<Vec<Value>>().await.unwrap()
}

async fn report(app: &TestApp) -> VerifyReport {
    verify(app.state.app.store_for_tests(), app.state.app.audit_keys(), &[])
        .await
        .unwrap()
}

#[tokio::test]
async fn sign_ins_and_administration_are_recorded_with_who_what_where() {
    let app = TestApp::spawn().await;
    let owner = app.api_login("owner").await;
    let bad = app
        .client()
        .post(app.url("/api/v1/auth/login"))
        .header("user-agent", "probe/1.0")
        .json(&json!({"username": "nurse", "password": "Not-The-Password-9", "totp": "123456"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    let typed_secret = "Hunter2-in-the-username-box";
    app.client()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": typed_secret, "password": "whatever-it-was", "totp": "1"}))
        .send()
        .await
        .unwrap();
    let nurse = app.api_login("nurse").await;
    app.api(Method::POST, "/api/v1/auth/logout", &nurse)
        .send()
        .await
        .unwrap();
    let res = app
        .api(Method::POST, "/api/v1/users", &owner)
        .json(&json!({"username": "auditme", "password": "a long and quiet sentence", "roles": ["billing"]}))
        .send()
        .await
        .unwrap();
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    app.api(Method::PUT, &format!("/api/v1/users/{id}/roles"), &owner)
        .json(&json!({"roles": ["front_desk"]}))
        .send()
        .await
        .unwrap();
    app.api(Method::POST, &format!("/api/v1/users/{id}/disable"), &owner)
        .send()
        .await
        .unwrap();
    app.api(Method::POST, &format!("/api/v1/users/{id}/reset-mfa"), &owner)
        .send()
        .await
        .unwrap();
    let billing = app.api_login("billing").await;
    app.clock.advance(time::Duration::minutes(16));
    assert_eq!(
        app.api(Method::GET, "/api/v1/me", &billing)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );

    let officer = app.api_login("compliance").await;
    let all = events(&app, &officer, "").await;
    let has = |action: &str, pred: &dyn Fn(&Value) -> bool| all.iter().any(|e| e["action"] == action && pred(e));
    assert!(has("clinic.created", &|_| true));
    assert!(has("login.succeeded", &|e| e["actor"] == "owner"
        && e["source_ip"] == "127.0.0.1"
        && !e["request_id"].as_str().unwrap().is_empty()));
    assert!(has("login.failed", &|e| e["actor"] == "nurse"
        && e["reason"] == "wrong password"
        && e["user_agent"] == "probe/1.0"));
    assert!(has("login.failed", &|e| e["actor"] == "(unknown account)"));
    assert!(has("logout", &|e| e["actor"] == "nurse"));
    assert!(has("user.created", &|e| e["target_user_id"] == id
        && e["actor_roles"] == "owner"));
    assert!(has("user.roles_changed", &|e| e["target_user_id"] == id
        && e["reason"] == "roles: front_desk"));
    assert!(has("user.disabled", &|e| e["target_user_id"] == id));
    assert!(has("mfa.reset", &|e| e["target_user_id"] == id));
    assert!(has("session.ended", &|e| e["actor"] == "billing"
        && e["reason"] == "idle_timeout"));
    let text = serde_json::to_string(&all).unwrap();
    assert!(
        !text.contains(typed_secret) && !text.contains("Not-The-Password-9"),
        "no typed secret is kept"
    );

    // Filters: by user (done by or to the account), by action.
    let about = events(&app, &officer, "&user=auditme").await;
    assert!(about.iter().all(|e| e["target_user_id"] == id || e["actor_id"] == id));
    assert_eq!(about.len(), 4);
    let failed = events(&app, &officer, "&action=login.failed").await;
    assert!(failed.len() >= 2 && failed.iter().all(|e| e["action"] == "login.failed"));
    // Looking is itself recorded, and only the officer and the owner may look.
    let again = events(&app, &officer, "&action=audit.viewed").await;
    assert!(again
        .iter()
        .any(|e| e["actor"] == "compliance" && e["reason"] == "action=login.failed"));
    for who in ["frontdesk", "provider", "billing"] {
        let t = app.api_login(who).await;
        assert_eq!(
            app.api(Method::GET, "/api/v1/audit/events", &t)
                .send()
                .await
                .unwrap()
                .status(),
            403,
            "{who}"
        );
    }
    let res = app
        .api(Method::GET, "/api/v1/audit/events?from=yesterday", &officer)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(matches!(report(&app).await, VerifyReport::Intact { .. }));
    app.stop().await;
}

#[tokio::test]
async fn the_audit_page_and_csv_show_the_trail_and_its_last_verification() {
    let app = TestApp::spawn().await;
    app.state.app.verify_and_record().await.unwrap();
    let mut c = PageClient::login(&app, "compliance").await;
    let (status, page) = c.get("/audit").await;
    assert_eq!(status, 200);
    assert!(page.contains("Intact:"), "verification evidence shown");
    assert!(page.contains("login.succeeded"));
    let res = c
        .http
        .get(c.url("/audit/export.csv?action=login.succeeded"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = res.text().await.unwrap();
    assert!(csv.starts_with("seq,at,actor_id,actor"));
    assert!(csv.lines().skip(1).all(|l| l.contains("login.succeeded")));
    let res = c
        .http
        .get(c.url("/audit/export.fhir.json?action=login.succeeded"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "application/fhir+json");
    let bundle: Value = res.json().await.unwrap();
    assert_eq!(
        (bundle["resourceType"].as_str(), bundle["type"].as_str()),
        (Some("Bundle"), Some("collection"))
    );
    let entries = bundle["entry"].as_array().unwrap();
    assert!(!entries.is_empty());
    for e in entries {
        let r = &e["resource"];
        assert_eq!(r["resourceType"], "AuditEvent");
        assert_eq!(r["subtype"][0]["code"], "login.succeeded");
        assert_eq!(r["type"]["code"], "110114");
        assert!(r["recorded"].as_str().unwrap().ends_with('Z'));
    }
    let token = app.api_login("owner").await;
    let res = app
        .api(
            Method::GET,
            "/api/v1/audit/export?format=csv&action=audit.exported",
            &token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let csv = res.text().await.unwrap();
    assert!(
        csv.contains("audit.exported") && csv.contains("compliance"),
        "the exports were recorded: {csv}"
    );
    let res = app
        .api(Method::GET, "/api/v1/audit/export?format=xml", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let mut fd = PageClient::login(&app, "frontdesk").await;
    assert_eq!(fd.get("/audit").await.0, 403);
    assert_eq!(fd.get("/audit/export.fhir.json").await.0, 403);
    app.stop().await;
}

#[tokio::test]
async fn an_action_whose_event_cannot_be_written_fails_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let owner = app.api_login("owner").await;
    exec(&app, "ALTER TABLE audit_events RENAME TO audit_events_away")
        .await
        .unwrap();
    let res = app
        .api(Method::POST, "/api/v1/users", &owner)
        .json(&json!({"username": "ghostwriter", "password": "a long and quiet sentence", "roles": ["nurse"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 500);
    let body: Value = res.json().await.unwrap();
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("internal error; quote request id"),
        "{body}"
    );
    let u = app.user("frontdesk").clone();
    let code = app.fresh_code(&u.totp_secret);
    let res = app
        .client()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "frontdesk", "password": u.password, "totp": code}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 500, "no sign-in without its audit event");
    exec(&app, "ALTER TABLE audit_events_away RENAME TO audit_events")
        .await
        .unwrap();
    let users: Vec<Value> = app
        .api(Method::GET, "/api/v1/users", &owner)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        users.iter().all(|u| u["username"] != "ghostwriter"),
        "the action left nothing behind"
    );
    assert!(
        matches!(report(&app).await, VerifyReport::Intact { .. }),
        "and the chain has no gap"
    );
    app.stop().await;
}

/// Removes the database's append-only guard, as someone with owner rights on it could.
async fn drop_guards(app: &TestApp) {
    let statements: &[&str] = match app.backend() {
        Backend::Sqlite => &[
            "DROP TRIGGER audit_events_no_update",
            "DROP TRIGGER audit_events_no_delete",
            "DROP TRIGGER audit_checkpoints_no_delete",
            "DROP TRIGGER audit_agents_no_update",
        ],
        Backend::Postgres => &[
            "DROP TRIGGER audit_events_append_only ON audit_events",
            "DROP TRIGGER audit_checkpoints_append_only ON audit_checkpoints",
            "DROP TRIGGER audit_agents_append_only ON audit_agents",
        ],
    };
    for s in statements {
        exec(app, s).await.unwrap();
    }
}

/// A trail of `n` events or more: sign-ins by every seeded user.
async fn busy_trail(app: &TestApp, n: i64) -> i64 {
    loop {
        for who in ["frontdesk", "nurse", "provider", "billing"] {
            app.api_login(who).await;
        }
        if let VerifyReport::Intact { head, .. } = report(app).await {
            if head >= n {
                return head;
            }
        }
    }
}

#[tokio::test]
async fn the_database_refuses_to_change_or_delete_events() {
    let app = TestApp::spawn().await;
    busy_trail(&app, 5).await;
    for sql in [
        "UPDATE audit_events SET reason = 'x' WHERE seq = 2",
        "DELETE FROM audit_events WHERE seq = 2",
    ] {
        let err = exec(&app, sql).await.unwrap_err().to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    app.stop().await;
}

#[tokio::test]
async fn every_kind_of_tampering_is_found_at_the_right_event() {
    let cases: &[(&str, &[&str], Problem)] = &[
        ("changed", &["UPDATE audit_events SET reason = 'nothing to see' WHERE seq = 7"], Problem { seq: 7, kind: Tampering::Changed }),
        // The packed class bits are covered like the text they stand for.
        ("classes changed", &["UPDATE audit_events SET classes = 8 WHERE seq = 7"], Problem { seq: 7, kind: Tampering::Changed }),
        // So is the browser name an event points at, wherever it is kept.
        ("browser name swapped", &["UPDATE audit_events SET agent_id = agent_id + 100 WHERE seq = 7"], Problem { seq: 7, kind: Tampering::Changed }),
        (
            "browser name split",
            &["UPDATE audit_events SET user_agent = 'carekeep-testkit/1 (like a browser)' WHERE seq = 7"],
            Problem { seq: 7, kind: Tampering::Changed },
        ),
        ("deleted, gap", &["DELETE FROM audit_events WHERE seq = 6"], Problem { seq: 6, kind: Tampering::Deleted }),
        (
            "deleted, renumbered",
            &[
                "DELETE FROM audit_events WHERE seq = 6",
                "UPDATE audit_events SET seq = -seq WHERE seq > 6",
                "UPDATE audit_events SET seq = -seq - 1 WHERE seq < 0",
            ],
            Problem { seq: 6, kind: Tampering::Deleted },
        ),
        (
            "inserted",
            &[
                "UPDATE audit_events SET seq = -seq WHERE seq >= 8",
                "UPDATE audit_events SET seq = -seq + 1 WHERE seq < 0",
                "INSERT INTO audit_events SELECT 8, at, actor_id, 'intruder', actor_roles, action, outcome, patient_ids, \
                 resource_type, resource_id, data_classes, source_ip, user_agent, request_id, reason, target_user_id, \
                 prev_hash, hash, classes, agent_id FROM audit_events WHERE seq = 7",
            ],
            Problem { seq: 8, kind: Tampering::Inserted },
        ),
        (
            "reordered",
            &[
                "UPDATE audit_events SET seq = -1 WHERE seq = 9",
                "UPDATE audit_events SET seq = 9 WHERE seq = 10",
                "UPDATE audit_events SET seq = 10 WHERE seq = -1",
            ],
            Problem { seq: 9, kind: Tampering::Reordered },
        ),
    ];
    for (name, statements, want) in cases {
        let app = TestApp::spawn().await;
        busy_trail(&app, 14).await;
        assert!(matches!(report(&app).await, VerifyReport::Intact { .. }));
        drop_guards(&app).await;
        for s in *statements {
            exec(&app, s).await.unwrap_or_else(|e| panic!("{name}: {s}: {e}"));
        }
        match report(&app).await {
            VerifyReport::Tampered { problem, .. } => assert_eq!(problem, *want, "{name} on {:?}", app.backend()),
            other => panic!("{name}: not detected: {other:?}"),
        }
        app.stop().await;
    }
}

/// Appends `n` chart reads straight through the chain (MAC'd, checkpoints signed), as the
/// scale bench seeds a clinic's trail, every third one from the test kit's browser.
async fn long_trail(app: &TestApp, n: usize) -> i64 {
    use carekeep_domain::audit::{Action, AuditActor, AuditEvent, Origin, Outcome};
    let a = &app.state.app;
    let events: Vec<AuditEvent> = (0..n)
        .map(|i| {
            let mut e = AuditEvent::new(
                a.now(),
                AuditActor {
                    user_id: Some(carekeep_domain::UserId(3)),
                    name: "provider".into(),
                    roles: vec![carekeep_domain::RoleName::new("provider").unwrap()],
                },
                Action::PhiRead,
                Outcome::Success,
                Origin {
                    source_ip: "192.0.2.10".into(),
                    user_agent: if i % 3 == 0 {
                        carekeep_testkit::TEST_USER_AGENT.into()
                    } else {
                        String::new()
                    },
                    request_id: format!("r-{i}"),
                },
            );
            e.patients = vec![1 + (i as i64 % 40)];
            e.resource_type = "chart".into();
            e.resource_id = e.patients[0].to_string();
            e.data_classes = vec![carekeep_domain::DataClass::Clinical];
            e
        })
        .collect();
    let mut tx = a.store_for_tests().begin().await.unwrap();
    a.audit_keys().record_all(&mut tx, &events).await.unwrap();
    tx.commit().await.unwrap();
    match report(app).await {
        VerifyReport::Intact { head, events, .. } => {
            assert_eq!(events, u64::try_from(head).unwrap());
            head
        }
        other => panic!("the seeded trail does not verify: {other:?}"),
    }
}

/// The verification reads the trail in chunks of 2,048 events and checks their MACs on two
/// cores (issue 31): each mutation sits where one chunk ends and the next begins, or deep in
/// a later chunk, and is still named at its own event, on both databases.
#[tokio::test]
async fn tampering_where_the_read_changes_chunks_is_found_at_the_right_event() {
    let inserted = "INSERT INTO audit_events SELECT 2049, at, actor_id, 'intruder', actor_roles, action, outcome, \
         patient_ids, resource_type, resource_id, data_classes, source_ip, user_agent, request_id, reason, \
         target_user_id, prev_hash, hash, classes, agent_id FROM audit_events WHERE seq = 2048";
    let mut cases: Vec<(&str, Vec<&str>, Problem)> = vec![
        (
            "last of a chunk changed",
            vec!["UPDATE audit_events SET reason = 'x' WHERE seq = 2048"],
            Problem {
                seq: 2048,
                kind: Tampering::Changed,
            },
        ),
        (
            "first of a chunk changed",
            vec!["UPDATE audit_events SET request_id = 'r-0' WHERE seq = 2049"],
            Problem {
                seq: 2049,
                kind: Tampering::Changed,
            },
        ),
        (
            "a stored previous hash changed",
            vec!["UPDATE audit_events SET prev_hash = hash WHERE seq = 4097"],
            Problem {
                seq: 4097,
                kind: Tampering::Changed,
            },
        ),
        (
            "a stored hash changed",
            vec!["UPDATE audit_events SET hash = prev_hash WHERE seq = 5000"],
            Problem {
                seq: 5000,
                kind: Tampering::Changed,
            },
        ),
        (
            "classes changed in a later chunk",
            vec!["UPDATE audit_events SET classes = 1 WHERE seq = 4500"],
            Problem {
                seq: 4500,
                kind: Tampering::Changed,
            },
        ),
        (
            "first of a chunk deleted",
            vec!["DELETE FROM audit_events WHERE seq = 2049"],
            Problem {
                seq: 2049,
                kind: Tampering::Deleted,
            },
        ),
        (
            "last of a chunk deleted, the rest renumbered",
            vec![
                "DELETE FROM audit_events WHERE seq = 2048",
                "UPDATE audit_events SET seq = -seq WHERE seq > 2048",
                "UPDATE audit_events SET seq = -seq - 1 WHERE seq < 0",
            ],
            Problem {
                seq: 2048,
                kind: Tampering::Deleted,
            },
        ),
        (
            "inserted as the first of a chunk",
            vec![
                "UPDATE audit_events SET seq = -seq WHERE seq >= 2049",
                "UPDATE audit_events SET seq = -seq + 1 WHERE seq < 0",
                inserted,
            ],
            Problem {
                seq: 2049,
                kind: Tampering::Inserted,
            },
        ),
        (
            "the last of a chunk and the first of the next swapped",
            vec![
                "UPDATE audit_events SET seq = -1 WHERE seq = 2048",
                "UPDATE audit_events SET seq = 2048 WHERE seq = 2049",
                "UPDATE audit_events SET seq = 2049 WHERE seq = -1",
            ],
            Problem {
                seq: 2048,
                kind: Tampering::Reordered,
            },
        ),
    ];
    let probe = TestApp::spawn().await;
    let sqlite = probe.backend() == Backend::Sqlite;
    probe.stop().await;
    if sqlite {
        // SQLite keeps whatever type a statement stores; a value of the wrong type cannot
        // pass for the text the MAC covered.
        cases.push((
            "a text made a blob",
            vec!["UPDATE audit_events SET reason = X'00' WHERE seq = 3000"],
            Problem {
                seq: 3000,
                kind: Tampering::Changed,
            },
        ));
    }
    for (name, statements, want) in cases {
        let app = TestApp::spawn().await;
        let head = long_trail(&app, 5_200).await;
        assert!(head > 5_000);
        drop_guards(&app).await;
        for s in &statements {
            exec(&app, s).await.unwrap_or_else(|e| panic!("{name}: {s}: {e}"));
        }
        match report(&app).await {
            VerifyReport::Tampered { problem, .. } => assert_eq!(problem, want, "{name} on {:?}", app.backend()),
            other => panic!("{name}: not detected: {other:?}"),
        }
        app.stop().await;
    }
}

/// A long trail is verified in two parts at once, split at half its head (issue 31): every
/// mutation at the joint (the last event of the first part, the first of the second, the
/// link between them) fails the two parts, and the whole walk then names it at its own event,
/// on both databases; an intact trail verifies the same in two parts as in one walk.
#[tokio::test]
async fn tampering_at_the_joint_of_the_two_parts_is_found_at_the_right_event() {
    let probe = TestApp::spawn().await;
    let head = long_trail(&probe, 5_200).await;
    assert_eq!(
        verify_in_one_walk(probe.state.app.store_for_tests(), probe.state.app.audit_keys())
            .await
            .unwrap(),
        report(&probe).await,
        "two parts and one walk agree on an intact trail"
    );
    probe.stop().await;
    let mid = head / 2;
    let after = mid + 1;
    let cases: Vec<(&str, Vec<String>, Problem)> = vec![
        (
            "the last of the first part changed",
            vec![format!("UPDATE audit_events SET reason = 'x' WHERE seq = {mid}")],
            Problem {
                seq: mid,
                kind: Tampering::Changed,
            },
        ),
        (
            "the link across the joint changed",
            vec![format!("UPDATE audit_events SET prev_hash = hash WHERE seq = {after}")],
            Problem {
                seq: after,
                kind: Tampering::Changed,
            },
        ),
        (
            "the first of the second part deleted",
            vec![format!("DELETE FROM audit_events WHERE seq = {after}")],
            Problem {
                seq: after,
                kind: Tampering::Deleted,
            },
        ),
        (
            "the last of the first part deleted, the rest renumbered",
            vec![
                format!("DELETE FROM audit_events WHERE seq = {mid}"),
                format!("UPDATE audit_events SET seq = -seq WHERE seq > {mid}"),
                "UPDATE audit_events SET seq = -seq - 1 WHERE seq < 0".into(),
            ],
            Problem {
                seq: mid,
                kind: Tampering::Deleted,
            },
        ),
        (
            "the two events at the joint swapped",
            vec![
                format!("UPDATE audit_events SET seq = -1 WHERE seq = {mid}"),
                format!("UPDATE audit_events SET seq = {mid} WHERE seq = {after}"),
                format!("UPDATE audit_events SET seq = {after} WHERE seq = -1"),
            ],
            Problem {
                seq: mid,
                kind: Tampering::Reordered,
            },
        ),
    ];
    for (name, statements, want) in cases {
        let app = TestApp::spawn().await;
        assert_eq!(long_trail(&app, 5_200).await, head, "the same trail each time");
        drop_guards(&app).await;
        for s in &statements {
            exec(&app, s).await.unwrap_or_else(|e| panic!("{name}: {s}: {e}"));
        }
        match report(&app).await {
            VerifyReport::Tampered { problem, .. } => assert_eq!(problem, want, "{name} on {:?}", app.backend()),
            other => panic!("{name}: not detected: {other:?}"),
        }
        app.stop().await;
    }
}

/// Truncation of a long trail with the database's own checkpoints and head made to agree:
/// only the checkpoints exported beforehand can tell, and they name the first missing event.
#[tokio::test]
async fn truncating_a_long_trail_is_found_with_the_exported_checkpoints() {
    let app = TestApp::spawn().await;
    let head = long_trail(&app, 5_200).await;
    assert!(app.state.app.checkpoint_if_due(time::Duration::ZERO).await.unwrap());
    let outside = export_checkpoints(app.state.app.store_for_tests(), app.state.app.audit_keys())
        .await
        .unwrap();
    assert!(
        outside.len() >= 5,
        "a checkpoint every thousand events and one at the head"
    );
    drop_guards(&app).await;
    let keep = 2_048;
    exec(&app, &format!("DELETE FROM audit_events WHERE seq > {keep}"))
        .await
        .unwrap();
    exec(&app, &format!("DELETE FROM audit_checkpoints WHERE seq > {keep}"))
        .await
        .unwrap();
    exec(
        &app,
        &format!("UPDATE audit_head SET seq = {keep}, hash = (SELECT hash FROM audit_events WHERE seq = {keep})"),
    )
    .await
    .unwrap();
    assert!(
        matches!(report(&app).await, VerifyReport::Intact { .. }),
        "the database alone cannot tell"
    );
    let r = verify(app.state.app.store_for_tests(), app.state.app.audit_keys(), &outside)
        .await
        .unwrap();
    assert_eq!(
        r,
        VerifyReport::Tampered {
            problem: Problem {
                seq: keep + 1,
                kind: Tampering::Truncated
            },
            events_before: keep
        },
        "{head} events cut to {keep}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_changed_browser_name_is_found_at_the_first_event_that_used_it() {
    let app = TestApp::spawn().await;
    busy_trail(&app, 14).await;
    let browser = carekeep_testkit::TEST_USER_AGENT;
    let (first, agents, used, with_agent): (i64, i64, i64, i64) = {
        let mut conn = app.state.app.store_for_tests().read().await.unwrap();
        sqlx::query_as(
            "SELECT (SELECT MIN(e.seq) FROM audit_events e JOIN audit_agents ag ON ag.id = e.agent_id \
                     WHERE ag.text = $1), \
                    (SELECT COUNT(*) FROM audit_agents), \
                    (SELECT COUNT(DISTINCT agent_id) FROM audit_events), \
                    (SELECT COUNT(*) FROM audit_events WHERE agent_id IS NOT NULL)",
        )
        .bind(browser)
        .fetch_one(&mut *conn)
        .await
        .unwrap()
    };
    // Each name is stored once however many events carry it.
    assert_eq!(agents, used);
    assert!(with_agent >= 14 && agents <= 3, "{with_agent} events, {agents} names");
    assert!(matches!(report(&app).await, VerifyReport::Intact { .. }));
    let change = format!("UPDATE audit_agents SET text = 'someone else' WHERE text = '{browser}'");
    let err = exec(&app, &change).await.unwrap_err().to_string();
    assert!(err.contains("append-only"), "{err}");
    drop_guards(&app).await;
    exec(&app, &change).await.unwrap();
    match report(&app).await {
        VerifyReport::Tampered { problem, .. } => {
            assert_eq!(
                problem,
                Problem {
                    seq: first,
                    kind: Tampering::Changed
                }
            )
        }
        other => panic!("not detected: {other:?}"),
    }
    app.stop().await;
}

#[tokio::test]
async fn truncation_after_a_checkpoint_is_found_even_with_the_head_and_checkpoints_rewritten() {
    let app = TestApp::spawn().await;
    let head = busy_trail(&app, 12).await;
    assert!(app.state.app.checkpoint_if_due(time::Duration::ZERO).await.unwrap());
    let outside = export_checkpoints(app.state.app.store_for_tests(), app.state.app.audit_keys())
        .await
        .unwrap();
    assert_eq!(outside.last().unwrap().seq, head);
    drop_guards(&app).await;
    let keep = head - 3;
    exec(&app, &format!("DELETE FROM audit_events WHERE seq > {keep}"))
        .await
        .unwrap();
    // With the checkpoint still in the database, the trail is short of it.
    match report(&app).await {
        VerifyReport::Tampered { problem, .. } => assert_eq!(
            problem,
            Problem {
                seq: keep + 1,
                kind: Tampering::Truncated
            }
        ),
        other => panic!("not detected: {other:?}"),
    }
    // Cover the tracks: the database's own checkpoints and head now agree with the short trail.
    exec(&app, "DELETE FROM audit_checkpoints").await.unwrap();
    exec(
        &app,
        &format!("UPDATE audit_head SET seq = {keep}, hash = (SELECT hash FROM audit_events WHERE seq = {keep})"),
    )
    .await
    .unwrap();
    assert!(
        matches!(report(&app).await, VerifyReport::Intact { .. }),
        "the database alone cannot tell"
    );
    // The checkpoint file the owner kept elsewhere still can.
    let r = verify(app.state.app.store_for_tests(), app.state.app.audit_keys(), &outside)
        .await
        .unwrap();
    match r {
        VerifyReport::Tampered { problem, .. } => assert_eq!(
            problem,
            Problem {
                seq: keep + 1,
                kind: Tampering::Truncated
            }
        ),
        other => panic!("not detected with the file: {other:?}"),
    }
    // A forged checkpoint file is refused outright.
    let mut forged = outside.clone();
    forged[0].hash = "00".repeat(32);
    assert!(
        verify(app.state.app.store_for_tests(), app.state.app.audit_keys(), &forged)
            .await
            .is_err()
    );
    app.stop().await;
}

#[tokio::test]
async fn checkpoints_are_signed_every_thousand_events() {
    let app = TestApp::spawn().await;
    let keys = app.state.app.audit_keys();
    let mut tx = app.state.app.store_for_tests().begin().await.unwrap();
    for _ in 0..1000 {
        let ev = app.state.app.event(
            &carekeep_app::Actor::Cli,
            carekeep_domain::audit::Action::SettingChanged,
            carekeep_domain::audit::Outcome::Success,
        );
        keys.record(&mut tx, &ev).await.unwrap();
    }
    tx.commit().await.unwrap();
    let cps = export_checkpoints(app.state.app.store_for_tests(), keys).await.unwrap();
    assert_eq!(cps.iter().map(|c| c.seq).collect::<Vec<_>>(), vec![1000]);
    match report(&app).await {
        VerifyReport::Intact {
            events, checkpoints, ..
        } => assert_eq!((events >= 1000, checkpoints), (true, 1)),
        other => panic!("{other:?}"),
    }
    app.stop().await;
}

#[tokio::test]
async fn group_commit_keeps_every_event_in_one_gapless_chain_and_fails_closed() {
    let app = TestApp::spawn().await;
    let before = match report(&app).await {
        VerifyReport::Intact { head, .. } => head,
        other => panic!("{other:?}"),
    };
    let mut tasks = Vec::new();
    for w in 0..32i64 {
        let a = app.state.app.clone();
        tasks.push(tokio::spawn(async move {
            let mut seqs = Vec::new();
            for i in 0..10i64 {
                let mut e = a.event(
                    &carekeep_app::Actor::Cli,
                    carekeep_domain::audit::Action::PhiRead,
                    carekeep_domain::audit::Outcome::Success,
                );
                e.patients = vec![w * 100 + i];
                seqs.push(a.append_event(e).await.unwrap());
            }
            seqs
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort();
    assert_eq!(
        all,
        ((before + 1)..=(before + 320)).collect::<Vec<_>>(),
        "every caller got its own place, no gaps"
    );
    assert!(matches!(report(&app).await, VerifyReport::Intact { events: 320.., .. }));
    let officer = app.api_login("compliance").await;
    let one = events(&app, &officer, "&patient=3105").await;
    assert_eq!(one.len(), 1, "per-patient lookup finds the read of that chart");
    assert_eq!(one[0]["patients"], "3105");
    // Filters combine, and the next page walks back from where the last one ended.
    let action = one[0]["action"].as_str().unwrap().to_owned();
    assert_eq!(
        events(&app, &officer, &format!("&patient=3105&action={action}"))
            .await
            .len(),
        1
    );
    assert!(events(&app, &officer, "&patient=3105&action=login.failed")
        .await
        .is_empty());
    let seq = one[0]["seq"].as_i64().unwrap();
    assert!(events(&app, &officer, &format!("&patient=3105&before={seq}"))
        .await
        .is_empty());
    assert_eq!(
        events(&app, &officer, &format!("&patient=3105&before={}", seq + 1))
            .await
            .len(),
        1
    );
    let page = events(&app, &officer, &format!("&action={action}&before={seq}")).await;
    assert!(page
        .iter()
        .all(|e| e["seq"].as_i64().unwrap() < seq && e["action"] == action.as_str()));
    assert!(!page.is_empty(), "older reads of other charts");

    exec(&app, "ALTER TABLE audit_events RENAME TO audit_events_away")
        .await
        .unwrap();
    let e = app.state.app.event(
        &carekeep_app::Actor::Cli,
        carekeep_domain::audit::Action::PhiRead,
        carekeep_domain::audit::Outcome::Success,
    );
    assert!(
        app.state.app.append_event(e).await.is_err(),
        "no durable event, no read"
    );
    exec(&app, "ALTER TABLE audit_events_away RENAME TO audit_events")
        .await
        .unwrap();
    assert!(matches!(report(&app).await, VerifyReport::Intact { .. }));
    app.stop().await;
}

/// A person's history (the trail by account) is what the account did and what was done to it,
/// newest first, each event once, paged by `before`, alone or with another filter (issue 31:
/// the two sides are now walked apart and merged). Every page is checked against the one
/// `actor OR target` condition it replaced, on both databases.
#[tokio::test]
async fn a_persons_history_is_what_they_did_and_what_was_done_to_them_page_by_page() {
    use carekeep_domain::audit::{Action, AuditActor, AuditEvent, Origin, Outcome};
    use carekeep_domain::{RoleName, UserId};
    let app = TestApp::spawn().await;
    let a = &app.state.app;
    let actor = |id: i64, name: &str| AuditActor {
        user_id: Some(UserId(id)),
        name: name.into(),
        roles: vec![RoleName::new("provider").unwrap()],
    };
    // Account 3 reads charts; 5 and 6 read too; now and then the owner (1) acts on 3's
    // account, 3 acts on its own (a password change), and 3 acts on 5's.
    let events: Vec<AuditEvent> = (0..300i64)
        .map(|i| {
            let (who, target) = match i % 10 {
                0 => (actor(1, "owner"), Some(3)),
                1 => (actor(3, "provider"), Some(3)),
                2 => (actor(3, "provider"), Some(5)),
                3 | 4 => (actor(5, "nurse"), None),
                5 => (actor(6, "frontdesk"), None),
                _ => (actor(3, "provider"), None),
            };
            let action = if target.is_some() {
                Action::UserRolesChanged
            } else {
                Action::PhiRead
            };
            let mut e = AuditEvent::new(a.now(), who, action, Outcome::Success, Origin::default());
            if let Some(t) = target {
                e = e.with_target(UserId(t));
            } else {
                e.patients = vec![1 + i % 4];
                e.resource_type = "chart".into();
            }
            e
        })
        .collect();
    let mut tx = a.store_for_tests().begin().await.unwrap();
    a.audit_keys().record_all(&mut tx, &events).await.unwrap();
    tx.commit().await.unwrap();
    let mut conn = a.store_for_tests().read().await.unwrap();
    for (user, extra, action, patient) in [
        (3, "", None, None),
        (5, "", None, None),
        (6, "", None, None),
        (
            3,
            " AND e.action = 'user.roles_changed'",
            Some("user.roles_changed"),
            None,
        ),
        (
            3,
            " AND e.seq IN (SELECT seq FROM audit_patients WHERE patient_id = 2)",
            None,
            Some(2),
        ),
        (42, "", None, None),
    ] {
        let want: Vec<i64> = sqlx::query_scalar(&format!(
            "SELECT e.seq FROM audit_events e WHERE (e.actor_id = {user} OR e.target_user_id = {user}){extra} ORDER BY e.seq DESC"
        ))
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        let mut got = Vec::new();
        let mut before = None;
        loop {
            let page = carekeep_store::audit::find(
                &mut conn,
                &carekeep_store::audit::Filter {
                    user_id: Some(user),
                    patient_id: patient,
                    action: action.map(str::to_owned),
                    before_seq: before,
                    limit: 7,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            assert!(page.len() <= 7);
            let Some(last) = page.last() else { break };
            before = Some(last.seq);
            got.extend(page.iter().map(|e| e.seq));
        }
        assert_eq!(got, want, "account {user}{extra} on {:?}", app.backend());
        if user != 42 {
            assert!(!want.is_empty(), "account {user}{extra} has events");
        }
    }
    drop(conn);
    app.stop().await;
}
