//! The calendar's week view at scale (issue 26): 5 providers, 3 rooms, N patients (100,000 by
//! default) and five years of appointments (16 a day per provider, weekdays). The measured
//! week is booked through the product's own path (sealed services, conflict rule); the rest
//! of the five years goes in by multi-row insert. Prints the server-side time of
//! `GET /calendar?view=week` (handler, reads, decryption, template), the median of the runs.

use crate::median;
use carekeep_app::calendar::{BookInput, RoomInput, ServiceInput};
use carekeep_testkit::{PageClient, TestApp};
use std::time::Instant;
use time::{Duration, OffsetDateTime};

const PROVIDERS: usize = 5;
const PER_DAY: i64 = 16;

pub async fn run(patients: usize, years: i64, runs: usize) {
    let app = TestApp::spawn().await;
    let owner = app.api_login("owner").await;
    let who = app.principal(&owner).await;
    let a = &app.state.app;
    let t = Instant::now();
    // Registered through the product (sealed, blind-indexed, audited); the scale benchmark's
    // FHIR seeding is refused by today's importer (repeated fullUrl), so it is not reused.
    let desk0 = app.api_login("frontdesk").await;
    let desk0 = app.principal(&desk0).await;
    let mut ids = Vec::with_capacity(patients);
    for n in 0..patients {
        let v = a
            .register_patient(
                &desk0.actor(),
                carekeep_app::records::NewPatient {
                    given_name: crate::scale::name(n, 1),
                    family_name: crate::scale::name(n, 2),
                    date_of_birth: format!("19{:02}-0{}-1{}", 40 + n % 60, 1 + n % 9, n % 9),
                    sex: "female".into(),
                    contact: carekeep_domain::records::patient::Contact {
                        phone: format!("555{:07}", n % 10_000_000),
                        ..Default::default()
                    },
                },
            )
            .await
            .unwrap();
        ids.push(v.id);
    }
    let mut rooms = Vec::new();
    for r in 0..3 {
        rooms.push(
            a.save_room(
                &who.actor(),
                0,
                RoomInput {
                    name: format!("Room {r}"),
                    retired: false,
                },
            )
            .await
            .unwrap(),
        );
    }
    let service = a
        .save_service(
            &who.actor(),
            0,
            ServiceInput {
                name: "Follow-up".into(),
                minutes: "30".into(),
                buffer_minutes: String::new(),
                room_id: 0,
                equipment: String::new(),
                forms: String::new(),
                providers: Vec::new(),
                retired: false,
            },
        )
        .await
        .unwrap();
    // The test kit has three clinical accounts; the clinic has 5 providers.
    let roles = vec!["provider".to_owned()];
    let have = a.bookable_providers().await.unwrap().len();
    for n in have..PROVIDERS {
        a.create_user(
            &carekeep_app::Actor::Cli,
            &carekeep_app::users::NewUserInput {
                username: &format!("provider{n}"),
                display_name: &format!("Provider {n}"),
                password: "a long bench password for a provider",
                roles: &roles,
            },
        )
        .await
        .unwrap();
    }
    let mut providers: Vec<i64> = a
        .bookable_providers()
        .await
        .unwrap()
        .into_iter()
        .map(|(id, _)| id.0)
        .collect();
    providers.truncate(PROVIDERS);
    assert_eq!(providers.len(), PROVIDERS, "the clinic has {PROVIDERS} providers");
    // The five years before the measured week, weekdays 8 AM to 4 PM UTC, by raw insert.
    let measured_monday = time::macros::datetime!(2026-03-02 00:00 UTC);
    let first = measured_monday - Duration::days(365 * years);
    let mut rows: Vec<(i64, i64, i64, i64, i64)> = Vec::new();
    let mut k = 0usize;
    let mut day = first;
    while day < measured_monday {
        if day.weekday().number_days_from_monday() < 5 {
            for (pi, p) in providers.iter().enumerate() {
                for s in 0..PER_DAY {
                    let start = day + Duration::hours(8) + Duration::minutes(30 * s);
                    let patient = ids[k % ids.len()];
                    k += 1;
                    rows.push((
                        patient,
                        *p,
                        start.unix_timestamp(),
                        (start + Duration::minutes(30)).unix_timestamp(),
                        rooms[pi % 3],
                    ));
                }
            }
        }
        day += Duration::days(1);
    }
    {
        let mut tx = a.store_for_tests().begin().await.unwrap();
        for chunk in rows.chunks(500) {
            let mut sql = String::from(
                "INSERT INTO appointments (patient_id, provider_id, start_at, end_at, status, room_id, service_id, created_at, updated_at) VALUES ",
            );
            for (i, (pa, pr, s, e, r)) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!("({pa},{pr},{s},{e},'completed',{r},{service},{s},{s})"));
            }
            sqlx::query(&sql).execute(tx.conn()).await.unwrap();
        }
        tx.commit().await.unwrap();
    }
    // The measured week, booked through the product.
    let desk = app.api_login("frontdesk").await;
    let desk_who = app.principal(&desk).await;
    let mut booked = 0;
    for d in 0..5 {
        for (pi, p) in providers.iter().enumerate() {
            for s in 0..PER_DAY {
                let start: OffsetDateTime =
                    measured_monday + Duration::days(d) + Duration::hours(8) + Duration::minutes(30 * s);
                let input = BookInput {
                    patient: ids[k % ids.len()],
                    provider: *p,
                    service,
                    room: Some(rooms[pi % 3]),
                    start: Some(start),
                    repeat: None,
                    override_reason: "benchmark".into(),
                };
                k += 1;
                a.calendar_book(&desk_who.actor(), input).await.unwrap();
                booked += 1;
            }
        }
    }
    println!(
        "calendar week: {} patients, {} providers, 3 rooms, {} appointments over {years} years + {booked} in the week; seeded in {:.0} s",
        ids.len(),
        providers.len(),
        rows.len(),
        t.elapsed().as_secs_f64()
    );
    let mut page = PageClient::login(&app, "frontdesk").await;
    let (status, _) = page.get("/calendar?day=2026-03-04&view=week").await;
    assert_eq!(status, 200);
    let mut times = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let (status, html) = page.get("/calendar?day=2026-03-04&view=week").await;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(status, 200);
        assert!(html.contains("Follow-up"));
    }
    println!(
        "  GET /calendar?view=week, one client on 127.0.0.1: median {:.1} ms over {runs} runs (target < 50 ms)",
        median(times)
    );
}
