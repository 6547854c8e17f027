//! The `carekeep` command as scripts use it: exit codes 0 (success), 1 (failed), 2 (bad
//! usage, configuration or input), and messages that say what to fix.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn carekeep(data: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_carekeep"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env_remove("CAREKEEP_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run carekeep");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn init_then_user_administration_with_trustworthy_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("clinic");
    let o = carekeep(
        &data,
        &[
            "init",
            "--clinic-name",
            "Lakeside Dental",
            "--owner-username",
            "dana",
            "--owner-password-stdin",
        ],
        "tulips in the waiting room\n",
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(data.join("carekeep.toml").exists() && data.join("carekeep.db").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.join("keys/master.key"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }
    let o = carekeep(
        &data,
        &["init", "--owner-username", "other", "--owner-password-stdin"],
        "tulips in the waiting room\n",
    );
    assert_eq!(o.status.code(), Some(2), "a second init is refused: {}", text(&o));
    assert!(text(&o).contains("already holds a clinic"));

    let o = carekeep(
        &data,
        &[
            "user",
            "add",
            "rita",
            "--roles",
            "front_desk,billing",
            "--name",
            "Rita Reyes",
            "--password-stdin",
        ],
        "morning coffee at the front desk\n",
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = carekeep(
        &data,
        &["user", "add", "RITA", "--roles", "nurse", "--password-stdin"],
        "another long sentence here\n",
    );
    assert_eq!(o.status.code(), Some(2), "usernames ignore case: {}", text(&o));
    let o = carekeep(
        &data,
        &["user", "add", "sam", "--roles", "nurse", "--password-stdin"],
        "short\n",
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("12 characters"));

    let o = carekeep(&data, &["user", "list", "--json"], "");
    assert_eq!(o.status.code(), Some(0));
    let users: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rita = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "rita")
        .unwrap();
    assert_eq!(rita["roles"], serde_json::json!(["billing", "front_desk"]));
    assert_eq!(rita["mfa_required"], true);
    assert_eq!(rita["mfa_enrolled"], false);

    let o = carekeep(&data, &["user", "roles", "rita", "--set", "front_desk"], "");
    assert_eq!(
        (o.status.code(), String::from_utf8_lossy(&o.stdout).trim().to_owned()),
        (Some(0), "front_desk".to_owned())
    );
    let o = carekeep(&data, &["user", "disable", "rita"], "");
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o).contains("disabled"));
    let o = carekeep(&data, &["user", "disable", "dana"], "");
    assert_eq!(
        o.status.code(),
        Some(2),
        "the last administrator cannot be disabled: {}",
        text(&o)
    );
    let o = carekeep(&data, &["user", "disable", "nobody"], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("not found"));
    let o = carekeep(&data, &["user", "reset-mfa", "rita"], "");
    assert_eq!(o.status.code(), Some(0));
    let o = carekeep(
        &data,
        &["user", "reset-password", "rita", "--password-stdin"],
        "a brand new long sentence\n",
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn serve_refuses_an_open_key_file_a_missing_one_and_plain_http_on_the_network() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("clinic");
    let o = carekeep(
        &data,
        &["init", "--owner-username", "dana", "--owner-password-stdin"],
        "tulips in the waiting room\n",
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    let o = carekeep(&data, &["serve", "--listen", "0.0.0.0:0"], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("not a loopback address"), "{}", text(&o));

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let key = data.join("keys/master.key");
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let o = carekeep(&data, &["serve", "--listen", "127.0.0.1:0"], "");
        assert_eq!(o.status.code(), Some(2));
        assert!(text(&o).contains("chmod 600"), "{}", text(&o));
        std::fs::remove_file(&key).unwrap();
        let o = carekeep(&data, &["serve", "--listen", "127.0.0.1:0"], "");
        assert_eq!(o.status.code(), Some(2));
        assert!(text(&o).contains("is missing"), "{}", text(&o));
    }
}

