//! The demo clinic's patients: about fifty synthetic people with appointments, signed notes,
//! vitals, diagnoses, medications, allergies, before/after photos and invoices, written through
//! the same use cases (and so the same policy, encryption and audit trail) as real work.
//! Every name, date and number here is invented.
//!
//! The work happens over the clinic's last week: each visit on an open day, in opening hours
//! on the clinic's clock, with its check-in, vitals, note and invoice at the visit's time (the
//! seed moves a clock it is given). Access monitoring on that week raises only the findings
//! planted here on purpose ([`PLANTED`]), so the demo shows what each rule catches and a
//! normal day raises nothing.
#![allow(
    clippy::indexing_slicing,
    reason = "the demo's fixed tables are indexed modulo their own length"
)]

use crate::records::{EntryInput, NewAppointment, NewAttachment, NewInvoice, NewPatient, NewPayment, NoteInput};
use crate::{App, AppError, Clock, ManualClock, Principal};
use carekeep_domain::audit::Origin;
use carekeep_domain::monitoring::Rule;
use carekeep_domain::records::invoice::Line;
use carekeep_domain::records::patient::{Contact, ContactMethod};
use carekeep_domain::records::vitals::{HeightUnit, TempUnit, Vitals, WeightUnit};
use carekeep_store::users;
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time};

/// A finding the demo plants on purpose: the rule, whose account, and what was done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plant {
    pub rule: Rule,
    pub username: &'static str,
    pub what: &'static str,
}

/// Every finding access monitoring raises on the demo's seeded week, and no other.
pub const PLANTED: &[Plant] = &[
    Plant {
        rule: Rule::AfterHours,
        username: "nurse",
        what: "opens 35 charts one after another late at night on the week's last open day",
    },
    Plant {
        rule: Rule::BulkLookup,
        username: "nurse",
        what: "the same 35 charts, within one hour",
    },
    Plant {
        rule: Rule::SameSurname,
        username: "nurse",
        what: "opens the chart of Edith Nurse, a patient with her surname",
    },
    Plant {
        rule: Rule::NoCareRelationship,
        username: "nurse",
        what: "Edith Nurse has no appointment or visit",
    },
    Plant {
        rule: Rule::BreakGlass,
        username: "provider",
        what: "breaks glass into a chart restricted to Dr. Dana Owner, with no visit or note after",
    },
];

const GIVEN: &[&str] = &[
    "Amelia",
    "Rafael",
    "Priyanka",
    "Jonah",
    "Mei",
    "Tomás",
    "Grace",
    "Oluwaseun",
    "Hannah",
    "Diego",
    "Leila",
    "Marcus",
    "Sofia",
    "Kenji",
    "Beatrice",
    "Omar",
    "Clara",
    "Mateo",
    "Ingrid",
    "Darius",
    "Fatima",
    "Elliot",
    "Noor",
    "Samuel",
    "Yara",
    "Victor",
    "Lucia",
    "Theo",
    "Imani",
    "Felix",
];
const FAMILY: &[&str] = &[
    "Whitfield",
    "Alvarez",
    "Raman",
    "Okafor",
    "Lindqvist",
    "Castellano",
    "Hollis",
    "Nakamura",
    "Brennan",
    "Moreau",
    "Abernathy",
    "Delgado",
    "Kowalski",
    "Fairweather",
    "Haddad",
    "Pemberton",
    "Quintero",
    "Sorensen",
    "Thibodeaux",
    "Vasquez",
    "Ashdown",
    "Marchetti",
    "Oyelaran",
    "Grimsby",
    "Holloway",
];
const SERVICES: &[&str] = &[
    "Annual physical",
    "Follow-up visit",
    "IV hydration",
    "Skin check",
    "Blood pressure review",
    "Laser treatment",
];
const DIAGNOSES: &[(&str, &str)] = &[
    ("I10", "Essential (primary) hypertension"),
    ("E11.9", "Type 2 diabetes mellitus without complications"),
    ("J06.9", "Acute upper respiratory infection"),
    ("L70.0", "Acne vulgaris"),
    ("E86.0", "Dehydration"),
    ("Z00.00", "General adult medical examination"),
];
const MEDICATIONS: &[(&str, &str, &str)] = &[
    ("Lisinopril", "10 mg", "once daily"),
    ("Metformin", "500 mg", "twice daily"),
    ("Tretinoin cream", "0.025%", "nightly"),
    ("Cetirizine", "10 mg", "as needed"),
];
const ALLERGIES: &[(&str, &str, &str)] = &[
    ("Penicillin", "hives", "moderate"),
    ("Latex", "rash", "mild"),
    ("Sulfa drugs", "swelling", "severe"),
];

