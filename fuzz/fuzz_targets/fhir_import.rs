//! `carekeep import fhir`: any bytes are planned or refused with a reason, never a panic; a
//! plan never holds more patients than the bundle has entries.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let now = time::macros::datetime!(2026-11-22 12:00 UTC);
    if let Ok(plan) = carekeep_app::fhir::import::plan(data, now, now.date()) {
        assert!(plan.patients.len() <= plan.resources);
    }
});
