//! Issue 30: what attacks small clinics. The technology inventory's gaps (unsupported
//! operating system, not patched in 30 days, no disk encryption) become evidence against
//! ADM-13 and TEC-04 and risks with tasks; a disposal ends an asset's record; the assessment's
//! questions and its report name each new topic; the readiness profile for the proposed rule
//! reads the restore drill's measured time, says PROPOSED on every page and leaves the
//! dashboard alone; incidents take the new kinds.

use crate::pdf_text;
use carekeep_app::backup;
use carekeep_crypto::backup::BackupKey;
use carekeep_domain::program::sra::topics::TOPICS;
use carekeep_testkit::{PageClient, TestApp};
use reqwest::Method;
use serde_json::Value;
use time::Date;

fn us(d: Date) -> String {
    format!("{:02}/{:02}/{}", u8::from(d.month()), d.day(), d.year())
}

async fn api_view(app: &TestApp, token: &str, id: &str) -> Value {
    let res = app
        .api(Method::GET, &format!("/api/v1/sra/{id}"), token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

fn row<'a>(view: &'a Value, id: &str) -> &'a Value {
    view["rows"].as_array().unwrap().iter().find(|r| r["id"] == id).unwrap()
}

#[tokio::test]
async fn inventory_gaps_become_evidence_and_tasks_and_a_disposal_closes_the_asset() {
    let app = TestApp::spawn().await;
    let today = app.state.app.clinic_today();
    let mut owner = PageClient::login(&app, "owner").await;
    let token = app.api_login("owner").await;
    let (status, location, _) = owner.post("/program/sra", &[]).await;
    assert_eq!(status, 303);
    let path = location.unwrap();
    let id = path.rsplit('/').next().unwrap().to_owned();
    let stale = us(today - time::Duration::days(45));
    let fresh = us(today - time::Duration::days(3));

    // A mistake keeps what was typed, with the message at its field.
    let typed = [
        ("name", "Exam room laptop"),
        ("kind", "laptop"),
        ("owner", "Dr. Rivera"),
        ("location", "Exam room 2"),
        ("os", "macOS 14.6"),
        ("last_patched_on", "13/45/2026"),
        ("support_ends_on", ""),
        ("holds_ephi", "yes"),
        ("encrypted", "yes"),
        ("notes", "Carried home\r\non Fridays"),
    ];
    let (status, _, html) = owner.post(&format!("{path}/assets"), &typed).await;
    assert_eq!(status, 422);
    assert!(
        html.contains("the last patched date must look like 04/23/2026"),
        "{html}"
    );
    assert!(html.contains("value=\"Exam room laptop\"") && html.contains("value=\"macOS 14.6\""));
    assert!(
        html.contains("value=\"13/45/2026\""),
        "the wrong date comes back to be fixed"
    );
    assert!(html.contains("id=\"asset_patched_on\" name=\"last_patched_on\" placeholder=\"11/20/2026\" value=\"13/45/2026\" aria-invalid=\"true\""));

    // Every gap at once on one device; a good device has none.
    for (name, patched, support, encrypted) in [
        ("Front desk PC", stale.as_str(), "10/14/2025", false),
        ("Exam room laptop", fresh.as_str(), "", true),
    ] {
        let mut form = vec![
            ("name", name),
            ("kind", if encrypted { "laptop" } else { "workstation" }),
            ("owner", "Maria Lopez"),
            ("location", "Front office"),
            ("os", "Windows 10 22H2"),
            ("last_patched_on", patched),
            ("support_ends_on", support),
            ("holds_ephi", "yes"),
        ];
        if encrypted {
            form.push(("encrypted", "yes"));
        }
        let (status, _, body) = owner.post(&format!("{path}/assets"), &form).await;
        assert_eq!(status, 303, "{body}");
    }
    let view = api_view(&app, &token, &id).await;
    let assets = view["assets"].as_array().unwrap();
    let pc = assets.iter().find(|a| a["name"] == "Front desk PC").unwrap();
    let laptop = assets.iter().find(|a| a["name"] == "Exam room laptop").unwrap();
    assert_eq!(
        pc["gaps"],
        serde_json::json!([
            "operating system no longer supported",
            "not patched in the last 30 days",
            "no disk encryption"
        ])
    );
    assert_eq!(laptop["gaps"], serde_json::json!([]));
    // Evidence: ADM-13 (164.308(a)(5)(ii)(B)) and TEC-04 (164.312(a)(2)(iv)) name the device.
    assert_eq!(row(&view, "ADM-13")["evidence_ok"], false);
    assert!(row(&view, "ADM-13")["evidence"]
        .as_str()
        .unwrap()
        .contains("Front desk PC (not patched in the last 30 days)"));
    assert_eq!(row(&view, "TEC-04")["evidence_ok"], false);
    assert!(row(&view, "TEC-04")["evidence"]
        .as_str()
        .unwrap()
        .contains("Front desk PC (no disk encryption)"));
    // Tasks: one per gap, on risks to mitigate, owned by the device's owner.
    let tasks: Vec<String> = view["risks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["asset"] == "Front desk PC")
        .flat_map(|r| {
            assert_eq!(r["treatment"], "mitigate");
            r["tasks"].as_array().unwrap().clone()
        })
        .map(|t| {
            assert_eq!(t["owner"], "Maria Lopez");
            t["title"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(tasks.len(), 3, "{tasks:?}");
    for want in [
        "Replace or upgrade Front desk PC",
        "Patch Front desk PC",
        "Turn on disk encryption on Front desk PC",
    ] {
        assert!(tasks.iter().any(|t| t.starts_with(want)), "{want}: {tasks:?}");
    }
    let (_, html) = owner.get(&path).await;
    assert!(html
        .contains("Gaps: operating system no longer supported; not patched in the last 30 days; no disk encryption"));
    assert!(
        html.contains(&format!(r#"<td data-label="Last patched">{stale}</td>"#)),
        "dates read as US dates"
    );

    // A disposal: refused in the future, then recorded; the asset's record ends there.
    let pc_id = pc["id"].as_i64().unwrap();
    let disposal = format!("{path}/assets/{pc_id}/disposal");
    let tomorrow = us(today + time::Duration::days(1));
    let (status, _, html) = owner
        .post(
            &disposal,
            &[
                ("disposed_on", &tomorrow),
                ("action", "destroyed"),
                ("method", "Drive shredded"),
                ("done_by", "Shred Co"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(html.contains("the disposal date cannot be in the future") && html.contains("value=\"Shred Co\""));
    let (status, _, body) = owner
        .post(
            &disposal,
            &[
                ("disposed_on", &us(today)),
                ("action", "destroyed"),
                ("method", "Drive shredded on site"),
                ("done_by", "Shred Co"),
                ("certificate", "Shred Co certificate SC-1234"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{body}");
    let view = api_view(&app, &token, &id).await;
    let pc = view["assets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == pc_id)
        .unwrap()
        .clone();
    assert_eq!(pc["retired_on"], today.to_string());
    assert_eq!(pc["gaps"], serde_json::json!([]));
    assert_eq!(row(&view, "ADM-13")["evidence_ok"], true, "{}", row(&view, "ADM-13"));
    assert!(row(&view, "PHY-07")["evidence"]
        .as_str()
        .unwrap()
        .contains("Front desk PC"));
    assert_eq!(row(&view, "PHY-08")["evidence_ok"], true);
    let (status, _, html) = owner
        .post(
            &disposal,
            &[
                ("disposed_on", &us(today)),
                ("action", "wiped"),
                ("method", "again"),
                ("done_by", "me"),
            ],
        )
        .await;
    assert_eq!(status, 409);
    assert!(html.contains("already recorded"));
    let (_, html) = owner.get(&path).await;
    assert!(html.contains("Shred Co certificate SC-1234") && html.contains("Destroyed (shredded, drilled, crushed)"));
    assert!(!html.contains("Record the disposal or re-use of Front desk PC"));
    app.stop().await;
}

#[tokio::test]
async fn the_questions_and_the_report_name_each_topic() {
    let app = TestApp::spawn().await;
    let mut owner = PageClient::login(&app, "owner").await;
    let (_, location, _) = owner.post("/program/sra", &[]).await;
    let path = location.unwrap();
    let (_, html) = owner.get(&path).await;
    let id = path.rsplit('/').next().unwrap();
    let token = app.api_login("owner").await;
    let res = app
        .api(Method::GET, &format!("/api/v1/sra/{id}/report"), &token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let text = pdf_text(&res.bytes().await.unwrap())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(text.contains("What attacks small clinics"));
    for topic in TOPICS {
        assert!(text.contains(topic.name), "the report names {}", topic.name);
        for (id, words) in topic.asked {
            let at = html.find(&format!("data-spec=\"{id}\"")).unwrap();
            let question = &html[at..at + 1500];
            assert!(question.to_lowercase().contains(words), "{id} asks about {words}");
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn the_readiness_profile_reads_the_drill_says_proposed_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let token = app.api_login("owner").await;
    let dashboard = |app: &TestApp, token: String| {
        let req = app.api(Method::GET, "/api/v1/program/dashboard", &token);
        async move { req.send().await.unwrap().text().await.unwrap() }
    };
    let mut owner = PageClient::login(&app, "owner").await;
    let before = dashboard(&app, token.clone()).await;
    let (status, html) = owner.get("/program/readiness").await;
    assert_eq!(status, 200);
    assert!(html.contains("<title>PROPOSED, NOT LAW"), "the tab says it too");
    assert!(html.contains("PROPOSED, NOT LAW"));
    assert!(html.contains("No restore drill on record."));
    assert!(html.contains("data-item=\"restore\""));
    assert_eq!(
        dashboard(&app, token.clone()).await,
        before,
        "the profile changes nothing"
    );

    // A drill: the profile reads its measured time.
    let key = BackupKey::generate();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("clinic.ckb");
    backup::create(&app.state.config.files(), &key, &file, app.state.app.now())
        .await
        .unwrap();
    backup::verify(&app.state.config.files(), &file, &key, app.state.app.now())
        .await
        .unwrap();
    let (_, html) = owner.get("/program/readiness").await;
    let at = html.find("data-item=\"restore\"").unwrap();
    let restore = &html[at..at + 800];
    assert!(restore.contains("data-standing=\"ready\""), "{restore}");
    assert!(restore.contains("restored the clinic in"), "{restore}");

    // The network map: a picture with its title, and the same in words.
    let (_, location, _) = owner.post("/program/sra", &[]).await;
    let path = location.unwrap();
    let (status, _, _) = owner
        .post(
            &format!("{path}/assets"),
            &[
                ("name", "Reception PC"),
                ("kind", "workstation"),
                ("location", "Front office"),
                ("holds_ephi", "yes"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let (_, html) = owner.get("/program/readiness").await;
    assert!(html.contains("<svg") && html.contains("<title id=\"network-map-title\">"));
    assert!(html.contains("Reception PC (ePHI, NOT encrypted)"));
    assert!(html.contains("Front office: Reception PC (holds ePHI, not encrypted)"));
    assert!(html.matches("PROPOSED").count() >= 4);

    let mut desk = PageClient::login(&app, "frontdesk").await;
    let (status, _) = desk.get("/program/readiness").await;
    assert_eq!(status, 403);
    app.stop().await;
}

#[tokio::test]
async fn incidents_take_the_new_kinds() {
    let app = TestApp::spawn().await;
    let mut nurse = PageClient::login(&app, "nurse").await;
    let (_, html) = nurse.get("/incidents/new").await;
    assert!(
        html.contains("Email sent to the wrong person or a personal account") && html.contains("Credential phished")
    );
    let (status, _, html) = nurse
        .post(
            "/incidents/new",
            &[
                ("kind", "credential_phished"),
                ("title", ""),
                ("what_happened", "Typed my password\r\ninto a fake page"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        html.contains("Typed my password\r\ninto a fake page") || html.contains("Typed my password\ninto a fake page")
    );
    assert!(html.contains("<option value=\"credential_phished\" selected>"));
    let (status, _, _) = nurse
        .post(
            "/incidents/new",
            &[
                ("kind", "credential_phished"),
                ("title", "Password phished"),
                ("what_happened", "Typed it into a fake page"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let mut compliance = PageClient::login(&app, "compliance").await;
    let (_, html) = compliance.get("/incidents").await;
    assert!(html.contains("<td>Credential phished</td>"), "{html}");
    app.stop().await;
}

/// Item 3: vendor security oversight beyond the BAA. A PHI vendor never reviewed holds the
/// written-arrangement row open; a review with a breach and no report rates it high, which puts
/// a "Vendor breach" risk with a task into the open assessment's register; a current SOC 2 and
/// no breach rates it low. A mistake keeps what was typed.
#[tokio::test]
async fn vendor_security_is_reviewed_yearly_and_its_rating_feeds_the_register() {
    let app = TestApp::spawn().await;
    let today = app.state.app.clinic_today();
    let token = app.api_login("owner").await;
    let res = app
        .api(Method::POST, "/api/v1/vendors", &token)
        .json(&serde_json::json!({
            "name": "CloudVault Backup", "service": "Cloud backup", "maintains_phi": true,
            "baa_status": "signed", "baa_signed_on": (today - time::Duration::days(30)).to_string(),
            "baa_effective_on": (today - time::Duration::days(30)).to_string()
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let vendor = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let mut owner = PageClient::login(&app, "owner").await;
    let (status, location, _) = owner.post("/program/sra", &[]).await;
    assert_eq!(status, 303);
    let id = location.unwrap().rsplit('/').next().unwrap().to_owned();

    // Never reviewed: the assessment says so against ADM-23.
    let view = api_view(&app, &token, &id).await;
    let evidence = row(&view, "ADM-23")["evidence"].as_str().unwrap().to_owned();
    assert!(
        evidence.contains("CloudVault Backup") && evidence.contains("not reviewed"),
        "{evidence}"
    );

    // A mistake on the page: a report without its date. Everything typed comes back.
    let path = format!("/program/vendors/{vendor}/security");
    let (status, _, html) = owner
        .post(
            &path,
            &[
                ("report", "soc2"),
                ("report_on", ""),
                ("questionnaire_on", ""),
                ("breach_history", "Ransomware at the vendor in 2025\r\nNotified us late"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        html.contains("report&#39;s date") || html.contains("report's date"),
        "{html}"
    );
    assert!(
        html.contains("Ransomware at the vendor in 2025\r\nNotified us late")
            || html.contains("Ransomware at the vendor in 2025\nNotified us late")
    );
    assert!(html.contains(r#"<option value="soc2" selected>"#), "the choice is kept");

    // A breach and no report: high, and the register gets a risk with a task.
    let (status, location, _) = owner
        .post(
            &path,
            &[
                ("report", "none"),
                ("report_on", ""),
                ("questionnaire_on", ""),
                ("breach_history", "Ransomware at the vendor in 2025"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let location = location.unwrap();
    assert!(location.contains("done=security"), "{location}");
    let (_, html) = owner.get(&location).await;
    assert!(
        html.contains("High risk") && html.contains("Security review recorded."),
        "{html}"
    );
    let view = api_view(&app, &token, &id).await;
    let risk = view["risks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["threat"] == "Vendor breach")
        .unwrap_or_else(|| panic!("a vendor risk: {}", view["risks"]));
    assert!(risk["vulnerability"]
        .as_str()
        .unwrap()
        .starts_with("CloudVault Backup: "));
    assert_eq!(risk["level"], "high");
    assert_eq!(risk["tasks"].as_array().unwrap().len(), 1, "{risk}");
    let evidence = row(&view, "ADM-23")["evidence"].as_str().unwrap().to_owned();
    assert!(evidence.contains("a known breach"), "{evidence}");

    // A current SOC 2, no breach: low, and the row's vendor-oversight evidence is met.
    let res = app
        .api(Method::POST, &format!("/api/v1/vendors/{vendor}/security"), &token)
        .json(&serde_json::json!({"report": "soc2", "report_on": us(today - time::Duration::days(60))}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["rating"], "low", "{v}");
    assert_eq!(
        v["review_due"],
        carekeep_domain::program::add_months(today, 12).to_string()
    );
    let view = api_view(&app, &token, &id).await;
    let evidence = row(&view, "ADM-23")["evidence"].as_str().unwrap().to_owned();
    assert!(
        evidence.contains("had its security reviewed in the last 12 months"),
        "{evidence}"
    );

    // A date in the future is refused; a vendor without PHI has nothing to review.
    let res = app
        .api(Method::POST, &format!("/api/v1/vendors/{vendor}/security"), &token)
        .json(&serde_json::json!({"report": "soc2", "report_on": us(today + time::Duration::days(2))}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let res = app
        .api(Method::POST, "/api/v1/vendors", &token)
        .json(&serde_json::json!({"name": "Office Plants Co", "service": "Plants"}))
        .send()
        .await
        .unwrap();
    let plants = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let res = app
        .api(Method::POST, &format!("/api/v1/vendors/{plants}/security"), &token)
        .json(&serde_json::json!({"report": "none"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    // The front desk may not see any of it.
    let desk = app.api_login("frontdesk").await;
    let res = app
        .api(Method::GET, "/api/v1/vendors/security", &desk)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

async fn upload(page: &mut PageClient, path: &str, name: &str, bytes: &[u8]) -> (u16, Option<String>, String) {
    let form = reqwest::multipart::Form::new().text("csrf", page.csrf.clone()).part(
        "file",
        reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_owned()),
    );
    let res = page.http.post(page.url(path)).multipart(form).send().await.unwrap();
    let status = res.status().as_u16();
    let location = res.headers().get("location").map(|v| v.to_str().unwrap().to_owned());
    (status, location, res.text().await.unwrap())
}

/// Item 1: the scan and penetration test reports are attached to the evidence, encrypted; the
/// assessment names the file; a file that is not a PDF or an image is refused at the upload.
#[tokio::test]
async fn security_reports_are_attached_to_the_evidence() {
    let app = TestApp::spawn().await;
    let today = app.state.app.clinic_today();
    let token = app.api_login("owner").await;
    let mut owner = PageClient::login(&app, "owner").await;
    let (_, location, _) = owner.post("/program/sra", &[]).await;
    let path = location.unwrap();
    let id = path.rsplit('/').next().unwrap().to_owned();
    let scanned = us(today - time::Duration::days(20));
    let (status, _, _) = owner
        .post(
            &format!("{path}/security"),
            &[
                ("last_scan_on", scanned.as_str()),
                ("scan_report", "IT provider's portal"),
            ],
        )
        .await;
    assert_eq!(status, 303);

    let (_, _) = owner.get(&path).await;
    let (status, _, html) = upload(
        &mut owner,
        &format!("{path}/security/report/scan"),
        "notes.txt",
        b"plain words",
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        html.contains(r#"id="file-scan-error""#) && html.contains("PDF, JPEG or PNG"),
        "{html}"
    );

    let pdf = b"%PDF-1.4\nscan findings: none critical\n%%EOF\n";
    let (status, location, _) = upload(
        &mut owner,
        &format!("{path}/security/report/scan"),
        "scan-2026-11.pdf",
        pdf,
    )
    .await;
    assert_eq!(status, 303);
    assert!(location.unwrap().ends_with("#security"));
    let (_, html) = owner.get(&path).await;
    let link = html
        .split(r#"<a href="/program/security-reports/"#)
        .nth(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .expect("a link to the report");
    assert!(html.contains("scan-2026-11.pdf"));
    let res = owner
        .http
        .get(owner.url(&format!("/program/security-reports/{link}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().as_ref(), pdf.as_slice());

    let view = api_view(&app, &token, &id).await;
    let evidence = row(&view, "ADM-02")["evidence"].as_str().unwrap().to_owned();
    assert!(
        evidence.contains("report file attached: scan-2026-11.pdf") && evidence.contains("IT provider's portal"),
        "{evidence}"
    );
    // No kind of report but the three.
    let (status, _, _) = upload(&mut owner, &format!("{path}/security/report/diary"), "x.pdf", pdf).await;
    assert_eq!(status, 404);
}