#[test]
fn config_example_help_and_healthcheck() {
    let dir = tempfile::tempdir().unwrap();
    let o = carekeep(dir.path(), &["config", "example"], "");
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("session_idle_minutes = 15"));
    for sub in [
        vec!["--help"],
        vec!["user", "--help"],
        vec!["user", "add", "--help"],
        vec!["demo", "--help"],
        vec!["healthcheck", "--help"],
    ] {
        let o = carekeep(dir.path(), &sub, "");
        assert_eq!(o.status.code(), Some(0), "{sub:?}");
    }
    let o = carekeep(dir.path(), &["no-such-command"], "");
    assert_eq!(o.status.code(), Some(2));
    // Nothing listens on this port: unhealthy is exit 1.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let o = carekeep(
        dir.path(),
        &["healthcheck", "--listen", &format!("127.0.0.1:{port}")],
        "",
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let o = carekeep(dir.path(), &["serve"], "");
    assert_eq!(o.status.code(), Some(2), "no clinic yet: {}", text(&o));
}

/// Runs SQL against a clinic's SQLite file, as someone with access to the file could.
fn tamper(db: &Path, sql: &[&str]) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        for s in sql {
            sqlx::query(s).execute(&mut conn).await.unwrap();
        }
        conn.close().await.unwrap();
    });
}

