//! The demo clinic's patients: about fifty synthetic people with appointments, signed notes,
//! vitals, diagnoses, medications, allergies, before/after photos and invoices, written through
//! the same use cases (and so the same policy, encryption and audit trail) as real work.
//! Every name, date and number here is invented.
#![allow(
    clippy::indexing_slicing,
    reason = "the demo's fixed tables are indexed modulo their own length"
)]

use crate::records::{EntryInput, NewAppointment, NewAttachment, NewInvoice, NewPatient, NewPayment, NoteInput};
use crate::{App, AppError, Principal};
use carekeep_domain::audit::Origin;
use carekeep_domain::records::invoice::Line;
use carekeep_domain::records::patient::{Contact, ContactMethod};
use carekeep_domain::records::vitals::{HeightUnit, TempUnit, Vitals, WeightUnit};
use carekeep_store::users;
use time::{Duration, PrimitiveDateTime, Time};

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

async fn acting_as(app: &App, username: &str) -> Result<Principal, AppError> {
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

/// Seeds `count` patients as the demo's front desk, provider and billing accounts.
pub async fn seed_records(app: &App, count: usize) -> Result<(), AppError> {
    let desk = acting_as(app, "frontdesk").await?;
    let doc = acting_as(app, "provider").await?;
    let nurse = acting_as(app, "nurse").await?;
    let billing = acting_as(app, "billing").await?;
    let mut dice = Dice(0x5eed_c0de);
    let today = app.clinic_today();
    let zone = app.clinic_zone();
    let at = |day: time::Date, hour: u8, min: u8| {
        zone.assume(PrimitiveDateTime::new(
            day,
            Time::from_hms(hour, min, 0).unwrap_or(Time::MIDNIGHT),
        ))
    };
    for i in 0..count {
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
        let service = SERVICES[dice.below(SERVICES.len())];
        // A past visit, completed, with a signed note and the chart entries from it.
        let past = today - Duration::days(i64::try_from(3 + dice.below(200)).unwrap_or(3));
        // The calendar refuses a double booking: a taken hour moves on to the next one.
        let hour = u8::try_from(dice.below(8)).unwrap_or(0);
        let mut booked = None;
        for step in 0..8u8 {
            let r = app
                .book_appointment(
                    &desk.actor(),
                    id,
                    NewAppointment {
                        provider_id: doc.user_id,
                        service: service.into(),
                        start: at(past, 9 + (hour + step) % 8, 0),
                        minutes: 30,
                    },
                )
                .await;
            match r {
                Err(AppError::Conflict(_)) => continue,
                r => {
                    booked = Some(r?);
                    break;
                }
            }
        }
        let Some(visit) = booked else { continue };
        app.set_appointment_status(&desk.actor(), visit.id, "checked_in")
            .await?;
        app.set_appointment_status(&desk.actor(), visit.id, "completed").await?;
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
    }
    Ok(())
}
