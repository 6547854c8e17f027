//! The risk assessment as a wizard (issue 25, item 7): one page per section with progress,
//! each saved with one submission; a refused row keeps the whole section as typed and saves
//! nothing; "we don't know yet" makes a risk with a task (owner, due date), once.

use carekeep_testkit::{PageClient, TestApp};
use reqwest::Method;
use serde_json::Value;

#[tokio::test]
async fn a_section_is_saved_at_once_and_unknown_answers_make_tasks() {
    let app = TestApp::spawn().await;
    let mut owner = PageClient::login(&app, "owner").await;
    owner.get("/program/sra").await;
    let (status, location, _) = owner.post("/program/sra", &[]).await;
    assert_eq!(status, 303);
    let id: i64 = location.unwrap().trim_start_matches("/program/sra/").parse().unwrap();
    let (_, html) = owner.get(&format!("/program/sra/{id}")).await;
    assert!(
        html.contains(&format!("/program/sra/{id}/wizard/1")),
        "the full page leads to the wizard"
    );

    let (status, html) = owner.get(&format!("/program/sra/{id}/wizard/1")).await;
    assert_eq!(status, 200);
    assert!(html.contains("section 1 of 5") && html.contains("<progress"), "{html}");
    let mut evidence = html.contains("What Carekeep sees");
    let (status, html) = owner.get(&format!("/program/sra/{id}/wizard/3")).await;
    assert_eq!(status, 200);
    evidence |= html.contains("What Carekeep sees");
    assert!(evidence, "rows the system can answer show their evidence");
    let (status, _) = owner.get(&format!("/program/sra/{id}/wizard/6")).await;
    assert_eq!(status, 404);

    let url = format!("/program/sra/{id}/wizard/3");
    // A required row cannot be "something equivalent": refused at the row, nothing saved,
    // every typed answer kept.
    let (status, _, html) = owner
        .post(
            &url,
            &[
                ("TEC-01_answer", "implemented"),
                ("TEC-02_answer", "alternative"),
                ("TEC-02_reason", "We print the schedule every night"),
                ("TEC-03_answer", "unknown"),
                ("task_owner", "Dana Owner"),
                ("task_due", "04/01/2026"),
                ("go", "next"),
            ],
        )
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains(r#"id="TEC-02-error""#) && html.contains("Nothing in this section was saved"),
        "{html}"
    );
    assert!(
        html.contains(r#"name="TEC-01_answer" value="implemented" checked"#),
        "{html}"
    );
    assert!(html.contains("We print the schedule every night"), "{html}");
    assert!(html.contains(r#"value="Dana Owner""#), "{html}");
    let token = app.api_login("owner").await;
    let sra = || async {
        app.api(Method::GET, &format!("/api/v1/sra/{id}"), &token)
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    let answer_of = |a: &Value, spec: &str| {
        a["rows"].as_array().unwrap().iter().find(|r| r["id"] == spec).unwrap()["answer"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(answer_of(&sra().await, "TEC-01"), "", "nothing saved");

    // "We don't know yet" needs someone and a date.
    let (status, _, html) = owner
        .post(
            &url,
            &[
                ("TEC-03_answer", "unknown"),
                ("task_owner", ""),
                ("task_due", "04/01/2026"),
            ],
        )
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains(r#"id="task-error""#), "{html}");

    let (status, location, html) = owner
        .post(
            &url,
            &[
                ("TEC-01_answer", "implemented"),
                ("TEC-02_answer", "implemented"),
                ("TEC-03_answer", "unknown"),
                ("task_owner", "Dana Owner"),
                ("task_due", "04/01/2026"),
                ("go", "next"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{html}");
    assert_eq!(
        location.as_deref(),
        Some(format!("/program/sra/{id}/wizard/4").as_str())
    );
    let a = sra().await;
    assert_eq!(answer_of(&a, "TEC-01"), "implemented");
    assert_eq!(answer_of(&a, "TEC-03"), "", "not known: still open");
    let unknown: Vec<&Value> = a["risks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["threat"].as_str().unwrap().starts_with("Not known yet: TEC-03"))
        .collect();
    assert_eq!(unknown.len(), 1, "{a}");
    assert_eq!(unknown[0]["treatment"], "mitigate");
    let task = &unknown[0]["tasks"][0];
    assert_eq!(task["owner"], "Dana Owner");
    assert_eq!(task["due_on"], "2026-04-01");

    // Shown again as "we don't know yet"; saved again, no second risk. "Previous" goes back.
    let (_, html) = owner.get(&url).await;
    assert!(
        html.contains(r#"name="TEC-03_answer" value="unknown" checked"#),
        "{html}"
    );
    let (status, location, _) = owner
        .post(
            &url,
            &[
                ("TEC-03_answer", "unknown"),
                ("task_owner", "Dana Owner"),
                ("task_due", "04/01/2026"),
                ("go", "previous"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(
        location.as_deref(),
        Some(format!("/program/sra/{id}/wizard/2").as_str())
    );
    let again = sra().await;
    assert_eq!(
        again["risks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["threat"].as_str().unwrap().starts_with("Not known yet"))
            .count(),
        1
    );
    app.stop().await;
}
