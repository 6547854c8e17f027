//! The billing pages (issue 24 item 5): an invoice page read through the permit and audited;
//! refunds and adjustments as new entries with sealed reasons, refused at their field with
//! the typing kept when they do not fit the account; the receipt and statement PDFs audited
//! as exports; the work list's status and date filters and totals.

use crate::records::full_patient;
use carekeep_testkit::{PageClient, TestApp};
use reqwest::Method;
use serde_json::Value;

async fn newest_phi(app: &TestApp, co: &str) -> Value {
    let ev: Vec<Value> = app
        .api(Method::GET, "/api/v1/audit/events?limit=20", co)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    ev.into_iter()
        .find(|e| e["action"].as_str().unwrap().starts_with("phi."))
        .unwrap()
}

#[tokio::test]
async fn invoice_page_ledger_entries_pdfs_and_work_list() {
    let app = TestApp::spawn().await;
    let (doc, desk, bill, co) = (
        app.api_login("provider").await,
        app.api_login("frontdesk").await,
        app.api_login("billing").await,
        app.api_login("compliance").await,
    );
    // $125.00 charged, $25.00 paid by card.
    let (patient, _, _, inv, _) = full_patient(&app, &doc, &desk, &bill).await;
    let mut page = PageClient::login(&app, "billing").await;
    let (status, html) = page.get(&format!("/invoices/{inv}")).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("status-partly_paid\">Partly paid"), "{html}");
    assert!(html.contains("$125.00") && html.contains("$100.00"), "{html}");
    assert!(html.contains("Payment of $25.00"), "the payment is an entry: {html}");
    assert!(
        html.contains(&format!("href=\"/patients/{patient}\">Alma Quenby")),
        "{html}"
    );
    let read = newest_phi(&app, &co).await;
    assert_eq!(
        (
            read["action"].as_str(),
            read["resource_type"].as_str(),
            read["resource_id"].as_str()
        ),
        (Some("phi.read"), Some("Invoice"), Some(inv.to_string().as_str())),
        "every invoice read is audited: {read}"
    );
    // A person without billing may not read it, and the refusal is in the trail too.
    let mut desk_page = PageClient::login(&app, "frontdesk").await;
    assert_eq!(desk_page.get(&format!("/invoices/{inv}")).await.0, 403);

    // A refund of more than was paid: refused at the amount, everything typed kept.
    let path = format!("/invoices/{inv}/entries");
    let refund = |amount: &'static str, reason: &'static str| {
        vec![
            ("kind", "refund"),
            ("amount", amount),
            ("method", "check"),
            ("reason", reason),
        ]
    };
    let (status, _, html) = page.post(&path, &refund("30", "Overcharged for\r\nsupplies")).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("more than was paid ($25.00)"), "{html}");
    assert!(
        html.contains("id=\"amount-refund\" name=\"amount\" inputmode=\"decimal\" value=\"30\" aria-invalid=\"true\""),
        "{html}"
    );
    assert!(
        html.contains("Overcharged for\r\nsupplies</textarea>")
            || html.contains("Overcharged for\nsupplies</textarea>"),
        "{html}"
    );
    assert!(
        html.contains("<option selected>check</option>"),
        "the method chosen is kept: {html}"
    );
    let (status, _, html) = page.post(&path, &refund("10", "  ")).await;
    assert_eq!(status, 422);
    assert!(
        html.contains("href=\"#reason-refund\""),
        "a missing reason is at its field: {html}"
    );
    let (status, location, _) = page.post(&path, &refund("10", "Overcharged for supplies")).await;
    assert_eq!(status, 303);
    assert_eq!(
        location.as_deref(),
        Some(format!("/invoices/{inv}?done=refund#ledger").as_str())
    );
    let (status, _, _) = page
        .post(
            &path,
            &[
                ("kind", "adjustment"),
                ("direction", "lower"),
                ("amount", "20"),
                ("reason", "Prompt-pay discount"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let (_, html) = page.get(&format!("/invoices/{inv}")).await;
    // $125 - $20 adjusted - ($25 - $10) paid = $90.00, still partly paid; nothing was edited.
    assert!(html.contains("<strong>$90.00</strong>"), "{html}");
    assert!(
        html.contains("Payment of $25.00")
            && html.contains("Refund of $10.00")
            && html.contains("Adjustment of $20.00"),
        "{html}"
    );
    assert!(
        html.contains("Overcharged for supplies") && html.contains("Prompt-pay discount"),
        "reasons are read back"
    );
    assert!(
        html.contains("+$10.00") && html.contains("-$20.00"),
        "each entry's effect: {html}"
    );
    let made = newest_phi(&app, &co).await;
    assert_eq!(made["resource_type"], "Invoice");
    // The reasons are sealed: the trail names the entry, not the words.
    let trail: Vec<Value> = app
        .api(Method::GET, "/api/v1/audit/events?limit=20", &co)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(trail.iter().any(|e| e["resource_type"] == "Refund"));
    assert!(!trail
        .iter()
        .any(|e| e["reason"].as_str().unwrap().contains("Overcharged")));

    // Receipt and statement: PDFs, each an audited export.
    for (doc_path, why) in [
        ("receipt.pdf", "receipt printed"),
        ("statement.pdf", "statement printed"),
    ] {
        let res = page
            .http
            .get(page.url(&format!("/invoices/{inv}/{doc_path}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "application/pdf");
        let bytes = res.bytes().await.unwrap();
        assert!(bytes.starts_with(b"%PDF"));
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("612") && text.contains("792"), "US Letter");
        let e = newest_phi(&app, &co).await;
        assert_eq!(
            (e["action"].as_str(), e["reason"].as_str()),
            (Some("phi.export"), Some(why)),
            "{e}"
        );
    }

    // The work list: statuses, dates, totals; a date it cannot read is a message at the field.
    let number = format!("INV-{inv:06}");
    for (query, listed) in [
        ("", true),
        ("?status=partly_paid", true),
        ("?status=open", true),
        ("?status=unpaid", false),
        ("?status=paid", false),
        ("?from=03/01/2026&to=03/02/2026", true),
        ("?from=2026-03-03&to=03/31/2026", false),
    ] {
        let (status, html) = page.get(&format!("/billing{query}")).await;
        assert_eq!(status, 200, "{query}");
        assert_eq!(html.contains(&number), listed, "{query}: {html}");
    }
    let (_, html) = page.get("/billing?status=partly_paid").await;
    assert!(
        html.contains(
            "total <strong>$105.00</strong> · paid <strong>$15.00</strong> · balance due <strong>$90.00</strong>"
        ),
        "{html}"
    );
    assert!(html.contains("<td data-label=\"Date\">03/02/2026</td>"), "{html}");
    assert!(
        html.contains("99213 (G44.209)"),
        "codes for billing, who reads them: {html}"
    );
    let (status, html) = page.get("/billing?status=paid&from=13/45/2026&to=").await;
    assert_eq!(status, 422);
    assert!(
        html.contains("value=\"13/45/2026\" inputmode=\"numeric\" autocomplete=\"off\" aria-invalid=\"true\""),
        "{html}"
    );
    assert!(html.contains("The first day must look like 12/06/2026."), "{html}");
    assert!(html.contains("<option value=\"paid\" selected>Paid</option>"), "{html}");
}
