//! The notice acknowledged in the portal counts wherever an acknowledgment counts (issue 27):
//! the chart header's "not acknowledged" alert clears and the line says it was acknowledged in
//! the portal, with its time, distinct from one on paper; the dashboard's count of patients
//! without one drops; the record copy says so. 164.520(c)(2)(ii).

use super::portal::{clinic, patient, sign_in};
use carekeep_testkit::PageClient;

fn npp_line(chart: &str) -> &str {
    let at = chart.find("id=\"npp\"").expect("the notice line");
    &chart[at..at + chart[at..].find("</div>").unwrap()]
}

#[tokio::test]
async fn a_portal_acknowledgment_clears_the_chart_alert_and_counts_everywhere() {
    let p = clinic().await;
    let ana = patient(&p.app, "Ana", "Okafor", "(555) 234-5678", "ana@example.org").await;
    let bea = patient(&p.app, "Beatrix", "Vandersloot", "(555) 345-6789", "bea@example.org").await;
    let owner = p.app.api_login("owner").await;
    let owner_p = p.app.principal(&owner).await;
    let npp = carekeep_domain::program::npp::template("Test Clinic", "the privacy officer", "555-0100", "2026-03-02");
    p.app.state.app.publish_npp(&owner_p.actor(), &npp, "").await.unwrap();
    let without = p
        .app
        .state
        .app
        .npp(&owner_p.actor())
        .await
        .unwrap()
        .patients_without_acknowledgement;

    let mut desk = PageClient::login(&p.app, "frontdesk").await;
    let (_, chart) = desk.get(&format!("/patients/{ana}")).await;
    assert!(npp_line(&chart).contains("not acknowledged"), "{}", npp_line(&chart));
    assert!(npp_line(&chart).contains("alert-line") || chart.contains("npp-line alert-line"));

    // Ana acknowledges in the portal.
    let mut c = sign_in(&p, "555-234-5678", "+15552345678", 1).await;
    let (_, notice) = c.get("/portal/notice").await;
    let version = {
        let at = notice.find("name=\"version\" value=\"").unwrap() + 22;
        notice[at..at + notice[at..].find('"').unwrap()].to_owned()
    };
    let (status, _, _) = c
        .post("/portal/notice", &[("version", &version), ("received", "yes")])
        .await;
    assert_eq!(status, 303);

    // The chart: no alert, the portal named with the day and time in the clinic's zone.
    let (_, chart) = desk.get(&format!("/patients/{ana}")).await;
    let line = npp_line(&chart);
    assert!(!line.contains("not acknowledged"), "{line}");
    assert!(!chart.contains("npp-line alert-line"), "{line}");
    let local = p.app.state.app.clinic_zone().local(p.app.state.app.now());
    let day = carekeep_domain::zone::us_dates(&local.date().to_string());
    assert!(
        line.contains(&format!("Acknowledged in the portal on {day} at ")),
        "{line}"
    );
    assert!(line.contains("(version 1)"), "{line}");
    assert!(
        !chart.contains("Patient signed the acknowledgment"),
        "nothing left to record"
    );
    // Beatrix, who has not, still has the alert; a signature on paper reads differently.
    let (_, chart) = desk.get(&format!("/patients/{bea}")).await;
    assert!(npp_line(&chart).contains("not acknowledged"));
    let (status, _, _) = desk.post(&format!("/patients/{bea}/npp"), &[("kind", "signed")]).await;
    assert_eq!(status, 303);
    let (_, chart) = desk.get(&format!("/patients/{bea}")).await;
    assert!(npp_line(&chart).contains(&format!("Acknowledged on paper on {day} (version 1)")));

    // The dashboard's count takes both; the record copy says the same.
    let after = p
        .app
        .state
        .app
        .npp(&owner_p.actor())
        .await
        .unwrap()
        .patients_without_acknowledgement;
    assert_eq!(after, without - 2);
    let res = desk
        .http
        .get(desk.url(&format!("/patients/{ana}/export/pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let text = crate::pdf_text(&res.bytes().await.unwrap());
    assert!(text.contains("Acknowledged in the portal on"), "{text}");
}
