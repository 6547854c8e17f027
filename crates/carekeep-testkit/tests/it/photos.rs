//! Photos: where a phone's photo was taken (EXIF GPS), the device and the rest of its metadata
//! are left out at upload, its picture and orientation kept; the chart shows photos oldest
//! first by area and visit, a before and its after side by side, each opening full size.

use base64::Engine;
use carekeep_testkit::{PageClient, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// A real JPEG (drawn by Chromium) carrying EXIF with GPS (40°42'46.12"N 74°0'21.6"W), a
/// maker's name and orientation 6 (taken sideways).
const GPS_JPEG: &[u8] = include_bytes!("fixtures/gps.jpg");

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

async fn upload(app: &TestApp, token: &str, patient: i64, bytes: &[u8], pair: &str, label: &str) -> i64 {
    let res = app
        .api(Method::POST, &format!("/api/v1/patients/{patient}/attachments"), token)
        .json(
            &json!({"filename": "photo.jpg", "caption": format!("{label} {pair}"), "pair": pair, "pair_label": label,
            "content_base64": base64::engine::general_purpose::STANDARD.encode(bytes)}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    res.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

#[tokio::test]
async fn gps_and_device_are_stripped_at_upload_and_photos_compare_side_by_side() {
    // The GPS IFD's entry (tag 0x8825, LONG, 1) and the latitude 40/1 42/1.
    const GPS_ENTRY: [u8; 8] = [0x25, 0x88, 4, 0, 1, 0, 0, 0];
    const LATITUDE: [u8; 12] = [40, 0, 0, 0, 1, 0, 0, 0, 42, 0, 0, 0];
    assert!(contains(GPS_JPEG, &GPS_ENTRY) && contains(GPS_JPEG, &LATITUDE));
    assert!(contains(GPS_JPEG, b"PhoneCo"));
    let app = TestApp::spawn().await;
    let (doc, desk) = (app.api_login("provider").await, app.api_login("frontdesk").await);
    let id = app
        .register_patient(&desk, "Alma", "Quenby", "1980-04-23", "555-201-3344")
        .await;
    let before = upload(&app, &doc, id, GPS_JPEG, "before", "left cheek").await;
    let stored = app
        .api(
            Method::GET,
            &format!("/api/v1/patients/{id}/attachments/{before}"),
            &doc,
        )
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(stored.starts_with(&[0xFF, 0xD8]));
    assert!(!contains(&stored, &GPS_ENTRY), "no GPS pointer");
    assert!(!contains(&stored, &LATITUDE), "no latitude");
    assert!(!contains(&stored, b"PhoneCo"), "no maker");
    // The picture itself is unchanged: the scan from SOS to the end is the same bytes.
    let sos = |b: &[u8]| b.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
    assert_eq!(&stored[sos(&stored)..], &GPS_JPEG[sos(GPS_JPEG)..]);
    // Orientation 6 is kept, so the photo still shows upright.
    assert!(contains(
        &stored,
        &[b'M', b'M', 0, 0x2a, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6]
    ));

    app.clock.advance(time::Duration::days(30));
    let doc = app.api_login("provider").await;
    let after = upload(&app, &doc, id, GPS_JPEG, "after", "left cheek").await;
    let other = upload(&app, &doc, id, GPS_JPEG, "", "forehead").await;

    let mut page = PageClient::login(&app, "provider").await;
    let (_, html) = page.get(&format!("/patients/{id}")).await;
    let photos = &html[html.find("id=\"photos\"").unwrap()..html.find("id=\"documents\"").unwrap()];
    let compare = &photos[photos.find("class=\"compare\"").expect("before and after side by side")..];
    let (b, a) = (
        compare.find(&format!("attachments/{before}\"")).unwrap(),
        compare.find(&format!("attachments/{after}\"")).unwrap(),
    );
    assert!(b < a, "before on the left");
    assert!(compare.contains("<strong>Before</strong> · 03/0") && compare.contains("<strong>After</strong> · 04/0"));
    // Oldest first, grouped: the cheek's visits, then the forehead.
    let cheek = photos.find(">left cheek</h3>").unwrap();
    let forehead = photos.find(">forehead</h3>").unwrap();
    assert!(cheek < forehead);
    assert!(photos.find(&format!("attachments/{other}\"")).unwrap() > forehead);
    assert_eq!(photos.matches("Visit of ").count(), 3, "one visit per area and day");
    // Each photo opens full size.
    assert!(photos.contains(&format!(
        "<a href=\"/patients/{id}/attachments/{after}\" title=\"Open full size\">"
    )));
    app.stop().await;
}
