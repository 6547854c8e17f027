//! Backups from the browser (issue 25, item 6): the owner chooses a folder on the set-up
//! path's backups step; Carekeep makes the key, runs the first backup and the restore drill,
//! shows the result; the nightly job (the same call the server's jobs loop makes on every
//! tick, with the server's unchanged config) picks the folder up without a restart; the key
//! goes to owners only, each viewing audited; a bad folder is refused at the field, typing kept.

use carekeep_testkit::{PageClient, TestApp};

fn backups_in(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".ckb"))
        .count()
}

async fn audit_count(app: &TestApp, action: &str) -> i64 {
    let mut conn = app.state.app.store_for_tests().read().await.unwrap();
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_events WHERE action = $1")
        .bind(action)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    n
}

#[tokio::test]
async fn backups_are_set_up_in_the_browser_and_run_nightly_without_a_restart() {
    let app = TestApp::spawn().await;
    let usb = tempfile::tempdir().unwrap();
    let mut owner = PageClient::login(&app, "owner").await;

    // Before: the step and the dashboard's row lead to the page, not to a terminal.
    let (_, dashboard) = owner.get("/program").await;
    assert!(dashboard.contains("/setup/backups"), "{dashboard}");
    assert!(!dashboard.contains("`carekeep backup`"), "no command-line text");
    let (status, page) = owner.get("/setup/backups").await;
    assert_eq!(status, 200);
    assert!(page.contains("Choose the backup folder") && !page.contains("Download the backup key"));

    // Mistakes on purpose, each refused at the field with the typing kept.
    let missing = format!("{}/not-plugged-in", usb.path().display());
    let data_dir = app.state.config.data_dir.display().to_string();
    let inside = format!("{data_dir}/backups");
    for (typed, said) in [
        ("backups on the usb", "type the folder&#39;s full path"),
        (missing.as_str(), "the backup folder was not found"),
        (inside.as_str(), "outside Carekeep&#39;s own data folder"),
    ] {
        let (status, _, page) = owner.post("/setup/backups/folder", &[("folder", typed)]).await;
        assert_eq!(status, 422, "{typed}: {page}");
        assert!(page.contains(said), "{typed}: {page}");
        assert!(
            page.contains(r#"id="folder-error""#) && page.contains(r#"aria-invalid="true""#),
            "{page}"
        );
        let kept = typed.replace('\'', "&#39;");
        assert!(page.contains(&format!(r#"value="{kept}""#)), "typing kept: {typed}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let ro = usb.path().join("read-only");
        std::fs::create_dir(&ro).unwrap();
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
        // Root writes anywhere; the check is only meaningful for an ordinary user.
        if std::fs::write(ro.join("probe"), b"x").is_err() {
            let typed = ro.display().to_string();
            let (status, _, page) = owner.post("/setup/backups/folder", &[("folder", &typed)]).await;
            assert_eq!(status, 422);
            assert!(page.contains("cannot write in the backup folder"), "{page}");
        }
    }
    assert_eq!(backups_in(usb.path()), 0);

    // Not the owner: the compliance officer cannot choose the folder.
    let mut compliance = PageClient::login(&app, "compliance").await;
    let folder = usb.path().display().to_string();
    let (status, _, _) = compliance.post("/setup/backups/folder", &[("folder", &folder)]).await;
    assert_eq!(status, 403);

    // The folder chosen (with stray spaces as typed): key made, first backup and drill run.
    let typed = format!("  {folder}  ");
    let (status, location, _) = owner.post("/setup/backups/folder", &[("folder", &typed)]).await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/setup/backups?done=first#result"))
    );
    assert_eq!(backups_in(usb.path()), 1, "the first backup");
    let (_, page) = owner.get("/setup/backups?done=first").await;
    assert!(
        page.contains("the first backup is made and the restore drill passed"),
        "{page}"
    );
    assert!(page.contains(&folder), "{page}");
    assert!(page.contains("worked") && page.contains("passed"), "{page}");
    assert!(page.contains(" KB") || page.contains(" MB"), "the size: {page}");
    assert!(
        page.contains("Time to restore") && page.contains("/setup/backups/key"),
        "{page}"
    );
    let (_, dashboard) = owner.get("/program").await;
    assert!(dashboard.contains("Last restore drill"), "{dashboard}");

    // The key: owners only, and each viewing audited.
    assert_eq!(audit_count(&app, "backup.key_viewed").await, 0);
    let (status, key) = owner.get("/setup/backups/key").await;
    assert_eq!(status, 200);
    assert!(key.starts_with("carekeep-backup-key-v1:"), "{key}");
    assert_eq!(audit_count(&app, "backup.key_viewed").await, 1);
    let (status, sheet) = owner.get("/setup/backups/sheet").await;
    assert_eq!(status, 200);
    assert!(
        sheet.contains("<title id=\"key-qr-title\">") && sheet.contains("Where to keep it"),
        "{sheet}"
    );
    let first_line = &key.trim()[..16];
    assert!(sheet.contains(first_line), "the key as text on the sheet");
    assert_eq!(audit_count(&app, "backup.key_viewed").await, 2);
    for who in ["compliance", "frontdesk", "provider"] {
        let mut c = PageClient::login(&app, who).await;
        for path in ["/setup/backups/key", "/setup/backups/sheet"] {
            let (status, body) = c.get(path).await;
            assert_eq!(status, 403, "{who} {path}");
            assert!(!body.contains("carekeep-backup-key-v1:"), "{who} {path}");
        }
    }
    assert_eq!(
        audit_count(&app, "backup.key_viewed").await,
        2,
        "refusals are not viewings"
    );
    let (_, page) = compliance.get("/setup/backups").await;
    assert!(!page.contains("/setup/backups/key"), "no key link for a non-owner");

    // The nightly job, as the server runs it every tick with its config from start (no
    // backup_dir in it): nothing due the same day; a day later, a new backup.
    assert!(
        app.state.config.backup_dir.as_os_str().is_empty(),
        "carekeep.toml was not edited"
    );
    let plan = app.state.config.backup_plan().unwrap();
    app.state.app.scheduled_backup(&plan).await.unwrap();
    assert_eq!(backups_in(usb.path()), 1, "not again the same day");
    app.clock.advance(time::Duration::hours(24));
    app.state.app.scheduled_backup(&plan).await.unwrap();
    assert_eq!(backups_in(usb.path()), 2, "the nightly backup, without a restart");

    // Choosing the folder again keeps the key: backups already made still open with it.
    let (_, before) = owner.get("/setup/backups/key").await;
    let (status, _, _) = owner.post("/setup/backups/folder", &[("folder", &folder)]).await;
    assert_eq!(status, 303);
    let (_, after) = owner.get("/setup/backups/key").await;
    assert_eq!(before, after, "the key is never replaced");
}