#[test]
fn audit_verify_exit_codes_name_the_first_bad_event() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("clinic");
    let o = carekeep(
        &data,
        &["init", "--owner-username", "dana", "--owner-password-stdin"],
        "tulips in the waiting room\n",
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    for (name, role) in [("ana", "nurse"), ("ben", "billing"), ("cam", "front_desk")] {
        let o = carekeep(
            &data,
            &["user", "add", name, "--roles", role, "--password-stdin"],
            "a long enough sentence\n",
        );
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    }
    let o = carekeep(&data, &["audit", "verify"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("intact: 5 events verified"), "{}", text(&o));
    let cps = dir.path().join("checkpoints.jsonl");
    let o = carekeep(&data, &["audit", "checkpoints", "--out", cps.to_str().unwrap()], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    tamper(
        &data.join("carekeep.db"),
        &[
            "DROP TRIGGER audit_events_no_update",
            "UPDATE audit_events SET actor_name = 'someone else' WHERE seq = 3",
        ],
    );
    let o = carekeep(&data, &["audit", "verify", "--json"], "");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v, serde_json::json!({"intact": false, "seq": 3, "problem": "changed"}));

    let o = carekeep(
        &data,
        &[
            "audit",
            "verify",
            "--checkpoints",
            dir.path().join("missing.jsonl").to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(
        o.status.code(),
        Some(2),
        "an unreadable checkpoints file is an error: {}",
        text(&o)
    );
}

/// `carekeep breach obligations` prints what a hypothetical breach owes (164.404-164.412).
#[test]
fn breach_obligations_for_a_hypothetical() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| carekeep(dir.path(), &[&["breach", "obligations"], args].concat(), "");
    let o = run(&[
        "--discovered",
        "2026-03-02",
        "--affected",
        "501",
        "--by-state",
        "TX=501",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let kinds: Vec<(&str, &str, &str)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["kind"].as_str().unwrap(),
                o["due_on"].as_str().unwrap(),
                o["cfr"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("individuals", "2026-05-01", "164.404(b)"),
            ("hhs", "2026-05-01", "164.408(b)"),
            ("media", "2026-05-01", "164.406"),
        ]
    );
    assert_eq!(v[2]["state"], "TX");
    assert_eq!(v[0]["done"], false);
    let o = run(&["--discovered", "2026-03-02", "--affected", "40", "--secured"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o).contains("Nothing is owed"));
    let o = run(&[
        "--discovered",
        "2026-12-31",
        "--affected",
        "12",
        "--unreachable",
        "10",
        "--law-enforcement-delay",
        "oral:2027-02-20",
    ]);
    let t = text(&o);
    assert!(
        t.contains("2027-03-22") && t.contains("164.404(d)(2)(ii)") && t.contains("164.408(c)"),
        "{t}"
    );
    for (bad, says) in [
        (vec!["--discovered", "soon", "--affected", "1"], "--discovered"),
        (
            vec!["--discovered", "2026-03-02", "--affected", "1", "--by-state", "TX=5"],
            "more than --affected",
        ),
        (
            vec![
                "--discovered",
                "2026-03-02",
                "--affected",
                "1",
                "--law-enforcement-delay",
                "phoned",
            ],
            "--law-enforcement-delay",
        ),
    ] {
        let o = run(&bad);
        assert_eq!(o.status.code(), Some(2), "{bad:?}");
        assert!(text(&o).contains(says), "{}", text(&o));
    }
    let help = carekeep(dir.path(), &["breach", "obligations", "--help"], "");
    let h = text(&help);
    for flag in [
        "--discovered",
        "--affected",
        "--by-state",
        "--unreachable",
        "--secured",
        "--law-enforcement-delay",
        "--business-associate",
        "--json",
    ] {
        assert!(h.contains(flag), "--help documents {flag}");
    }
}

/// `carekeep backup`, `backup verify`, `restore`: exit codes and refusals.
#[test]
fn backup_verify_and_restore_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("clinic");
    let o = carekeep(
        &data,
        &[
            "init",
            "--clinic-name",
            "Lakeside Dental",
            "--owner-username",
            "dana",
            "--owner-password-stdin",
        ],
        "tulips in the waiting room\n",
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let key = dir.path().join("backup.key");
    let file = dir.path().join("b.ckb");
    let k = |args: &[&str]| carekeep(&data, args, "");
    assert_eq!(
        k(&["backup", "key", "--out", key.to_str().unwrap()]).status.code(),
        Some(0)
    );
    let o = k(&["backup", "key", "--out", key.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "never overwritten: {}", text(&o));
    let o = k(&[
        "backup",
        "--out",
        file.to_str().unwrap(),
        "--key",
        key.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // Not on a terminal: the one-line summary on stdout, no progress drawn on stderr.
    let summary = String::from_utf8_lossy(&o.stdout);
    assert_eq!(summary.lines().count(), 1, "{summary}");
    assert!(summary.contains("audit trail to event"), "{summary}");
    assert!(o.stderr.is_empty(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = k(&[
        "backup",
        "verify",
        file.to_str().unwrap(),
        "--key",
        key.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON summary");
    assert_eq!(v["done"], "restored and verified");
    assert!(
        v["audit_head"].as_i64().unwrap() > 0 && v["tables"].as_u64().unwrap() > 10,
        "{v}"
    );
    let o = k(&[
        "--quiet",
        "backup",
        "verify",
        file.to_str().unwrap(),
        "--key",
        key.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(o.stdout.is_empty() && o.stderr.is_empty(), "--quiet: {}", text(&o));
    let o = k(&[
        "restore",
        "--from",
        file.to_str().unwrap(),
        "--key",
        key.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "the live folder is not empty");
    assert!(text(&o).contains("not empty"));
    let elsewhere = dir.path().join("restored");
    let o = carekeep(
        &elsewhere,
        &[
            "restore",
            "--from",
            file.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(elsewhere.join("carekeep.db").exists() && elsewhere.join("keys/master.key").exists());
}

/// `carekeep import fhir` and `carekeep export fhir`: every file checked before any is
/// written, unmapped resources counted, and a clinic's records out again with `--all`.
#[test]
fn fhir_import_and_export_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("clinic");
    let o = carekeep(
        &data,
        &[
            "init",
            "--clinic-name",
            "Lakeside Dental",
            "--owner-username",
            "dana",
            "--owner-password-stdin",
        ],
        "tulips in the waiting room\n",
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let k = |args: &[&str]| carekeep(&data, args, "");
    let bundle = |family: &str, extra: &str| {
        format!(
            r#"{{"resourceType":"Bundle","type":"transaction","entry":[
            {{"fullUrl":"urn:uuid:p","resource":{{"resourceType":"Patient","name":[{{"family":"{family}","given":["Ana"]}}],"birthDate":"1985-02-03","gender":"female"}}}},
            {{"fullUrl":"urn:uuid:c","resource":{{"resourceType":"Condition","code":{{"coding":[{{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"J45.909","display":"Asthma"}}]}},"subject":{{"reference":"urn:uuid:p"}}}}}},
            {{"fullUrl":"urn:uuid:i","resource":{{"resourceType":"Immunization","status":"completed","patient":{{"reference":"urn:uuid:p"}}}}}}{extra}]}}"#
        )
    };
    let good = dir.path().join("good.json");
    let bad = dir.path().join("bad.json");
    std::fs::write(&good, bundle("Okafor", "")).unwrap();
    std::fs::write(
        &bad,
        bundle(
            "Lind",
            r#",{"resource":{"resourceType":"Observation","subject":{"reference":"urn:uuid:nobody"}}}"#,
        ),
    )
    .unwrap();
    let (g, b) = (good.to_str().unwrap(), bad.to_str().unwrap());
    let o = k(&["import", "fhir", g]);
    assert_eq!(o.status.code(), Some(2), "no clinical staff yet: {}", text(&o));
    assert!(text(&o).contains("no active provider"));
    let o = carekeep(
        &data,
        &["user", "add", "doc", "--roles", "provider", "--password-stdin"],
        "a stethoscope on the hook\n",
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = k(&["import", "fhir", g, b]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("bad.json: entry 3 (Observation)"), "{}", text(&o));
    let o = k(&["import", "fhir", g, "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["patients"], 1, "only the good file, once: {report}");
    assert_eq!(report["diagnoses"], 1);
    assert_eq!(report["unmapped"]["Immunization: Carekeep keeps no such record"], 1);
    // Not on a terminal: the summary alone on stdout, no progress drawn on stderr.
    let third = dir.path().join("third.json");
    std::fs::write(&third, bundle("Patel", "")).unwrap();
    let o = k(&["import", "fhir", third.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        o.stderr.is_empty(),
        "no bar when piped: {:?}",
        String::from_utf8_lossy(&o.stderr)
    );
    let summary = String::from_utf8_lossy(&o.stdout);
    assert!(summary.starts_with("imported 1 files in "), "{summary}");
    assert!(
        !summary.contains('\r') && !summary.contains("=>"),
        "no bar in the summary: {summary}"
    );
    let fourth = dir.path().join("fourth.json");
    std::fs::write(&fourth, bundle("Nguyen", "")).unwrap();
    let o = k(&["--quiet", "import", "fhir", fourth.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(o.stdout.is_empty() && o.stderr.is_empty(), "--quiet: {}", text(&o));

    let out = dir.path().join("exported");
    let o = k(&["export", "fhir", "--all", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("exported 3 patients"), "{}", text(&o));
    assert!(
        o.stderr.is_empty(),
        "no bar when piped: {:?}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = k(&["export", "fhir", "--all", "--json", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON summary");
    assert_eq!(v["patients"], 3, "{v}");
    assert!(o.stderr.is_empty());
    let o = k(&[
        "--quiet",
        "export",
        "fhir",
        "--patient",
        "1",
        "--out",
        out.join("one.json").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(o.stdout.is_empty() && o.stderr.is_empty(), "--quiet: {}", text(&o));
    let file = out.join("patient-1.json");
    let exported: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert!(exported.to_string().contains("J45.909"));
    let o = k(&["export", "fhir", "--patient", "99", "--out", "x.json"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let h = text(&k(&["import", "fhir", "--help"]));
    for flag in ["--as", "--json", "FILES"] {
        assert!(h.contains(flag), "import --help documents {flag}");
    }
    let h = text(&k(&["export", "fhir", "--help"]));
    for flag in ["--patient", "--all", "--out", "--json"] {
        assert!(h.contains(flag), "export --help documents {flag}");
    }
}

/// Runs `carekeep` with its standard output already closed by the reader, as
/// `carekeep ... | head` does once it has its lines.
fn carekeep_into_closed_pipe(data: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_carekeep"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env_remove("CAREKEEP_DATABASE_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run carekeep");
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

#[test]
fn every_command_that_prints_ends_quietly_on_a_closed_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("clinic");
    let o = carekeep(
        &data,
        &["init", "--owner-username", "dana", "--owner-password-stdin"],
        "tulips in the waiting room\n",
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    for args in [
        &["audit", "export", "--format", "csv"][..],
        &["audit", "export", "--format", "fhir"],
        &["audit", "verify"],
        &["user", "list"],
        &["user", "list", "--json"],
        &["config", "example"],
        &[
            "breach",
            "obligations",
            "--discovered",
            "2026-03-02",
            "--affected",
            "600",
        ],
    ] {
        let o = carekeep_into_closed_pipe(&data, args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(err.is_empty(), "{args:?} ends quietly: {err}");
        assert_eq!(o.status.code(), Some(0), "{args:?}: {err}");
    }
}

/// Starts a long-running command (`serve`, `demo`) and reads its standard output until a line
/// containing `marker`; returns the child (to stop by its id) and what it printed.
fn start_until(data: &Path, args: &[&str], marker: &str) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_carekeep"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env_remove("CAREKEEP_DATABASE_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run carekeep");
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    loop {
        let mut line = String::new();
        if lines.read_line(&mut line).unwrap() == 0 {
            let _ = child.kill();
            panic!("{args:?} ended before printing {marker:?}: {printed}");
        }
        printed.push_str(&line);
        if line.contains(marker) {
            break;
        }
    }
    (child, printed)
}

fn stop(mut child: std::process::Child) {
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Every file and folder under `dir` with its mode, for the failure message.
#[cfg(unix)]
fn open_to_others(dir: &Path) -> Vec<String> {
    use std::os::unix::fs::PermissionsExt;
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(p) = pending.pop() {
        let meta = std::fs::symlink_metadata(&p).unwrap();
        let mode = meta.permissions().mode() & 0o777;
        let want = if meta.is_dir() { 0o700 } else { 0o600 };
        if mode != want {
            found.push(format!("{} {mode:o}", p.display()));
        }
        if meta.is_dir() {
            pending.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
        }
    }
    found
}

#[cfg(unix)]
#[test]
fn everything_in_the_data_folder_is_private_after_init_serve_restore_and_demo() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("clinic");
    let o = carekeep(
        &data,
        &["init", "--owner-username", "dana", "--owner-password-stdin"],
        "tulips in the waiting room\n",
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(open_to_others(&data), Vec::<String>::new(), "after init");

    let (server, _) = start_until(&data, &["serve", "--listen", "127.0.0.1:0"], "serving at");
    let live = open_to_others(&data);
    let wal = data.join("carekeep.db-wal").exists() && data.join("carekeep.db-shm").exists();
    stop(server);
    assert!(wal, "the server has its WAL and shared memory open");
    assert_eq!(live, Vec::<String>::new(), "while serving");

    let key = dir.path().join("backup.key");
    let file = dir.path().join("b.ckb");
    let (key_s, file_s) = (key.to_str().unwrap(), file.to_str().unwrap());
    for args in [
        &["backup", "key", "--out", key_s][..],
        &["backup", "--out", file_s, "--key", key_s],
    ] {
        let o = carekeep(&data, args, "");
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    }
    let restored = dir.path().join("restored");
    let o = carekeep(&restored, &["restore", "--from", file_s, "--key", key_s], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(open_to_others(&restored), Vec::<String>::new(), "after restore");

    let demo = dir.path().join("demo");
    let (server, _) = start_until(&demo, &["demo", "--listen", "127.0.0.1:0"], "demo-credentials.json");
    let live = open_to_others(&demo);
    stop(server);
    assert_eq!(live, Vec::<String>::new(), "while the demo serves");

    // A folder made readable by others, whatever did it, stops `serve` with the fix named.
    let set = |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    for (path, mode, fix) in [
        (data.join("carekeep.toml"), 0o644, "chmod 600"),
        (data.join("carekeep.db"), 0o640, "chmod 600"),
        (data.clone(), 0o755, "chmod 700"),
    ] {
        set(&path, mode);
        let o = carekeep(&data, &["serve", "--listen", "127.0.0.1:0"], "");
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(text(&o).contains(&format!("{fix} {}", path.display())), "{}", text(&o));
        set(&path, if fix == "chmod 700" { 0o700 } else { 0o600 });
    }
}

#[test]
fn demo_prints_its_secrets_on_the_first_run_only() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    let creds_file = demo.join("demo-credentials.json");
    let (server, first) = start_until(&demo, &["demo", "--listen", "127.0.0.1:0"], "demo-credentials.json");
    stop(server);
    let creds: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&creds_file).unwrap()).unwrap();
    let secrets: Vec<String> = creds
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| {
            [
                c["password"].as_str().unwrap().to_owned(),
                c["totp_secret"].as_str().unwrap().to_owned(),
            ]
        })
        .collect();
    assert!(secrets.len() >= 12);
    for s in &secrets {
        assert!(first.contains(s.as_str()), "the first run shows every login: {first}");
    }
    let (server, again) = start_until(&demo, &["demo", "--listen", "127.0.0.1:0"], "demo-credentials.json");
    stop(server);
    for s in &secrets {
        assert!(!again.contains(s.as_str()), "a later start prints no secret: {again}");
    }
    assert!(again.contains(&creds_file.display().to_string()), "{again}");
}
