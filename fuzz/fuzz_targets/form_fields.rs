//! What staff type into forms: names, dates, phones, contact blocks, search queries, codes,
//! vitals; each is accepted or refused with a message, never a panic.
#![no_main]
use carekeep_domain::records::{codes, patient, search};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let _ = patient::check_name("first name", s);
    let _ = patient::parse_date(s);
    let _ = patient::normalize_phone(s);
    let _ = patient::check_contact(patient::Contact {
        phone: s.into(),
        email: s.into(),
        address: s.into(),
        emergency_contact: s.into(),
        preferred: patient::ContactMethod::Email,
    });
    let _ = search::parse(s);
    let _ = codes::icd10cm(s);
    let _ = codes::procedure(s);
    let _ = carekeep_domain::rights::clocks::Kind::parse(s);
});