/// A small deterministic generator, so the demo looks the same on every machine (not crypto).
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next()).unwrap_or(0) % n.max(1)
    }
}

pub(super) async fn acting_as(app: &App, username: &str) -> Result<Principal, AppError> {
    let mut conn = app.store().read().await?;
    let key = carekeep_domain::username::normalize(username).map_err(|e| AppError::Invalid(e.to_string()))?;
    let u = users::by_key(&mut conn, &key)
        .await?
        .ok_or(AppError::NotFound("demo account"))?;
    Ok(Principal::acting_for(
        u,
        Origin {
            source_ip: "local".into(),
            user_agent: "carekeep demo seed".into(),
            request_id: String::new(),
        },
        app.now(),
    ))
}

/// Seeds `count` patients over the clinic's last week, moving `clock` (the app's own) to each
/// piece of work's time and back to where it was at the end; then plants [`PLANTED`] and runs
/// access monitoring over the week, as the daily scan would have.
pub async fn seed_records(app: &App, clock: &ManualClock, count: usize) -> Result<(), AppError> {
    let desk = acting_as(app, "frontdesk").await?;
    let doc = acting_as(app, "provider").await?;
    let nurse = acting_as(app, "nurse").await?;
    let billing = acting_as(app, "billing").await?;
    let mut dice = Dice(0x5eed_c0de);
    let started = clock.now();
    let today = app.clinic_today();
    let zone = app.clinic_zone();
    let at = |day: Date, hour: u8, min: u8| {
        zone.assume(PrimitiveDateTime::new(
            day,
            Time::from_hms(hour, min, 0).unwrap_or(Time::MIDNIGHT),
        ))
    };
    let hours = app.settings().monitoring.hours.clone();
    // The seeded week: the clinic's open days among the seven before today.
    let days: Vec<Date> = (1..=7)
        .rev()
        .map(|n| today - Duration::days(n))
        .filter(|d| hours.days.contains(&d.weekday()))
        .collect();
    if days.is_empty() {
        return Err(AppError::Invalid("the clinic is open on no day of the week".into()));
    }
    let per_day = count.div_ceil(days.len()).max(1);
    // Visits every 30 minutes from an hour after opening (9:00 AM when the clinic opens at 8).
    let first_hour = hours.open_hour.max(8) + 1;
    let mut ids: Vec<i64> = Vec::with_capacity(count);
    for i in 0..count {
        let day = days[(i / per_day).min(days.len() - 1)];
        let visit_at = at(day, first_hour, 0) + Duration::minutes(30 * i64::try_from(i % per_day).unwrap_or(0));
        let step = |minutes: i64| clock.set(visit_at + Duration::minutes(minutes));
        step(-20);
        let given = GIVEN[i % GIVEN.len()];
        let family = FAMILY[(i * 7 + i / GIVEN.len()) % FAMILY.len()];
        let year = 1940 + dice.below(65);
        let phone = format!("555{:03}{:04}", 200 + dice.below(700), dice.below(10_000));
        let patient = app
            .register_patient(
                &desk.actor(),
                NewPatient {
                    given_name: given.into(),
                    family_name: family.into(),
                    date_of_birth: format!("{year}-{:02}-{:02}", 1 + dice.below(12), 1 + dice.below(28)),
                    sex: ["female", "male", "female", "male", "other"][dice.below(5)].into(),
                    contact: Contact {
                        phone,
                        email: format!("{}.{}@example.com", given.to_lowercase(), family.to_lowercase())
                            .replace('á', "a"),
                        address: format!(
                            "{} {} Street, Springfield",
                            10 + dice.below(980),
                            FAMILY[dice.below(FAMILY.len())]
                        ),
                        emergency_contact: format!(
                            "{} {} (spouse) 555-{:04}",
                            GIVEN[dice.below(GIVEN.len())],
                            family,
                            dice.below(10_000)
                        ),
                        preferred: [ContactMethod::Phone, ContactMethod::Text, ContactMethod::Email][dice.below(3)],
                        address_parts: None,
                    },
                },
            )
            .await?;
        let id = patient.id;
        ids.push(id);
        let service = SERVICES[dice.below(SERVICES.len())];
        // This week's visit, completed, with a signed note and the chart entries from it.
        let visit = app
            .book_appointment(
                &desk.actor(),
                id,
                NewAppointment {
                    provider_id: doc.user_id,
                    service: service.into(),
                    start: visit_at,
                    minutes: 30,
                },
            )
            .await?;
        step(0);
        app.set_appointment_status(&desk.actor(), visit.id, "checked_in")
            .await?;
        step(5);
        app.add_entry(
            &nurse.actor(),
            id,
            EntryInput::Vitals(Vitals {
                systolic_mmhg: Some(u16::try_from(105 + dice.below(45)).unwrap_or(120)),
                diastolic_mmhg: Some(u16::try_from(65 + dice.below(25)).unwrap_or(80)),
                pulse_bpm: Some(u16::try_from(58 + dice.below(40)).unwrap_or(70)),
                temperature: Some(36.4 + f32::from(u8::try_from(dice.below(10)).unwrap_or(0)) / 10.0),
                temperature_unit: Some(TempUnit::C),
                weight: Some(50.0 + f32::from(u8::try_from(dice.below(60)).unwrap_or(0))),
                weight_unit: Some(WeightUnit::Kg),
                height: Some(150.0 + f32::from(u8::try_from(dice.below(40)).unwrap_or(0))),
                height_unit: Some(HeightUnit::Cm),
                spo2_percent: Some(u8::try_from(95 + dice.below(5)).unwrap_or(98)),
            }),
        )
        .await?;
        step(12);
        let (code, text) = DIAGNOSES[dice.below(DIAGNOSES.len())];
        app.add_entry(
            &doc.actor(),
            id,
            EntryInput::Diagnosis {
                code: code.into(),
                description: text.into(),
            },
        )
        .await?;
        if dice.below(2) == 0 {
            let (name, dose, frequency) = MEDICATIONS[dice.below(MEDICATIONS.len())];
            app.add_entry(
                &doc.actor(),
                id,
                EntryInput::Medication {
                    name: name.into(),
                    dose: dose.into(),
                    frequency: frequency.into(),
                },
            )
            .await?;
        }
        if dice.below(3) == 0 {
            let (substance, reaction, severity) = ALLERGIES[dice.below(ALLERGIES.len())];
            app.add_entry(
                &nurse.actor(),
                id,
                EntryInput::Allergy {
                    substance: substance.into(),
                    reaction: reaction.into(),
                    severity: severity.into(),
                },
            )
            .await?;
        }
        let note = app
            .create_note(
                &doc.actor(),
                id,
                NoteInput {
                    subjective: format!(
                        "Here for {}. Feels well overall; no new complaints.",
                        service.to_lowercase()
                    ),
                    objective: "Alert and oriented. Vitals as recorded. Exam unremarkable.".into(),
                    assessment: format!("{code} {text}."),
                    plan: "Continue current plan. Return in 3 months or sooner if symptoms change.".into(),
                },
            )
            .await?;
        app.sign_note(&doc.actor(), note).await?;
        if i % 10 == 3 {
            for (pair, bytes) in [
                ("before", &include_bytes!("demo_before.png")[..]),
                ("after", &include_bytes!("demo_after.png")[..]),
            ] {
                app.add_attachment(
                    &doc.actor(),
                    id,
                    NewAttachment {
                        filename: format!("{pair}.png"),
                        caption: format!("Treatment area, {pair}"),
                        pair: pair.into(),
                        pair_label: "treatment area".into(),
                        bytes: bytes.to_vec(),
                    },
                )
                .await?;
            }
        }
        step(28);
        app.set_appointment_status(&desk.actor(), visit.id, "completed").await?;
        step(32);
        let amount = i64::try_from(8_500 + dice.below(20) * 500).unwrap_or(10_000);
        let invoice = app
            .create_invoice(
                &billing.actor(),
                id,
                NewInvoice {
                    lines: vec![Line {
                        description: service.into(),
                        procedure_code: String::new(),
                        diagnosis_codes: Vec::new(),
                        amount_cents: amount,
                    }],
                },
            )
            .await?;
        app.code_invoice(
            &doc.actor(),
            invoice.invoice_id,
            vec![("99213".into(), vec![code.into()])],
        )
        .await?;
        if dice.below(2) == 0 {
            app.record_payment(
                &billing.actor(),
                invoice.invoice_id,
                NewPayment {
                    amount_cents: amount,
                    method: "card".into(),
                },
            )
            .await?;
        }
        // About one patient in six is on today's schedule.
        if i % 6 == 0 {
            let slot = u8::try_from(i / 6 % 9).unwrap_or(0);
            let r = app
                .book_appointment(
                    &desk.actor(),
                    id,
                    NewAppointment {
                        provider_id: doc.user_id,
                        service: SERVICES[dice.below(SERVICES.len())].into(),
                        start: at(today, 9 + slot, if i % 12 == 0 { 0 } else { 30 }),
                        minutes: 30,
                    },
                )
                .await;
            // A slot already taken today stays with its first patient.
            match r {
                Ok(_) | Err(AppError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        // The day's last visit is done: plant what belongs to this day.
        let day_index = i / per_day;
        if i % per_day == per_day - 1 || i + 1 == count {
            plant(app, clock, &ids, day, (day_index, days.len(), per_day), &at).await?;
            // The daily scan, as it runs after each day.
            clock.set(at(day, 23, 59) + Duration::minutes(45));
            app.run_monitoring().await?;
        }
    }
    clock.set(started);
    Ok(())
}

/// The planted accesses of [`PLANTED`], each on its own day of the seeded week, at the end of
/// that day's visits (so the trail stays in time order).
async fn plant(
    app: &App,
    clock: &ManualClock,
    ids: &[i64],
    day: Date,
    (day_index, days, per_day): (usize, usize, usize),
    at: &impl Fn(Date, u8, u8) -> OffsetDateTime,
) -> Result<(), AppError> {
    let nurse = acting_as(app, "nurse").await?;
    if day_index == 1 % days {
        // A patient with the nurse's surname, registered at the desk, never seen; the nurse
        // opens her chart in the afternoon.
        clock.set(at(day, 15, 30));
        let desk = acting_as(app, "frontdesk").await?;
        let edith = app
            .register_patient(
                &desk.actor(),
                NewPatient {
                    given_name: "Edith".into(),
                    family_name: "Nurse".into(),
                    date_of_birth: "1951-04-23".into(),
                    sex: "female".into(),
                    contact: Contact {
                        phone: "5552010199".into(),
                        email: String::new(),
                        address: "12 Orchard Lane, Springfield".into(),
                        emergency_contact: String::new(),
                        preferred: ContactMethod::Phone,
                        address_parts: None,
                    },
                },
            )
            .await?;
        clock.set(at(day, 15, 50));
        app.patient(&nurse.actor(), edith.id).await?;
    }
    if day_index == 2 % days && days > 2 {
        // The owner restricts a chart seen this morning to herself; the provider breaks glass
        // into it late in the afternoon, and nothing follows.
        if let Some(chart) = ids.get(day_index * per_day + 1).or(ids.last()) {
            clock.set(at(day, 15, 0));
            let owner = acting_as(app, "drowner").await?;
            app.set_restriction(&owner.actor(), *chart, true, &[owner.user_id])
                .await?;
            clock.set(at(day, 16, 40));
            let doc = acting_as(app, "provider").await?;
            app.break_glass(&doc.actor(), *chart, "covering_provider", "").await?;
        }
    }
    if day_index + 1 == days {
        // Late at night, the nurse opens one chart after another: more than an hour allows.
        let many = app.settings().monitoring.max_charts_per_hour + 5;
        for (n, id) in ids.iter().take(many).enumerate() {
            clock.set(at(day, 23, 5) + Duration::minutes(i64::try_from(n).unwrap_or(0)));
            app.patient(&nurse.actor(), *id).await?;
        }
    }
    Ok(())
}
